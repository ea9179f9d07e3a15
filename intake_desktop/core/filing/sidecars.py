"""Review reasons on disk: `<name>.review.txt` beside each file waiting in Review/.

Someone browsing the folder (not the app) sees why the file is there and what to do. The
sidecar is written through the mover, never replaces a file, and is removed with the
Review/ copy when a review action files it.
"""

from __future__ import annotations

from pathlib import Path

from intake_desktop.core.errors import FilingError
from intake_desktop.core.mover import Mover
from intake_desktop.core.workspace import Workspace

WHAT_TO_DO = (
    "What to do: open Intake Desktop, go to the Review queue and assign a matter (and a "
    "category), retry with the current rules, or file it by hand. Do not rename, edit or "
    "move the file here: the ledger checks its SHA-256."
)


SIDECAR_SUFFIX = ".review.txt"


def sidecar_path(copy: Path) -> Path:
    """`<name>.review.txt` beside a file in Review/."""
    return copy.with_name(copy.name + SIDECAR_SUFFIX)


def sidecar_text(name: str, reason: str, *, source: str = "", sha256: str = "",
                 document_id: int | None = None) -> str:
    lines = [name, "", f"Why it is here: {reason}", "", WHAT_TO_DO, ""]
    if source:
        lines.append(f"Received from: {source}")
    if document_id is not None:
        lines.append(f"Ledger document: {document_id}")
    if sha256:
        lines.append(f"SHA-256: {sha256}")
    return "\n".join(lines) + "\n"


def write_sidecar(mover: Mover, copy: Path, reason: str, ws: Workspace, *, source: str = "",
                  sha256: str = "", document_id: int | None = None) -> Path | None:
    """Write the sidecar of `copy` (a file in Review/); None when one is already there."""
    del ws  # the Review/ copy's folder is the place; kept for a per-workspace text later
    dest = sidecar_path(copy)
    text = sidecar_text(copy.name, reason, source=source, sha256=sha256,
                        document_id=document_id)
    try:
        mover.place_bytes(dest, text.encode("utf-8"), tag="side")
    except FilingError:
        return None
    return dest
