"""Watching intake folders: complete files only, each filed exactly once (see engine.py)."""

from intake_desktop.core.watch.engine import Watcher, WatchReport
from intake_desktop.core.watch.settings import WatchSettings, load_watch_settings
from intake_desktop.core.watch.status import WatchEvent, WatchStatus

__all__ = [
    "WatchEvent",
    "WatchReport",
    "WatchSettings",
    "WatchStatus",
    "Watcher",
    "load_watch_settings",
]
