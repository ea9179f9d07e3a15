"""The exhibit builder's core: documents picked in the window become an exhibit-set spec
(the same TOML `intake-desktop exhibits build` reads), which is built with the exhibits
engine (core.exhibits) when it is installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import Ledger
from intake_desktop.core.mover import unique_path, write_new_file
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress
from intake_desktop.core.workspace import Workspace

EXHIBITS_PACKAGE = "intake_desktop.core.exhibits"


def exhibits_available() -> bool:
    return importlib.util.find_spec(EXHIBITS_PACKAGE) is not None


@dataclass(frozen=True)
class Pick:
    """One exhibit: a filed document and what the index says about it."""

    document_id: int
    description: str
    title: str = ""  # the document's file name, for display


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


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def spec_text(options: BuildOptions, picks: list[Pick]) -> str:
    """The exhibit-set spec for these picks, in the engine's TOML format."""
    if not picks:
        raise IntakeError("no documents picked", fix="add at least one document to the set")
    first: Any = options.first_label
    if options.label_scheme == "letters":
        first = _q(_letters(options.first_label))
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
    if options.bates_prefix.strip():
        lines += ["", "[bates]", f"prefix = {_q(options.bates_prefix.strip())}",
                  f"digits = {options.bates_digits}"]
        if options.bates_start > 0:
            lines.append(f"start = {options.bates_start}")
    for p in picks:
        lines += ["", "[[exhibit]]", f"document = {p.document_id}",
                  f"description = {_q(p.description.strip() or p.title or 'Document')}"]
    return "\n".join(lines) + "\n"


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _stem(name: str) -> str:
    stem = re.sub(r"[^\w .,()-]+", "_", name).strip(" ._") or "Exhibit set"
    return stem[:80]


def check(workspace: Workspace, options: BuildOptions, picks: list[Pick]) -> Any:
    """Validate with the engine's own spec checker; returns its spec object."""
    spec_mod: Any = importlib.import_module(f"{EXHIBITS_PACKAGE}.spec")
    path = workspace.exports / f"{_stem(options.name)}.exhibits.toml"
    return spec_mod.parse_spec(spec_text(options, picks), path)


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
    build_mod: Any = importlib.import_module(f"{EXHIBITS_PACKAGE}.build")
    spec_mod: Any = importlib.import_module(f"{EXHIBITS_PACKAGE}.spec")
    text = spec_text(options, picks)
    out_dir = unique_path(workspace.exports, _stem(options.name))
    spec_path = write_new_file(workspace.exports / f"{out_dir.name}.exhibits.toml",
                               text.encode("utf-8"))
    spec = spec_mod.parse_spec(text, spec_path)
    result = build_mod.build_set(
        spec, out_dir, ledger,
        resolve=build_mod.ledger_resolver(ledger, workspace.root),
        workspace_root=workspace.root, scratch_dir=workspace.work,
        courts_dir=workspace.state / "courts", on_progress=on_progress, cancel=cancel,
    )
    summary: dict[str, Any] = result.as_json()
    files = sorted(p for p in out_dir.rglob("*") if p.is_file())
    return Built(out_dir=out_dir, spec_file=spec_path, files=files, summary=summary)
