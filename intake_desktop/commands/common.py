"""Shared plumbing for commands: common options, help layout, output (human or JSON lines),
the one message format and the exit codes."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from intake_desktop.core.errors import (
    IntakeError,
    UsageError,
    format_message,
    plural,
    sentence_case,
)

__all__ = [
    "EXIT_FAILURE",
    "EXIT_OK",
    "EXIT_USAGE",
    "Handler",
    "HelpFormatter",
    "Output",
    "Parser",
    "add_common_options",
    "format_message",
    "plural",
    "resolve_arg_path",
    "sentence_case",
]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

PROG = "intake-desktop"

# A command handler gets the parsed args and an Output; returns the exit code.
Handler = Callable[[argparse.Namespace, "Output"], int]

COMMON_OPTIONS = ("--workspace", "--db", "--json", "--role")


class Parser(argparse.ArgumentParser):
    """argparse with the app's message style: a usage error is one sentence-case line
    that says what to do (and the usage of the subcommand it was given to)."""

    def error(self, message: str) -> Any:  # argparse's signature: NoReturn
        self.print_usage(sys.stderr)
        text = format_message(message, fix=f"see `{self.prog} --help`")
        self.exit(EXIT_USAGE, f"{self.prog}: error: {text}\n")


class HelpFormatter(argparse.HelpFormatter):
    """Shows each option's default unless its help text already names it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if text is argparse.SUPPRESS or "default" in text.lower():
            return text
        default = action.default
        if default is None or default is argparse.SUPPRESS or isinstance(default, bool):
            return text
        if default == [] or not action.option_strings:
            return text
        return f"{text} (default: %(default)s)"


def add_common_options(
    parser: argparse.ArgumentParser, *, sub: bool = True, json_option: bool = True
) -> None:
    """--workspace, --db, --json and --role, accepted by every command.

    On subcommand parsers the defaults are suppressed so that an option given before the
    command name (`intake-desktop --json ingest ...`) is not overwritten. Options already
    on the parser are left alone (the command line adds the missing ones everywhere).
    """
    have = set(parser._option_string_actions)

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if sub else value

    if "--workspace" not in have:
        parser.add_argument(
            "--workspace",
            metavar="DIR",
            default=default(None),
            help="workspace folder (default: INTAKE_WORKSPACE, else Documents/Intake Desktop)",
        )
    if "--db" not in have:
        parser.add_argument(
            "--db", metavar="URL", default=default(None),
            help="SQLAlchemy URL of the ledger (default: the workspace's .intake/ledger.sqlite "
            "or its [ledger] url)",
        )
    if json_option and "--json" not in have:
        parser.add_argument(
            "--json",
            action="store_true",
            default=default(False),
            help="print results as one JSON object per line on stdout",
        )
    if "--role" not in have:
        parser.add_argument(
            "--role",
            default=default("paralegal"),
            choices=["paralegal", "attorney", "admin"],
            help="the app role recorded in the ledger (default: paralegal)",
        )


def subparsers_of(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """The direct subcommands of a parser (aliases once)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in seen:
                    seen.add(id(sub))
                    yield name, sub


def resolve_arg_path(value: str | os.PathLike[str]) -> Path:
    """A path given on the command line: `~` expanded, relative to the current folder,
    made absolute (DESIGN.md: relative paths resolve against the current folder)."""
    return Path(os.path.abspath(Path(value).expanduser()))


@dataclass
class Output:
    """Writes results (stdout: human text or JSON lines) and messages (stderr, each once).

    Every message goes through `format_message`: sentence case, the file named once, what
    to do; the one failure label is `error`. When stdout is closed early (piped into
    `head`), the rest of the results are dropped quietly and the work goes on.
    """

    json_mode: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    pipe_closed: bool = False
    _said: set[str] = field(default_factory=set)

    def _write(self, text: str) -> None:
        if self.pipe_closed:
            return
        try:
            self.out.write(text)
            self.out.flush()
        except BrokenPipeError:
            self.close_stdout()

    def close_stdout(self) -> None:
        """The reader went away: send further output (and Python's final flush) nowhere."""
        self.pipe_closed = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.out.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    def emit(self, record: dict[str, Any], human: str) -> None:
        """One result: a JSON line, or human text (nothing when `human` is empty)."""
        if self.json_mode:
            self._write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        elif human:
            self._write(human + "\n")

    def raw(self, text: str) -> None:
        """Text that is already the output format (an export)."""
        self._write(text)

    def info(self, text: str) -> None:
        """Human-only text (suppressed in JSON mode)."""
        if not self.json_mode:
            self._write(text + "\n")

    def _say(self, label: str, message: str) -> None:
        if message in self._said:
            return
        self._said.add(message)
        try:
            self.err.write(f"{PROG}: {label}: {message}\n")
            self.err.flush()
        except (BrokenPipeError, ValueError):
            pass

    def error(
        self, what: str | IntakeError, *, path: Path | str | None = None, fix: str = ""
    ) -> None:
        """One failure message on stderr (said once even when reported again)."""
        text = what.message if isinstance(what, IntakeError) else format_message(what, path, fix)
        self._say("error", text)

    def warning(self, what: str, *, path: Path | str | None = None, fix: str = "") -> None:
        self._say("warning", format_message(what, path, fix))

    @property
    def is_terminal(self) -> bool:
        try:
            return not self.json_mode and self.err.isatty()
        except ValueError:
            return False


def usage_error(what: str, *, path: Path | str | None = None, fix: str = "") -> UsageError:
    return UsageError(what, path=path, fix=fix)
