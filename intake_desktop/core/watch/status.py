"""What the watcher reports besides filing results (the window shows these as status)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class WatchEvent(enum.StrEnum):
    STARTED = "started"  # watching a folder (message says native or polling, and why)
    SEEN = "seen"  # a new file appeared; it will be taken once complete
    WAITING = "waiting"  # --once: still being written, left for the next run
    TAKEN_ELSEWHERE = "taken_elsewhere"  # another watcher claimed this file first
    RECOVERED = "recovered"  # an interrupted filing was finished or rolled back
    RECOVERY_SKIPPED = "recovery_skipped"  # another watcher is live: it did the recovery
    CLAIMS_EXPIRED = "claims_expired"  # a dead watcher's or a failed claim was taken back
    FOLDER_UNAVAILABLE = "folder_unavailable"  # missing or unreadable (a share went away)
    OBSERVER_RESTARTED = "observer_restarted"  # a dead observer was replaced
    RESCAN = "rescan"  # a reconciliation scan found files the events had missed
    ERROR = "error"  # the watcher itself hit a problem (it keeps running)
    STOPPED = "stopped"


@dataclass(frozen=True)
class WatchStatus:
    """One status message: its kind, a sentence for a person, and the path it is about."""

    kind: WatchEvent
    message: str
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"event": str(self.kind), "message": self.message, "path": self.path}
