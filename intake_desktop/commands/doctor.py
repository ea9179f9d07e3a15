"""`intake-desktop doctor`: which engines and platform pieces are in place, and how to add
the missing ones (exit 1 when the workspace needs something that is missing)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from intake_desktop.commands.common import EXIT_FAILURE, EXIT_OK, Output, add_command
from intake_desktop.core.doctor import Check, run_checks
from intake_desktop.core.workspace import Workspace, resolve_workspace_dir


def register(sub: Any) -> None:
    p = add_command(
        sub, "doctor", handler=run,
        help="check LibreOffice, Tesseract, OCRmyPDF, libmagic, Qt, the ledger and the disk",
        description="One row per external engine and platform piece: found or not, version, "
        "where, what is off without it, and how to install it on Debian/Ubuntu, Fedora, "
        "macOS and Windows. Exit 1 when the workspace needs something that is missing.",
    )
    p.add_argument("--probe-qt", action="store_true", help=argparse.SUPPRESS)


def _qt_rows() -> list[Check]:
    try:
        from intake_desktop.qt.diagnostics import qt_checks
    except ImportError as exc:  # PySide6 itself is missing
        from intake_desktop.core.doctor import INSTALL

        return [Check("Qt platform plugin", False, feature="the window", install=INSTALL["qt"],
                      needed=False, detail=str(exc))]
    return qt_checks()


def run(args: argparse.Namespace, out: Output) -> int:
    if args.probe_qt:
        from intake_desktop.qt.diagnostics import probe

        print(json.dumps(probe()))
        return EXIT_OK
    ws = Workspace(resolve_workspace_dir(args.workspace))
    url = args.db or (ws.load_config().ledger_url if ws.is_initialized() else "")
    report = run_checks(ws, url or ws.default_ledger_url(), extra=_qt_rows())
    out.emit(report.to_json(), report.text())
    return EXIT_OK if report.ok else EXIT_FAILURE
