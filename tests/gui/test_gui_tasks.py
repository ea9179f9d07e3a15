"""The task runner: real worker threads hand results and progress back to the GUI thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThreadPool

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import Actor, DocStatus
from intake_desktop.qt.main_window import MainWindow
from intake_desktop.qt.tasks import TaskRunner


def test_runner_reports_progress_result_and_thread(qtbot):
    runner = TaskRunner(QThreadPool())
    seen: list[object] = []
    where: list[object] = []

    def work(on_progress, cancel):
        where.append(threading.current_thread())
        for i in range(3):
            on_progress(i, 3, f"step {i}")
        return "done"

    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: not busy):
        runner.run(work, on_success=seen.append,
                   on_progress=lambda d, t, m: seen.append((d, t, m)))
    assert seen == [(0, 3, "step 0"), (1, 3, "step 1"), (2, 3, "step 2"), "done"]
    assert where[0] is not threading.main_thread()


def test_runner_turns_errors_into_words(qtbot):
    runner = TaskRunner(QThreadPool())
    errors: list[str] = []

    def work(on_progress, cancel):
        raise IntakeError("the disk is full", path="/x/y.pdf", fix="free some space")

    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: not busy):
        runner.run(work, on_error=errors.append)
    assert errors == ["/x/y.pdf: the disk is full. Free some space."]


def test_window_files_on_a_real_thread_pool(qtbot, app, make_pdf):
    window = MainWindow(app, actor=Actor("pat", "paralegal"), tray=False)
    qtbot.addWidget(window)
    page = window.pages["intake"]
    page.matter.setCurrentText("M-7")
    with qtbot.waitSignal(page.batch_finished, timeout=20000):
        page.file_paths([make_pdf("a.pdf", 2), make_pdf("b.pdf", 1)])
    qtbot.waitUntil(lambda: not window.runner.busy)
    assert len(app.ledger.docs.documents(status=DocStatus.FILED)) == 2
    assert [r.status for r in page.model.rows] == ["filed", "filed"]
