"""`intake-desktop demo [--workspace DIR]`: a separate workspace filled with sample matters.

The documents are generated (fictitious), dropped into the demo workspace's Intake/ and
filed by the same filer `intake-desktop ingest` uses. Without --workspace the demo goes
to its own folder (Documents/Intake Desktop Demo), never to the real workspace; the
INTAKE_WORKSPACE variable is deliberately not used here.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from intake_desktop.app import App, build_filer, open_app
from intake_desktop.commands.common import (
    EXIT_FAILURE,
    EXIT_OK,
    Output,
    add_command,
    resolve_arg_path,
)
from intake_desktop.commands.ingest import TerminalProgress
from intake_desktop.core.demo import describe, run_demo
from intake_desktop.core.errors import UsageError
from intake_desktop.core.workspace import default_demo_dir


def register(sub: Any) -> None:
    p = add_command(
        sub, "demo", handler=run,
        help="a demo workspace filled with three sample matters through the real pipeline",
        description="Generate about forty fictitious documents for three matters (litigation, "
        "personal injury, immigration), file them through the intake pipeline into a "
        "separate demo workspace, and build the example exhibit set. Your real workspace "
        "(and INTAKE_WORKSPACE) is never used.",
    )
    p.add_argument(
        "--workspace", metavar="DIR", default=argparse.SUPPRESS,
        help=f"a new or empty folder for the demo (default: {default_demo_dir()})",
    )


def _open(root: Path, role: str | None) -> App:
    return open_app(str(root), role=role, create=False)


def run(args: argparse.Namespace, out: Output) -> int:
    if getattr(args, "db", None):
        raise UsageError(
            "the demo keeps its own SQLite ledger inside the demo workspace",
            fix="run `intake-desktop demo` without --db",
        )
    chosen = getattr(args, "workspace", None)
    root = resolve_arg_path(chosen) if chosen else default_demo_dir()
    role = getattr(args, "role", None)
    report = run_demo(
        root,
        TerminalProgress(out.is_terminal),
        open_app=lambda path: _open(path, role),
        build_filer=build_filer,
    )
    if out.json_mode:
        for outcome in report.outcomes:
            out.emit(outcome.to_json(), "")
        out.emit({"summary": report.to_json()}, "")
    else:
        out.info(describe(report))
    return EXIT_OK if report.ok else EXIT_FAILURE
