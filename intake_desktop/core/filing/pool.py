"""Preparation ahead of filing, in a bounded pool of worker processes.

Hashing, detection, conversion (LibreOffice, images, email), the PDF checks and OCR of the
next few files run in worker processes while the filing step records and copies the files
before them, so both cores are busy and filing never waits on a conversion it does not
need yet. Results are taken in input order, so names and sequences never depend on which
worker finished first.

The pool is sized to the machine (the processors this process may use, at most
`MAX_WORKERS`; `INTAKE_PREPARE_WORKERS` overrides, 0 or 1 turns it off) and holds at most
thirty-two files per worker ahead of the filing step (two sent to each worker, the rest
waiting to go to a worker free for them: the next few in input order first, beyond them
the most expensive kinds, never queued behind a long one), so work folders and memory
stay bounded. A worker prepares a file's attachments with it (an e-mail's photo converted
and OCRed there, not in the filing process after it: `prepare_children`). Each worker runs
under an address-space limit (core/platform.set_limits): the largest any conversion
child is given (LibreOffice's), so no child's own, smaller cap is refused; image
conversions still run in their own 1 GiB child (core/convert/limited.py).

Workers are forked (the preparer, its engines and rules need no pickling) and only where
forking is safe (core/platform.fork_is_safe: a POSIX system, no other thread running and
no Qt application: the command line; the window prepares in-process, as before).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from intake_desktop.core import platform
from intake_desktop.core.filing.sources import (
    MAX_CHILD_DEPTH,
    Ahead,
    Source,
    make_candidate,
    prepare_file,
)
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.pipeline import Decision, PassThroughPreparer, Prepared, Preparer, decide

if TYPE_CHECKING:
    from intake_desktop.core.filing.filer import Filer
    from intake_desktop.core.workspace import Workspace

WORKERS_ENV = "INTAKE_PREPARE_WORKERS"
MAX_WORKERS = 8
# Files submitted ahead of the filing step, per worker: enough for the other workers to
# go on while one OCRs a hard photo (90 s, OCR's time limit for a page, where most files
# take a second: with 4 per worker the other worker ran out of files after 7 and sat idle,
# with 16 after 31). What they hold is small: the prepared facts here, the converted PDFs
# in their work folders on disk.
IN_FLIGHT_PER_WORKER = 32
QUEUED_PER_WORKER = 2  # files sent to a worker at once: the one it prepares and the next
# A group's workers start while the command is still starting (core/filing/early.py):
# they yield the processor to its start-up, which they then wait for.
GROUP_NICENESS = 5
MIN_FILES = 4  # fewer files are prepared in-process: starting workers would cost more
# Files next in line for the filing step, per worker, sent in input order before the rest;
# beyond them the most expensive kinds go first (`cost`).
DUE_PER_WORKER = 2
# What a kind costs to prepare, by the name's extension: containers (their attachments are
# prepared with them, each maybe a photo to OCR), then Office files (LibreOffice starts for
# each); the rest (PDFs, pictures, text) alike. Only the order of sending depends on it.
_COSTS: dict[str, int] = {}


def cost(path: Path) -> int:
    """How expensive preparing `path` probably is (higher: started earlier)."""
    if not _COSTS:  # the conversion package loads with the first pool, not the window
        from intake_desktop.core.convert import kinds

        _COSTS.update({suffix: 1 for suffix, kind in kinds.EXTENSION_KINDS.items()
                       if kind == kinds.OFFICE})
        _COSTS.update({suffix: 2 for suffix, kind in kinds.EXTENSION_KINDS.items()
                       if kind in (kinds.EMAIL, kinds.MSG, kinds.ZIP)})
    return _COSTS.get(path.suffix.lower(), 0)


class Preparing(Protocol):
    """What a worker needs of a filer to prepare and route a file (a `Filer`, or a
    `Preparation` built in the worker)."""

    preparer: Preparer
    prepared_ahead: Ahead

    @property
    def router(self) -> object: ...

    def prepare(self, path: Path, sha: str, workdir: Path) -> tuple[Prepared, str | None]: ...


# Filers whose preparation a forked worker runs, by token (inherited at fork, or built
# by the worker: `Preparation`).
_FILERS: dict[int, Preparing] = {}
_next_token = 0
_tokens = threading.Lock()

# (size, sha256, prepared, the reason the preparer refused it or None, the worker's
# routing decision or None: see `_prepare`)
Ready = tuple[int, str, Prepared, str | None, Decision | None]


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


def address_space_of(preparer: Preparer) -> int:
    """The address-space limit of a worker running `preparer`: the largest any of its
    conversion children is given (LibreOffice's)."""
    limits = getattr(getattr(preparer, "inner", preparer), "limits", None)
    return int(getattr(limits, "office_address_space", 4 * 1024 ** 3))


def _start_worker(address_space: int, workers: int = 1) -> None:
    from intake_desktop.core.ocr.engine import OCR_JOBS_ENV

    platform.set_limits(address_space=address_space)
    # The workers share the cores: each OCR run gets its share of them (core/ocr/engine).
    os.environ[OCR_JOBS_ENV] = str(max(1, _cores() // max(1, workers)))


class _RulesText:
    """rules.toml as a worker started before the ledger routes with it (`snapshot`): the
    filing step keeps a decision only when that text is the version in force
    (`WorkspaceRulesRouter.accept` compares the version); no rules.toml, or rules that do
    not compile: no decision here (the filing step routes, and warns)."""

    def __init__(self, workspace: Workspace) -> None:
        self.path = workspace.rules_path
        self._router: object | None = None
        self._tried = False

    def snapshot(self) -> object | None:
        if not self._tried:
            self._tried = True
            from intake_desktop.core.rules import LazyRulesRouter

            try:
                text = self.path.read_text(encoding="utf-8")
                router = LazyRulesRouter(text, str(self.path))
                router.ruleset  # compiled here, once  # noqa: B018
            except Exception:
                return None
            self._router = router
        return self._router


class Preparation:
    """A filer's preparation, built from the workspace alone by the process the early
    workers fork from, before the command opened the ledger (core/filing/early.py): the
    preparer `app.build_filer` gives a filer (`StandardPreparer`, with the workspace's
    engines and OCR settings) and the rules in rules.toml (`_RulesText`). `said` and
    `needed` are the OCR notice's flags, shared with the filing step's preparer
    (`OcrPreparer.share_flags`). `pdfs_only`: the files seen so far are PDFs, so the other
    converters are left to load where a worker meets one (the workers start 0.1 s
    sooner); else they load here, once for all."""

    def __init__(self, workspace: Workspace, said: object, needed: object,
                 on_notice: Callable[[str], None], pdfs_only: bool = False) -> None:
        from intake_desktop.core.engines import apply_engine_config
        from intake_desktop.core.ocr import OcrEngine, StandardPreparer
        from intake_desktop.core.ocr.settings import load_ocr_settings

        apply_engine_config(workspace.config_path)
        engine = OcrEngine(load_ocr_settings(workspace.config_path))
        preparer = StandardPreparer(lambda: engine, on_notice)
        preparer.share_flags(said, needed)
        self.preparer: Preparer = preparer.built  # loaded once, before the workers fork
        if not pdfs_only:
            from intake_desktop.core.convert.preparer import load_converters

            load_converters()
        self.router = _RulesText(workspace)
        self.router.snapshot()  # compiled once, likewise
        self.prepared_ahead: Ahead = {}

    def prepare(self, path: Path, sha: str, workdir: Path) -> tuple[Prepared, str | None]:
        return prepare_file(self.preparer, self.prepared_ahead, path, sha, workdir)


def _prepare(token: int, source: Source, hint: str | None, workdir: Path) -> Ready:
    """In a worker: what `Filer._prepare_staged` does, routing included when the rules in
    force can route here (`WorkspaceRulesRouter.snapshot`, as forked: the filing step
    keeps the decision only if those rules are still in force, `accept`; else, or when
    routing failed here, it routes again itself, where warnings are shown)."""
    filer = _FILERS[token]
    path = source.path
    size = path.stat().st_size
    sha = sha256_file(path)
    prepared, refused = filer.prepare(path, sha, workdir)
    decision: Decision | None = None
    snapshot = getattr(filer.router, "snapshot", None)
    router = snapshot() if callable(snapshot) else None
    if router is not None:
        try:
            decision = decide(router, make_candidate(source, prepared, sha, size, hint),
                              refused)
        except Exception:  # routed again by the filing step, which reports it
            decision = None
    return size, sha, prepared, refused, decision


def prepare_children(filer: Preparing, prepared: Prepared, workdir: Path, depth: int,
                     ahead: Ahead) -> None:
    """In a worker: prepare the attachments (archive members) of a prepared file as the
    filing step would after filing it (`Filer._file_children`: the same preparer, depth
    limit and hash), each in a work folder inside its parent's (removed with it), so the
    filing step only files them: an e-mail's photo is converted and OCRed here, beside the
    other worker, not in the filing process one attachment after another. A child that
    fails here is left out: the filing step prepares it itself and says why."""
    if depth > MAX_CHILD_DEPTH:
        return
    for number, child in enumerate(prepared.children, start=1):
        folder = workdir / "ahead" / f"{number:04d}"
        try:
            got = filer.prepare(child, sha256_file(child), folder)
        except Exception:
            continue
        ahead[child] = got
        if got[1] is None:
            prepare_children(filer, got[0], folder, depth + 1, ahead)


def _serve(token: int, tasks: Connection, results: Connection, address_space: int,
           parent_pid: int, workers: int = 1) -> None:
    """A worker forked with its filer: `_work` until told to end."""
    gc.enable()  # its own collector runs, on what it makes (`_frozen`)
    platform.die_with_parent(parent_pid)  # a killed command leaves no worker behind
    _start_worker(address_space, workers)
    _work(token, tasks, results)


@contextlib.contextmanager
def _frozen() -> Iterator[None]:
    """Fork inside this block: the objects that exist now are frozen (Python's `gc.freeze`)
    for the processes forked in it, whose garbage collectors then never walk them (nor
    write to them: the memory they share with this process stays shared). This process
    takes them back at the end of the block."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _serve_group(token: int, ends: list[tuple[Connection, Connection]], parent_pid: int,
                 build: Callable[[], Preparing]) -> None:
    """The parent of workers started before their filer (core/filing/early.py): it builds
    what they prepare with (`Preparation`: the preparation libraries load once, here,
    beside the command's own start-up), then forks one worker per (tasks, results) pair
    of `ends`, each inheriting it, and waits for them. If it cannot build, it ends and so
    do the pipes: the filing step prepares those files itself."""
    platform.die_with_parent(parent_pid)  # a killed command leaves no worker behind
    try:
        _FILERS[token] = build()
    except Exception:
        return
    address_space = address_space_of(_FILERS[token].preparer)
    platform.lower_priority(GROUP_NICENESS)
    group = os.getpid()
    children = []
    with _frozen():  # what it built too
        for number, (tasks, results) in enumerate(ends):
            child = os.fork()
            if child == 0:  # a worker: its own pipes only, so its death closes them
                gc.enable()  # off in the group when it started early (`early.start_early`)
                try:
                    for other, pair in enumerate(ends):
                        if other != number:
                            pair[0].close()
                            pair[1].close()
                    platform.die_with_parent(group)
                    _start_worker(address_space, len(ends))
                    _work(token, tasks, results)
                finally:
                    _end_worker()
                    os._exit(0)  # not the group's exit: none of its handlers run here
            children.append(child)
    for tasks, results in ends:
        tasks.close()
        results.close()
    for child in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(child, 0)


def _end_worker() -> None:
    """What a worker forked by hand removes before it ends with `os._exit`, which runs no
    exit handler (those of the process it was forked from must not run in it): the
    LibreOffice profile its conversions made in the temporary folder. A worker started by
    multiprocessing removes it through multiprocessing's own exit."""
    with contextlib.suppress(Exception):
        from intake_desktop.core.convert.office import discard_profile

        discard_profile()


def _work(token: int, tasks: Connection, results: Connection) -> None:
    """A worker's life: prepare each (index, source, hint, workdir) received, in order,
    and its attachments (`prepare_children`), and send back (index, True, Ready, Ahead) or
    (index, False, the exception, {}); None ends it."""
    while True:
        try:
            task = tasks.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if task is None:
            return
        index, source, hint, workdir = task
        try:
            ready = _prepare(token, source, hint, workdir)
            ahead: Ahead = {}
            if ready[3] is None:
                prepare_children(_FILERS[token], ready[2], workdir, 1, ahead)
            answer: tuple[int, bool, object, Ahead] = (index, True, ready, ahead)
        except Exception as exc:
            answer = (index, False, exc, {})
        try:
            results.send(answer)
        except Exception as exc:  # an exception that cannot be pickled: its words
            results.send((index, False, RuntimeError(f"{type(exc).__name__}: {exc}"), {}))


@dataclass
class _Worker:
    process: BaseProcess
    tasks: Connection  # this side's ends
    results: Connection
    in_flight: deque[int] = field(default_factory=deque)
    gone: bool = False  # ended (killed past a limit): nothing more is sent to it


class PreparePool:
    """Worker processes preparing the next files; `submit` them in order, `take` in order.

    No thread of this process is involved (a pool executor's manager and feeder threads
    made the filing thread wait for the interpreter lock at each hand-over, 9 ms a file on
    a busy machine): each worker has a pipe for its tasks and one for its answers, which
    this process reads when it submits a file and while it waits for one.

    A file is sent to a worker only when that worker has fewer than `QUEUED_PER_WORKER`
    files (the one it prepares and the next), the rest wait here: a slow file (a long
    LibreOffice conversion, an OCR run) holds up only its own worker, and the other takes
    the files behind it, up to `limit` files ahead of the one the filing step waits for.
    """

    def __init__(self, filer: Preparing, workers: int, *,
                 build: Callable[[], Preparing] | None = None) -> None:
        """Workers preparing with `filer` (inherited at fork), or with what `build` makes
        in the one process they fork from (`_serve_group`; `filer` then only holds the
        attachments they prepare ahead until a filer adopts the pool: `adopt`)."""
        global _next_token
        with _tokens:
            _next_token += 1
            self.token = _next_token
        _FILERS[self.token] = filer
        self.workers = workers
        self.limit = workers * IN_FLIGHT_PER_WORKER
        before_fork = getattr(filer.preparer, "before_fork", None)
        if callable(before_fork):
            before_fork()  # once here, not once per worker (the "OCR is not available" notice)
        context = multiprocessing.get_context("fork")
        self._workers: list[_Worker] = []
        self._where: dict[int, _Worker | None] = {}  # submitted, not taken (None: not sent)
        # submitted, not sent yet: (index, source, matter hint, work folder)
        self._waiting: deque[tuple[int, Source, str | None, Path]] = deque()
        self._answers: dict[int, tuple[bool, object]] = {}
        self._ahead: set[Path] = set()  # attachments handed to the filer (dropped at close)
        self._due = DUE_PER_WORKER * workers  # files next in line, sent before the others
        self._costs: dict[int, int] = {}  # submitted, not taken: `cost` of each
        # Submitted before a filer adopted the pool, not yet matched by it (`unchecked`).
        self._unchecked: dict[int, tuple[Source, str | None, Path]] = {}
        self._adopted = build is None
        pipes = [(context.Pipe(duplex=False), context.Pipe(duplex=False))
                 for _ in range(workers)]
        if build is None:
            address_space = address_space_of(filer.preparer)
            processes = [context.Process(
                target=_serve, args=(self.token, tasks[0], answers[1], address_space,
                                     os.getpid(), workers)) for tasks, answers in pipes]
        else:  # one parent builds, then forks the workers (`_serve_group`)
            ends = [(tasks[0], answers[1]) for tasks, answers in pipes]
            processes = [context.Process(target=_serve_group,
                                         args=(self.token, ends, os.getpid(), build))]
        with _frozen():
            for process in processes:
                process.start()
        for (task_out, task_in), (answer_out, answer_in) in pipes:
            task_out.close()
            answer_in.close()
            # A group's workers are not this process's children: each is watched through
            # its answers' pipe (closed when it ends) and the group's sentinel.
            self._workers.append(_Worker(processes[len(self._workers) % len(processes)],
                                         task_in, answer_out))

    def adopt(self, filer: Preparing) -> dict[int, Path]:
        """A filer takes over a pool started before it (core/filing/early.py): the
        attachments prepared so far go to it; the work folders of the files submitted,
        by index, are returned (each file's submission is checked against the filer's
        own with `unchecked` before its preparation is used)."""
        holder = _FILERS[self.token]
        filer.prepared_ahead.update(holder.prepared_ahead)
        _FILERS[self.token] = filer
        self._adopted = True
        return {index: task[2] for index, task in self._unchecked.items()}

    def unchecked(self, index: int) -> tuple[Source, str | None] | None:
        """What the file at `index` was submitted as before a filer adopted the pool
        (None: submitted by the filer, or already checked); checked once asked."""
        task = self._unchecked.pop(index, None)
        return None if task is None else task[:2]

    def busy(self) -> int:
        return len(self._where)

    def has(self, index: int) -> bool:
        return index in self._where

    broken = False  # a worker died (killed past a limit): the rest is prepared in-process

    def submit(self, index: int, source: Source, hint: str | None, workdir: Path) -> None:
        if not self._adopted:
            self._unchecked[index] = (source, hint, workdir)
        self._where[index] = None
        self._waiting.append((index, source, hint, workdir))
        self._costs[index] = cost(source.path)
        self._collect(block=False)
        self._send()

    def _next(self, worker: _Worker) -> int | None:
        """Where in `_waiting` the file to send to `worker` is (None: nothing for it now).

        The first file while it is among the next `_due` the filing step will take (it
        waits for those soon); otherwise the most expensive kind waiting (`cost`; the
        first of them in input order), so a long one does not start last and end the run
        alone on one worker. Nothing is queued behind an expensive one a worker is busy
        with (an Office file behind another waited for it while the other worker ran
        dry): the next worker free takes it."""
        if any(self._costs.get(i, 0) for i in worker.in_flight):
            return None
        if self._waiting[0][0] < min(self._where) + self._due:
            return 0
        best, best_cost = None, -1
        for position, task in enumerate(self._waiting):
            rank = self._costs.get(task[0], 0)
            if rank > best_cost:
                best, best_cost = position, rank
        return best

    def _send(self) -> None:
        """Send waiting files (`_next`) to the workers with room for them."""
        while self._waiting:
            alive = [w for w in self._workers
                     if not w.gone and len(w.in_flight) < QUEUED_PER_WORKER]
            for worker in sorted(alive, key=lambda w: len(w.in_flight)):
                position = self._next(worker)
                if position is not None:
                    break
            else:
                return
            task = self._waiting[position]
            index = task[0]
            try:
                worker.tasks.send(task)
            except OSError:  # it ended: the next worker
                worker.gone = True
                continue
            del self._waiting[position]
            worker.in_flight.append(index)
            self._where[index] = worker

    def take(self, index: int) -> Ready:
        """The preparation of the file at `index` (its exception raised here;
        BrokenExecutor when its worker died, or every worker did)."""
        while index not in self._answers:
            worker = self._where.get(index)
            if worker is None:
                self._send()
                worker = self._where.get(index)
            if worker is None and index in self._where and any(
                    w.in_flight and not w.gone for w in self._workers):
                # Not sent yet, every worker full (with files sent before it was due): it
                # goes as soon as one has room.
                self._collect(block=True)
                continue
            if worker is None or worker.gone:
                self._where.pop(index, None)
                self._waiting = deque(t for t in self._waiting if t[0] != index)
                if worker is not None:
                    with contextlib.suppress(ValueError):
                        worker.in_flight.remove(index)
                raise BrokenExecutor(f"the worker preparing file {index + 1} ended")
            self._collect(block=True)
            self._send()
        self._where.pop(index, None)
        self._costs.pop(index, None)
        ok, value = self._answers.pop(index)
        if not ok:
            assert isinstance(value, BaseException)
            raise value
        return value  # type: ignore[return-value]

    def _collect(self, *, block: bool) -> None:
        """Keep the answers the workers have sent (waiting for one when `block`); a worker
        that ended with nothing more to say is marked gone."""
        busy = [w for w in self._workers if w.in_flight and not w.gone]
        if not busy:
            return
        watched: list[Connection | int] = [w.results for w in busy]
        watched += sorted({w.process.sentinel for w in busy})  # a group's workers share one
        ready = wait(watched, timeout=None if block else 0)
        for worker in busy:
            if worker.results in ready or worker.process.sentinel in ready:
                while worker.in_flight and worker.results.poll():
                    if not self._receive(worker):
                        break
                if worker.process.sentinel in ready and not worker.results.poll():
                    worker.gone = True  # ended: what it held is lost (see take)

    def _receive(self, worker: _Worker) -> bool:
        """Read one answer the worker has sent and keep it; False when the worker is gone."""
        ahead: Ahead = {}
        try:
            index, ok, value, ahead = worker.results.recv()
        except (EOFError, OSError):
            worker.gone = True
            return False
        except Exception as exc:  # an answer that could not be unpickled
            index = worker.in_flight[0] if worker.in_flight else -1
            ok, value = False, RuntimeError(f"{type(exc).__name__}: {exc}")
        with contextlib.suppress(ValueError):
            worker.in_flight.remove(index)
        self._answers[index] = (ok, value)
        if ahead:  # its attachments, for the filing step's `Filer.prepare`
            _FILERS[self.token].prepared_ahead.update(ahead)
            self._ahead.update(ahead)
        return True

    def close(self, on_abandoned: Callable[[int], None] | None = None) -> None:
        """Stop the workers (after they finish the files they were given); then
        `on_abandoned(index)` for each file submitted but not taken."""
        abandoned = sorted(self._where)
        self._where.clear()
        self._waiting.clear()
        for worker in self._workers:
            with contextlib.suppress(OSError):
                worker.tasks.send(None)
        for worker in self._workers:
            while worker.in_flight and not worker.gone:
                ready = wait([worker.results, worker.process.sentinel])
                if worker.results not in ready and not worker.results.poll():
                    break  # ended with nothing more to say
                if not self._receive(worker):
                    break
            worker.process.join()
            worker.tasks.close()
            worker.results.close()
        self._answers.clear()
        self._costs.clear()
        self._unchecked.clear()
        filer = _FILERS.pop(self.token, None)
        if filer is not None:  # attachments of files that were not filed (a duplicate)
            for path in self._ahead:
                filer.prepared_ahead.pop(path, None)
        self._ahead.clear()
        for index in abandoned:
            if on_abandoned is not None:
                on_abandoned(index)


# Threads hashing (and detecting) the next files for a pass-through preparer, and files
# they may hold ready (each a claimed file whose bytes are only read).
AHEAD_THREADS = 2
AHEAD_FILES = 32


def _prepare_here(filer: Filer, path: Path, workdir: Path) -> Ready:
    """In a thread: what `Filer._prepare_staged` does before routing (routers keep state:
    the filing step routes)."""
    size = path.stat().st_size
    sha = sha256_file(path)
    prepared, refused = filer.prepare(path, sha, workdir)
    return size, sha, prepared, refused, None


class ThreadAhead:
    """Hashing and type detection of the next files in threads, while the filing step
    plans, records and copies the files before them: the same `submit`/`take` as
    `PreparePool`, for a preparer that only reads the file (`PassThroughPreparer`: no
    conversion, so no process is worth starting, and nothing it calls keeps state; the
    SHA-256 and libmagic let other threads run while they work). Results are taken in
    input order; `close` ends the threads before it returns."""

    broken = False

    def __init__(self, filer: Filer, threads: int = AHEAD_THREADS,
                 limit: int = AHEAD_FILES) -> None:
        from concurrent.futures import Future, ThreadPoolExecutor

        self._filer = filer
        self._threads = ThreadPoolExecutor(max_workers=threads,
                                           thread_name_prefix="intake-ahead")
        self._futures: dict[int, Future[Ready]] = {}
        self.limit = limit

    def busy(self) -> int:
        return len(self._futures)

    def has(self, index: int) -> bool:
        return index in self._futures

    def submit(self, index: int, source: Source, hint: str | None, workdir: Path) -> None:
        self._futures[index] = self._threads.submit(_prepare_here, self._filer, source.path,
                                                    workdir)

    def take(self, index: int) -> Ready:
        """The hash and preparation of the file at `index` (its exception raised here)."""
        return self._futures.pop(index).result()

    def close(self, on_abandoned: Callable[[int], None] | None = None) -> None:
        """Stop the threads (after the files they started); then `on_abandoned(index)`
        for each file submitted but not taken."""
        abandoned = sorted(self._futures)
        for future in self._futures.values():
            future.cancel()
        self._threads.shutdown(wait=True)
        self._futures.clear()
        for index in abandoned:
            if on_abandoned is not None:
                on_abandoned(index)


def ahead_threads(filer: Filer, files: int) -> bool:
    """Whether the next files are hashed in threads (`ThreadAhead`): a pass-through
    preparer, enough files to be worth it, and not turned off (`INTAKE_PREPARE_WORKERS`
    0 or 1)."""
    wanted = os.environ.get(WORKERS_ENV, "").strip()
    if wanted.isdigit() and int(wanted) < 2:
        return False
    # Exactly the pass-through preparer: a subclass may do what threads must not share.
    return type(filer.preparer) is PassThroughPreparer and files >= MIN_FILES
