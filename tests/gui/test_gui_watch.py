"""The window runs the folder watcher and shows what it filed."""

from __future__ import annotations

from intake_desktop.core.ledger import Actor, DocStatus
from intake_desktop.qt.main_window import MainWindow


def test_watch_off_by_default_in_tests(make_window):
    window = make_window("paralegal")
    assert not window.watch.running
    assert "Folder watching: off" in window.watch_label.text()


def test_watcher_files_what_lands_in_intake(qtbot, app, make_pdf):
    window = MainWindow(app, actor=Actor("pat", "paralegal"), tray=False, watch=True)
    qtbot.addWidget(window)
    assert window.watch.running
    assert "Watching" in window.watch_label.text()
    with qtbot.waitSignal(window.watch.filed, timeout=30000):
        make_pdf("dropped.pdf", 2, folder=app.workspace.intake / "2024-050 Park")
    [doc] = app.ledger.docs.documents(status=DocStatus.FILED)
    assert doc.matter_id == "2024-050 Park"
    rows = window.pages["intake"].model.rows
    assert rows and rows[-1].status == "filed"
    # The status line counts what the watcher filed (it said "Nothing filed yet").
    status = window.pages["intake"].status.text()
    assert status.endswith("From the watched folders this session: 1 filed."), status
    window.close()
    assert not window.watch.running


def test_attorney_window_does_not_watch(qtbot, app):
    window = MainWindow(app, actor=Actor("lee", "attorney"), tray=False, watch=True)
    qtbot.addWidget(window)
    assert not window.watch.running
