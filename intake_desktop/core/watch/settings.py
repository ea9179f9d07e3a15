"""Watcher settings: one frozen value handed to the engine (no global config), and how
it is read from the `[watch]` table of a workspace's config.toml."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from intake_desktop.core.errors import UsageError
from intake_desktop.core.workspace import ConfigFile, read_config


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
    # Several desks on one intake folder: each file goes first to one live desk (chosen from
    # the file's name and the desks' heartbeat rows, the same choice on every desk); another
    # desk takes it only after this many seconds, and only with a filing worker free (a
    # desk that is slow or stuck). The claim still decides; this only spares the desks
    # from racing for every file.
    handoff_after: float = 15.0
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


# ---- the [watch] table of config.toml -----------------------------------------------------

EXAMPLE = """[watch]
settle = 0.25          # s quiet after the last write where open writers can be seen
stable_window = 2.0    # s of unchanged size+mtime elsewhere (network shares)
rescan_interval = 60   # s between reconciliation scans
workers = 2            # filing threads
"""


KINDS = {bool: "true or false", int: "a whole number", float: "a number"}


def settings_from_config(config: ConfigFile) -> WatchSettings:
    """Settings from the `[watch]` table of a read config.toml (absent: the defaults);
    every mistake names the file and the line."""
    data = config.table("watch", EXAMPLE)
    known = {f.name: f for f in dataclasses.fields(WatchSettings)}
    values: dict[str, Any] = {}
    for name, value in data.items():
        field = known.get(name)
        if field is None:
            raise config.error(f"unknown setting [watch] {name}", table="watch", key=name,
                               fix=f"use one of: {', '.join(sorted(known))}")
        default = field.default
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok:
            example = str(default).lower() if isinstance(default, bool) else repr(default)
            raise config.error(
                f"[watch] {name} must be {KINDS[type(default)]}, got {value!r}", table="watch",
                key=name, fix=f"write for example {name} = {example}")
        if not isinstance(value, bool) and not value > 0:
            raise config.error(f"[watch] {name} must be above zero, got {value!r}",
                               table="watch", key=name, fix=f"set {name} to a number above zero")
        values[name] = float(value) if isinstance(default, float) else value
    try:
        return WatchSettings(**values)
    except UsageError as exc:  # what only the settings together can tell (stale_after)
        key = "stale_after" if "stale_after" in data else None
        raise config.error(exc.what, table="watch", key=key, fix=exc.fix) from exc


def load_watch_settings(config_path: Path, **overrides: Any) -> WatchSettings:
    """Settings from `[watch]` in config.toml (read by the workspace's one reader), then
    `overrides` (from the command line: a bad value there is a UsageError, one in the file
    names the file and the line)."""
    settings = settings_from_config(read_config(config_path))
    given = {k: v for k, v in overrides.items() if v is not None}
    return dataclasses.replace(settings, **given) if given else settings  # UsageError if bad
