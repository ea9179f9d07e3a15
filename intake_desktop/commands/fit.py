"""`intake-desktop fit`: court-ready PDFs (preflight clean-up, compression, splitting)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from intake_desktop.commands.common import (
    EXIT_FAILURE,
    EXIT_OK,
    Output,
    acting,
    add_command,
    plural,
    resolve_arg_path,
)
from intake_desktop.core.court_fit import FitResult, fit_pdf
from intake_desktop.core.courts import (
    CourtProfile,
    format_size,
    generic_profile,
    load_profile,
    parse_limit,
)
from intake_desktop.core.errors import UsageError, explain
from intake_desktop.core.ocr import OcrEngine
from intake_desktop.core.progress import ProgressCallback
from intake_desktop.core.signoff import OutputKind, record_draft

if TYPE_CHECKING:
    from intake_desktop.app import App

COURTS_FOLDER = "courts"  # inside the workspace's .intake/ folder


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        subparsers, "fit",
        help="make court-ready PDFs: clean up, compress and split to a size limit",
        description=(
            "Remove what courts reject (JavaScript, attachments, passwords, forms), compress "
            "and, if still too large, split each PDF into parts under the limit. The input "
            "files are never changed."
        ),
        handler=run,
    )
    parser.add_argument("pdfs", nargs="+", metavar="PDF", help="PDF files to fit")
    parser.add_argument("--limit", metavar="SIZE",
                        help="per-file limit with a unit, e.g. 25MB, 1.5MB or 500KB")
    parser.add_argument(
        "--court", metavar="ID", help="court profile (limit and rules), e.g. cacd, nyscef"
    )
    parser.add_argument(
        "--out", metavar="DIR", required=True,
        help="folder for the outputs, relative to the current folder (created if missing)",
    )
    parser.add_argument(
        "--split-at",
        choices=["pages", "bookmarks"],
        default="pages",
        help="split at any page (default) or only where a top-level bookmark starts",
    )


def _profile(args: argparse.Namespace, extra_dir: Path | None) -> tuple[CourtProfile, int]:
    limit: int | None = None
    if args.limit:
        try:
            limit = parse_limit(args.limit)
        except ValueError as exc:
            raise UsageError(f"--limit: {exc}") from exc
    if args.court:
        profile = load_profile(args.court, extra_dir)
        limit = limit or profile.file_limit_bytes
        if limit is None:
            raise UsageError(
                f"the {profile.id} profile has no published size limit",
                fix="give --limit as well, e.g. --limit 25MB",
            )
        return profile, limit
    if limit is None:
        raise UsageError("give --limit SIZE or --court ID", fix="e.g. fit FILE.pdf --limit 25MB")
    return generic_profile(limit), limit


def _human(result: FitResult) -> str:
    if not result.ok:
        return ""  # the reason goes to stderr, once
    lines = [f"{result.input}: {plural(len(result.parts), 'file')}, "
             f"{plural(result.pages, 'page')}"]
    for part in result.parts:
        lines.append(
            f"  {part.path}  {format_size(part.bytes)}  pages {part.first_page}-{part.last_page}"
        )
    for change in result.changes:
        lines.append(f"  changed: {change}")
    if result.actions:
        lines.append("  done: " + ", ".join(result.actions))
    return "\n".join(lines)


def _record(app: App, result: FitResult, profile: CourtProfile, limit: int) -> None:
    """One ledger event per output, linked to the input by path and hash."""
    from intake_desktop.core.court_fit import record_fit

    record_fit(app.ledger, result, profile, limit)


def run(args: argparse.Namespace, output: Output) -> int:
    from intake_desktop.app import open_app, workspace_was_chosen

    app = None
    extra_dir = None
    if workspace_was_chosen(args.workspace):
        app = open_app(args.workspace, db=args.db, acting=acting(args))
        extra_dir = app.workspace.state / COURTS_FOLDER
    try:
        profile, limit = _profile(args, extra_dir)
        ocr = app.ocr if app is not None else OcrEngine()  # used when the court needs text
        out_dir = resolve_arg_path(args.out)
        output.info(f"Writing to {out_dir}")
        failed = written = 0
        for name in args.pdfs:
            progress = _progress_printer(output)
            try:
                result = fit_pdf(
                    Path(name),
                    out_dir,
                    limit_bytes=limit,
                    profile=profile,
                    on_progress=progress,
                    at_bookmarks=args.split_at == "bookmarks",
                    ocr=ocr,
                )
                if output.is_terminal:
                    output.err.write("\r\033[K")
                if result.ok and app is not None:
                    _record(app, result, profile, limit)
                    written += 1
            except Exception as exc:  # a full disk, a read-only folder, the ledger: this
                explained = explain(exc, name)  # file fails, the others are still tried
                if explained is None:
                    raise
                result = FitResult(input=Path(name), ok=False, reason=explained.message)
            output.emit(result.to_record(), _human(result))
            for warning in result.warnings:
                output.warning(warning, path=result.input)
            if not result.ok:
                failed += 1
                output.error(result.reason, path=result.input)
        if written and app is not None:  # a draft until an attorney signs it off
            record_draft(app.ledger, out_dir, app.workspace.root, kind=OutputKind.COURT_FIT,
                         name=out_dir.name)
        return EXIT_FAILURE if failed else EXIT_OK
    finally:
        if app is not None:
            app.close()


def _progress_printer(output: Output) -> ProgressCallback:
    def show(done: int, total: int, message: str) -> None:
        if output.is_terminal:
            output.err.write(f"\r\033[K[{done}/{total}] {message}"[:200])
            output.err.flush()

    return show

