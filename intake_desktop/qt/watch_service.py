"""Runs the folder watcher (core.watch) beside the window and turns its reports into
signals: a status line, and each file it filed."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.filing import IngestResult
from intake_desktop.core.watch import Watcher, WatchEvent, WatchStatus, load_watch_settings
from intake_desktop.qt.session import Session


class WatchService(QObject):
    """Starts/stops one watcher. Reports arrive on watcher threads; signals are queued."""

    status = Signal(str, bool)  # a sentence for the status bar, and whether all is well
    filed = Signal(object)  # IngestResult of a file the watcher took

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._watcher: Watcher | None = None
        self.folders = 0

    @property
    def running(self) -> bool:
        return self._watcher is not None

    def start(self) -> bool:
        if self._watcher is not None:
            return True
        try:
            settings = load_watch_settings(self.session.app.workspace.config_path)
            watcher = Watcher(
                self.session.app.workspace, self.session.filer, settings=settings,
                on_event=self._report,
            )
            watcher.start()
        except Exception as exc:  # the window goes on; the status bar says why (a lost
            # ledger database raises the driver's own error from the first heartbeat)
            message = exc.message if isinstance(exc, IntakeError) else str(exc).splitlines()[0]
            self.status.emit(f"Folder watching stopped: {message}", False)
            return False
        self._watcher = watcher
        self.folders = len(watcher.folders)
        self.status.emit(f"Watching {self.folders} intake folder"
                         f"{'s' if self.folders != 1 else ''}", True)
        return True

    def stop(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()
            self.status.emit("Folder watching: off", True)

    def _report(self, report: IngestResult | WatchStatus) -> None:
        """Called on the watcher's threads: only emits (queued to the GUI thread)."""
        if isinstance(report, IngestResult):
            self.filed.emit(report)
            return
        if report.kind in (WatchEvent.FOLDER_UNAVAILABLE, WatchEvent.ERROR):
            self.status.emit(f"Folder watching: {report.message}", False)
        elif report.kind in (WatchEvent.STARTED, WatchEvent.OBSERVER_RESTARTED):
            self.status.emit(f"Watching {self.folders} intake folder"
                             f"{'s' if self.folders != 1 else ''}", True)
