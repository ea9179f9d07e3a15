"""The browser shows a translation and its original as a pair, and where each document's
date came from (issue 23 items 1 and 3), on the demo's French birth certificate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from intake_desktop.app import App, build_filer, open_app
from intake_desktop.core.demo import generate_documents
from intake_desktop.core.demo.cast import IMMIGRATION_MATTER
from intake_desktop.core.demo.documents import DEFAULT_SEED
from intake_desktop.core.ledger import Actor
from intake_desktop.core.workspace import init_workspace


@pytest.fixture
def immigration_app(tmp_path: Path) -> Iterator[App]:
    ws = init_workspace(tmp_path / "ws", "immigration")
    application = open_app(str(ws.root), create=False)
    yield application
    application.close()


def _drop(app: App, names: tuple[str, ...]) -> list[Path]:
    wanted = {d.name: d for d in generate_documents(DEFAULT_SEED)
              if d.matter == IMMIGRATION_MATTER}
    out = []
    for name in names:
        path = app.workspace.intake / IMMIGRATION_MATTER / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(wanted[name].data)
        out.append(path)
    return out


def _row_of(page: Any, suffix: str) -> int:
    return next(r for r in range(page.model.rowCount())
                if (page.model.record(r).filed_path or "").endswith(suffix))


def test_translation_and_original_show_each_other_and_a_click_opens_the_other(
    immigration_app: App, qtbot: Any,
) -> None:
    from intake_desktop.qt.main_window import MainWindow
    from intake_desktop.qt.tasks import ImmediatePool

    filer = build_filer(immigration_app)
    # The translation first, then the French original (a scan, OCRed in French).
    translation_src, original_src = _drop(immigration_app, (
        "Birth certificate - certified translation.pdf",
        "Birth certificate - original (French).pdf"))
    filer.ingest([translation_src])
    filer.ingest([original_src])
    window = MainWindow(immigration_app, actor=Actor("pat", "attorney"), pool=ImmediatePool(),
                        tray=False)
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    assert window.open_page("browser")
    page = window.pages["browser"]
    page.refresh()
    line = page.facts_line

    page.select_row(_row_of(page, "_EN-translation.pdf"))
    assert line.pair_buttons[0].isVisible()
    assert line.pair_buttons[0].text() == "Translation of CIV_Birth-Certificate.pdf"
    assert line.pair_buttons[0].toolTip().endswith(
        "/2024-02-02_2024-0588 Okafor - I-130 Spousal Petition_CIV_Birth-Certificate.pdf")
    assert line.date_label.text() == "Date from “Date of issue” in the text: 2024-02-02"
    window.grab().save(str(Path(__file__).parent.parent.parent / ".pytest_cache"
                           / "translation_pair.png"))
    qtbot.mouseClick(line.pair_buttons[0], Qt.MouseButton.LeftButton)
    opened = page.selected()
    assert opened is not None and opened.filed_path.endswith("_CIV_Birth-Certificate.pdf")
    assert page.preview.page_count() == 1
    assert line.pair_buttons[0].text() == (
        "Translated in CIV_Birth-Certificate_EN-translation.pdf")

    # From the original, even when a filter hides the translation, a click finds it.
    page.search.setText("naissance")
    page.apply_filter()
    assert page.model.rowCount() == 1
    page.select_row(0)
    qtbot.mouseClick(line.pair_buttons[0], Qt.MouseButton.LeftButton)
    opened = page.selected()
    assert opened is not None and opened.filed_path.endswith("_EN-translation.pdf")


def test_an_undated_document_says_it_was_named_with_the_day_received(
    immigration_app: App, qtbot: Any, tmp_path: Path,
) -> None:
    from reportlab.pdfgen import canvas

    from intake_desktop.qt.main_window import MainWindow
    from intake_desktop.qt.tasks import ImmediatePool

    note = immigration_app.workspace.intake / IMMIGRATION_MATTER / "note.pdf"
    note.parent.mkdir(parents=True)
    c = canvas.Canvas(str(note))
    for y, line in ((720, "Dear Ms. Okafor,"), (700, "Please call us about the interview."),
                    (680, "Sincerely,")):
        c.drawString(72, y, line)
    c.save()
    [result] = build_filer(immigration_app).ingest([note])
    assert result.status == "filed" and Path(result.path or "").name.startswith("rcvd-")
    received = next(e.at[:10] for e in immigration_app.ledger.chain.events(
        document_id=result.document_id) if e.kind == "received")
    window = MainWindow(immigration_app, actor=Actor("pat", "attorney"), pool=ImmediatePool(),
                        tray=False)
    qtbot.addWidget(window)
    page = window.pages["browser"]
    page.select_row(0)
    assert page.facts_line.date_label.text() == f"No date found: received {received}"
    assert not any(b.isVisibleTo(page) for b in page.facts_line.pair_buttons)
