"""The Supervision page (issue 17 item 5) and sign-off in the window (item 3): escalated
documents with Approve / Return buttons, outputs with their sign-off state (changed since
sign-off shown), activity by person and by matter, the activity report; the builder's
Sign off button and the browser's provisional mark."""

from __future__ import annotations

import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from intake_desktop.app import App, build_filer, open_app
from intake_desktop.core.desks.exhibit_builder import BuildOptions, Pick, build
from intake_desktop.core.ledger import Actor, DocStatus, EventKind
from intake_desktop.core.signoff import MANIFEST_NAME
from intake_desktop.core.workspace import init_workspace
from intake_desktop.qt.models import PROVISIONAL_MARK
from tests.commands.test_escalations import CAUGHT, MATTER
from tests.core.rules.samples import make_pdf


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    """A litigation workspace: the preset's escalations filed provisionally, an ordinary
    letter filed, and an exhibit set built from the letter (a draft)."""
    ws = init_workspace(tmp_path / "ws", "litigation")
    for name, (lines, _rule, _folder) in CAUGHT.items():
        make_pdf(ws.intake / MATTER / name, lines)
    make_pdf(ws.intake / MATTER / "letter.pdf",
             ["Dear Ms. Reyes,", "Enclosed the report dated 2024-02-01.", "Sincerely,"])
    application = open_app(str(ws.root), create=False)
    results = build_filer(application).ingest([ws.intake], matter=None)
    assert all(r.status.value == "filed" for r in results), [r.reason for r in results]
    yield application
    application.close()


def _doc_id(app: App, name: str) -> int:
    for doc in app.ledger.docs.documents():
        if doc.source_path.endswith(name):
            return doc.id
    raise AssertionError(name)


def _built_set(app: App) -> Path:
    letter = _doc_id(app, "letter.pdf")
    built = build(app.workspace, app.ledger, BuildOptions("Reyes trial", bates_prefix="REY",
                                                          matter=MATTER),
                  [Pick(letter, "Letter of 2024-02-01")])
    return built.out_dir


def test_page_shows_waiting_work_and_its_buttons_work(make_window: Any, app: App,
                                                      tmp_path: Path) -> None:
    out = _built_set(app)
    window = make_window("attorney")
    assert window.open_page("supervision")
    page = window.pages["supervision"]
    # every escalation of the presets waits, with its rule
    shown = {page.approval_table.item(r, 3).text() for r in range(page.approval_table.rowCount())}
    assert shown == {rule for _lines, rule, _folder in CAUGHT.values()}
    assert not page.approve_button.isEnabled()

    memo = _doc_id(app, "memo.pdf")
    assert page.select_approval(memo)
    assert page.approve_button.isEnabled()
    assert not page.return_button.isEnabled()  # a return needs a note
    page.approve_button.click()
    assert not page.select_approval(memo)
    approved = app.ledger.chain.events(kinds=[EventKind.APPROVED])
    assert [(e.document_id, e.actor_user, e.actor_role) for e in approved] == [
        (memo, "pat", "attorney")]

    petition = _doc_id(app, "petition.pdf")
    assert page.select_approval(petition)
    page.note.setText("Belongs in the guardianship matter")
    assert page.return_button.isEnabled()
    page.return_button.click()
    doc = app.ledger.docs.document(petition)
    assert doc is not None and doc.status == DocStatus.REVIEW
    assert doc.reason == "returned by pat: Belongs in the guardianship matter"
    assert (app.workspace.root / str(doc.filed_path)).is_file()
    assert page.approval_table.rowCount() == len(CAUGHT) - 2

    # the draft set: sign off, then a changed byte shows as changed since sign-off
    key = out.relative_to(app.workspace.root).as_posix()
    assert page.select_set(key)
    row = page.set_table.currentRow()
    assert page.set_table.item(row, 3).text() == "Draft"
    page.signoff_button.click()
    assert (out / MANIFEST_NAME).is_file()
    row = page.set_table.currentRow()
    assert page.set_table.item(row, 3).text().startswith("Signed off by pat on ")
    assert not page.signoff_button.isEnabled()
    stamped = next((out / "Exhibits").glob("*.pdf"))
    stamped.chmod(stat.S_IRUSR | stat.S_IWUSR)
    stamped.write_bytes(stamped.read_bytes() + b"\n% changed")
    page.refresh()
    assert page.select_set(key)
    cell = page.set_table.item(page.set_table.currentRow(), 3)
    assert cell.text() == "⚠ Changed since sign-off"
    assert f"changed: Exhibits/{stamped.name}" in cell.toolTip()
    assert "1 changed since sign-off" in page.summary.text()

    # recent activity by person and by matter
    page.tabs.setCurrentIndex(1)
    people = {page.summary_table.item(r, 0).text() for r in range(page.summary_table.rowCount())}
    assert "pat" in people
    page.group.setCurrentText("By matter")
    matters = {page.summary_table.item(r, 0).text()
               for r in range(page.summary_table.rowCount())}
    assert MATTER in matters
    assert page.recent_table.item(0, 3).text() in {"signed off", "built a draft",
                                                   "exported", "stamped into an exhibit set"}

    # the activity report, as the user saves it
    page.matter.setCurrentIndex(page.matter.findData(MATTER))
    pdf = page.save_report("pdf", tmp_path / "report.pdf")
    assert pdf is not None
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert f"Activity report: {MATTER}" in text and "approved" in text
    csv_path = page.save_report("csv", tmp_path / "report.csv")
    assert csv_path is not None and "returned to review" in csv_path.read_text("utf-8-sig")

    # the browser marks what is still provisional and the set's state
    assert window.open_page("browser")
    browser = window.pages["browser"]
    browser.status.setCurrentText("Everything")
    rows = {browser.model.records[r].id: r for r in range(len(browser.model.records))}
    third = _doc_id(app, "husband-records.pdf")
    description = browser.model.column_index("description")
    assert str(browser.model.data(browser.model.index(rows[third], description))).startswith(
        PROVISIONAL_MARK)
    assert not str(browser.model.data(browser.model.index(rows[memo], description))).startswith(
        PROVISIONAL_MARK)
    browser.select_row(rows[_doc_id(app, "letter.pdf")])
    assert f"In {key}: Changed since sign-off" in browser.doc_label.text()
    browser.select_row(rows[third])
    assert "Provisional" in browser.doc_label.text()


def test_only_attorneys_and_admins_supervise(make_window: Any) -> None:
    paralegal = make_window("paralegal")
    assert "supervision" not in paralegal.pages
    assert not paralegal.open_page("supervision")
    assert "Supervision needs an attorney or admin profile" in paralegal.message_label.text()
    assert "supervision" in make_window("admin").pages


def test_builder_signs_off_and_shows_the_state(make_window: Any, app: App) -> None:
    from intake_desktop.qt.builder_page import BuilderPage

    window = make_window("paralegal")
    assert window.open_page("builder")
    page = window.pages["builder"]
    assert isinstance(page, BuilderPage)
    row = next(r for r, d in enumerate(page.documents.records)
               if d.source_path.endswith("letter.pdf"))
    page.add_document(row)
    page.set_name.setText("Reyes motion exhibits")
    page.start_build()
    assert page.last is not None, page.result.text()
    assert page.signoff_state.text().endswith("Draft")
    assert page.signoff_button.isHidden()  # paralegals do not sign off
    window.set_actor(Actor("ann", "attorney"))
    page = window.pages["builder"]
    assert not page.signoff_button.isHidden() and page.signoff_button.isEnabled()
    page.signoff_button.click()
    assert "Signed off by ann on " in page.signoff_state.text()
    (event,) = app.ledger.chain.events(kinds=[EventKind.SIGNED_OFF])
    assert event.actor_user == "ann" and event.detail["kind"] == "exhibit_set"
    (page.last.out_dir / "Exhibit index.csv").unlink()
    page.refresh()
    assert "Changed since sign-off" in page.signoff_state.text()
    assert "missing: Exhibit index.csv" in page.signoff_state.toolTip()


def test_columns_fit_what_they_show(qtbot: Any) -> None:
    """Names and states are shown whole ("Signed off by Jor...ale" was cut); the long path
    takes what width is left, elided in the middle, and nothing scrolls sideways."""
    from intake_desktop.qt.supervision_page import SET_COLUMNS, _fill, _table

    table = _table(None, SET_COLUMNS, "Outputs", elastic=0)  # type: ignore[arg-type]
    qtbot.addWidget(table)
    table.resize(900, 200)
    table.show()
    long_path = "Exports/" + "Reyes v. Acme Logistics - Plaintiff's trial exhibits " * 3
    _fill(table, [("a", [long_path, "exhibit set", "2024-0117 Reyes v. Acme Logistics",
                         "Signed off by Jordan Vale on 2026-12-03", "Priya Raman",
                         "2026-12-03 21:49"])])
    qtbot.waitUntil(lambda: table.columnWidth(0) > 0)
    metrics = table.fontMetrics()
    for col in range(1, table.columnCount()):
        text = table.item(0, col).text()
        assert table.columnWidth(col) >= metrics.horizontalAdvance(text), (col, text)
    total = sum(table.columnWidth(c) for c in range(table.columnCount()))
    assert total <= table.viewport().width()
    assert table.columnWidth(0) < metrics.horizontalAdvance(long_path)
