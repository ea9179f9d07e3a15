"""`intake-desktop demo [--workspace DIR]`: a separate workspace filled with sample matters.

The documents are generated (fictitious), dropped into the demo workspace's Intake/ and
filed by the same filer `intake-desktop ingest` uses. Without --workspace the demo goes
to its own folder (Documents/Intake Desktop Demo), never to the real workspace; the
INTAKE_WORKSPACE variable is deliberately not used here.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from intake_desktop.app import App, build_filer, open_app
from intake_desktop.commands.common import EXIT_FAILURE, EXIT_OK, Output, add_common_options
from intake_desktop.commands.ingest import TerminalProgress
from intake_desktop.core.demo import DemoReport, run_demo
from intake_desktop.core.demo.runner import TIME_BUDGET_S
from intake_desktop.core.errors import UsageError
from intake_desktop.core.filing import Outcome
from intake_desktop.core.workspace import default_demo_dir


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "demo",
        help="a demo workspace filled with three sample matters through the real pipeline",
        description="Generate about forty fictitious documents for three matters (litigation, "
        "personal injury, immigration), file them through the intake pipeline into a "
        f"separate demo workspace (default: {default_demo_dir()}), and build the example "
        "exhibit set.",
    )
    add_common_options(p)
    p.set_defaults(handler=run)


def _open(root: Path, role: str) -> App:
    return open_app(str(root), role=role, create=False)


def summary(report: DemoReport) -> str:
    """The human summary: outcomes per matter, review reasons, duplicates, what to open."""
    ws = report.workspace
    lines = [
        f"Demo workspace: {ws}",
        f"{len(report.outcomes)} generated documents, filed through the intake pipeline:",
    ]
    for matter, rules in report.rules.items():
        mine = [o for o in report.outcomes if o.document.matter == matter]
        counts = {s: sum(o.status == s for o in mine) for s in Outcome}
        lines.append(
            f"  {matter}: {counts[Outcome.FILED]} filed, {counts[Outcome.REVIEW]} to review, "
            f"{counts[Outcome.DUPLICATE]} duplicate  [{rules}]"
        )
    attachments = sum(len(o.children) for o in report.outcomes)
    if attachments:
        lines.append(f"  plus {attachments} attachments and archive members filed with "
                     "their parent")
    review = [o for o in report.outcomes if o.status == Outcome.REVIEW]
    if review:
        lines.append(f"To review ({len(review)}), in {ws / 'Review'}:")
        lines += [f"  {o.document.name}: {o.short_reason}" for o in review]
    dups = [o for o in report.outcomes if o.status == Outcome.DUPLICATE]
    if dups:
        lines.append(f"Duplicates ({len(dups)}):")
        lines += [f"  {o.document.name}: {o.short_reason}" for o in dups]
    problems = [o for o in report.outcomes
                if o.status not in (Outcome.FILED, Outcome.REVIEW, Outcome.DUPLICATE)]
    if problems:
        lines.append(f"Problems ({len(problems)}):")
        lines += [f"  {o.document.name}: {o.status}: {o.short_reason}" for o in problems]
    ex = report.exhibit_set
    if ex is not None and ex.built:
        lines.append(f"Exhibit set: {ex.exhibits} exhibits in {ex.out_dir}")
    elif ex is not None:
        lines.append(f"Exhibit set not built: {ex.reason}")
    lines.append(f"Active naming rules now: {report.active_rules}")
    quoted = f'"{ws}"'
    lines += [
        "Look next:",
        f"  intake-desktop --workspace {quoted}                 the window: matters, review "
        "queue, exhibits",
        f"  {ws / 'Matters'}   the filed documents; originals in each matter's _Originals/",
        f"  intake-desktop ledger verify --workspace {quoted}   the chain of custody",
        f"  intake-desktop ledger export --workspace {quoted}   every event, as CSV",
    ]
    if ex is not None and ex.built:
        lines.append(f"  {ex.out_dir}   exhibit index, stamped exhibits, binder")
    budget = "" if report.elapsed_s < TIME_BUDGET_S else f" (over the {TIME_BUDGET_S:.0f} s budget)"
    lines.append(f"Finished in {report.elapsed_s:.1f} s{budget} "
                 f"(generating the documents: {report.generate_s:.1f} s).")
    return "\n".join(lines)


def run(args: argparse.Namespace, out: Output) -> int:
    if getattr(args, "db", None):
        raise UsageError(
            "the demo keeps its own SQLite ledger inside the demo workspace",
            fix="run `intake-desktop demo` without --db",
        )
    root = Path(args.workspace).expanduser() if args.workspace else default_demo_dir()
    role = getattr(args, "role", "paralegal")
    report = run_demo(
        root,
        TerminalProgress(out.is_terminal),
        open_app=lambda path: _open(path, role),
        build_filer=build_filer,
    )
    if out.json_mode:
        for outcome in report.outcomes:
            out.emit(outcome.to_json(), "")
        out.emit({"summary": report.to_json()}, "")
    else:
        out.info(summary(report))
    return EXIT_OK if report.ok else EXIT_FAILURE
