"""`intake-desktop gui` (and no command): the desktop app."""

from __future__ import annotations

import argparse
from typing import Any

from intake_desktop.commands.common import Output, add_command


def register(sub: Any) -> None:
    add_command(
        sub, "gui",
        help="open the desktop app (the default when no command is given)",
        description="Open the desktop app on the workspace. It prints no results, so it takes "
        "no --json.",
        handler=run, json_option=False,
    )


def run(args: argparse.Namespace, out: Output) -> int:
    from intake_desktop.app import open_app
    from intake_desktop.qt.main import run_app

    shell = getattr(args, "startup_shell", None)  # painted before the imports (launch.py)
    try:
        # The window signs the person in itself (`--as NAME` chooses who is offered first).
        with open_app(args.workspace, db=args.db, role="paralegal") as app:
            return run_app(app, person=getattr(args, "as_name", None), shell=shell)
    finally:
        if shell is not None:
            shell.close()
