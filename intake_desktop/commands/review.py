"""`intake-desktop review`: the review queue on the command line (list it, read-only; retry a
document with the current rules)."""

from __future__ import annotations

import argparse
from typing import Any

from intake_desktop.app import build_filer, open_app
from intake_desktop.commands.common import EXIT_OK, Output, acting, add_actions, add_command
from intake_desktop.core.review import ReviewDesk


def register(sub: Any) -> None:
    p = add_command(
        sub, "review",
        help="the review queue: list it, retry a document with the current rules",
        description="Documents the app would not guess about, each with its reason. Anyone "
        "may list the queue; resolving it needs a paralegal or admin.",
    )
    rsub = add_actions(p, "review_command")
    add_command(rsub, "list", handler=run_list,
                help="every document waiting, with its reason",
                description="Every document waiting in Review/, oldest first, with "
                "its reason (matters you are screened from are left out).")
    retry = add_command(rsub, "retry", handler=run_retry,
                        help="route a document again with the current rules",
                        description="Route a document waiting in Review/ again with the "
                        "rules in force (after a rule change); filed when they decide.")
    retry.add_argument("doc", metavar="DOC_ID", type=int,
                       help="the document id (`review list`)")


def run_list(args: argparse.Namespace, out: Output) -> int:
    with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
        for d in ReviewDesk(build_filer(app, record_rules=False)).items():
            out.emit({"id": d.id, "source": d.source_path, "path": d.filed_path,
                      "matter": d.matter_id, "reason": d.reason},
                     f"{d.id:>5}  {d.matter_id or '-':<24} {d.filed_path or '-'}  ({d.reason})")
    return EXIT_OK


def run_retry(args: argparse.Namespace, out: Output) -> int:
    with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
        filer = build_filer(app)
        try:
            filer.begin()
            resolution = ReviewDesk(filer).retry(args.doc)
        finally:
            filer.claimant.retire()
    doc = resolution.document
    out.emit({"id": doc.id, "status": doc.status, "path": doc.filed_path,
              "matter": doc.matter_id, "resolved": resolution.resolved}, resolution.message)
    return EXIT_OK
