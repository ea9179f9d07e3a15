"""The demo's report as text: outcomes per matter, review reasons, duplicates, what next.

Used by `intake-desktop demo` and by the window after it runs the demo.
"""

from __future__ import annotations

from pathlib import Path

from intake_desktop.core.demo.runner import TIME_BUDGET_S, DemoReport
from intake_desktop.core.filing import Outcome


def describe(report: DemoReport) -> str:
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
    people = report.supervision
    if people is not None:
        lines.append(f"People: {people.paralegal} (paralegal) filed and built; "
                     f"{people.attorney} (attorney) signs in with the passphrase "
                     f"{people.attorney_passphrase!r}")
        if people.signed_off:
            lines.append(f"  signed off by {people.attorney}: {people.signed_off} "
                         f"(manifest: {Path(people.manifest or '').name})")
        elif people.reason:
            lines.append(f"  the exhibit set was not signed off: {people.reason}")
        lines += [f"  approved by {people.attorney}: {Path(str(w['path'])).name} "
                  f"(rule {w['rule']})" for w in people.approved]
        if people.waiting:
            lines.append(f"  waiting for {people.attorney}'s approval "
                         f"({len(people.waiting)}; Supervision page or "
                         "`intake-desktop approvals`):")
            lines += [f"    {w['id']}: {Path(str(w['path'])).name} (rule {w['rule']})"
                      for w in people.waiting]
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
