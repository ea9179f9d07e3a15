"""The exhibit builder's core: documents picked in the window become an exhibit-set spec
(the same TOML `intake-desktop exhibits build` reads), built with the exhibits engine."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.exhibits.build import build_set
from intake_desktop.core.exhibits.labels import letters, natural_path_key
from intake_desktop.core.exhibits.sources import ledger_resolver
from intake_desktop.core.exhibits.spec import ExhibitSetSpec, parse_spec
from intake_desktop.core.ledger import Ledger
from intake_desktop.core.mover import unique_path, write_new_file
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress
from intake_desktop.core.search_text import index_stamps
from intake_desktop.core.signoff import OutputKind, record_draft
from intake_desktop.core.workspace import Workspace


@dataclass(frozen=True)
class Pick:
    """One exhibit: a filed document and what the index says about it."""

    document_id: int
    description: str
    title: str = ""  # the document's file name, for display
    date: str = ""  # YYYY-MM-DD: the document's date, for the index and the chronology
    witness: str = ""


@dataclass(frozen=True)
class BuildOptions:
    name: str
    label_scheme: str = "numbers"  # or "letters"
    label_prefix: str = "Exhibit"
    first_label: int = 1
    bates_prefix: str = ""  # empty: no Bates numbers
    bates_digits: int = 6
    bates_start: int = 0  # 0: the next free number for the prefix
    slip_sheets: bool = True
    binder: bool = True
    page_labels: bool = False
    matter: str = ""
    bates_suffix: str = ""
    stamp_position: str = ""  # "" : the court's (or the engine's) default
    font_size: float = 0.0  # 0: the engine's default
    court: str = ""


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def spec_text(options: BuildOptions, picks: list[Pick]) -> str:
    """The exhibit-set spec for these picks, in the engine's TOML format."""
    if not picks:
        raise IntakeError("no documents picked", fix="add at least one document to the set")
    first: Any = options.first_label
    if options.label_scheme == "letters":
        first = _q(letters(options.first_label))
    lines = [
        "# Made by the Intake Desktop exhibit builder; rebuild with",
        "# `intake-desktop exhibits build THIS-FILE --out NEW-FOLDER`.",
        "[set]",
        f"name = {_q(options.name.strip())}",
        f"label_scheme = {_q(options.label_scheme)}",
        f"label_prefix = {_q(options.label_prefix.strip())}",
        f"first_label = {first}",
        f"slip_sheets = {str(options.slip_sheets).lower()}",
        f"binder = {str(options.binder).lower()}",
        f"page_labels = {str(options.page_labels).lower()}",
    ]
    if options.matter:
        lines.append(f"matter = {_q(options.matter)}")
    if options.court:
        lines.append(f"court = {_q(options.court)}")
    if options.stamp_position:
        lines.append(f"stamp_position = {_q(options.stamp_position)}")
    if options.font_size:
        lines.append(f"font_size = {options.font_size:g}")
    if options.bates_prefix.strip():
        lines += ["", "[bates]", f"prefix = {_q(options.bates_prefix.strip())}",
                  f"digits = {options.bates_digits}"]
        if options.bates_suffix.strip():
            lines.append(f"suffix = {_q(options.bates_suffix.strip())}")
        if options.bates_start > 0:
            lines.append(f"start = {options.bates_start}")
    for p in picks:
        lines += ["", "[[exhibit]]", f"document = {p.document_id}",
                  f"description = {_q(p.description.strip() or p.title or 'Document')}"]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.date.strip()):
            lines.append(f"date = {p.date.strip()}")
        if p.witness.strip():
            lines.append(f"witness = {_q(p.witness.strip())}")
    return "\n".join(lines) + "\n"


def _stem(name: str) -> str:
    stem = re.sub(r"[^\w .,()-]+", "_", name).strip(" ._") or "Exhibit set"
    return stem[:80]


def check(workspace: Workspace, options: BuildOptions, picks: list[Pick]) -> ExhibitSetSpec:
    """Validate with the engine's own spec checker (errors name the field and the fix)."""
    path = workspace.exports / f"{_stem(options.name)}.exhibits.toml"
    return parse_spec(spec_text(options, picks), path)


@dataclass(frozen=True)
class Built:
    out_dir: Path
    spec_file: Path
    files: list[Path]
    summary: dict[str, Any]


def build(
    workspace: Workspace,
    ledger: Ledger,
    options: BuildOptions,
    picks: list[Pick],
    *,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
) -> Built:
    """Build the set into a new folder under Exports/ and keep its spec beside it."""
    text = spec_text(options, picks)
    out_dir = unique_path(workspace.exports, _stem(options.name))
    spec = parse_spec(text, workspace.exports / f"{out_dir.name}.exhibits.toml")
    spec_path = write_new_file(spec.path, text.encode("utf-8"))
    result = build_set(
        spec, out_dir, ledger,
        resolve=ledger_resolver(ledger, workspace.root),
        workspace_root=workspace.root, scratch_dir=workspace.work,
        courts_dir=workspace.state / "courts", on_progress=on_progress, cancel=cancel,
    )
    summary: dict[str, Any] = result.as_json()
    # A draft until an attorney signs it off.
    exhibits = summary.get("exhibits", [])
    record_draft(ledger, out_dir, workspace.root, kind=OutputKind.EXHIBIT_SET, name=spec.name,
                 spec=spec_path, matter=spec.matter,
                 bates_first=next((e["bates_first"] for e in exhibits if e["bates_first"]),
                                  None),
                 bates_last=next((e["bates_last"] for e in reversed(exhibits)
                                  if e["bates_last"]), None))
    for pick, ex in zip(picks, summary.get("exhibits", []), strict=False):
        # Search finds the document by its exhibit label and any of its Bates numbers.
        index_stamps(ledger, pick.document_id, str(ex.get("label", "")),
                     ex.get("bates_first"), ex.get("bates_last"))
    files = sorted((p for p in out_dir.rglob("*") if p.is_file()), key=natural_path_key)
    return Built(out_dir=out_dir, spec_file=spec_path, files=files, summary=summary)


def bates_text(options: BuildOptions, number: int) -> str:
    return f"{options.bates_prefix.strip()}{number:0{options.bates_digits}d}" \
        f"{options.bates_suffix.strip()}"


def stamp_preview(
    workspace: Workspace, source: Path, options: BuildOptions, label: str, first_number: int
) -> Path:
    """The first page of `source` stamped as the set will stamp it (label and first Bates
    number in the chosen corner and size), as a new scratch PDF in the workspace's work
    folder. Nothing else is written."""
    import pikepdf

    from intake_desktop.core.pdf.stamp import Corner, StampStyle, stamp_file

    workspace.work.mkdir(parents=True, exist_ok=True)
    one = unique_path(workspace.work, "stamp-preview-page.pdf")
    with pikepdf.open(source) as pdf:
        out = pikepdf.new()
        out.pages.append(pdf.pages[0])
        out.save(one)
    corner = Corner(options.stamp_position or Corner.BOTTOM_RIGHT)
    lines = [label] + ([bates_text(options, first_number)] if options.bates_prefix.strip()
                       else [])
    style = StampStyle(font_size=options.font_size or StampStyle().font_size)
    dst = unique_path(workspace.work, "stamp-preview.pdf")
    try:
        stamp_file(one, dst, lambda i: {corner: lines}, style)
    finally:
        one.unlink(missing_ok=True)
    return dst
