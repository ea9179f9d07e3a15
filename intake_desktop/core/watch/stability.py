"""When is an intake file complete? Events are hints; size, mtime and open writers decide.

A file is taken when its size and mtime have not changed for a window and a trial open
succeeds. On Linux a read lease tells whether any process still holds the file open for
writing (the kernel refuses the lease then), so a finished file needs only a short quiet
`settle`; where that cannot be told (network shares, other platforms) the longer
`stable_window` applies. Close-after-write and rename events shorten nothing by themselves:
they only make the next check come sooner.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path

from intake_desktop.core import platform
from intake_desktop.core.watch.settings import WatchSettings

Signature = tuple[int, int]  # (size, mtime_ns)


def signature(st: os.stat_result) -> Signature:
    return st.st_size, st.st_mtime_ns


def enable_lease_checks() -> bool:
    """Make the open-writer check safe to use and say whether it is (core/platform.py:
    kernel read leases on Linux; False elsewhere, then the stability window decides)."""
    return platform.enable_lease_checks()


def writer_active(path: Path) -> bool | None:
    """True when some process has `path` open for writing, False when none does, None when
    this platform or filesystem cannot tell. Call only after `enable_lease_checks()`."""
    return platform.writer_active(path)


def trial_open(path: Path) -> str | None:
    """Open the file and read a byte: None when that works, else the reason (a Windows
    sharing violation while a scanner still writes, a permission problem...)."""
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def fresh_stat(path: Path) -> os.stat_result:
    """Size and mtime as the file server sees them now. NFS clients cache attributes for
    3-60 s, so a plain stat can show a growing file as unchanged; opening the file makes
    the client revalidate them (close-to-open consistency), and fstat reads those."""
    with open(path, "rb") as fh:
        return os.fstat(fh.fileno())


class Verdict(enum.Enum):
    READY = "ready"
    WAIT = "wait"
    GONE = "gone"


@dataclass
class Track:
    """What is known about one candidate file."""

    path: Path
    folder: int  # index of its watched folder
    sig: Signature | None = None
    stable_since: float = 0.0
    last_event: float = 0.0
    next_check: float = 0.0
    changes: int = 0  # how often its size/mtime changed while watched
    busy: bool = False  # a writer held it open at the last check
    blocked: str = ""  # why it could not be read at the last check
    # Meant for another desk on the same folder: left to it until `not_before`.
    foreign: bool = False
    not_before: float = 0.0


class Stability:
    """Decides, check by check, whether a tracked file is complete."""

    def __init__(self, settings: WatchSettings, *, lease_checks: bool = False) -> None:
        self.settings = settings
        self.lease_checks = lease_checks

    def window(self, can_tell_writers: bool) -> float:
        return self.settings.settle if can_tell_writers else self.settings.stable_window

    def check(self, track: Track, now: float, *, network: bool) -> Verdict:
        """Look at the file now; updates `track` and its `next_check`."""
        s = self.settings
        try:
            st = fresh_stat(track.path) if network else os.stat(track.path)
        except (FileNotFoundError, NotADirectoryError):
            return Verdict.GONE
        except OSError as exc:
            track.blocked = exc.strerror or str(exc)
            track.next_check = now + s.stable_window
            return Verdict.WAIT
        track.blocked = ""
        sig = signature(st)
        if sig != track.sig:
            if track.sig is not None:
                track.changes += 1
            track.sig = sig
            track.stable_since = now
        quiet_from = max(track.stable_since, track.last_event)
        writers = writer_active(track.path) if self.lease_checks and not network else None
        track.busy = writers is True
        if writers is True:
            track.next_check = now + s.settle
            return Verdict.WAIT
        needed = self.window(writers is False)
        if now - quiet_from < needed:
            track.next_check = quiet_from + needed
            return Verdict.WAIT
        problem = trial_open(track.path)
        if problem is not None:
            track.blocked = problem
            track.next_check = now + s.stable_window
            return Verdict.WAIT
        return Verdict.READY
