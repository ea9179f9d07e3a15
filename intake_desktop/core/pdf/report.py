"""What court-fit changed, in words a person can check: per page range, with the dpi
before and after, which pages became black and white, and which attachments were removed
and where they were kept."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake_desktop.core.pdf.compress import ImageChange
from intake_desktop.core.ranges import ranges, spans

# Preflight and compression action codes -> words (codes without words are not repeated).
ACTION_WORDS = {
    "decrypted": "removed the owner password (printing and copying restrictions)",
    "removed_javascript": "removed JavaScript",
    "removed_open_action": "removed an action run on opening",
    "removed_launch_action": "removed Launch actions (which start other programs)",
    "removed_multimedia": "removed audio, video or 3D content",
    "removed_form_actions": "removed form submit/import actions",
    "removed_xfa": "removed an XFA form (the regular form fields stay)",
    "flattened_forms": "flattened form fields into the page content",
    "flattened_annotations": "flattened comments into the page content",
    "removed_annotations": "removed comments and other annotations (links kept)",
    "removed_duplicate_objects": "stored repeated objects once (lossless)",
    "ocr": "added an OCR text layer to pages that were only images",
    "pdfa": "converted to PDF/A-2b",
}


@dataclass(frozen=True)
class KeptFile:
    """An attachment removed from a PDF and kept as a file (evidence is never discarded)."""

    name: str  # its name inside the PDF
    path: Path  # where it was kept
    sha256: str
    bytes: int

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "path": str(self.path), "sha256": self.sha256,
                "bytes": self.bytes}


def page_ranges(pages: Iterable[int]) -> str:
    """[3, 4, 5, 9] -> "pages 3-5, 9"; [2] -> "page 2"."""
    runs = spans(pages)
    text = ranges(pages)
    single = len(runs) == 1 and runs[0][0] == runs[0][1]
    return f"page {text}" if single else f"pages {text}"


def _dpi(value: float) -> int:
    """Effective dpi rounded the way scanners state it (299.7 -> 300)."""
    return int(round(value / 5.0) * 5)


def describe_images(changes: Iterable[ImageChange]) -> list[str]:
    """One sentence per kind of change, naming the pages it applies to."""
    groups: dict[tuple[str, int, int], set[int]] = {}
    for change in changes:
        key = (change.kind, _dpi(change.dpi_before), _dpi(change.dpi_after))
        groups.setdefault(key, set()).update(change.pages)
    lines = []
    for (kind, before, after), pages in sorted(groups.items(), key=lambda kv: min(kv[1])):
        where = page_ranges(pages)
        if kind == "jpeg":
            lines.append(f"{where}: {before} to {after} dpi" if before != after
                         else f"{where}: images re-compressed at {after} dpi")
        elif kind == "g4":
            dpi = f", {after} dpi" if after == before else f", {before} to {after} dpi"
            lines.append(f"{where}: converted to black and white{dpi}")
        else:
            lines.append(f"{where}: black-and-white images re-compressed losslessly (CCITT G4)")
    return lines


def describe_changes(
    actions: Iterable[str], images: Iterable[ImageChange], kept: Iterable[KeptFile]
) -> list[str]:
    """Every change in words: clean-up first, then images per page range, attachments."""
    lines = [ACTION_WORDS[a] for a in actions if a in ACTION_WORDS]
    lines += describe_images(images)
    for item in kept:
        lines.append(f"removed attachment {item.name} (kept as {item.path}, "
                     f"sha256 {item.sha256})")
    return lines
