"""Checklists the admin edits (Settings > Checklists): a workspace copy of a checklist in
`.intake/checklists/<id>.toml` takes the place of the shipped one of the same id.

A copy is written only when it validates (core/checklists/loader.py: every problem with its
file, line and fix), through core/mover.replace_file (atomic, the replaced version kept as
`<id>.toml.previous`), and recorded as a `checklist_saved` event with the hashes of the text
before and after. A copy broken by hand never takes effect: its `.previous` stays in force
(or the shipped checklist when there is none), and the problem is reported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from intake_desktop.core.checklists.loader import (
    ChecklistError,
    ChecklistProblem,
    checklists_dir,
    load_checklist,
    parse_checklist,
    shipped_checklists,
)
from intake_desktop.core.checklists.model import Checklist
from intake_desktop.core.ledger import EventKind, Ledger
from intake_desktop.core.mover import previous_version_path, replace_file
from intake_desktop.core.workspace import Workspace

FOLDER = "checklists"  # under the workspace's .intake/


def workspace_checklist_path(ws: Workspace, checklist_id: str) -> Path:
    return ws.state / FOLDER / f"{checklist_id}.toml"


def shipped_checklist_path(checklist_id: str) -> Path | None:
    for path in sorted(checklists_dir().glob("*.toml")):
        try:
            if load_checklist(path).id == checklist_id:
                return path
        except ChecklistError:
            continue
    return None


def checklist_text(ws: Workspace, checklist_id: str) -> str:
    """The text in force: the workspace copy, else the shipped file ("" when neither)."""
    mine = workspace_checklist_path(ws, checklist_id)
    if mine.is_file():
        return mine.read_text(encoding="utf-8")
    shipped = shipped_checklist_path(checklist_id)
    return shipped.read_text(encoding="utf-8") if shipped is not None else ""


def is_edited(ws: Workspace, checklist_id: str) -> bool:
    return workspace_checklist_path(ws, checklist_id).is_file()


def available_checklists(ws: Workspace,
                         on_problem: Callable[[str], None] | None = None) -> list[Checklist]:
    """The checklists in force for this workspace: shipped ones, each replaced by its valid
    workspace copy; a broken copy is reported and its last good version used."""
    by_id = {c.id: c for c in shipped_checklists()}
    folder = ws.state / FOLDER
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        edited: Checklist | None
        try:
            edited = load_checklist(path)
        except ChecklistError as exc:
            if on_problem is not None:
                on_problem(f"{exc.problems[0]} The last good version of the checklist stays "
                           "in force until this is fixed (Settings > Checklists).")
            previous = previous_version_path(path)
            try:
                edited = load_checklist(previous) if previous.is_file() else None
            except ChecklistError:
                edited = None
        if edited is None:
            continue
        if edited.id != path.stem:
            if on_problem is not None:
                on_problem(f"{path}: its id is {edited.id!r}, not {path.stem!r}; it is left "
                           "out. Save it again from Settings > Checklists.")
            continue
        by_id[edited.id] = edited
    return sorted(by_id.values(), key=lambda c: c.id)


def save_checklist(ws: Workspace, ledger: Ledger, checklist_id: str, text: str) -> Checklist:
    """Validate `text` as the checklist `checklist_id` and make it the one in force."""
    path = workspace_checklist_path(ws, checklist_id)
    checklist = parse_checklist(text, str(path))  # raises with every problem; nothing written
    if checklist.id != checklist_id:
        line = next((n for n, raw in enumerate(text.splitlines(), 1)
                     if raw.strip().startswith("id") and checklist.id in raw), None)
        raise ChecklistError([ChecklistProblem(
            str(path), line, "[checklist] id", f"the id {checklist.id!r} is not this "
            f"checklist's ({checklist_id!r})", f'keep id = "{checklist_id}"')])
    before = checklist_text(ws, checklist_id).encode("utf-8")
    data = text.encode("utf-8")
    kept = replace_file(path, data)
    ledger.chain.record(
        EventKind.CHECKLIST_SAVED, path_before=_rel(ws, kept) if kept else None,
        path_after=_rel(ws, path),
        sha256_before=hashlib.sha256(before).hexdigest() if before else None,
        sha256_after=hashlib.sha256(data).hexdigest(),
        detail={"checklist": checklist_id, "title": checklist.title,
                "items": len(checklist.items)})
    return checklist


def _rel(ws: Workspace, path: Path) -> str:
    try:
        return path.resolve().relative_to(ws.root.resolve()).as_posix()
    except ValueError:
        return str(path)
