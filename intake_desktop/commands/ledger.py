"""`intake-desktop ledger verify|seal|export|history`: the chain-of-custody log."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from intake_desktop.app import open_app
from intake_desktop.commands.common import EXIT_FAILURE, EXIT_OK, Output, add_common_options
from intake_desktop.core import custody
from intake_desktop.core.mover import write_export


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("ledger", help="the chain-of-custody ledger")
    lsub = p.add_subparsers(dest="ledger_command", metavar="ACTION", required=True)

    v = lsub.add_parser("verify", help="check the hash chain and the files on disk")
    add_common_options(v)
    v.add_argument("--seal", metavar="FILE", help="also prove the ledger matches this seal")
    v.add_argument("--chain-only", action="store_true", help="skip re-hashing files on disk")
    v.set_defaults(handler=run_verify)

    s = lsub.add_parser("seal", help="write the chain head to a file under Exports/")
    add_common_options(s)
    s.set_defaults(handler=run_seal)

    e = lsub.add_parser("export", help="the chain-of-custody log, one row per event")
    add_common_options(e)
    e.add_argument("--format", choices=["csv", "json"], default="csv")
    e.add_argument("--out", metavar="FILE", help="write to this file instead of stdout")
    e.set_defaults(handler=run_export)

    h = lsub.add_parser("history", help="one document's custody trail")
    add_common_options(h)
    h.add_argument("key", metavar="PATH|SHA256")
    h.set_defaults(handler=run_history)


def run_verify(args: argparse.Namespace, out: Output) -> int:
    with open_app(args.workspace, db=args.db, role=args.role) as app:
        report = custody.verify(
            app.ledger, app.workspace.root,
            seal_file=Path(args.seal) if args.seal else None,
            check_files=not args.chain_only,
        )
    lines = [
        f"Ledger {'OK' if report.ok else 'FAILED'}: {report.events} events, "
        f"{report.files_checked} files checked."
    ]
    lines += [f"  {p}" for p in report.problems]
    lines += [f"  missing: {m}" for m in report.missing_files]
    lines += [f"  altered: {a}" for a in report.altered_files]
    out.emit(report.to_json(), "\n".join(lines))
    if not report.ok:
        out.error("the ledger or the files on disk do not match; see the report above")
    return EXIT_OK if report.ok else EXIT_FAILURE


def run_seal(args: argparse.Namespace, out: Output) -> int:
    with open_app(args.workspace, db=args.db, role=args.role) as app:
        path, seal = custody.write_seal(app.ledger, app.workspace.exports)
    out.emit(
        {"seal": str(path), "head_hash": seal.head_hash, "events": seal.events,
         "sealed_at": seal.sealed_at},
        f"Sealed {seal.events} events (head {seal.head_hash[:16]}...) in {path}. "
        "Keep a copy outside this computer.",
    )
    return EXIT_OK


def run_export(args: argparse.Namespace, out: Output) -> int:
    with open_app(args.workspace, db=args.db, role=args.role) as app:
        text = custody.export_events(app.ledger.events(), args.format)
    if args.out:
        # Never overwrites: an existing file keeps its name and the export gets ` (2)`.
        written = write_export(Path(args.out).resolve(), text.encode("utf-8"))
        out.info(f"Wrote {written}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def run_history(args: argparse.Namespace, out: Output) -> int:
    with open_app(args.workspace, db=args.db, role=args.role) as app:
        events = app.ledger.history(args.key, app.workspace.root)
    if not events:
        out.error(f"no document in the ledger matches {args.key}; give a filed path or a SHA-256")
        return EXIT_FAILURE
    for e in events:
        row = custody.event_row(e)
        where = e.path_after or e.path_before or ""
        out.emit(row, f"{e.at}  {e.kind:<20} {e.actor_user}/{e.actor_role}  {where}")
    return EXIT_OK
