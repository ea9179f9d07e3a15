"""The `[watch]` table of a workspace's config.toml, validated into WatchSettings."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

from intake_desktop.core.errors import UsageError, WorkspaceError
from intake_desktop.core.watch.settings import WatchSettings

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
