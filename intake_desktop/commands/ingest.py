"""`intake-desktop ingest PATH... [--matter ID]`: file these files and folders now."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from intake_desktop.app import build_filer, open_app
from intake_desktop.commands.common import EXIT_FAILURE, EXIT_OK, Output, add_common_options
from intake_desktop.core.filing import IngestResult, Outcome


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("ingest", help="file these files/folders now")
    add_common_options(p)
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to file")
    p.add_argument("--matter", metavar="ID", help="the matter these files belong to")
    p.set_defaults(handler=run)


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
        text = f"{indent}ERROR      {result.reason}"
    if result.flags:
        text += f"  [{', '.join(result.flags)}]"
    for note in result.notes:
        text += f"\n{indent}           note: {note}"
    for child in result.children:
        text += "\n" + describe(child, indent + "  ")
    return text


class TerminalProgress:
    """A one-line progress bar on stderr, shown only on a terminal for more than 3 files."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, done: int, total: int, message: str) -> None:
        if not self.enabled or total <= 3:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        name = Path(message).name[:40]
        sys.stderr.write(f"\r[{bar}] {done}/{total} {name:<40}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def run(args: argparse.Namespace, out: Output) -> int:
    with open_app(args.workspace, db=args.db, role=args.role) as app:
        filer = build_filer(app)
        results = filer.ingest(
            [Path(p) for p in args.paths],
            matter=args.matter,
            on_progress=TerminalProgress(out.is_terminal),
        )
    failed = 0
    for result in results:
        if result.status is Outcome.ERROR:
            failed += 1
            out.error(result.reason or "failed")
        out.emit(result.to_json(), describe(result))
    counts = {s: sum(r.status is s for r in results) for s in Outcome}
    out.info(
        f"{counts[Outcome.FILED]} filed, {counts[Outcome.REVIEW]} to review, "
        f"{counts[Outcome.DUPLICATE]} duplicates, {counts[Outcome.IGNORED]} ignored, "
        f"{failed} failed"
    )
    return EXIT_FAILURE if failed else EXIT_OK
