"""`intake-desktop produce SPEC --out DIR`: a Bates-numbered production volume."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intake_desktop.commands.common import (
    EXIT_OK,
    Output,
    acting,
    add_command,
    open_checked,
)
from intake_desktop.commands.exhibits import BuildProgress, default_out
from intake_desktop.core.production import (
    ProductionResult,
    ProductionSpec,
    earlier_productions,
    load_production_spec,
    number_documents,
    plan_production,
    produce,
)
from intake_desktop.core.signoff import OutputKind, record_draft

if TYPE_CHECKING:
    from intake_desktop.app import App


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers, "produce",
        help="a production volume: Bates-numbered PDFs, natives, text, DAT/OPT load files, "
        "cover letter and privilege log",
        description="Build a production volume from a TOML spec: stamp every page with its "
        "Bates number and confidentiality endorsement, produce spreadsheets native behind a "
        "slip sheet, withhold privileged documents, write the Concordance DAT and Opticon "
        "OPT load files, a cover letter and the privilege log, and record every document "
        "in the ledger.",
        handler=run_produce,
    )
    parser.add_argument("spec", metavar="SPEC", help="the production spec (TOML)")
    parser.add_argument(
        "--out", metavar="DIR",
        help="output folder, new or empty (default: the workspace's Exports/<volume>/)")
    parser.add_argument(
        "--dry-run", action="store_true",
        help="check the spec and show the documents in production order with the Bates "
        "numbers they would get; takes no number and writes nothing")


def _human(result: ProductionResult) -> str:
    spec = result.spec
    lines = []
    for d in result.docs:
        plan = d.plan
        if plan.bates_first is not None and plan.bates_last is not None:
            first = spec.bates.number(plan.bates_first)
            last = spec.bates.number(plan.bates_last)
            where = first if first == last else f"{first} - {last}"
        else:
            where = plan.control
        lines.append(f"{where}: {plan.meta.filename} ({plan.treatment.value}, "
                     f"{plan.pages} page{'s' if plan.pages != 1 else ''})")
    span = (f"{result.bates_first} - {result.bates_last}" if result.bates_first
            else "no Bates numbers")
    lines.append(f"volume {spec.volume}: {len(result.docs)} documents, {result.pages} pages, "
                 f"{span}")
    lines.append(f"load files: {result.dat.name}, {result.opt.name}")
    if result.privilege_log:
        lines.append(f"privilege log: {', '.join(p.name for p in result.privilege_log)}")
    lines.append(f"written to {result.out_dir}")
    lines += [f"warning: {w}" for w in result.warnings]
    return "\n".join(lines)


def run_produce(args: argparse.Namespace, output: Output) -> int:
    spec = load_production_spec(Path(args.spec))
    if args.dry_run:
        return run_preview(args, output, spec)
    app = open_checked(args, lambda app: check_production_walls(app, spec))
    progress = BuildProgress(output.is_terminal)
    try:
        out = Path(args.out) if args.out else default_out(app.workspace.exports, spec.volume)
        result = produce(spec, out, app.ledger, workspace_root=app.workspace.root,
                         scratch_dir=app.workspace.work, on_progress=progress)
        # A draft until an attorney signs it off (`exhibits signoff`).
        record_draft(app.ledger, result.out_dir, app.workspace.root,
                     kind=OutputKind.PRODUCTION, name=spec.volume, spec=spec.path,
                     matter=spec.matter, bates_first=result.bates_first or None,
                     bates_last=result.bates_last or None)
    finally:
        progress.close()
        app.close()
    output.emit(result.as_json(), _human(result))
    return EXIT_OK


def check_production_walls(app: App, spec: ProductionSpec) -> None:
    """Refuse a production of (or including documents of) a matter the acting person is
    screened from."""
    from intake_desktop.core.walls import check_matters

    check_matters(app.ledger, [spec.matter], "produce documents of")
    docs, _ = plan_production(spec, app.ledger, app.workspace.root)
    check_matters(app.ledger, (d.record.matter_id for d in docs), "produce documents of")


def run_preview(args: argparse.Namespace, output: Output, spec: ProductionSpec) -> int:
    """The plan the build would follow, numbered from the ledger's next free number."""
    from intake_desktop.app import open_app

    with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
        check_production_walls(app, spec)
        docs, warnings = plan_production(spec, app.ledger, app.workspace.root)
        warnings += earlier_productions(app.ledger, spec, docs)
        first = spec.bates.start or app.ledger.bates.next_bates(spec.bates.prefix)
    number_documents(docs, first)
    bates = spec.bates
    rows = [{
        "document": d.record.id, "filename": d.meta.filename, "treatment": d.treatment.value,
        "pages": d.pages, "family": d.family, "confidentiality": d.confidentiality,
        "bates_first": bates.number(d.bates_first) if d.bates_first is not None else None,
        "bates_last": bates.number(d.bates_last) if d.bates_last is not None else None,
        "control": d.control or None,
    } for d in docs]
    pages = sum(d.pages for d in docs)
    record = {"volume": spec.volume, "dry_run": True, "pages": pages, "documents": rows,
              "warnings": warnings}
    lines = [f"{spec.path}: valid; volume {spec.volume} would hold {len(docs)} documents, "
             f"{pages} pages"]
    for r in rows:
        where = r["bates_first"] or r["control"]
        if r["bates_last"] and r["bates_last"] != r["bates_first"]:
            where = f"{where} - {r['bates_last']}"
        lines.append(f"  {where}: {r['filename']} ({r['treatment']}, family {r['family']})")
    lines += [f"warning: {w}" for w in warnings]
    lines.append("(nothing was reserved or written)")
    output.emit(record, "\n".join(lines))
    return EXIT_OK
