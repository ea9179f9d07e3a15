"""Runs core work on a thread pool and turns its callbacks into Qt signals (the only adapter).

Core long work is a plain function `fn(on_progress, cancel) -> result`. `TaskRunner.run`
wraps it in a `QRunnable`; progress, result and errors come back as signals, delivered on
the GUI thread. Tests hand the runner an `ImmediatePool`, which runs each task at once.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.progress import CancelFlag, ProgressCallback

Work = Callable[[ProgressCallback, CancelFlag], Any]


class Pool(Protocol):
    def start(self, runnable: QRunnable, priority: int = 0) -> None: ...


class ImmediatePool:
    """A pool that runs each task at once on the calling thread (tests, scripts)."""

    def start(self, runnable: QRunnable, priority: int = 0) -> None:
        runnable.run()


class TaskSignals(QObject):
    progress = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)
    finished = Signal()


def describe_error(exc: BaseException) -> str:
    """Words a paralegal can act on; our own errors already are."""
    if isinstance(exc, IntakeError):
        return exc.message
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return (
            f"The computer refused a file operation{where}: {exc.strerror or exc}. Check that "
            "the file is not open elsewhere and that the disk is connected, then try again."
        )
    return (
        f"Something unexpected went wrong ({type(exc).__name__}: {exc}). Nothing was lost: "
        "files not yet filed are where they were. Please tell your administrator."
    )


class Task(QRunnable):
    def __init__(self, work: Work, signals: TaskSignals, cancel: CancelFlag) -> None:
        super().__init__()
        self.work = work
        self.signals = signals
        self.cancel = cancel
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.work(self.signals.progress.emit, self.cancel)
        except Exception as exc:  # reported in the window, never swallowed
            if not isinstance(exc, IntakeError):
                traceback.print_exc()  # unexpected: keep the details for the administrator
            self.signals.failed.emit(describe_error(exc))
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.signals.finished.emit()


class TaskRunner(QObject):
    """Starts tasks on a pool and keeps their signal objects alive until they finish."""

    busy_changed = Signal(bool)

    def __init__(self, pool: Pool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool: Pool = pool if pool is not None else QThreadPool.globalInstance()
        self._running: set[TaskSignals] = set()
        # Finished tasks' signal objects, released at the next start (never while their own
        # signal is still being delivered, and always on the GUI thread).
        self._spent: list[TaskSignals] = []

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def run(
        self,
        work: Work,
        *,
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        cancel: CancelFlag | None = None,
    ) -> CancelFlag:
        """Start `work`; returns its cancel flag (the one given, or a new one)."""
        for old in self._spent:
            old.setParent(None)
        self._spent.clear()
        signals = TaskSignals(self)
        cancel = cancel if cancel is not None else CancelFlag()
        if on_progress:
            signals.progress.connect(on_progress)
        if on_success:
            signals.succeeded.connect(on_success)
        if on_error:
            signals.failed.connect(on_error)
        signals.finished.connect(self._done)
        self._running.add(signals)
        if len(self._running) == 1:
            self.busy_changed.emit(True)
        self.pool.start(Task(work, signals, cancel))
        return cancel

    def _done(self) -> None:
        signals = self.sender()
        if isinstance(signals, TaskSignals):
            self._running.discard(signals)
            self._spent.append(signals)
        if not self._running:
            self.busy_changed.emit(False)
