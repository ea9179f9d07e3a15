"""An OCRmyPDF plugin, loaded by the `ocrmypdf` process (its own Python, not ours) with
`--plugin <this file>`: it reports progress as lines on stderr that `engine.py` reads.

It must import nothing from intake_desktop (the system `ocrmypdf` may run under another
Python) and never write to stdout. Line format: `INTAKE-OCR-PROGRESS <done> <total> <desc>`,
counted in OCRmyPDF's own units (two steps per page: OCR, then grafting the text layer).
"""

from __future__ import annotations

import sys
from typing import Any

from ocrmypdf import hookimpl

MARKER = "INTAKE-OCR-PROGRESS"


class LineProgress:
    """A tqdm-like progress bar that prints one machine-readable line per update."""

    def __init__(self, *args: Any, total: float | None = None, desc: str = "",
                 **kwargs: Any) -> None:
        self.total = int(total or 0)
        self.desc = (desc or "").replace("\n", " ")
        self.done = 0

    def __enter__(self) -> LineProgress:
        self._emit()
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: float = 1, *, completed: float | None = None) -> None:
        self.done = int(completed) if completed is not None else self.done + int(n or 0)
        self._emit()

    def _emit(self) -> None:
        sys.stderr.write(f"{MARKER} {self.done} {self.total} {self.desc}\n")
        sys.stderr.flush()


@hookimpl
def get_progressbar_class() -> type[LineProgress]:
    return LineProgress
