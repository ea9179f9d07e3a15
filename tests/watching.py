"""Acting on a program's temporary files while it runs (a test stops or kills it once they
exist, to see what it leaves behind)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def once_it_appears(folder: Path, pattern: str, then: Callable[[], None] = lambda: None,
                    timeout: float = 60.0) -> Iterator[list[Path]]:
    """Watch `folder` (and below) from another thread, while the block runs, for a path
    matching `pattern`; when one appears, call `then` (stop the program, say). Yields the
    paths seen: empty when none appeared before the block ended or `timeout` passed."""
    seen: list[Path] = []
    ended = threading.Event()

    def watch() -> None:
        deadline = time.monotonic() + timeout
        while not seen and not ended.is_set() and time.monotonic() < deadline:
            seen.extend(folder.rglob(pattern))
            time.sleep(0.01)
        if seen:
            then()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield seen
    finally:
        ended.set()
        watcher.join()
