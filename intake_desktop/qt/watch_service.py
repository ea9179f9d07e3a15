"""Runs the folder watcher (core.watch, when installed) beside the window and turns its
reports into signals: a status line, and each file it filed."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from PySide6.QtCore import QObject, Signal

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.filing import IngestResult
from intake_desktop.qt.session import Session

WATCH_PACKAGE = "intake_desktop.core.watch"


def watch_available() -> bool:
    return importlib.util.find_spec(WATCH_PACKAGE) is not None


class WatchService(QObject):
    """Starts/stops one watcher. Reports arrive on watcher threads; signals are queued."""

    status = Signal(str, bool)  # a sentence for the status bar, and whether all is well
    filed = Signal(object)  # IngestResult of a file the watcher took

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._watcher: Any = None
        self.folders = 0

    @property
    def running(self) -> bool:
        return self._watcher is not None

    def start(self) -> bool:
        if not watch_available():
            self.status.emit("Folder watching: not installed", True)
            return False
        if self._watcher is not None:
            return True
        watch: Any = importlib.import_module(WATCH_PACKAGE)
        config: Any = importlib.import_module(f"{WATCH_PACKAGE}.config")
        try:
            settings = config.load_watch_settings(self.session.app.workspace.config_path)
            self._watcher = watch.Watcher(
                self.session.app.workspace, self.session.filer, settings=settings,
                on_event=self._report,
            )
            self._watcher.start()
        except (IntakeError, OSError) as exc:
            self._watcher = None
            message = exc.message if isinstance(exc, IntakeError) else str(exc)
            self.status.emit(f"Folder watching stopped: {message}", False)
            return False
        self.folders = len(self._watcher.folders)
        self.status.emit(f"Watching {self.folders} intake folder"
                         f"{'s' if self.folders != 1 else ''}", True)
        return True

    def stop(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()
            self.status.emit("Folder watching: off", True)

    def _report(self, report: Any) -> None:
        if isinstance(report, IngestResult):
            self.filed.emit(report)
            return
        kind = str(getattr(report, "kind", ""))
        if kind in ("folder_unavailable", "error"):
            self.status.emit(f"Folder watching: {report.message}", False)
        elif kind in ("started", "observer_restarted"):
            self.status.emit(f"Watching {self.folders} intake folder"
                             f"{'s' if self.folders != 1 else ''}", True)
