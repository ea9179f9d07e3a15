"""Preparation ahead of filing, in a bounded pool of worker processes.

Hashing, detection, conversion (LibreOffice, images, email), the PDF checks and OCR of the
next few files run in worker processes while the filing step records and copies the files
before them, so both cores are busy and filing never waits on a conversion it does not
need yet. Results are taken in input order, so names and sequences never depend on which
worker finished first.

The pool is sized to the machine (the processors this process may use, at most
`MAX_WORKERS`; `INTAKE_PREPARE_WORKERS` overrides, 0 or 1 turns it off) and holds at most
two files per worker in flight, so work folders and memory stay bounded. Each worker runs
under an address-space limit (core/platform.set_limits): the largest any conversion child
is given (LibreOffice's), so no child's own, smaller cap is refused; image conversions
still run in their own 1 GiB child (core/convert/limited.py).

Workers are forked (the preparer, its engines and rules need no pickling) and only where
forking is safe: a POSIX system, and a process with no other thread running (the command
line; the window's filing thread prepares in-process, as before).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from intake_desktop.core import platform
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ocr.engine import OCR_JOBS_ENV
from intake_desktop.core.pipeline import PassThroughPreparer, Prepared

if TYPE_CHECKING:
    from intake_desktop.core.filing.filer import Filer

WORKERS_ENV = "INTAKE_PREPARE_WORKERS"
MAX_WORKERS = 8
IN_FLIGHT_PER_WORKER = 2
MIN_FILES = 4  # fewer files are prepared in-process: starting workers would cost more

# Filers whose preparation a forked worker runs, by token (inherited at fork).
_FILERS: dict[int, Filer] = {}
_next_token = 0
_tokens = threading.Lock()

# (size, sha256, prepared, the reason the preparer refused it or None)
Ready = tuple[int, str, Prepared, str | None]


def _cores() -> int:
    """The processors this process may use."""
    try:
        return len(os.sched_getaffinity(0))  # type: ignore[attr-defined,unused-ignore]
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_count(files: int) -> int:
    """How many workers to start for `files` files (0: prepare in this process)."""
    wanted = os.environ.get(WORKERS_ENV, "").strip()
    cores = _cores()
    count = int(wanted) if wanted.isdigit() else min(cores, MAX_WORKERS)
    if count < 2 or files < MIN_FILES:
        return 0
    return min(count, files)


def usable(filer: Filer, files: int) -> int:
    """Workers for this filer and batch of files (0: prepare in this process)."""
    if os.name != "posix" or not hasattr(os, "fork"):
        return 0
    if isinstance(filer.preparer, PassThroughPreparer):
        return 0  # nothing to convert: hashing alone is no reason for processes
    if platform.thread_count() > 1:
        # Forking beside other threads is not safe, native ones included: a worker forked
        # while Qt's thread pool ran (a window had been open) read no text from its PDFs.
        return 0
    return worker_count(files)


def _start_worker(address_space: int, parent_pid: int, workers: int = 1) -> None:
    platform.die_with_parent(parent_pid)  # a killed command leaves no worker behind
    platform.set_limits(address_space=address_space)
    # The workers share the cores: each OCR run gets its share of them (core/ocr/engine).
    os.environ[OCR_JOBS_ENV] = str(max(1, _cores() // max(1, workers)))


def _prepare(token: int, path: Path, workdir: Path) -> Ready:
    """In a worker: what `Filer._prepare_staged` does before routing."""
    filer = _FILERS[token]
    size = path.stat().st_size
    sha = sha256_file(path)
    prepared, refused = filer.prepare(path, sha, workdir)
    return size, sha, prepared, refused


class PreparePool:
    """Worker processes preparing the next files; `submit` them in order, `take` in order."""

    def __init__(self, filer: Filer, workers: int) -> None:
        global _next_token
        with _tokens:
            _next_token += 1
            self.token = _next_token
        _FILERS[self.token] = filer
        self.workers = workers
        self.limit = workers * IN_FLIGHT_PER_WORKER
        limits = getattr(getattr(filer.preparer, "inner", filer.preparer), "limits", None)
        address_space = getattr(limits, "office_address_space", 4 * 1024 ** 3)
        before_fork = getattr(filer.preparer, "before_fork", None)
        if callable(before_fork):
            before_fork()  # once here, not once per worker (the "OCR is not available" notice)
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("fork"),
            initializer=_start_worker, initargs=(address_space, os.getpid(), workers))
        self._futures: dict[int, Future[Ready]] = {}

    def busy(self) -> int:
        return len(self._futures)

    def has(self, index: int) -> bool:
        return index in self._futures

    broken = False  # a worker died (killed past a limit): the rest is prepared in-process

    def submit(self, index: int, path: Path, workdir: Path) -> None:
        self._futures[index] = self._pool.submit(_prepare, self.token, path, workdir)

    def take(self, index: int) -> Ready:
        """The preparation of the file at `index` (its exception raised here)."""
        return self._futures.pop(index).result()

    def close(self, on_abandoned: Callable[[int], None] | None = None) -> None:
        """Stop the workers (after the ones running finish); then `on_abandoned(index)`
        for each file submitted but not taken."""
        abandoned = list(self._futures)
        self._futures.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
        _FILERS.pop(self.token, None)
        for index in abandoned:
            if on_abandoned is not None:
                on_abandoned(index)
