"""`intake-desktop approvals [list|approve ID|return ID --note TEXT]`: escalated
documents a lawyer must approve (rules with `approval = "attorney"`)."""

from __future__ import annotations

import argparse
from typing import Any

from intake_desktop.commands.common import (
    EXIT_OK,
    Output,
    acting,
    add_actions,
    add_command,
    plural,
)
from intake_desktop.core.approvals import approve, pending_approvals, return_document


def register(sub: Any) -> None:
    parser = add_command(
        sub, "approvals", handler=run_list,
        help="documents filed provisionally until a lawyer approves or returns them",
        description="A naming rule with approval = \"attorney\" files its documents "
        "provisionally. `approvals` (or `approvals list`) shows those waiting; an attorney "
        "or admin approves one (`approvals approve ID`) or returns it to Review/ with a "
        "note that becomes its reason (`approvals return ID --note TEXT`). ID is the "
        "document id. Each decision is a ledger event; a refusal is one too.",
    )
    actions = add_actions(parser, "approvals_action", required=False)
    add_command(actions, "list", help="the documents waiting for a lawyer", handler=run_list)
    ok = add_command(actions, "approve", handler=run_approve,
                     help="approve a provisional filing (attorneys, admins)")
    ok.add_argument("id", metavar="ID", type=int, help="the document id (see `approvals list`)")
    ok.add_argument("--note", default="", help="an optional note recorded with the approval")
    back = add_command(actions, "return", handler=run_return,
                       help="send a provisional filing back to Review/ with a note (attorneys, "
                       "admins)")
    back.add_argument("id", metavar="ID", type=int, help="the document id")
    back.add_argument("--note", required=True,
                      help="why: it becomes the document's reason in Review/")


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
