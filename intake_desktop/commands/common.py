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
from typing import TYPE_CHECKING, Any, TextIO

from intake_desktop.core.errors import (
    IntakeError,
    UsageError,
    format_message,
    plural,
    sentence_case,
)
from intake_desktop.core.ledger import Actor, Ledger, os_account
from intake_desktop.core.roles import Capability, Profiles, SignInError, require

if TYPE_CHECKING:
    from intake_desktop.app import App

__all__ = [
    "EXIT_FAILURE",
    "EXIT_OK",
    "EXIT_USAGE",
    "Acting",
    "Handler",
    "HelpFormatter",
    "Output",
    "Parser",
    "acting",
    "add_actions",
    "add_command",
    "add_common_options",
    "format_message",
    "open_checked",
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

COMMON_OPTIONS = ("--workspace", "--db", "--json", "--as", "--passphrase-stdin", "--role")


class Parser(argparse.ArgumentParser):
    """argparse with the app's message style: a usage error is one sentence-case line
    that says what to do (and the usage of the subcommand it was given to).

    An option a command adds itself replaces a common one of the same name (e.g. a
    command whose `--as` is required)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("conflict_handler", "resolve")
        super().__init__(*args, **kwargs)

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
    """--workspace, --db, --json, --as, --passphrase-stdin and --role, accepted everywhere.

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
    if "--as" not in have:
        parser.add_argument(
            "--as", dest="as_name", metavar="NAME", default=default(None),
            help="the person acting (default: the profile tied to this computer account, "
            "else a paralegal named after the account); attorneys and admins are asked for "
            "their passphrase",
        )
    if "--passphrase-stdin" not in have:
        parser.add_argument(
            "--passphrase-stdin", action="store_true", default=default(False),
            help="read the passphrase of the person acting from the first line of stdin "
            "(for scripts; on a terminal it is asked for)",
        )
    if "--role" not in have:
        parser.add_argument(
            "--role",
            default=default(None),
            choices=["paralegal", "attorney", "admin"],
            help="act in a narrower role than the person's own; it never grants a role "
            "(use --as NAME)",
        )


def add_command(
    sub: Any,
    name: str,
    *,
    help: str,
    description: str | None = None,
    handler: Handler | None = None,
    json_option: bool = True,
) -> argparse.ArgumentParser:
    """One command or action: its parser (from `sub`, an `add_subparsers()` result), the
    common options and, when given, the handler that runs it."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help, description=description)
    add_common_options(parser, json_option=json_option)
    if handler is not None:
        parser.set_defaults(handler=handler)
    return parser


def add_actions(parser: argparse.ArgumentParser, dest: str, *, required: bool = True) -> Any:
    """The ACTION word of a command with actions (`ledger verify`, `people add`, ...)."""
    return parser.add_subparsers(dest=dest, metavar="ACTION", required=required)


# What each command needs (by the words after the program name; the longest match wins).
# Commands not listed need no capability (checks, previews, `ledger verify`, `doctor`).
COMMAND_CAPABILITY: dict[str, Capability] = {
    "ingest": Capability.INTAKE,
    "watch": Capability.INTAKE,
    "undo": Capability.INTAKE,
    "exhibits build": Capability.BUILD,
    "exhibits signoff": Capability.SIGN_OFF,
    "approvals approve": Capability.APPROVE,
    "approvals return": Capability.APPROVE,
    "fit": Capability.BUILD,
    "produce": Capability.BUILD,
    "checklist": Capability.CHECKLISTS,
    "checklist list": Capability.CHECKLISTS,
    "review list": Capability.VIEW_REVIEW,
    "review retry": Capability.REVIEW,
    "ledger history": Capability.BROWSE,
    "ledger export": Capability.BROWSE,
    "ledger report": Capability.SUPERVISE,
    "rules accept": Capability.RULES,
    "walls": Capability.WALLS,
}


def command_words(args: argparse.Namespace) -> str:
    parser = getattr(args, "_cli_parser", None)
    prog = str(getattr(parser, "prog", ""))
    return prog.removeprefix(PROG).strip()


def command_capability(args: argparse.Namespace) -> Capability | None:
    words = command_words(args).split()
    for n in range(len(words), 0, -1):
        found = COMMAND_CAPABILITY.get(" ".join(words[:n]))
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class Acting:
    """Who the command line acts as (`--as`, `--passphrase-stdin`, the narrowing `--role`)
    and what the command needs; `open_app(..., acting=acting(args))` signs them in."""

    name: str | None
    role: str | None
    passphrase_stdin: bool
    capability: Capability | None

    def passphrase(self, person: str) -> str:
        if self.passphrase_stdin:
            return sys.stdin.readline().rstrip("\r\n")
        try:
            terminal = sys.stdin.isatty()
        except (ValueError, AttributeError):
            terminal = False
        if not terminal:
            raise SignInError(
                f"acting as {person} needs their passphrase and there is no terminal to ask",
                fix="give it on the first line of stdin with --passphrase-stdin",
            )
        import getpass

        return getpass.getpass(f"Passphrase for {person}: ")

    def sign_in(self, ledger: Ledger) -> Actor:
        """Sign the person in on `ledger` (its events name them from now on) and check the
        command's capability; refusals are recorded and raised."""
        profiles = Profiles(ledger)
        actor = profiles.act_as(self.name, account=os_account(), passphrase=self.passphrase,
                                role=self.role)
        ledger.actor = actor
        if self.capability is not None:
            require(ledger, self.capability)
        return actor


def open_checked(args: argparse.Namespace, check: Callable[[App], None]) -> App:
    """The app for the acting person (`open_app`), then `check(app)` (e.g. the matter walls
    of what a spec names); a refusal closes the app again before it is raised. The caller
    closes the app it gets."""
    from intake_desktop.app import open_app

    app = open_app(args.workspace, db=args.db, acting=acting(args))
    try:
        check(app)
    except BaseException:
        app.close()
        raise
    return app


def acting(args: argparse.Namespace, capability: Capability | None = None) -> Acting:
    return Acting(
        name=getattr(args, "as_name", None),
        role=getattr(args, "role", None),
        passphrase_stdin=bool(getattr(args, "passphrase_stdin", False)),
        capability=capability or command_capability(args),
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
