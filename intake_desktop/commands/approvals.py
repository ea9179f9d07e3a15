"""`intake-desktop approvals [list|approve ID|return ID --note TEXT]`: escalated
documents a lawyer must approve (rules with `approval = "attorney"`)."""

from __future__ import annotations

import argparse
from typing import Any

from intake_desktop.commands.common import EXIT_OK, Output, acting, add_common_options, plural
from intake_desktop.core.approvals import approve, pending_approvals, return_document


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "approvals",
        help="documents filed provisionally until a lawyer approves or returns them",
        description="A naming rule with approval = \"attorney\" files its documents "
        "provisionally. `approvals` (or `approvals list`) shows those waiting; an attorney "
        "or admin approves one (`approvals approve ID`) or returns it to Review/ with a "
        "note that becomes its reason (`approvals return ID --note TEXT`). ID is the "
        "document id. Each decision is a ledger event; a refusal is one too.",
    )
    add_common_options(parser)
    parser.set_defaults(handler=run_list)
    actions = parser.add_subparsers(dest="approvals_action", metavar="ACTION")
    listing = actions.add_parser("list", help="the documents waiting for a lawyer")
    add_common_options(listing)
    listing.set_defaults(handler=run_list)
    ok = actions.add_parser("approve", help="approve a provisional filing (attorneys, admins)")
    ok.add_argument("id", metavar="ID", type=int, help="the document id (see `approvals list`)")
    ok.add_argument("--note", default="", help="an optional note recorded with the approval")
    add_common_options(ok)
    ok.set_defaults(handler=run_approve)
    back = actions.add_parser(
        "return", help="send a provisional filing back to Review/ with a note (attorneys, "
        "admins)")
    back.add_argument("id", metavar="ID", type=int, help="the document id")
    back.add_argument("--note", required=True,
                      help="why: it becomes the document's reason in Review/")
    add_common_options(back)
    back.set_defaults(handler=run_return)


def _open(args: argparse.Namespace) -> Any:
    from intake_desktop.app import open_app

    return open_app(args.workspace, db=args.db, acting=acting(args))


def run_list(args: argparse.Namespace, output: Output) -> int:
    with _open(args) as app:
        waiting = pending_approvals(app.ledger)
    for p in waiting:
        output.emit(p.as_json(), f"{p.document_id}: {p.path} ({p.matter}; rule {p.rule}; "
                    f"filed {p.requested_at[:16].replace('T', ' ')} by {p.requested_by})")
    output.info(f"{plural(len(waiting), 'document')} waiting for a lawyer's approval"
                if waiting else "Nothing is waiting for a lawyer's approval.")
    return EXIT_OK


def run_approve(args: argparse.Namespace, output: Output) -> int:
    with _open(args) as app:
        done = approve(app.ledger, args.id, args.note)
    output.emit({**done.as_json(), "status": "approved", "by": app.actor.user},
                f"Approved: {done.path}")
    return EXIT_OK


def run_return(args: argparse.Namespace, output: Output) -> int:
    from intake_desktop.app import build_filer

    with _open(args) as app:
        filer = build_filer(app)
        try:
            filer.begin()
            done = return_document(filer, args.id, args.note)
        finally:
            filer.claimant.retire()
        doc = app.ledger.docs.document(args.id)
    where = doc.filed_path if doc else None
    output.emit({**done.as_json(), "status": "returned", "by": app.actor.user,
                 "review_path": where, "note": args.note},
                f"Returned to Review/: {where} (reason: {doc.reason if doc else args.note})")
    return EXIT_OK
