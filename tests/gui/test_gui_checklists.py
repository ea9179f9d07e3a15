"""The Checklists page: a matter's items by status with a progress bar, waivers with a
reason, the client letter, and the desk overview of matters with missing items."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from intake_desktop.app import App, build_filer, open_app
from intake_desktop.core.checklists import assign_checklist, shipped_checklists
from intake_desktop.core.ledger import Actor
from intake_desktop.core.workspace import init_workspace
from tests.core.rules.samples import make_pdf

MATTER = "IMM-24-0031"


@pytest.fixture
def imm_app(tmp_path: Path) -> Iterator[App]:
    ws = init_workspace(tmp_path / "ws", "immigration")
    application = open_app(str(ws.root), create=False)
    family = next(c for c in shipped_checklists() if c.id == "immigration-family-i130-i485")
    assign_checklist(application.ledger, MATTER, family)
    make_pdf(ws.intake / MATTER / "birth.pdf", [
        "CERTIFICATE OF BIRTH", "Date of birth: March 9, 1991", "Date issued: April 2, 2018"])
    make_pdf(ws.intake / MATTER / "marriage.pdf", [
        "CERTIFICATE OF MARRIAGE", "Issued: November 1, 2023"])
    build_filer(application).ingest([ws.intake / MATTER])
    yield application
    application.close()


def _rows(page: Any) -> dict[str, tuple[str, str]]:
    table = page.items
    return {
        table.item(r, 0).data(Qt.ItemDataRole.UserRole): (
            table.item(r, 0).text(), table.item(r, 2).text())
        for r in range(table.rowCount())
    }


def test_checklist_page_shows_items_waives_and_writes_the_letter(
    qtbot: Any, imm_app: App
) -> None:
    from intake_desktop.qt.main_window import MainWindow
    from intake_desktop.qt.tasks import ImmediatePool

    window = MainWindow(imm_app, actor=Actor("pat", "paralegal"), pool=ImmediatePool(),
                        tray=False)
    qtbot.addWidget(window)
    window.show()
    assert window.open_page("checklists")
    page = window.pages["checklists"]
    page.matter.setCurrentText(MATTER)
    rows = _rows(page)
    assert rows["birth-certificates"][0] == "✓ Received"
    assert "CIV_Birth-Certificate.pdf" in rows["birth-certificates"][1]
    assert rows["marriage-certificate"][0] == "✓ Received"
    assert rows["pay-stubs"][0] == "✗ Missing"
    assert page.progress.value() == 2 and page.progress.maximum() == 11
    # Waive the medical exam with a reason (the dialog is the boundary).
    row = next(r for r in range(page.items.rowCount())
               if page.items.item(r, 0).data(Qt.ItemDataRole.UserRole) == "medical-exam")
    page.items.selectRow(row)
    page.ask_reason = lambda _title: "the civil surgeon sends it to USCIS"
    qtbot.mouseClick(page.waive_button, Qt.MouseButton.LeftButton)
    rows = _rows(page)
    assert rows["medical-exam"][0] == "– Waived"
    assert rows["medical-exam"][1] == "Waived by pat: the civil surgeon sends it to USCIS"
    assert page.progress.value() == 3
    waived = [e for e in imm_app.ledger.chain.events() if e.kind == "checklist_waived"]
    assert waived and waived[-1].actor_user == "pat"
    # The letter lists the missing client items.
    qtbot.mouseClick(page.letter_button, Qt.MouseButton.LeftButton)
    letters = sorted((imm_app.workspace.exports / "Client letters" / MATTER).glob("*.pdf"))
    assert len(letters) == 1, page.message.text()
    text = " ".join(subprocess.run(["pdftotext", str(letters[0]), "-"], check=True,
                                   capture_output=True, text=True).stdout.split())
    assert "Pay stubs for the last six months" in text
    assert "Marriage certificate" not in text  # received
    assert "written" in page.message.text()
    # The overview lists the matter with its missing count; sortable.
    overview = page.overview
    assert overview.rowCount() == 1
    assert overview.item(0, 0).text() == MATTER
    assert int(overview.item(0, 2).text()) == len(page.state.missing)
    assert overview.isSortingEnabled()


def test_attorney_sees_checklists_too(qtbot: Any, imm_app: App) -> None:
    from intake_desktop.qt.main_window import MainWindow
    from intake_desktop.qt.tasks import ImmediatePool

    window = MainWindow(imm_app, actor=Actor("ann", "attorney"), pool=ImmediatePool(),
                        tray=False)
    qtbot.addWidget(window)
    assert window.open_page("checklists")
