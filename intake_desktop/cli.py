"""Command line: parse arguments and hand over to the command modules (see DESIGN.md)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from intake_desktop import __version__
from intake_desktop.commands.common import (
    EXIT_FAILURE,
    EXIT_USAGE,
    Output,
    add_common_options,
)
from intake_desktop.core.errors import IntakeError, UsageError

# Each module defines register(subparsers) and sets `handler` defaults on its parsers.
COMMAND_MODULES = [
    "intake_desktop.commands.gui",
    "intake_desktop.commands.exhibits",
    "intake_desktop.commands.init",
    "intake_desktop.commands.ingest",
    "intake_desktop.commands.ledger",
    "intake_desktop.commands.demo",
    "intake_desktop.commands.rules",
    "intake_desktop.commands.fit",
    "intake_desktop.commands.watch",
    "intake_desktop.commands.checklist",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="intake-desktop",
        description="File intake and evidence organizer for law firms.",
    )
    parser.add_argument("--version", action="version", version=f"intake-desktop {__version__}")
    add_common_options(parser, sub=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command is None:
        args = parser.parse_args([*args_list, "gui"])
    output = Output(json_mode=bool(getattr(args, "json", False)))
    try:
        return int(args.handler(args, output))
    except UsageError as exc:
        output.error(exc.message)
        return EXIT_USAGE
    except IntakeError as exc:
        output.error(exc.message)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        output.error("interrupted; anything not yet filed is still in its intake folder")
        return EXIT_FAILURE
