"""`intake-desktop search reindex`: make documents filed before full-text search searchable."""

from __future__ import annotations

import argparse
from typing import Any

from intake_desktop.app import open_app
from intake_desktop.commands.common import EXIT_OK, Output, add_command, plural


def register(sub: Any) -> None:
    p = add_command(
        sub, "search",
        help="full-text search index: `search reindex` fills it for older filings",
        description="Read the words (text layer, OCR text) of filed documents that have none "
        "in the search index, as documents filed before full-text search existed, and add "
        "back the exhibit labels and Bates numbers stamped on them. Files are only read; "
        "nothing is recorded in the chain of custody (the index is not custody).",
        handler=run,
    )
    p.add_argument("action", choices=["reindex"], help="reindex: fill the search index")
    p.add_argument("--all", action="store_true", dest="everything",
                   help="read every filed document again, not only those missing")


def run(args: argparse.Namespace, out: Output) -> int:
    from intake_desktop.core.search_text import reindex_documents

    with open_app(args.workspace, db=args.db, role=args.role) as app:
        report = reindex_documents(app.ledger, app.workspace.root, everything=args.everything)
    text = (f"{plural(report.indexed, 'document')} indexed, {report.already} already were"
            + (f"; {plural(report.labelled, 'stamp')} of labels added" if report.labelled
               else ""))
    out.emit(report.to_json(), text)
    for path in report.missing_files:
        out.warning("the filed copy is missing, so its words cannot be read", path=path,
                    fix="run `intake-desktop ledger verify` to see where it went")
    return EXIT_OK
