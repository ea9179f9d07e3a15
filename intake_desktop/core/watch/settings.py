"""Watcher settings: one frozen value handed to the engine (no global config), and how
it is read from the `[watch]` table of a workspace's config.toml."""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from intake_desktop.core.errors import UsageError, WorkspaceError


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


def settings_from_mapping(data: dict[str, Any], where: str) -> WatchSettings:
    """Build settings from a `[watch]` mapping; errors name `where` and the field."""
    known = {f.name: f for f in dataclasses.fields(WatchSettings)}
    values: dict[str, Any] = {}
    for name, value in data.items():
        field = known.get(name)
        if field is None:
            raise WorkspaceError(
                f"unknown setting [watch] {name}",
                path=where,
                fix=f"use one of: {', '.join(sorted(known))}",
            )
        default = field.default
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok:
            raise WorkspaceError(
                f"[watch] {name} must be a {type(default).__name__}, got {value!r}",
                path=where,
                fix=f"write for example {name} = {default!r}".replace("True", "true")
                .replace("False", "false"),
            )
        values[name] = float(value) if isinstance(default, float) else value
    try:
        return WatchSettings(**values)
    except UsageError as exc:
        raise WorkspaceError(exc.what, path=where, fix=exc.fix) from exc


def load_watch_settings(config_path: Path, **overrides: Any) -> WatchSettings:
    """Settings from `[watch]` in config.toml (absent: defaults), then `overrides` (from the
    command line: a bad value there is a UsageError, one in the file names the file)."""
    data: dict[str, Any] = {}
    if config_path.is_file():
        try:
            parsed = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise WorkspaceError(
                f"the settings file is not valid TOML ({exc})",
                path=config_path,
                fix="fix the line named above",
            ) from exc
        table = parsed.get("watch", {})
        if not isinstance(table, dict):
            raise WorkspaceError("[watch] must be a table", path=config_path,
                                 fix=f"write it as:\n{EXAMPLE}")
        data.update(table)
    settings = settings_from_mapping(data, str(config_path))
    given = {k: v for k, v in overrides.items() if v is not None}
    return dataclasses.replace(settings, **given) if given else settings  # UsageError if bad
