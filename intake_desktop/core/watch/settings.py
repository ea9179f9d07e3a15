"""Watcher settings: one frozen value handed to the engine (no global config)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from intake_desktop.core.errors import UsageError


@dataclass(frozen=True)
class WatchSettings:
    """Timings and limits of the watcher, in seconds unless named otherwise."""

    # A file is quiet for `settle` after its last event or change before it is taken, when
    # the platform can tell that no process still has it open for writing (local Linux).
    settle: float = 0.25
    # Where it cannot tell (network shares, other platforms): size and mtime unchanged this long.
    stable_window: float = 2.0
    # How often the scheduler looks at pending files, events and timers.
    tick: float = 0.05
    # Polling observers compare folder snapshots this often.
    poll_interval: float = 1.0
    # Full reconciliation scan of every folder (events are hints; paperless-ngx uses 300 s).
    rescan_interval: float = 60.0
    # How often observers are checked for death and folders for disappearance.
    health_interval: float = 2.0
    # Claims: heartbeat period, silence after which a dead owner's claims are taken back,
    # and the longest wait before a file that failed to file is tried again (this watcher
    # retries sooner: after retry_first_after, then 4x longer each time).
    heartbeat_interval: float = 10.0
    stale_after: float = 120.0
    retry_failed_after: float = 600.0
    retry_first_after: float = 5.0
    # Filing pool: worker threads and the most files handed to it at once.
    workers: int = 2
    max_queued: int = 8
    # Poll every folder even where native events work.
    force_polling: bool = False

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool):
                continue
            if not value > 0:
                raise UsageError(
                    f"watch setting {f.name} must be positive, got {value!r}",
                    fix=f"set {f.name} to a number above zero",
                )
        if self.stale_after <= 2 * self.heartbeat_interval:
            raise UsageError(
                f"watch setting stale_after ({self.stale_after}) must exceed twice "
                f"heartbeat_interval ({self.heartbeat_interval})",
                fix="raise stale_after or lower heartbeat_interval",
            )
