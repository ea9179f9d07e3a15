"""The `intake-desktop` entry point: when the arguments open the window, paint a shell
window first (PySide6 and the theme only), then load the command line and everything it
imports, which then opens the workspace and replaces the shell with the main window."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

# Options that take a value (the window opens when nothing else is given).
VALUE_OPTIONS = {"--workspace", "--db", "--as", "--role"}


def _words(argv: Sequence[str]) -> list[str]:
    """The words of a command line that are not options or their values."""
    words: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in VALUE_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            words.append(arg)
    return words


def opens_window(argv: Sequence[str]) -> bool:
    """True when these arguments open the window (no command, or `gui`)."""
    if any(arg in ("-h", "--help", "--version", "--json") for arg in argv):
        return False
    return _words(argv) in ([], ["gui"])


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    shell = None
    if opens_window(args):
        from intake_desktop.qt.startup import show_shell

        shell = show_shell()
    elif "ingest" in args:
        # Its preparation workers start now, beside the loading of the ledger and the
        # command modules (core/filing/early.py).
        from intake_desktop.core.filing import start_early

        start_early(args)
    elif _words(args)[:1] == ["demo"]:
        # It converts Office files and OCRs scans: the engines' version checks (a second of
        # processor time) start now, beside the loading of the modules, and every process
        # of the run reuses their answers (core/engines.py).
        from intake_desktop.core.engines import ask_versions_early

        ask_versions_early()
    from intake_desktop.cli import main as cli_main

    return cli_main(args, startup_shell=shell)


def run() -> NoReturn:
    """The `intake-desktop` program (console script, `python -m`, the bundle): `main`, then
    a finished command ends at once (`finish`); the window exits as Qt leaves it."""
    args = sys.argv[1:]
    code = main(args)
    if not opens_window(args):
        finish(code)
    sys.exit(code)


def finish(code: int) -> NoReturn:
    """End a finished command without the interpreter's teardown of every object one by one
    (0.1-0.2 s after an `ingest`, with SQLAlchemy and the filing modules loaded: 5-8% of
    filing 200 PDFs). What it wrote is synced and recorded by now; the exit handlers still
    run (multiprocessing's, logging's) and the output is flushed first. With another thread
    still running (it might be writing), the usual exit waits for it instead."""
    import atexit
    import contextlib
    import os
    import threading

    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe or stream (or none at all): nothing more can be said.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    os._exit(code)
