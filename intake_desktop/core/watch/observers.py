"""One watchdog observer per intake folder: native events or polling, and its health."""

from __future__ import annotations

import logging
import os
import queue
import time
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from intake_desktop.core import platform
from intake_desktop.core.watch.fsinfo import fs_type, is_network_fs
from intake_desktop.core.watch.polling import NamePollingObserver
from intake_desktop.core.watch.settings import WatchSettings
from intake_desktop.core.workspace import IntakeFolder

# What the observer threads hand to the scheduler: (kind, path, folder index, monotonic time).
# kinds: "write" (created/modified), "closed" (close-after-write or renamed into place),
# "gone" (deleted or renamed away), "dir" (a folder appeared: scan it), "dir_gone"; and from
# the engine itself "retry" (a failed file, to look at again at the given time); "rescan"
# (events were lost: scan every folder now).
Hint = tuple[str, Path, int, float]

# The events the handler turns into hints; the rest are never asked of the kernel. Without
# this list inotify also reports every open and every read-only close in the folder, and on a
# shared intake folder each desk's reads (trial open, lease check, hashing, copying) then
# wake every other desk's observer: with 10 desks most of each desk's time went on that.
WANTED_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileModifiedEvent, FileClosedEvent, FileMovedEvent, FileDeletedEvent,
    DirCreatedEvent, DirMovedEvent, DirDeletedEvent,
]


class _Handler(FileSystemEventHandler):
    """Runs on the observer thread: turns events into hints, nothing more."""

    def __init__(self, hints: queue.SimpleQueue[Hint], index: int) -> None:
        self.hints = hints
        self.index = index
        # close-after-write comes from inotify only; elsewhere the stability window decides
        self.close_events = platform.close_events_supported()

    def _put(self, kind: str, path: str | bytes) -> None:
        text = os.fsdecode(path)
        self.hints.put((kind, Path(text), self.index, time.monotonic()))

    def on_any_event(self, event: FileSystemEvent) -> None:
        if isinstance(event, FileClosedEvent):
            if self.close_events:
                self._put("closed", event.src_path)
        elif isinstance(event, FileCreatedEvent | FileModifiedEvent):
            self._put("write", event.src_path)
        elif isinstance(event, FileMovedEvent):
            self._put("gone", event.src_path)
            self._put("closed", event.dest_path)
        elif isinstance(event, FileDeletedEvent):
            self._put("gone", event.src_path)
        elif isinstance(event, DirCreatedEvent):
            self._put("dir", event.src_path)
        elif isinstance(event, DirMovedEvent):
            self._put("dir_gone", event.src_path)
            self._put("dir", event.dest_path)
        elif isinstance(event, DirDeletedEvent):
            self._put("dir_gone", event.src_path)


OVERFLOW_LOGGER = platform.INOTIFY_LOGGER


class OverflowSpy(logging.Handler):
    """watchdog only logs a kernel event-queue overflow; this turns the log record into a
    "rescan" hint so the lost events are made up at once, not at the next timed scan."""

    def __init__(self, hints: queue.SimpleQueue[Hint]) -> None:
        super().__init__(logging.WARNING)
        self.hints = hints

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self.hints.put(("rescan", Path(), -1, time.monotonic()))

    def attach(self) -> None:
        logger = logging.getLogger(OVERFLOW_LOGGER)
        # logging.config (dictConfig/fileConfig) disables loggers that existed before it
        # ran, by default; this one is how the watcher learns of lost events.
        logger.disabled = False
        logger.addHandler(self)

    def detach(self) -> None:
        logging.getLogger(OVERFLOW_LOGGER).removeHandler(self)


@dataclass
class FolderWatch:
    """A watched intake folder: how it is watched and whether its observer still works."""

    index: int
    folder: IntakeFolder
    polling: bool
    network: bool
    why: str
    observer: BaseObserver | None = None
    identity: tuple[int, int] | None = None
    available: bool = True
    problem: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.folder.path


def plan_folder(index: int, folder: IntakeFolder, settings: WatchSettings, *,
                mounts_text: str | None = None) -> FolderWatch:
    """Choose native events or polling for a folder, with the reason (shown to the user).
    `mounts_text`: the text of /proc/mounts (read from the system when None)."""
    network = is_network_fs(folder.path, mounts_text)
    if settings.force_polling:
        return FolderWatch(index, folder, True, network, "polling (forced by settings)")
    if folder.polling:
        return FolderWatch(index, folder, True, network, "polling (set in config.toml)")
    if network:
        kind = fs_type(folder.path, mounts_text) or "network share"
        return FolderWatch(index, folder, True, network,
                           f"polling (on a {kind} network filesystem: no native events)")
    return FolderWatch(index, folder, False, network, "native events")


def folder_identity(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


def start_observer(fw: FolderWatch, hints: queue.SimpleQueue[Hint],
                   settings: WatchSettings) -> None:
    """Start (or restart) the folder's observer. Raises OSError when the folder is away."""
    stop_observer(fw)
    identity = folder_identity(fw.path)
    observer: BaseObserver = (
        NamePollingObserver(timeout=settings.poll_interval) if fw.polling else Observer()
    )
    observer.daemon = True
    observer.schedule(_Handler(hints, fw.index), str(fw.path), recursive=True,
                      event_filter=WANTED_EVENTS)
    observer.start()
    fw.observer, fw.identity, fw.available, fw.problem = observer, identity, True, ""


def stop_observer(fw: FolderWatch) -> None:
    if fw.observer is None:
        return
    observer, fw.observer = fw.observer, None
    try:
        observer.stop()
        observer.join(timeout=5)
    except RuntimeError:  # never started
        pass


def observer_problem(fw: FolderWatch) -> str:
    """Empty when the folder's observer works; else what is wrong with it."""
    try:
        identity = folder_identity(fw.path)
        with os.scandir(fw.path) as entries:
            next(entries, None)
    except OSError as exc:
        return f"the folder cannot be read ({exc.strerror or exc})"
    if fw.observer is None:
        return "no observer is running"
    if identity != fw.identity:
        return "the folder was replaced or remounted"
    if not fw.observer.is_alive():
        return "the observer thread stopped"
    if any(not emitter.is_alive() for emitter in fw.observer.emitters):
        return "the observer stopped receiving events"
    if not fw.observer.emitters:
        return "the observer lost its watch"
    return ""
