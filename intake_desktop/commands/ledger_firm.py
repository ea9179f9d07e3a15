"""`intake-desktop ledger migrate --to URL` and `ledger grant`: moving a desk onto the firm's
PostgreSQL ledger and the server roles that keep it append-only."""

from __future__ import annotations

import argparse
from typing import Any

from intake_desktop.app import open_app
from intake_desktop.commands.common import EXIT_OK, Output, acting, add_command, plural
from intake_desktop.core import custody
from intake_desktop.core.errors import UsageError


def register(lsub: Any) -> None:
    m = add_command(
        lsub, "migrate",
        help="copy this workspace's ledger into the firm's PostgreSQL database",
        description="Copy the workspace's ledger (documents, events with their chain, claims, "
        "Bates counters, profiles, matters, document text) into an empty database, verify the "
        "chain there and seal both. With --merge, keep this desk's chain beside the firm's "
        "chain already in the database (the merge is recorded as an event). A database that "
        "already holds another chain is refused without --merge.",
        handler=run_migrate,
    )
    m.add_argument("--to", metavar="URL", required=True,
                   help="SQLAlchemy URL of the target, e.g. "
                   "postgresql+psycopg://intake_owner@server/intake (the password comes from "
                   "the keyring, PGPASSWORD or ~/.pgpass)")
    m.add_argument("--merge", action="store_true",
                   help="add this desk's ledger to a firm ledger that already has a chain")

    g = add_command(
        lsub, "grant",
        help="SQL for the owner and app roles on the firm's PostgreSQL ledger",
        description="Print the SQL that creates an owner role (runs the schema upgrades) and "
        "an app role for the desks (may append events, never change, delete or truncate "
        "them, nor drop the triggers). With --apply, run it on the database given by --db "
        "(as a role that may create roles).",
        handler=run_grant,
    )
    g.add_argument("--owner", default="intake_owner", help="owner role (default: %(default)s)")
    g.add_argument("--app", dest="app_role", default="intake_app",
                   help="the desks' role (default: %(default)s)")
    g.add_argument("--apply", action="store_true", help="run the SQL on --db instead of "
                   "printing it")


def _target_url(url: str, workspace: str | None) -> str:
    from intake_desktop.core.firm_db import url_with_password

    return url_with_password(url)


def run_migrate(args: argparse.Namespace, out: Output) -> int:
    from intake_desktop.core.ledger import migrate_ledger

    target = _target_url(args.to, args.workspace)
    with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
        if app.ledger.url == target:
            raise UsageError("--to names the ledger this workspace already uses",
                             fix="give the URL of the firm's database")
        result = migrate_ledger(app.ledger, target, merge=args.merge)
        # Seal both: the desk's ledger here (and its mirror); the target's head is the same
        # chain after a copy, the firm's own head after a merge.
        outcome = custody.seal_after_batch(app.ledger, app.workspace, app.seal_mirror)
        app.head_at_open = app.ledger.chain.head()
        seals = [str(p) for p in outcome.written]
        from intake_desktop.core.ledger import Ledger

        firm = Ledger(target, app.actor)
        try:
            if result.mode == "merge":
                path, _seal = custody.write_seal(firm, app.workspace.exports / "firm-ledger",
                                                 workspace_id="")
                seals.append(str(path))
            target_head = firm.chain.head()
        finally:
            firm.close()
    for text in outcome.warnings:
        out.err.write(f"intake-desktop: warning: {text}\n")
    data = {**result.to_json(), "seals": seals, "ok": True,
            "target_head_now": list(target_head)}
    if result.mode == "copy":
        human = (f"Copied {plural(result.source_events, 'event')} into {result.target}; the "
                 f"chain verifies there to the same head ({result.target_head[:16]}...).")
    else:
        human = (f"Merged desk {result.desk} ({plural(result.source_events, 'event')}, "
                 f"{plural(result.rows.get('documents', 0), 'document')}) into {result.target}; "
                 "its chain verifies there and the firm chain records the merge.")
    lines = [human, *(f"Sealed: {s}" for s in seals), *(f"  note: {n}" for n in result.notes),
             "Point the desks at it: Settings > Firm database, or [ledger] url in "
             ".intake/config.toml."]
    out.emit(data, "\n".join(lines))
    return EXIT_OK


def run_grant(args: argparse.Namespace, out: Output) -> int:
    from intake_desktop.core.ledger import apply_grants, database_of, grant_sql

    if not args.apply:
        sql = grant_sql(args.owner, args.app_role, database=database_of(args.db))
        if out.json_mode:
            out.emit({"sql": sql, "owner": args.owner, "app": args.app_role, "applied": False},
                     sql)
        else:
            out.raw(sql)
        return EXIT_OK
    if not args.db:
        raise UsageError("--apply needs the database: give --db URL (a role that may create "
                         "roles, e.g. the postgres superuser)",
                         fix="or run the printed SQL with psql")
    sql = apply_grants(_target_url(args.db, args.workspace), args.owner, args.app_role)
    out.emit({"sql": sql, "owner": args.owner, "app": args.app_role, "applied": True},
             f"Applied: owner role {args.owner}, app role {args.app_role}. Set their passwords "
             f"(ALTER ROLE ... PASSWORD) and connect the desks as {args.app_role}.")
    return EXIT_OK
