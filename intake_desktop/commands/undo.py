"""`intake-desktop undo EVENT_ID|PATH`: take a filing (or a review action) back."""

from __future__ import annotations

import argparse
from typing import Any

from intake_desktop.app import build_filer, open_app
from intake_desktop.commands.common import (
    EXIT_FAILURE,
    EXIT_OK,
    Output,
    acting,
    add_command,
)
from intake_desktop.core.filing import UndoError, find_target, undo_document
from intake_desktop.core.walls import check_matter


def register(sub: Any) -> None:
    p = add_command(
        sub, "undo",
        help="undo a filing or a review action (originals are never deleted)",
        description="Move a filed document back to the intake folder it came from (or to "
        "Review/ when it came from outside the workspace or from the review queue), remove "
        "the working copy, and record it. The original under _Originals/ is kept, marked "
        "superseded. An email or archive is undone with its attachments or members.",
        handler=run,
    )
    p.add_argument("target", metavar="EVENT_ID|PATH",
                   help="an event id from `ledger history`, or the filed copy's path")


def run(args: argparse.Namespace, out: Output) -> int:
    with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
        filer = build_filer(app)
        try:
            filer.begin()
            target = find_target(filer, args.target)
            doc = app.ledger.docs.document(target)
            check_matter(app.ledger, doc.matter_id if doc else None, "undo a filing of")
            result = undo_document(filer, target)
        except UndoError as exc:
            out.error(exc.message)
            return EXIT_FAILURE
        finally:
            filer.claimant.retire()
    out.emit(result.to_json(), result.message)
    return EXIT_OK
