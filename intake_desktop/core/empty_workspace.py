"""Whether a workspace is still empty (the window then offers the demo); light to import,
so the window can ask at start-up without loading the demo's generators."""

from __future__ import annotations

from pathlib import Path

from intake_desktop.core.ledger import Ledger
from intake_desktop.core.workspace import Workspace


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))


def workspace_is_empty(workspace: Workspace, ledger: Ledger | None) -> bool:
    """No document in the ledger and no file in Intake/, Matters/ or Review/."""
    if ledger is not None and ledger.docs.documents(limit=1):
        return False
    return not any(_has_files(f) for f in (workspace.intake, workspace.matters, workspace.review))
