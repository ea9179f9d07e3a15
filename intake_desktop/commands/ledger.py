"""`intake-desktop ledger verify|seal|export|history`: the chain-of-custody log."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from intake_desktop.app import open_app
from intake_desktop.commands.common import (
    EXIT_FAILURE,
    EXIT_OK,
    Output,
    acting,
    add_actions,
    add_command,
    plural,
    resolve_arg_path,
)
from intake_desktop.commands.ledger_report import register_report
from intake_desktop.core import custody
from intake_desktop.core.errors import IntakeError, UsageError
from intake_desktop.core.walls import check_matters, screened


def register(sub: Any) -> None:
    p = add_command(
        sub, "ledger",
        help="the chain-of-custody ledger",
        description="Verify, seal, export and query the chain-of-custody ledger.",
    )
    lsub = add_actions(p, "ledger_command")

    v = add_command(
        lsub, "verify",
        help="check the hash chain and the files on disk",
        description="Recompute the hash chain, re-hash every kept file and, with --seal, "
        "prove the ledger matches a seal written earlier. Exit 1 when anything differs.",
        handler=run_verify,
    )
    v.add_argument("--seal", metavar="FILE",
                   help="also prove the ledger matches this seal file (relative to the "
                   "current folder)")
    v.add_argument("--chain-only", action="store_true", help="skip re-hashing files on disk")

    add_command(
        lsub, "seal",
        help="write the chain head to a file under Exports/",
        description="Write the head hash of the chain to Exports/ledger-seals/ so that a "
        "later rewrite of the ledger shows; keep a copy outside this computer.",
        handler=run_seal,
    )

    e = add_command(
        lsub, "export",
        help="the chain-of-custody log, one row per event",
        description="Every event of the ledger, oldest first: CSV, or JSON lines with "
        "--format json (or --json).",
        handler=run_export,
    )
    e.add_argument("--format", choices=["csv", "json"], default=None,
                   help="csv or json (JSON lines) (default: csv, json with --json)")
    e.add_argument("--out", metavar="FILE",
                   help="write to this new file (relative to the current folder) instead of "
                   "stdout")

    h = add_command(
        lsub, "history",
        help="one document's custody trail",
        description="Every event of one document, found by its ledger id, a path (filed "
        "copy, original or source) or a SHA-256.",
        handler=run_history,
    )
    h.add_argument("key", metavar="ID|PATH|SHA256",
                   help="the document's ledger id (as shown by history and ingest --json), "
                   "a path or a SHA-256")
    register_report(lsub)

    from intake_desktop.commands import ledger_firm

    ledger_firm.register(lsub)  # migrate --to URL, grant


def _seal_path(value: str) -> Path:
    path = resolve_arg_path(value)
    if not path.exists():
        raise UsageError(
            "no such seal file", path=path,
            fix="give the path of a file written by `intake-desktop ledger seal` (a relative "
            "path is taken from the current folder)",
        )
    if path.is_dir():
        # A folder of seals (Exports/ledger-seals/, a USB key): its newest seal.
        seals = sorted(path.glob("ledger-seal-*.json"))
        if not seals:
            raise UsageError("this folder holds no ledger seal", path=path,
                             fix="give a folder with ledger-seal-....json files, or one of them")
        path = seals[-1]
    try:
        custody.read_seal(path)
    except IntakeError as exc:
        raise UsageError("this file is not a ledger seal", path=path,
                         fix="give the JSON file written by `intake-desktop ledger seal`") from exc
    return path


def run_verify(args: argparse.Namespace, out: Output) -> int:
    seal_file = _seal_path(args.seal) if args.seal else None
    # attach=False: a ledger that is not this workspace's is opened anyway, to report it.
    with open_app(args.workspace, db=args.db, acting=acting(args), attach=False) as app:
        report = custody.verify(
            app.ledger, app.workspace.root,
            seal_file=seal_file,
            check_files=not args.chain_only,
            mirror=app.seal_mirror,
            restore_triggers=True,
        )
    counts = (f"{plural(report.events, 'event')}, "
              f"{plural(report.files_checked, 'file')} checked")
    seal = report.seal
    if report.ok:
        lines = [f"Ledger OK: {counts}."]
        if seal_file is not None:
            sealed = seal or {}
            lines.append(f"Seal matched: {seal_file} (the first "
                         f"{plural(int(sealed.get('events', 0)), 'event')}, sealed "
                         f"{sealed.get('sealed_at', '?')}).")
        elif seal:
            lines.append(f"Matches the newest seal, of {seal['sealed_at']} "
                         f"({plural(int(seal['events']), 'event')}).")
    else:
        lines = [f"Ledger does not match: {counts}."]
    lines += [f"  {p}" for p in report.problems]
    lines += [f"  missing: {m}" for m in report.missing_files]
    lines += [f"  altered: {a}" for a in report.altered_files]
    lines += [f"  not in the ledger: {u}" for u in report.unrecorded_files]
    lines += [f"  writable original: {w}" for w in report.writable_originals]
    lines += [f"  warning: {w}" for w in report.warnings]
    out.emit(report.to_json(), "\n".join(lines))
    if not report.ok:
        out.error("the ledger or the files on disk do not match",
                  fix="see the report above; restore the named files or the ledger from a "
                  "backup")
    return EXIT_OK if report.ok else EXIT_FAILURE


def run_seal(args: argparse.Namespace, out: Output) -> int:
    with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
        path, seal = custody.write_seal(
            app.ledger, app.workspace.exports, workspace_id=app.workspace.workspace_id() or ""
        )
        outcome = custody.seal_after_batch(app.ledger, app.workspace, app.seal_mirror)
    copies = [str(p) for p in outcome.written if p != path]
    out.emit(
        {"seal": str(path), "head_hash": seal.head_hash, "events": seal.events,
         "sealed_at": seal.sealed_at, "copies": copies, "warnings": outcome.warnings},
        f"Sealed {plural(seal.events, 'event')} (head {seal.head_hash[:16]}...) in {path}"
        + (f" and {', '.join(copies)}." if copies else
           ". Keep a copy outside this computer ([seal] mirror in .intake/config.toml)."),
    )
    for text in outcome.warnings:
        out.err.write(f"intake-desktop: warning: {text}\n")
    return EXIT_OK


def run_export(args: argparse.Namespace, out: Output) -> int:
    fmt = args.format or ("json" if out.json_mode else "csv")
    if out.json_mode and fmt != "json":
        raise UsageError("--json prints JSON lines, so it cannot be combined with --format csv",
                         fix="leave out one of them")
    target = resolve_arg_path(args.out) if args.out else None
    if target is not None and target.exists():
        raise UsageError("the output file already exists", path=target,
                         fix="give a new file name; nothing is overwritten")
    with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
        hidden = screened(app.ledger)
        shown = [e for e in app.ledger.chain.events() if e.matter_id not in hidden]
        text = custody.export_events(shown, fmt)
    if hidden:
        out.warning(f"events of {plural(len(hidden), 'matter')} you are screened from (matter "
                    "walls) are left out", fix="an admin's export has every event")
    if target is not None:
        from intake_desktop.core.mover import write_new_file

        written = write_new_file(target, text.encode("utf-8"))
        out.emit({"out": str(written), "format": fmt, "events": text.count("\n")
                  - (fmt == "csv")}, f"Wrote {written}")
    else:
        out.raw(text)
    return EXIT_OK


def _event_json(event: Any) -> dict[str, Any]:
    """The same shape as `ledger export --format json` (detail as an object)."""
    line = custody.export_events([event], "json")
    record: dict[str, Any] = json.loads(line)
    return record


def run_history(args: argparse.Namespace, out: Output) -> int:
    key = args.key.strip()
    with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
        if key.isdigit() and len(key) < 12:
            events = app.ledger.chain.events(document_id=int(key))
        else:
            events = app.ledger.chain.history(key, app.workspace.root)
        check_matters(app.ledger, (e.matter_id for e in events),
                      "see the custody history of a document of")
    if not events:
        raise UsageError(
            f"no document in the ledger matches {key!r}",
            fix="give a document id (the `doc` column of `intake-desktop ledger history`, "
            "`document_id` in `ledger export`), a filed path or a SHA-256",
        )
    if not out.json_mode:
        out.info(f"{'event':>6}  {'doc':>5}  {'at':<27} {'kind':<20} {'who':<20} path")
    for e in events:
        where = e.path_after or e.path_before or ""
        doc = "" if e.document_id is None else str(e.document_id)
        who = f"{e.actor_user}/{e.actor_role}"
        out.emit(_event_json(e), f"{e.seq:>6}  {doc:>5}  {e.at:<27} {e.kind:<20} {who:<20} {where}")
    return EXIT_OK
