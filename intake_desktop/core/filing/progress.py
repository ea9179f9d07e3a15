"""Where an ingest stands, in the pipeline's own terms: files converted (prepared: checked,
converted, text read) and filed, the file being prepared, the rate and the time left, and
the result of each file as soon as it is known (its batch filed).

`Filer.ingest` updates `Filer.progress` before each `on_progress` call, so a caller that
wants more than (done, total, message) reads it there (the window's intake page does; a
reader on another thread sees whole numbers, never a half-written one; `results` only
grows, by whole results, so a reader takes `results[seen:]`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from intake_desktop.core.filing.results import IngestResult

# The time left is not guessed from fewer files or seconds than this.
MIN_FILES_FOR_ESTIMATE = 2
MIN_SECONDS_FOR_ESTIMATE = 0.5


def duration(seconds: float) -> str:
    """`42s`, `3m05s`, `1h02m`."""
    seconds = max(0, round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


@dataclass
class IngestProgress:
    """Counts of one `Filer.ingest` run (the files found in the folders named)."""

    total: int = 0
    converted: int = 0  # prepared and waiting for, or past, the filing step
    filed: int = 0  # with a result: filed, to review, duplicate, ignored or failed
    current: str = ""  # the file being prepared now ("" when none)
    started: float = field(default_factory=time.monotonic)
    # Each file's result as soon as it is known, in the order they came (a batch's files
    # when the batch is filed, a skipped or failed file at once).
    results: list[IngestResult] = field(default_factory=list)

    def rate(self, now: float | None = None) -> float | None:
        """Files filed per second so far (None before there is enough to tell)."""
        elapsed = (time.monotonic() if now is None else now) - self.started
        if self.filed < MIN_FILES_FOR_ESTIMATE or elapsed < MIN_SECONDS_FOR_ESTIMATE:
            return None
        return self.filed / elapsed

    def left(self, now: float | None = None) -> float | None:
        """Seconds left at the rate so far (None before there is enough to tell)."""
        rate = self.rate(now)
        return None if rate is None else (self.total - self.filed) / rate

    def describe(self, now: float | None = None) -> str:
        """`Converted 40 of 200, filed 12 · 8.1 files/s, about 22s left · record 12.pdf`."""
        parts = [f"Converted {self.converted} of {self.total}, filed {self.filed}"]
        rate, left = self.rate(now), self.left(now)
        if rate is not None and left is not None:
            parts.append(f"{rate:.1f} files/s, about {duration(left)} left")
        if self.current:
            parts.append(Path(self.current).name)
        return " · ".join(parts)
