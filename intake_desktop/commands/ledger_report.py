"""`intake-desktop ledger report MATTER --format pdf|csv --out FILE`: who did what to
which document of a matter, when."""

from __future__ import annotations

import argparse
from typing import Any

from intake_desktop.commands.common import (
    EXIT_OK,
    Output,
    acting,
    add_command,
    resolve_arg_path,
)


def register_report(lsub: Any) -> None:
    r = add_command(
        lsub, "report",
        help="a matter's activity report: who did what to which document, when",
        description="Every event about a matter and its documents, oldest first (who, "
        "role, what, which document, details), as a PDF for the file or CSV for a "
        "spreadsheet. The report is written as a new file and recorded in the ledger.",
        handler=run_report,
    )
    r.add_argument("matter", metavar="MATTER", help="the matter number")
    r.add_argument("--format", choices=["pdf", "csv"], default="pdf", help="pdf or csv")
    r.add_argument("--out", metavar="FILE",
                   help="the new file to write, relative to the current folder (default: "
                   "Exports/reports/<matter> activity.<format> in the workspace)")


def run_report(args: argparse.Namespace, output: Output) -> int:
    from intake_desktop.app import open_app
    from intake_desktop.core.activity import write_report

    with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
        out = (resolve_arg_path(args.out) if args.out else
               app.workspace.exports / "reports" / f"{args.matter} activity.{args.format}")
        written = write_report(app.ledger, args.matter, args.format, out)
    output.emit({"matter": args.matter, "format": args.format, "path": str(written)},
                f"Activity report of {args.matter} written to {written}")
    return EXIT_OK
