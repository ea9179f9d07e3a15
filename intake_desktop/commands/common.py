"""Shared plumbing for commands: common options, output (human or JSON lines), exit codes."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

# A command handler gets the parsed args and an Output; returns the exit code.
Handler = Callable[[argparse.Namespace, "Output"], int]


def add_common_options(parser: argparse.ArgumentParser, *, sub: bool = True) -> None:
    """--workspace, --db, --json and --role, accepted by every command.

    On subcommand parsers the defaults are suppressed so that an option given before the
    command name (`intake-desktop --json ingest ...`) is not overwritten.
    """

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if sub else value

    parser.add_argument(
        "--workspace",
        metavar="DIR",
        default=default(None),
        help="workspace folder (default: INTAKE_WORKSPACE or Documents/Intake Desktop)",
    )
    parser.add_argument(
        "--db", metavar="URL", default=default(None), help="SQLAlchemy URL of the ledger"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="one JSON object per line on stdout",
    )
    parser.add_argument(
        "--role",
        default=default("paralegal"),
        choices=["paralegal", "attorney", "admin"],
        help="the app role recorded in the ledger (default: paralegal)",
    )


@dataclass
class Output:
    """Writes results as human text or JSON lines; errors always go to stderr."""

    json_mode: bool = False
    out: TextIO = sys.stdout
    err: TextIO = sys.stderr

    def emit(self, record: dict[str, Any], human: str) -> None:
        if self.json_mode:
            self.out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        else:
            self.out.write(human + "\n")
        self.out.flush()

    def info(self, text: str) -> None:
        """Human-only text (suppressed in JSON mode)."""
        if not self.json_mode:
            self.out.write(text + "\n")
            self.out.flush()

    def error(self, text: str) -> None:
        self.err.write(f"intake-desktop: error: {text}\n")
        self.err.flush()

    @property
    def is_terminal(self) -> bool:
        return not self.json_mode and self.err.isatty()
