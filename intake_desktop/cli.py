"""Command line: parse arguments and hand over to the command modules (see DESIGN.md).

One grammar for every command: the global options (--workspace, --db, --json, --as,
--passphrase-stdin, --role) are
accepted before or after any subcommand name; every parser shows its defaults; an unknown
option prints the usage of the subcommand it was given to. Exit codes: 0 done, 2 bad usage
or a bad value (unknown preset, court, spec value), 1 anything else. Every failure is one
message on stderr, never a traceback (INTAKE_DEBUG=1 shows the traceback of a bug).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from intake_desktop import __version__
from intake_desktop.commands.common import (
    EXIT_FAILURE,
    EXIT_USAGE,
    PROG,
    HelpFormatter,
    Output,
    Parser,
    add_common_options,
    subparsers_of,
)
from intake_desktop.core.errors import BadInputError, IntakeError, explain, sentence_case
from intake_desktop.launch import VALUE_OPTIONS

# Each command's module (intake_desktop.commands.<name>) defines register(subparsers) and
# sets `handler` defaults on its parsers. A command line naming one command loads only that
# module: `ingest` does not pay for loading the exhibit, production and demo engines (1.2 s
# of a 2.4 s start on a 2-core machine). Help without a command, or an unknown command,
# loads them all.
COMMANDS = [
    "gui",
    "exhibits",
    "init",
    "ingest",
    "ledger",
    "demo",
    "rules",
    "fit",
    "watch",
    "undo",
    "checklist",
    "doctor",
    "produce",
    "people",
    "walls",
    "review",
    "approvals",
    "search",
]

# Commands that print no results (the window): no --json.
NO_JSON = {"gui"}

PARSER_KEY = "_cli_parser"


def _finish(parser: argparse.ArgumentParser, command: str | None, helptext: str | None) -> None:
    """Give this parser and every subparser the common options, help and defaults."""
    parser.formatter_class = HelpFormatter
    if parser.description is None and helptext:
        parser.description = sentence_case(helptext).rstrip(".") + "."
    if command is not None:
        add_common_options(parser, json_option=command not in NO_JSON)
    parser.set_defaults(**{PARSER_KEY: parser})
    helps = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
    for name, sub in subparsers_of(parser):
        _finish(sub, command or name, helps.get(name))


def command_named(argv: Sequence[str]) -> str | None:
    """The command these arguments run: their first word when it is a command, `gui` when
    there is no word (the window opens), None for help or an unknown word (the full parser
    then lists or refuses it)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in VALUE_OPTIONS:
            skip = True
        elif arg in ("-h", "--help", "--version"):
            return None
        elif not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return "gui"


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of the command `only` (its module alone loaded)."""
    parser = Parser(
        prog=PROG,
        description="File intake and evidence organizer for law firms. Without a command, "
        "opens the desktop app on the workspace.",
        epilog="Exit codes: 0 done, 2 bad usage or a bad value, 1 anything else. "
        "Global options may come before or after the command name.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    add_common_options(parser, sub=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in [only] if only else COMMANDS:
        importlib.import_module(f"intake_desktop.commands.{name}").register(sub)
    _finish(parser, None, None)
    return parser


def exit_code_for(exc: IntakeError) -> int:
    """2 for bad usage or a bad value (`BadInputError`: usage, a spec, a court profile),
    1 for anything else."""
    return EXIT_USAGE if isinstance(exc, BadInputError) else EXIT_FAILURE


def parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    args, extras = parser.parse_known_args(argv)
    if args.command is None:
        if extras:
            parser.error(f"unrecognized arguments: {' '.join(extras)}")
        args, extras = parser.parse_known_args([*argv, "gui"])
    if extras:
        chosen: argparse.ArgumentParser = getattr(args, PARSER_KEY, parser)
        chosen.error(f"unrecognized arguments: {' '.join(extras)}")
    if args.command in NO_JSON and getattr(args, "json", False):
        chosen = getattr(args, PARSER_KEY, parser)
        chosen.error(f"`{args.command}` prints no results, so --json does not apply")
    return args


def main(argv: Sequence[str] | None = None, *, startup_shell: object | None = None) -> int:
    """Run a command; `startup_shell` is the window launch.py painted before this module
    loaded (the window takes its place)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(command_named(args_list))
    args = parse(parser, args_list)
    if startup_shell is not None:
        args.startup_shell = startup_shell
    output = Output(json_mode=bool(getattr(args, "json", False)))
    code = run(args, output)
    if output.pipe_closed:
        output.warning(
            "the output was closed early (piped into `head`?), so not every result was "
            "shown; the work itself was finished",
            fix="see `intake-desktop ledger export` for everything that was recorded",
        )
    return code


def run(args: argparse.Namespace, output: Output) -> int:
    try:
        return int(args.handler(args, output))
    except IntakeError as exc:
        output.error(exc)
        return exit_code_for(exc)
    except KeyboardInterrupt:
        output.error("interrupted", fix="anything not yet filed is still in its intake folder")
        return EXIT_FAILURE
    except BrokenPipeError:
        output.close_stdout()
        return EXIT_FAILURE
    except Exception as exc:
        if os.environ.get("INTAKE_DEBUG"):
            raise
        explained = explain(exc)
        if explained is not None:
            output.error(explained)
            return EXIT_FAILURE
        output.error(
            f"unexpected internal error ({type(exc).__name__}: {str(exc)[:200]})",
            fix="nothing half-done was kept; run the command again with INTAKE_DEBUG=1 and "
            "report what it prints",
        )
        return EXIT_FAILURE
