"""An `ingest`'s preparation, started before the command opens the ledger.

`intake-desktop ingest` spends its first half second loading the ledger and filing code
(SQLAlchemy alone a quarter of it) on one core while the other waits. `start_early`, called
by the entry point (launch.py) before the command modules load, forks one process that
builds the `Preparation` from the workspace alone and forks the preparation workers from
it, which inherit it (core/filing/pool.py `_serve_group`), and submits the first files the
command's paths name: hashing, the PDF checks, text extraction and routing run beside the
start-up. When the filer begins, `adopt` hands it the pool, but only for the same
workspace, the same files in the same order and the same matter; each file's preparation
is used only if the filer would have submitted the same (source, matter hint) after its
own checks and claim (`PreparePool.unchecked`). Otherwise, or if the command never files
(a refusal, an error), the workers stop and their work folders are removed. Preparing
only reads the files: nothing is recorded, and nothing decided before the filer's claim is
kept without the filer's checks.
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from intake_desktop.core import platform
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.filing.pool import (
    IN_FLIGHT_PER_WORKER,
    Preparation,
    PreparePool,
    worker_count,
)
from intake_desktop.core.filing.sources import Ahead, expand, hint_for, is_link, source_in
from intake_desktop.core.junk import is_junk_path
from intake_desktop.core.pipeline import PassThroughPreparer, Prepared, Preparer
from intake_desktop.core.workspace import IntakeFolder, Workspace, resolve_workspace_dir

if TYPE_CHECKING:
    from intake_desktop.core.filing.filer import Filer

EARLY_ENV = "INTAKE_EARLY_PREPARE"  # "0" turns early preparation off
# Options `ingest` takes that are followed by a value; any other option (or a form such as
# --workspace=DIR) and nothing starts early: the command then works as it always did.
_VALUE_OPTIONS = {"--workspace", "--db", "--as", "--role", "--matter"}
_FLAGS = {"--json", "--passphrase-stdin"}


@dataclass
class _Holder:
    """Stands in for the filer until one adopts the pool: keeps the attachments the
    workers prepared ahead (the preparation itself runs in the workers)."""

    preparer: Preparer = field(default_factory=PassThroughPreparer)
    prepared_ahead: Ahead = field(default_factory=dict)

    @property
    def router(self) -> None:
        return None

    def prepare(self, path: Path, sha: str, workdir: Path) -> tuple[Prepared, str | None]:
        raise AssertionError("preparation runs in the workers")


@dataclass
class _Early:
    root: Path
    files: list[Path]
    matter: str | None
    pool: PreparePool
    work: Path
    flags: tuple[object, object]


_started: _Early | None = None


def ingest_arguments(argv: Sequence[str]) -> tuple[str | None, str | None, list[str]] | None:
    """(--workspace, --matter, paths) of an `ingest` command line, or None for any other
    command line or one this reading is not sure of."""
    workspace = matter = None
    words: list[str] = []
    args = list(argv)
    position = 0
    while position < len(args):
        arg = args[position]
        if arg in _VALUE_OPTIONS:
            if position + 1 >= len(args):
                return None
            value = args[position + 1]
            if arg == "--workspace":
                workspace = value
            elif arg == "--matter":
                matter = value
            position += 2
            continue
        if arg == "--":
            words += args[position + 1:]
            break
        if arg.startswith("-") and arg not in _FLAGS:
            return None
        if not arg.startswith("-"):
            words.append(arg)
        position += 1
    if len(words) < 2 or words[0] != "ingest":
        return None
    return workspace, matter, words[1:]


def start_early(argv: Sequence[str]) -> None:
    """Start preparing the files of an `ingest` command line (see the module). Does
    nothing for another command, where forking is not safe, for few files, or when the
    workspace cannot be read: the command then works as it always did."""
    global _started
    if _started is not None or os.environ.get(EARLY_ENV, "").strip() == "0":
        return
    parsed = ingest_arguments(argv)
    if parsed is None or not platform.is_linux() or not platform.fork_is_safe():
        return
    # The garbage collector waits until a filer takes the workers over (`adopt`): the
    # start-up only loads modules and makes objects that live as long as the command
    # (its collections cost the command about 0.04 s of a 0.5 s start), and the process
    # the workers fork from builds their preparation without it (PreparePool, `_frozen`).
    gc.disable()
    try:
        _started = _start(*parsed)
    except Exception:  # only a head start: the command meets and reports any problem
        _started = None
    if _started is not None:
        atexit.register(_stop)  # before multiprocessing waits for its workers at exit
    else:
        gc.enable()


def _start(workspace: str | None, matter: str | None, paths: list[str]) -> _Early | None:
    ws = Workspace(resolve_workspace_dir(workspace))
    if not ws.is_initialized():
        return None
    folders = [IntakeFolder(ws.intake), *ws.load_config().intake_folders]
    files = list(expand(Path(p) for p in paths))
    workers = worker_count(len(files))
    if not workers:
        return None
    context = multiprocessing.get_context("fork")
    flags = (context.Value("b", 0), context.Value("b", 0))
    first = files[:workers * IN_FLIGHT_PER_WORKER]  # what the pool takes at once
    pdfs_only = all(p.suffix.lower() == ".pdf" for p in first)
    build = partial(Preparation, ws, flags[0], flags[1], _warn, pdfs_only)
    pool = PreparePool(_Holder(), workers, build=build)
    early = _Early(ws.root, files, matter, pool, ws.work, flags)
    try:
        _submit(early, folders, ws)
    except BaseException:
        _close(early)
        raise
    return early


def _submit(early: _Early, folders: list[IntakeFolder], ws: Workspace) -> None:
    """The first files, as far as the pool takes them, with the source and matter hint the
    filer gives them after its checks (`Filer._check_early` compares)."""
    pool, matter = early.pool, early.matter
    for index, path in enumerate(early.files[:pool.limit]):
        if is_junk_path(path):
            continue
        try:
            source = source_in(path, folders, ws.root)
        except IntakeError:
            continue
        if is_link(path, source) or not path.is_file():
            continue
        workdir = ws.work / f"prep-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        pool.submit(index, source, hint_for(source, matter, ws.intake), workdir)


def _warn(text: str) -> None:
    """A worker's notice ("OCR is not available"), as the command says its warnings."""
    import sys

    from intake_desktop.core.errors import format_message

    sys.stderr.write(f"intake-desktop: warning: {format_message(text)}\n")


def adopt(filer: Filer, files: list[Path], matter: str | None
          ) -> tuple[PreparePool, dict[int, Path]] | None:
    """The pool started early for these files, for `filer` to take over with the work
    folders of the files submitted (by index), or None (nothing started, or started for
    another workspace, other files, another matter or another kind of filer: those
    workers stop)."""
    global _started
    early, _started = _started, None
    if early is None:
        return None
    gc.enable()  # the start-up is over (`start_early`)
    share = getattr(filer.preparer, "share_flags", None)
    same = (filer.ws.root == early.root and files == early.files and matter == early.matter
            and callable(share) and hasattr(filer.router, "accept"))
    if not same:
        _close(early)
        return None
    assert callable(share)
    share(*early.flags)
    return early.pool, early.pool.adopt(filer)


def _close(early: _Early) -> None:
    from intake_desktop.core.mover import Mover

    gc.enable()
    workdirs = early.pool.adopt(_Holder())

    def drop(index: int) -> None:
        workdir = workdirs.get(index)
        if workdir is not None and workdir.exists():
            Mover().remove_work_folder(workdir, early.work)

    early.pool.close(drop)


def _stop() -> None:
    """At exit: a pool no filer adopted stops (its workers would wait for work forever)."""
    global _started
    early, _started = _started, None
    if early is not None:
        _close(early)
