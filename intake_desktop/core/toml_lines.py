"""Where a key stands in a TOML text (tomllib gives no positions), so that an error about a
settings file can name the line; and the line a TOML syntax error is on."""

from __future__ import annotations

import re
import tomllib


def line_of(text: str, key: str, table: str | None = None) -> int | None:
    """1-based line where `key = ...` is set (inside [table] when given, else at the top
    level, before the first table); None when it is not written there."""
    in_table = table is None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = table is not None and stripped.strip("[] ") == table
            continue
        if in_table and re.match(rf"^{re.escape(key)}\s*=", stripped):
            return number
    return None


def table_line(text: str, table: str) -> int | None:
    """1-based line of the `[table]` header; None when there is none."""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.strip("[] ") == table:
            return number
    return None


def syntax_error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    """The line tomllib names in its message ("... (at line 3, column 7)")."""
    found = re.search(r"line (\d+)", str(exc))
    return int(found.group(1)) if found else None
