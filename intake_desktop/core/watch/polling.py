"""A polling observer that compares file names only, for shares without native events.

watchdog's PollingObserver stats every file on every pass (to see modifications and
moves); the watcher needs only new and vanished names, since it checks the size and mtime
of each new file itself until the file is complete. Listing names is several times
cheaper on a folder of thousands (see bench/bench_watch.py).
"""

from __future__ import annotations

from pathlib import Path

from watchdog.events import DirDeletedEvent, FileCreatedEvent, FileDeletedEvent
from watchdog.observers.api import (
    DEFAULT_EMITTER_TIMEOUT,
    DEFAULT_OBSERVER_TIMEOUT,
    BaseObserver,
    EventEmitter,
    EventQueue,
    ObservedWatch,
)

from intake_desktop.core.watch.scan import scan_files


class NamePollingEmitter(EventEmitter):
    """Lists the folder every `timeout` seconds; emits created/deleted for name changes."""

    def __init__(self, event_queue: EventQueue, watch: ObservedWatch, *,
                 timeout: float = DEFAULT_EMITTER_TIMEOUT, event_filter: object = None) -> None:
        super().__init__(event_queue, watch, timeout=timeout)
        self._names: set[str] = set()

    def _list(self) -> set[str]:
        return {path for path, _junk in scan_files(Path(self.watch.path))}

    def on_thread_start(self) -> None:
        self._names = self._list()

    def queue_events(self, timeout: float) -> None:
        if self.stopped_event.wait(timeout):
            return
        try:
            names = self._list()
        except (FileNotFoundError, NotADirectoryError):
            self.queue_event(DirDeletedEvent(self.watch.path))
            self.stop()
            return
        except OSError:
            return  # a share that is briefly away: keep the last listing, try again
        for path in names - self._names:
            self.queue_event(FileCreatedEvent(path))
        for path in self._names - names:
            self.queue_event(FileDeletedEvent(path))
        self._names = names


class NamePollingObserver(BaseObserver):
    def __init__(self, *, timeout: float = DEFAULT_OBSERVER_TIMEOUT) -> None:
        super().__init__(NamePollingEmitter, timeout=timeout)
