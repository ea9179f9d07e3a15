"""Progress callbacks and cancel flags for long work in core (run on a thread pool by Qt)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

# on_progress(done, total, message)
ProgressCallback = Callable[[int, int, str], None]


def no_progress(done: int, total: int, message: str) -> None:
    """A progress callback that ignores progress."""


@dataclass
class CancelFlag:
    """Set from any thread; long work checks `is_set()` between files."""

    _event: threading.Event = field(default_factory=threading.Event)

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()
