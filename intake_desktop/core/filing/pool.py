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
forking is safe (core/platform.fork_is_safe: a POSIX system, no other thread running and
no Qt application: the command line; the window prepares in-process, as before).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
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
    if isinstance(filer.preparer, PassThroughPreparer):
        return 0  # nothing to convert: hashing alone is no reason for processes
    if not platform.fork_is_safe():
        # Not beside other threads, native ones included (a worker forked while Qt's
        # thread pool ran read no text from its PDFs), nor after Qt ran at all.
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


def _serve(token: int, tasks: Connection, results: Connection, address_space: int,
           parent_pid: int, workers: int = 1) -> None:
    """A worker's life: prepare each (index, path, workdir) received, in order, and send
    back (index, True, Ready) or (index, False, the exception); None ends it."""
    _start_worker(address_space, parent_pid, workers)
    while True:
        try:
            task = tasks.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if task is None:
            return
        index, path, workdir = task
        try:
            answer: tuple[int, bool, object] = (index, True, _prepare(token, path, workdir))
        except Exception as exc:
            answer = (index, False, exc)
        try:
            results.send(answer)
        except Exception as exc:  # an exception that cannot be pickled: its words
            results.send((index, False, RuntimeError(f"{type(exc).__name__}: {exc}")))


@dataclass
class _Worker:
    process: BaseProcess
    tasks: Connection  # this side's ends
    results: Connection
    in_flight: deque[int] = field(default_factory=deque)


class PreparePool:
    """Worker processes preparing the next files; `submit` them in order, `take` in order.

    No thread of this process is involved (a pool executor's manager and feeder threads
    made the filing thread wait for the interpreter lock at each hand-over, 9 ms a file on
    a busy machine): each worker has a pipe for its tasks and one for its answers, which
    this process reads when it needs the next file.
    """

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
        context = multiprocessing.get_context("fork")
        self._workers: list[_Worker] = []
        self._where: dict[int, _Worker] = {}
        self._answers: dict[int, tuple[bool, object]] = {}
        for _ in range(workers):
            task_out, task_in = context.Pipe(duplex=False)
            answer_out, answer_in = context.Pipe(duplex=False)
            process = context.Process(
                target=_serve,
                args=(self.token, task_out, answer_in, address_space, os.getpid(), workers))
            process.start()
            task_out.close()
            answer_in.close()
            self._workers.append(_Worker(process, task_in, answer_out))

    def busy(self) -> int:
        return len(self._where)

    def has(self, index: int) -> bool:
        return index in self._where

    broken = False  # a worker died (killed past a limit): the rest is prepared in-process

    def submit(self, index: int, path: Path, workdir: Path) -> None:
        alive = [w for w in self._workers if w.process.is_alive()] or self._workers
        worker = min(alive, key=lambda w: len(w.in_flight))
        worker.tasks.send((index, path, workdir))
        worker.in_flight.append(index)
        self._where[index] = worker

    def take(self, index: int) -> Ready:
        """The preparation of the file at `index` (its exception raised here;
        BrokenExecutor when its worker died)."""
        worker = self._where.pop(index)
        while index not in self._answers:
            if not self._receive(worker):
                with contextlib.suppress(ValueError):
                    worker.in_flight.remove(index)
                raise BrokenExecutor(f"the worker preparing file {index + 1} ended")
        ok, value = self._answers.pop(index)
        if not ok:
            assert isinstance(value, BaseException)
            raise value
        return value  # type: ignore[return-value]

    def _receive(self, worker: _Worker) -> bool:
        """Wait for the worker's next answer and keep it; False when the worker is gone."""
        ready = wait([worker.results, worker.process.sentinel])
        if worker.results not in ready and not worker.results.poll():
            return False  # ended with nothing more to say
        try:
            index, ok, value = worker.results.recv()
        except (EOFError, OSError):
            return False
        except Exception as exc:  # an answer that could not be unpickled
            index = worker.in_flight[0] if worker.in_flight else -1
            ok, value = False, RuntimeError(f"{type(exc).__name__}: {exc}")
        with contextlib.suppress(ValueError):
            worker.in_flight.remove(index)
        self._answers[index] = (ok, value)
        return True

    def close(self, on_abandoned: Callable[[int], None] | None = None) -> None:
        """Stop the workers (after they finish the files they were given); then
        `on_abandoned(index)` for each file submitted but not taken."""
        abandoned = sorted(self._where)
        self._where.clear()
        for worker in self._workers:
            with contextlib.suppress(OSError):
                worker.tasks.send(None)
        for worker in self._workers:
            while worker.in_flight and self._receive(worker):
                pass
            worker.process.join()
            worker.tasks.close()
            worker.results.close()
        self._answers.clear()
        _FILERS.pop(self.token, None)
        for index in abandoned:
            if on_abandoned is not None:
                on_abandoned(index)
