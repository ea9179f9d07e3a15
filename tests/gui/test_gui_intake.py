"""Dropping files on the intake page files them (ledger rows and files on disk)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from intake_desktop.core.ledger import DocStatus
from intake_desktop.qt.intake_page import IntakePage
from intake_desktop.qt.main_window import MainWindow


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def drop(widget: object, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    action = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(QPoint(10, 10), action, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)  # type: ignore[arg-type]
    assert enter.isAccepted()
    event = QDropEvent(QPointF(10, 10), action, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)  # type: ignore[arg-type]
    assert event.isAccepted()


def test_drop_files_and_folder_files_them(make_window, app, make_pdf, tmp_path):
    """GIVEN two PDFs and a folder dropped with a matter chosen, THEN each is filed."""
    window = make_window("paralegal")
    assert isinstance(window, MainWindow)
    page = window.pages["intake"]
    assert isinstance(page, IntakePage)
    a = make_pdf("Letter from insurer.pdf", 2)
    b = make_pdf("Medical records.pdf", 5)
    folder = tmp_path / "incoming" / "photos"
    c = make_pdf("scan.pdf", 1, folder=folder)
    page.matter.setCurrentText("2024-017 Smith")
    drop(page.drop_zone, [a, b, folder])

    docs = app.ledger.docs.documents(status=DocStatus.FILED)
    assert sorted(Path(d.source_path).name for d in docs) == [
        "Letter from insurer.pdf", "Medical records.pdf", "scan.pdf"]
    for d in docs:
        assert d.matter_id == "2024-017 Smith"
        filed = app.workspace.root / d.filed_path
        original = app.workspace.root / d.original_path
        assert sha(filed) == d.sha256 == sha(original)
        assert sha(Path(d.source_path)) == d.sha256  # dragged from outside: left in place
    events = app.ledger.chain.events()
    assert {(e.actor_user, e.actor_role) for e in events} == {("pat", "paralegal")}
    # The window shows each file's result and where it went.
    rows = {Path(r.source).name: r for r in page.model.rows}
    assert rows["scan.pdf"].status == "filed"
    assert rows["Medical records.pdf"].detail.endswith("Medical records.pdf")
    assert "3 filed" in page.status.text()
    [scan] = [d for d in docs if d.filed_path.endswith("scan.pdf")]
    assert scan.filed_path == "Matters/2024-017 Smith/scan.pdf"
    assert sha(c) == scan.sha256


def test_drop_without_matter_asks_and_loose_intake_files_go_to_review(
        make_window, app, make_pdf):
    """Files from outside need a matter (issue 14 defect 2: the page asks); a file put
    loose in Intake/ (no Intake/<matter>/ folder) still goes to review with the reason."""
    window = make_window("paralegal")
    page = window.pages["intake"]
    page.matter_picker = lambda paths: None
    drop(page.drop_zone, [make_pdf("unknown.pdf", 1)])
    assert app.ledger.docs.documents() == []
    page.matter_picker = lambda paths: "2024-1 A"
    a = make_pdf("unknown.pdf", 1, folder=app.workspace.intake / "loose")
    drop(page.drop_zone, [a])  # a folder inside Intake/ names its matter: no question
    [doc] = app.ledger.docs.documents()
    assert doc.matter_id == "loose"


def test_errors_shown_in_the_window(make_window, app, make_pdf):
    """A file already inside the workspace is refused with words a paralegal can act on."""
    window = make_window("paralegal")
    page = window.pages["intake"]
    inside = make_pdf("inside.pdf", 1, folder=app.workspace.matters)
    drop(page.drop_zone, [inside])
    [row] = page.model.rows
    assert row.status == "error"
    assert "already inside the workspace" in row.detail
    assert "not filed" in window.message_label.text()
    assert app.ledger.docs.documents() == []


def test_window_names_workspace_and_actor(make_window, app):
    window = make_window("attorney")
    assert app.workspace.root.name in window.windowTitle()
    assert "pat (attorney)" in window.actor_label.text()
    assert str(app.workspace.root) in window.workspace_label.text()


def test_results_model(make_window, app, make_pdf, qtmodeltester):
    window = make_window("paralegal")
    page = window.pages["intake"]
    page.matter.setCurrentText("M1")
    drop(page.drop_zone, [make_pdf("x.pdf"), make_pdf("y.pdf")])
    qtmodeltester.check(page.model)
