"""`intake-desktop ingest PATH... [--matter ID]`: file these files and folders now."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from intake_desktop.app import App, build_filer, open_app
from intake_desktop.commands.common import (
    EXIT_FAILURE,
    EXIT_OK,
    Output,
    acting,
    add_command,
    plural,
)
from intake_desktop.core.filing import IngestResult, Outcome
from intake_desktop.core.filing import duration as _duration
from intake_desktop.core.walls import check_matters


def register(sub: Any) -> None:
    p = add_command(
        sub, "ingest",
        help="file these files/folders now",
        description="File these files and folders now: keep each original, file a working "
        "copy under the naming rules, record every step in the ledger. Files from outside "
        "the workspace are copied and left where they were.",
        handler=run,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to file")
    p.add_argument(
        "--matter", metavar="ID",
        help="the matter these files belong to (default: Intake/<matter>/ names it)",
    )


def describe(result: IngestResult, indent: str = "") -> str:
    name = Path(result.source).name
    if result.status is Outcome.FILED:
        text = f"{indent}filed      {name} -> {result.path}"
    elif result.status is Outcome.REVIEW:
        where = f" ({result.path})" if result.path else " (left in place)"
        text = f"{indent}review     {name}: {result.reason}{where}"
    elif result.status is Outcome.DUPLICATE:
        text = f"{indent}duplicate  {name}: {result.reason}"
    elif result.status is Outcome.IGNORED:
        text = f"{indent}ignored    {name}: {result.reason}"
    else:
        text = f"{indent}error      {name}: {result.reason}"
    if result.flags:
        text += f"  [{', '.join(result.flags)}]"
    for note in result.notes:
        text += f"\n{indent}           note: {note}"
    for child in result.children:
        text += "\n" + describe(child, indent + "  ")
    return text


class TerminalProgress:
    """A one-line progress bar on stderr, shown only on a terminal for more than 3 files:
    files done of the total, the rate so far, the time left at that rate, the file now
    being prepared."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started: float | None = None

    def line(self, done: int, total: int, message: str, now: float) -> str:
        if self.started is None:
            self.started = now
        width = 30
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        name = Path(message).name[:32]
        elapsed = now - self.started
        pace = ""
        if done and elapsed > 0:
            rate = done / elapsed
            left = (total - done) / rate
            pace = f" {rate:.1f}/s, {_duration(left)} left"
        return f"\r[{bar}] {done}/{total}{pace} {name:<32}"

    def __call__(self, done: int, total: int, message: str) -> None:
        if not self.enabled or total <= 3:
            return
        sys.stderr.write(self.line(done, total, message, time.monotonic()))
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def summary(counts: dict[str, int]) -> str:
    """`2 filed, 1 to review, 1 duplicate, 0 ignored, 1 error` (counts by status)."""
    return (
        f"{counts.get('filed', 0)} filed, {counts.get('review', 0)} to review, "
        f"{plural(counts.get('duplicate', 0), 'duplicate')}, {counts.get('ignored', 0)} ignored, "
        f"{plural(counts.get('error', 0), 'error')}"
    )


def report(out: Output, result: IngestResult) -> None:
    """One result: its line on stdout; a failure's message once on stderr (and, in
    human mode, only there)."""
    for failed in _failures(result):
        out.error(failed.reason or "could not be filed", path=failed.source)
    out.emit(result.to_json(), "" if result.status is Outcome.ERROR else describe(result))


def report_failures(out: Output, failures: list[IngestResult]) -> None:
    """Each failure's message once on stderr; many files failing for the same reason (a
    full disk, a read-only ledger) are one message naming the first and how many more."""
    groups: dict[str, list[IngestResult]] = {}
    for failed in failures:
        reason = failed.reason or "could not be filed"
        groups.setdefault(reason.replace(failed.source, "\0"), []).append(failed)
    for key, same in groups.items():
        first = same[0].source
        if len(same) > 1:
            first += f" (and {plural(len(same) - 1, 'more file')})"
        if "\0" in key:
            out.error(key.replace("\0", first, 1).replace("\0", ""))
        else:
            out.error(key, path=first)


def _failures(result: IngestResult) -> list[IngestResult]:
    found = [result] if result.status is Outcome.ERROR else []
    for child in result.children:
        found += _failures(child)
    return found


def intake_matters(app: App, paths: list[str]) -> list[str]:
    """The matters named by `Intake/<matter>/...` paths given (walls are checked first)."""
    found = []
    intake = app.workspace.intake.resolve()
    for p in paths:
        try:
            rel = Path(p).resolve().relative_to(intake)
        except (ValueError, OSError):
            continue
        # (the whole Intake folder: files of a screened matter go to Review/, see the filer)
        if rel.parts and (intake / rel.parts[0]).is_dir():
            found.append(rel.parts[0])
    return found


def run(args: argparse.Namespace, out: Output) -> int:
    with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
        check_matters(app.ledger, [args.matter, *intake_matters(app, args.paths)],
                      "file documents into")
        filer = build_filer(app)
        results = filer.ingest(
            [Path(p) for p in args.paths],
            matter=args.matter,
            on_progress=TerminalProgress(out.is_terminal),
        )
    report_failures(out, [f for r in results for f in _failures(r)])
    for result in results:
        out.emit(result.to_json(), "" if result.status is Outcome.ERROR else describe(result))
    counts = {str(s): sum(r.status is s for r in results) for s in Outcome}
    out.info(summary(counts))
    return EXIT_FAILURE if counts[str(Outcome.ERROR)] else EXIT_OK
