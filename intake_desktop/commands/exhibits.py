"""`intake-desktop exhibits build SPEC --out DIR`, `exhibits check SPEC`, and the
attorney's sign-off: `exhibits signoff SETDIR`, `exhibits verify SETDIR`."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intake_desktop.commands.common import (
    EXIT_FAILURE,
    EXIT_OK,
    Output,
    acting,
    add_actions,
    add_command,
    open_checked,
    plural,
    resolve_arg_path,
)
from intake_desktop.core.exhibits import (
    BuildError,
    BuildResult,
    BuiltExhibit,
    ExhibitSetSpec,
    build_set,
    check_warnings,
    court_fit,
    exhibit_id,
    file_stem,
    full_label,
    ledger_resolver,
    load_spec,
    number_exhibits,
    plan_exhibits,
    plan_numbers,
)
from intake_desktop.core.signoff import (
    OutputKind,
    describe,
    record_draft,
    sign_off,
    verify_set,
)
from intake_desktop.core.workspace import workspace_above

if TYPE_CHECKING:
    from intake_desktop.app import App

SPEC_HELP = ("the exhibit-set spec (TOML; format in core/exhibits/spec.py), relative to the "
             "current folder")


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers, "exhibits",
        help="exhibit sets: labels, Bates numbers, slip sheets, index, chronology, binder",
        description="Build court-ready exhibit sets from a TOML spec.",
    )
    actions = add_actions(parser, "exhibits_action")
    build = add_command(
        actions, "build",
        help="stamp, index and bind the exhibits of a spec",
        description="Stamp every exhibit with its label and Bates numbers, write slip sheets, "
        "the binder, the exhibit index and the chronology, and record it all in the ledger.",
        handler=run_build,
    )
    build.add_argument("spec", metavar="SPEC", help=SPEC_HELP)
    build.add_argument(
        "--out",
        metavar="DIR",
        help="output folder, new or empty, relative to the current folder (default: the "
        "workspace's Exports/<set name>/, or '<set name> (2)' when an earlier build is there)",
    )
    build.add_argument(
        "--reuse-numbers",
        action="store_true",
        help="a set built before keeps its earlier Bates numbers (only when its documents "
        "are the same); without it a rebuild gets new numbers",
    )
    check = add_command(
        actions, "check",
        help="validate a spec and show labels, pages and Bates numbers; builds nothing",
        description="Validate a spec and show each exhibit's label, pages and Bates numbers. "
        "Without a workspace, exhibits named by ledger id or SHA-256 are listed unchecked; "
        "with one, the Bates numbers continue from the ledger. Nothing is written.",
        handler=run_check,
    )
    check.add_argument("spec", metavar="SPEC", help=SPEC_HELP)
    check.add_argument("--reuse-numbers", action="store_true",
                       help="check as `build --reuse-numbers` would")
    register_signoff(actions)


def register_signoff(actions: Any) -> None:
    """`exhibits signoff SETDIR` and `exhibits verify SETDIR` (any output folder: an
    exhibit set, a court-fit output or a production volume)."""
    signoff = add_command(
        actions, "signoff",
        help="an attorney's sign-off on an output folder (attorneys and admins)",
        description="Sign off an exhibit set, court-fit output or production volume: write "
        "'Sign-off manifest.json' into the folder (every file's path, size and SHA-256, the "
        "spec's SHA-256 and the Bates range) and record a signed_off ledger event with the "
        "manifest's hash. Until then the folder is a draft.",
        handler=run_signoff,
    )
    signoff.add_argument("setdir", metavar="SETDIR",
                         help="the output folder, relative to the current folder")
    verify = add_command(
        actions, "verify",
        help="compare an output folder with its sign-off (exit 1: changed, or not signed off)",
        description="Compare the folder with the files its latest sign-off listed. Prints "
        "signed_off, by, at and the changed, missing and added paths. Exit 0 only when the "
        "folder is signed off and nothing changed since; exit 1 when anything changed, went "
        "missing or was added, and also when it was never signed off (a draft must not go "
        "out).",
        handler=run_verify,
    )
    verify.add_argument("setdir", metavar="SETDIR",
                        help="the output folder, relative to the current folder")


class BuildProgress:
    """One progress line on stderr while a set is built (only on a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.open = False

    def __call__(self, done: int, total: int, message: str) -> None:
        if not self.enabled:
            return
        percent = int(100 * done / max(total, 1))
        sys.stderr.write(f"\r{percent:3d}% {message[:60]:<60}")
        sys.stderr.flush()
        self.open = True

    def close(self) -> None:
        if self.open:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.open = False


def default_out(exports: Path, set_name: str) -> Path:
    """Exports/<set name>/, or `<set name> (2)` ... when an earlier build is there."""
    stem = file_stem(set_name) or "Exhibit set"
    candidate, n = exports / stem, 2
    while candidate.exists():
        candidate, n = exports / f"{stem} ({n})", n + 1
    return candidate


def _human(result: BuildResult) -> str:
    lines = []
    for ex in result.exhibits:
        bates = ex.bates_range or "no Bates"
        parts = f", {len(ex.parts)} parts" if len(ex.parts) > 1 else ""
        lines.append(f"{ex.label}: {plural(ex.pages, 'page')}, {bates}{parts}")
    lines.append(f"index: {', '.join(p.name for p in result.index_files)}")
    if result.binder_parts:
        lines.append(f"binder: {', '.join(p.path.name for p in result.binder_parts)}")
    lines.append(f"Written to {result.out_dir}")
    return "\n".join(lines)


def check_spec_walls(app: App, spec: ExhibitSetSpec) -> None:
    """Refuse a spec naming a document of a matter the acting person is screened from."""
    from intake_desktop.core.walls import check_matters

    resolve = ledger_resolver(app.ledger, app.workspace.root)
    matters = []
    for entry in spec.exhibits:
        try:
            matters.append(resolve(entry).matter_id)
        except BuildError:
            continue  # the build itself reports it
    check_matters(app.ledger, matters, "build an exhibit set from")


def run_build(args: argparse.Namespace, output: Output) -> int:
    spec = load_spec(resolve_arg_path(args.spec))
    app = open_checked(args, lambda app: check_spec_walls(app, spec))
    progress = BuildProgress(output.is_terminal)
    try:
        out = (resolve_arg_path(args.out) if args.out
               else default_out(app.workspace.exports, spec.name))
        result = build_set(
            spec,
            out,
            app.ledger,
            resolve=ledger_resolver(app.ledger, app.workspace.root),
            workspace_root=app.workspace.root,
            scratch_dir=app.workspace.work,
            courts_dir=app.workspace.state / "courts",
            on_progress=progress,
            reuse_numbers=args.reuse_numbers,
            ocr=app.ocr,
        )
        note_draft(app, result)
    finally:
        progress.close()
        app.close()
    output.emit(result.as_json(), _human(result))
    for warning in result.warnings:
        output.warning(warning)
    return EXIT_OK


def note_draft(app: App, result: BuildResult) -> None:
    """The set just built is a draft until an attorney signs it off."""
    first = next((e.bates_first for e in result.exhibits if e.bates_first), None)
    last = next((e.bates_last for e in reversed(result.exhibits) if e.bates_last), None)
    record_draft(app.ledger, result.out_dir, app.workspace.root,
                 kind=OutputKind.EXHIBIT_SET, name=result.spec.name, spec=result.spec.path,
                 matter=result.spec.matter, bates_first=first, bates_last=last)


def _open_for(args: argparse.Namespace, setdir: Path) -> App:
    """The workspace named by --workspace, else the one the folder lies in, else the
    default one."""
    from intake_desktop.app import open_app, workspace_was_chosen

    workspace = args.workspace
    if not workspace_was_chosen(workspace):
        found = workspace_above(setdir)
        workspace = str(found) if found is not None else None
    return open_app(workspace, db=args.db, acting=acting(args))


def run_signoff(args: argparse.Namespace, output: Output) -> int:
    setdir = resolve_arg_path(args.setdir)
    with _open_for(args, setdir) as app:
        done = sign_off(app.ledger, setdir, app.workspace.root)
    output.emit(done.as_json(),
                f"Signed off by {done.by}: {plural(len(done.files), 'file')} in {setdir}\n"
                f"manifest: {done.manifest} (sha256 {done.manifest_sha256})")
    return EXIT_OK


def run_verify(args: argparse.Namespace, output: Output) -> int:
    setdir = resolve_arg_path(args.setdir)
    with _open_for(args, setdir) as app:
        found = verify_set(app.ledger, setdir, app.workspace.root)
    lines = [f"{setdir}: {describe(found)}"]
    for label, paths in (("changed", found.changed), ("missing", found.missing),
                         ("added", found.added)):
        lines += [f"  {label}: {p}" for p in paths]
    if not found.signed_off:
        lines.append("  (not signed off: an attorney signs off with `intake-desktop exhibits "
                     "signoff SETDIR`)")
    output.emit(found.as_json(), "\n".join(lines))
    return EXIT_OK if found.intact else EXIT_FAILURE


def _plan_files_only(spec: ExhibitSetSpec) -> tuple[list[BuiltExhibit], list[dict[str, Any]]]:
    """Without a workspace: plan the exhibits given as files; list the ones named by
    ledger id or SHA-256 (only a workspace's ledger knows them) as unchecked."""
    plan: list[BuiltExhibit] = []
    unchecked: list[dict[str, Any]] = []
    for n, entry in enumerate(spec.exhibits):
        if entry.file is None:
            ident = exhibit_id(spec.label_scheme, spec.first_label + n)
            unchecked.append({"label": full_label(spec.label_prefix, ident),
                              "source": entry.reference, "position": entry.position,
                              "description": entry.description})
            continue
        one = dataclasses.replace(spec, exhibits=(entry,), first_label=spec.first_label + n)
        plan += plan_exhibits(one)
    return plan, unchecked


def run_check(args: argparse.Namespace, output: Output) -> int:
    """Validate the spec and show the plan: labels, pages and the Bates numbers the next
    build would get (from the workspace ledger when one is chosen; nothing is reserved)."""
    from intake_desktop.app import open_app, workspace_was_chosen

    spec = load_spec(resolve_arg_path(args.spec))
    plan: list[BuiltExhibit]
    unchecked: list[dict[str, Any]] = []
    next_free = None
    warnings = list(spec.warnings)
    if workspace_was_chosen(args.workspace):
        with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
            plan = plan_exhibits(spec, ledger_resolver(app.ledger, app.workspace.root))
            if spec.bates is not None:
                # the same decision the build makes, minus the reservation
                numbers = plan_numbers(spec, plan, app.ledger, reuse=args.reuse_numbers)
                next_free = numbers.first
                warnings += numbers.warnings
    else:
        plan, unchecked = _plan_files_only(spec)
    if spec.bates is not None and not unchecked:
        number_exhibits(plan, next_free or spec.bates.start or 1)
    if spec.court:
        # What the court's rules will do to these sources (text layer, PDF/A, margins).
        fit = court_fit(spec.court, spec.path)
        warnings += check_warnings(fit, [(e.label, e.source.path) for e in plan])
    record = {
        "spec": str(spec.path),
        "ok": True,
        "exhibits": [
            {"label": e.label, "pages": e.pages, "bates_first": e.bates_first,
             "bates_last": e.bates_last, "source": str(e.source.path)}
            for e in plan
        ],
        "unchecked": unchecked,
        "warnings": warnings,
    }
    pages = sum(e.pages for e in plan)
    lines = [f"{spec.path}: valid, {plural(len(spec.exhibits), 'exhibit')}, "
             f"{plural(pages, 'page')}" + (" in the files checked" if unchecked else "")]
    for e in plan:
        bates = f", {e.bates_range}" if e.bates_first else ""
        lines.append(f"  {e.label}: {plural(e.pages, 'page')}{bates}  ({e.entry.description})")
    for u in unchecked:
        lines.append(f"  {u['label']}: {u['source']}, in the ledger: not checked without "
                     f"--workspace  ({u['description']})")
    if unchecked:
        lines.append("  (Give --workspace to check the ledger documents and show Bates "
                     "numbers.)")
    elif spec.bates is not None and next_free is None and spec.bates.start is None:
        lines.append("  (Bates numbers shown from 1: pass --workspace for the ledger's next "
                     "free number.)")
    output.emit(record, "\n".join(lines))
    for warning in warnings:
        output.warning(warning)
    return EXIT_OK
