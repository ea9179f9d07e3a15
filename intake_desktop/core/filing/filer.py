"""Crash-safe filing: the DESIGN.md protocol, one path for every entry point.

Every file is filed the same way, whatever its source (an intake folder, a path outside
the workspace, an archive member, the copy waiting in Review/): claim it, prepare it,
route it, plan it (plan.py, no writes), then execute the plan: record the intent
(`pending`), copy each target to a temporary name beside it, fsync, verify, rename without
replacing anything, mark the row done, and only then remove the source. `recover()`
finishes or rolls back every unfinished row, so a crash at any moment leaves each source
either where it was or filed exactly once.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import BrokenExecutor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from intake_desktop.core import platform
from intake_desktop.core.approvals import request_approval
from intake_desktop.core.errors import FilingError, IntakeError, explain, format_message
from intake_desktop.core.filing import early
from intake_desktop.core.filing.batch import Batch, BatchLimits, Cleared, Staged
from intake_desktop.core.filing.claims import Claimant, claim_key, folder_label, pid_alive
from intake_desktop.core.filing.plan import (
    FilingPlan,
    FindFiled,
    FindInReview,
    Namer,
    ReservingNamer,
    plan_filing,
)
from intake_desktop.core.filing.pool import PreparePool, ThreadAhead, ahead_threads, usable
from intake_desktop.core.filing.progress import IngestProgress
from intake_desktop.core.filing.results import IngestResult, Outcome
from intake_desktop.core.filing.sidecars import sidecar_path, write_sidecar
from intake_desktop.core.filing.sources import (
    MAX_CHILD_DEPTH,
    Source,
    SourceKind,
    absolute,
    expand,
    hint_for,
    is_link,
    make_candidate,
    prepare_file,
    source_in,
)
from intake_desktop.core.filing.translations import link_translations
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.junk import is_junk_path
from intake_desktop.core.ledger import DocStatus, DocumentRecord, EventKind, Ledger, Txn
from intake_desktop.core.mover import (
    FaultHook,
    Mover,
    Written,
    discard_dead_temps,
    no_fault,
    sync_error,
    tmp_path_for,
)
from intake_desktop.core.paths import is_within
from intake_desktop.core.pipeline import (
    BuiltinRouter,
    Candidate,
    Decision,
    PassThroughPreparer,
    Prepared,
    Preparer,
    Router,
    decide,
)
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress
from intake_desktop.core.search_text import index_document
from intake_desktop.core.walls import screened, wall_review
from intake_desktop.core.workspace import IntakeFolder, Workspace

log = logging.getLogger(__name__)

LINK_REASON = "a link, not a file"
GONE_REASON = "no longer there: filed by another process meanwhile, or moved"
# Work folders of a live process are left alone; others older than this are removed too.
WORK_FOLDER_GRACE = 3600.0


class Filer:
    """Files sources into a workspace and records every step in the ledger."""

    def __init__(
        self,
        workspace: Workspace,
        ledger: Ledger,
        *,
        router: Router | None = None,
        preparer: Preparer | None = None,
        intake_folders: Iterable[IntakeFolder] = (),
        fault: FaultHook = no_fault,
        claimant: Claimant | None = None,
    ) -> None:
        self.ws = workspace
        self.ledger = ledger
        self.router: Router = router or BuiltinRouter()
        self.preparer: Preparer = preparer or PassThroughPreparer()
        self.intake_folders = [IntakeFolder(workspace.intake), *intake_folders]
        self._fault = fault
        self.mover = Mover(fault)
        self.claimant = claimant or Claimant(ledger)
        self._removed: list[DocumentRecord] = []
        self._kept: list[int] = []  # sources replaced by a new file: no longer theirs
        self._released: list[str] = []  # claims of sources the clearing thread is done with
        self._threads: dict[str, ThreadPoolExecutor] = {}  # started by `threads`
        self._clearing: list[Future[Cleared]] = []
        self._work_cleaned = False
        self.batch_limits = BatchLimits()
        self._screened: frozenset[str] | None = None  # walls read for this batch
        # Folders' real paths, kept for the batch being filed (`rel`); None: not batching.
        self._reals: dict[Path, Path] | None = None
        self._labels: dict[Path, str] = {}  # claims' names of folders (`_label`)
        self.progress = IngestProgress()  # where the running `ingest` stands
        # Attachments a pool worker prepared with their parent (core/filing/pool.py), by
        # path in the parent's work folder: `prepare` gives them without running again.
        self.prepared_ahead: dict[Path, tuple[Prepared, str | None]] = {}

    # ---- paths ---------------------------------------------------------------------------

    def rel(self, path: Path) -> str:
        """Workspace-relative posix path as stored in the ledger: the real path of its
        folder (while batching, looked up once per batch, `next_batch`: filing 200 files
        resolved 1,600 paths a component at a time) and its name, or its own when it is a
        link."""
        real = path.resolve() if path.is_symlink() else self._real(path.parent) / path.name
        return real.relative_to(self._real(self.ws.root)).as_posix()

    def _real(self, folder: Path) -> Path:
        if self._reals is None:
            return folder.resolve()
        if folder not in self._reals:
            self._reals[folder] = folder.resolve()
        return self._reals[folder]

    def abs(self, stored: str) -> Path:
        return self.ws.root / stored

    def workspace_relative(self, path: Path | str) -> str | None:
        """The workspace-relative path of `path`, or None when it lies outside."""
        try:
            return Path(absolute(Path(path))).relative_to(
                absolute(self.ws.root)).as_posix()
        except ValueError:
            try:
                return Path(path).resolve().relative_to(self.ws.root.resolve()).as_posix()
            except (ValueError, OSError):
                return None

    def source_of(self, path: Path) -> Source:
        """Where `path` comes from: an intake folder, or outside the workspace."""
        return source_in(path, self.intake_folders, self.ws.root)

    origin_of = source_of  # the name callers used before

    def matter_hint(self, origin: Source, explicit: str | None) -> str | None:
        return hint_for(origin, explicit, self.ws.intake)

    # ---- public API ----------------------------------------------------------------------

    def expand(self, paths: Iterable[Path]) -> Iterator[Path]:
        """Files named, and files inside folders named, in a stable order; junk skipped."""
        return expand(paths)

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        matter: str | None = None,
        on_progress: ProgressCallback = no_progress,
        cancel: CancelFlag | None = None,
    ) -> list[IngestResult]:
        """File these files and folders now. A failure in one file never stops the rest."""
        try:
            self.begin()
        except Exception as exc:  # the ledger cannot be written at all (disk full): each
            explained = explain(exc)  # file gets its result, nothing is touched
            if explained is None:
                raise
            return [
                IngestResult(str(path), Outcome.ERROR,
                             reason=IntakeError(explained.what, path=path,
                                                fix=explained.fix).message)
                for path in self.expand(list(paths))
            ]
        try:
            named = list(paths)
            files = list(self.expand(named))
            self.progress = IngestProgress(total=len(files))
            explicit = {str(p) for p in named}
            found: dict[int, IngestResult] = {}
            batch = Batch(self, self.batch_limits)
            ahead: dict[int, IngestResult | tuple[Source, str]] = {}
            try:
                self._ingest_batched(files, explicit, matter, batch, ahead, found,
                                     on_progress, cancel)
            finally:  # claimed ahead but not reached (cancelled): give them back
                left = [c[1] for c in ahead.values() if isinstance(c, tuple)]
                if left:
                    _unless_unwritable(lambda: self.give_back(left))
            results = [found[i] for i in sorted(found)]
            _unless_unwritable(self.flush)  # what is not recorded now, start-up completes
        finally:
            self._stop_threads()  # interrupted: its jobs end first (recovery does the rest)
            self._clearing = []
            self._reals = None
            _unless_unwritable(self.claimant.retire)  # a dead owner's claims expire anyway
        self.progress.converted = self.progress.filed = len(results)
        self.progress.current = ""
        on_progress(len(results), len(files), "done")
        return results

    def _ingest_batched(
        self, files: list[Path], explicit: set[str], matter: str | None, batch: Batch,
        ahead: dict[int, IngestResult | tuple[Source, str]], found: dict[int, IngestResult],
        on_progress: ProgressCallback, cancel: CancelFlag | None,
    ) -> None:
        pool: PreparePool | ThreadAhead | None = None
        workdirs: dict[int, Path] = {}
        started = early.adopt(self, files, matter)  # an `ingest` whose workers started first
        if started is not None:
            pool, workdirs = started
        elif workers := usable(self, len(files)):
            pool = PreparePool(self, workers)
        elif ahead_threads(self, len(files)):
            pool = ThreadAhead(self)
        try:
            self._ingest_loop(files, explicit, matter, batch, ahead, found, on_progress,
                              cancel, pool, workdirs)
        finally:
            batch.abandon()  # interrupted: its copying threads end; recovery does the rest
            if pool is not None:
                pool.close(lambda index: self._drop_workdir(workdirs.pop(index, None)))

    def _drop_workdir(self, workdir: Path | None) -> None:
        if workdir is not None and workdir.exists():
            self.mover.remove_work_folder(workdir, self.ws.work)

    def _ingest_loop(
        self, files: list[Path], explicit: set[str], matter: str | None, batch: Batch,
        ahead: dict[int, IngestResult | tuple[Source, str]], found: dict[int, IngestResult],
        on_progress: ProgressCallback, cancel: CancelFlag | None,
        pool: PreparePool | ThreadAhead | None,
        workdirs: dict[int, Path],
    ) -> None:
        checked_upto = 0  # files before this index are checked (and claimed)
        progress = self.progress

        def settle(done: dict[int, IngestResult]) -> None:
            found.update(done)
            progress.results.extend(done[i] for i in sorted(done))  # shown as they come

        def commit(current: str, *, drain: bool = False) -> None:
            done = batch.commit()  # the batch before it is filed; this one is copying
            if drain:  # and this one filed too
                done.update(batch.drain())
            settle(done)
            if done and current:  # the counts moved on: say so now, not after the next file
                progress.filed = len(found)
                on_progress(len(found), len(files), current)

        for index, path in enumerate(files):
            if cancel is not None and cancel.is_set():
                break
            progress.converted, progress.filed, progress.current = index, len(found), str(path)
            on_progress(len(found), len(files), str(path))
            wanted = min(index + (pool.limit if pool else 0), len(files) - 1)
            while checked_upto <= wanted:
                checked_upto = self._claim_ahead(files, checked_upto, explicit, ahead)
            if pool is not None and not pool.broken:
                self._submit_ahead(pool, index, ahead, workdirs, matter)
            checked = ahead.pop(index)
            if isinstance(pool, PreparePool):
                self._check_early(pool, index, checked, workdirs, matter)
            if isinstance(checked, IngestResult):
                staged: IngestResult | Staged = checked
            elif pool is not None and pool.has(index):
                staged = self._stage_ready(index, checked[0], checked[1], matter, pool,
                                           workdirs.pop(index))
            else:
                staged = self._stage(index, checked[0], checked[1], matter)
            if isinstance(staged, IngestResult):
                settle({index: staged})
                continue
            if staged.prepared.children:  # filed on its own, after every file before it
                commit(str(path), drain=True)
            elif not batch.fits(staged):
                commit(str(path))
                if not batch.fits(staged):  # the same bytes as a file being copied
                    commit(str(path), drain=True)
            if staged.prepared.children:  # filed now: its attachments go under it
                settle({index: self._file_staged(staged)})
                continue
            try:
                batch.add(staged)
            except Exception as exc:
                settle({index: self._abandon(staged, exc)})
                continue
            if batch.full:
                progress.converted = index + 1
                commit(str(path))
        progress.converted, progress.current = len(files), ""
        settle(batch.commit())
        settle(batch.drain())

    def begin(self) -> None:
        """Start-up duties: clean dead work folders, take back dead processes' claims,
        finish or roll back unfinished rows (leaving those a live process holds)."""
        self.claimant.heartbeat(force=True)
        self.claimant.expire_dead()
        self.clean_work_folders()
        discard_dead_temps(self.ws.review)  # a review sidecar cut short by kill -9
        self.recover()

    def ingest_file(
        self, path: Path, *, matter: str | None = None, claimed: bool = False
    ) -> IngestResult:
        """File one file now (the watcher's entry point: it passes `claimed=True` as it
        holds the same claim already)."""
        result = self._ingest_path(path, matter, claimed=claimed)
        self.flush()
        return result

    def flush(self) -> None:
        """Record the intake sources removed since the last transaction (waiting for the
        clearing thread's work first)."""
        self._take_cleared(wait=True)
        if self._removed or self._kept:
            with self.ledger.transaction() as txn:
                self._record_removed(txn)
        if self._released:
            self.give_back(self.released_claims())

    def _record_removed(self, txn: Txn) -> None:
        self._take_cleared(wait=False)
        txn.update_documents([(doc.id, {"source_cleared": True}) for doc in self._removed]
                             + [(doc_id, {"source_cleared": True}) for doc_id in self._kept])
        for doc in self._removed:
            txn.add_event(
                EventKind.SOURCE_REMOVED, document_id=doc.id, matter_id=doc.matter_id,
                path_before=doc.source_path, sha256_before=doc.sha256,
            )
        self._removed, self._kept = [], []

    def clear_later(self, job: Callable[[], Cleared]) -> None:
        """Run a batch's source clearing (`batch._clear_sources`) in the clearing thread,
        jobs one after another, while the filing step goes on; what it did is recorded
        with the next transaction (or by `flush`)."""
        self._clearing.append(self.threads("clear", 1).submit(job))

    def threads(self, name: str, size: int) -> ThreadPoolExecutor:
        """The filer's `size` threads for `name` (a batch's copies, the clearing jobs),
        started when first asked for and kept for the rest of `ingest` (starting eight
        copying threads for every batch cost the filing step 5-7% of its time)."""
        if name not in self._threads:
            self._threads[name] = ThreadPoolExecutor(max_workers=size,
                                                     thread_name_prefix=f"intake-{name}")
        return self._threads[name]

    def _take_cleared(self, *, wait: bool) -> None:
        """Collect what finished clearing jobs did (all of them when `wait`)."""
        while self._clearing and (wait or self._clearing[0].done()):
            cleared = self._clearing.pop(0).result()
            self._removed.extend(cleared.removed)
            self._kept.extend(cleared.kept)
            self._released.extend(cleared.keys)
            if cleared.error is not None:
                log.warning("an intake source could not be removed (the next start-up "
                            "removes it): %s", cleared.error)

    def released_claims(self) -> list[str]:
        """The claims whose sources the clearing thread has removed (taken: the caller
        gives them back)."""
        self._take_cleared(wait=False)
        keys, self._released = self._released, []
        return keys

    def _stop_threads(self) -> None:
        """Let the clearing and copying threads finish and end (no thread outlives
        `ingest`: the preparation pool forks only a process without other threads)."""
        started, self._threads = self._threads, {}
        for pool in started.values():
            pool.shutdown(wait=True)

    def clean_work_folders(self) -> list[Path]:
        """Remove work folders left by processes that died (kill -9) under .intake/work."""
        if self._work_cleaned:
            return []
        self._work_cleaned = True
        removed = []
        try:
            entries = list(os.scandir(self.ws.work))
        except OSError:
            return []
        now = time.time()
        for entry in entries:
            parts = entry.name.split("-")
            pid = int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0
            try:
                age = now - entry.stat(follow_symlinks=False).st_mtime
            except OSError:
                continue
            if (pid and pid != os.getpid() and not pid_alive(pid)) or (
                not pid and age > WORK_FOLDER_GRACE
            ):
                self.mover.remove_work_folder(Path(entry.path), self.ws.work)
                removed.append(Path(entry.path))
        return removed

    def work_folder(self, prefix: str) -> Path:
        """A new work folder name (created by whoever writes into it first)."""
        return self.ws.work / f"{prefix}-{os.getpid()}-{uuid.uuid4().hex[:12]}"

    # ---- one file ------------------------------------------------------------------------

    def _claim_key(self, source: Source) -> str:
        st = os.stat(source.path)
        sig = (st.st_size, st.st_mtime_ns)
        if source.intake is not None:
            return claim_key(self._label(source.intake.path), source.relative, sig)
        parent = Path(absolute(source.path)).parent
        return claim_key(self._label(parent), PurePosixPath(source.path.name), sig)

    def _label(self, folder: Path) -> str:
        """`folder_label`, worked out once per folder (as the watcher does for its own)."""
        if folder not in self._labels:
            self._labels[folder] = folder_label(folder, self.ws.root)
        return self._labels[folder]

    def _plain_file(self, path: Path, *, listed: bool) -> IngestResult | Source:
        """The checks before a claim (junk, a link, gone, not a file): the file's result
        now, or its source. Raises IntakeError for a named file that is missing or not a
        file (the callers turn it into the file's result)."""
        source_text = str(path)
        if is_junk_path(path):
            return IngestResult(source_text, Outcome.IGNORED, reason="system or temporary file")
        source = self.source_of(path)
        if is_link(path, source):
            return IngestResult(
                source_text, Outcome.REVIEW,
                reason=f"{LINK_REASON}: {path.name} points elsewhere, so it was left in "
                "place and nothing was copied; copy the file itself into the intake folder",
            )
        if not path.exists():
            if listed:
                return IngestResult(source_text, Outcome.IGNORED, reason=GONE_REASON)
            raise IntakeError("no such file", path=path, fix="check the path and try again")
        if not path.is_file():
            raise IntakeError("not a regular file", path=path, fix="ingest files or folders")
        return source

    def _check(self, path: Path, *, listed: bool) -> IngestResult | tuple[Source, str]:
        """`_plain_file`, then the claim key: the file's result now, or its source and key."""
        source_text = str(path)
        try:
            source = self._plain_file(path, listed=listed)
            if isinstance(source, IngestResult):
                return source
            try:
                return source, self._claim_key(source)
            except FileNotFoundError:
                return IngestResult(source_text, Outcome.IGNORED, reason=GONE_REASON)
        except Exception as exc:
            return self.failure(path, exc)

    def _claim_ahead(self, files: list[Path], start: int, explicit: set[str],
                     ahead: dict[int, IngestResult | tuple[Source, str]]) -> int:
        """Check the next files and claim them in one transaction (a claim another process
        holds makes that file's result "another process is filing this file"); the index
        after the last file checked."""
        window = range(start, min(start + max(self.batch_limits.files, 1), len(files)))
        for index in window:
            ahead[index] = self._check(files[index], listed=str(files[index]) not in explicit)
        wanted = [(checked[1], str(checked[0].path)) for index in window
                  if isinstance(checked := ahead[index], tuple)]
        if not wanted:
            return window.stop
        self.claimant.heartbeat()
        taken = self.ledger.watch_claims.claim_many(wanted, self.claimant.owner)
        for index in window:
            checked = ahead[index]
            if isinstance(checked, tuple) and checked[1] not in taken:
                ahead[index] = IngestResult(str(files[index]), Outcome.IGNORED,
                                            reason="another process is filing this file")
        return window.stop

    def _submit_ahead(self, pool: PreparePool | ThreadAhead, index: int,
                      ahead: dict[int, IngestResult | tuple[Source, str]],
                      workdirs: dict[int, Path], matter: str | None) -> None:
        """Keep the pool busy with the next claimed files (at most `pool.limit` at once)."""
        for upcoming in range(index, index + pool.limit):
            if pool.busy() >= pool.limit:
                return
            checked = ahead.get(upcoming)
            if isinstance(checked, tuple) and not pool.has(upcoming):
                workdirs[upcoming] = self.work_folder("prep")
                pool.submit(upcoming, checked[0], self.matter_hint(checked[0], matter),
                            workdirs[upcoming])

    def _check_early(self, pool: PreparePool, index: int,
                     checked: IngestResult | tuple[Source, str], workdirs: dict[int, Path],
                     matter: str | None) -> None:
        """A file submitted before this filer took the pool over (core/filing/early.py) is
        prepared for filing only as this filer would have submitted it after its checks
        and claim (the same source and matter hint); otherwise its preparation and work
        folder are dropped, and the file is staged as any other."""
        submitted = pool.unchecked(index)
        if submitted is None or (isinstance(checked, tuple) and submitted == (
                checked[0], self.matter_hint(checked[0], matter))):
            return
        with contextlib.suppress(Exception):  # what it came to does not matter
            pool.take(index)
        self._drop_workdir(workdirs.pop(index, None))

    def _stage_ready(self, index: int, source: Source, key: str, matter: str | None,
                     pool: PreparePool | ThreadAhead, workdir: Path) -> IngestResult | Staged:
        """`_stage` for a file a worker prepared."""
        path = source.path
        held: str | None = key
        try:
            try:
                size, sha, prepared, refused, decided = pool.take(index)
            except BrokenExecutor:  # a worker was killed: this one and the rest in-process
                pool.broken = True
                self._drop_workdir(workdir)
                held = None
                return self._stage(index, source, key, matter)
            candidate = self.candidate(source, prepared, sha, size,
                                       hint := self.matter_hint(source, matter))
            if decided is None or not self._accepts(decided):
                decided = decide(self.router, candidate, refused)
            decision = self._wall_review(decided)
            held = None
            return Staged(index, source, hint, key, size, sha, workdir, prepared, candidate,
                          decision)
        except FileNotFoundError:
            self._drop_workdir(workdir)
            return IngestResult(str(path), Outcome.IGNORED, reason=GONE_REASON)
        except Exception as exc:
            self._drop_workdir(workdir)
            return self.failure(path, exc)
        finally:
            if held is not None:
                _unless_unwritable(lambda: self.give_back([key]))

    def _stage(self, index: int, source: Source, key: str,
               matter: str | None) -> IngestResult | Staged:
        """Hash, prepare and route one claimed file for a batch (nothing written), or its
        result now (gone, an error); the claim goes with the batch or is given back."""
        path = source.path
        held: str | None = key
        try:
            if not path.is_file():
                return IngestResult(str(path), Outcome.IGNORED, reason=GONE_REASON)
            staged = self._prepare_staged(index, source, self.matter_hint(source, matter), key)
            held = None  # the batch holds it now
            return staged
        except Exception as exc:
            return self.failure(path, exc)
        finally:
            if held is not None:
                _unless_unwritable(lambda: self.give_back([key]))

    def _prepare_staged(self, index: int, source: Source, hint: str | None,
                        key: str | None) -> Staged:
        path = source.path
        size = path.stat().st_size
        sha = sha256_file(path)
        workdir = self.work_folder("prep")
        try:
            prepared, refused = self.prepare(path, sha, workdir)
            candidate = self.candidate(source, prepared, sha, size, hint)
            decision = self._wall_review(decide(self.router, candidate, refused))
        except BaseException:
            if workdir.exists():
                self.mover.remove_work_folder(workdir, self.ws.work)
            raise
        return Staged(index, source, hint, key, size, sha, workdir, prepared, candidate,
                      decision)

    def _accepts(self, decision: Decision) -> bool:
        """Whether the router takes a decision a preparation worker made with its
        snapshot (`WorkspaceRulesRouter.accept`)."""
        accept = getattr(self.router, "accept", None)
        return bool(accept(decision)) if callable(accept) else False

    def _wall_review(self, decision: Decision) -> Decision:
        """`wall_review` with the acting person's walls read once per batch (`next_batch`
        after each: a wall added meanwhile applies from the next batch, a second at most)."""
        if self._screened is None:
            self._screened = screened(self.ledger)
        return wall_review(self.ledger, decision, screened_from=self._screened)

    def next_batch(self) -> None:
        """What was read once for a batch (the walls, the folders' real paths) is read
        again for the next."""
        self._screened = None
        self._reals = {}

    def _file_staged(self, staged: Staged) -> IngestResult:
        """File a staged file on its own (one with attachments filed under it)."""
        try:
            result = self._file(staged.source, staged.candidate, staged.prepared,
                                staged.decision)
            if (result.status is Outcome.FILED and staged.prepared.children
                    and result.document_id):
                result.children = self._file_children(result, staged.prepared, 0)
            return result
        except Exception as exc:
            return self.failure(staged.source.path, exc)
        finally:
            self._abandon(staged, None)

    def _abandon(self, staged: Staged, exc: Exception | None) -> IngestResult:
        """Remove a staged file's work folder and give back its claim; its error result."""
        if staged.workdir.exists():
            self.mover.remove_work_folder(staged.workdir, self.ws.work)
        if staged.key:
            _unless_unwritable(lambda: self.give_back([staged.key or ""]))
        if exc is None:
            return IngestResult(str(staged.source.path), Outcome.IGNORED)
        return self.failure(staged.source.path, exc)

    def give_back(self, keys: list[str]) -> None:
        """Release claims this process holds (a filed batch)."""
        self.ledger.watch_claims.release_many(keys, self.claimant.owner)

    def failure(self, path: Path, exc: Exception) -> IngestResult:
        """The result of a file whose filing raised `exc` (re-raised under INTAKE_DEBUG
        when it is neither an OS nor a database error)."""
        source_text = str(path)
        if isinstance(exc, IntakeError):
            return IngestResult(source_text, Outcome.ERROR, reason=exc.message)
        if isinstance(exc, OSError):
            return IngestResult(
                source_text,
                Outcome.ERROR,
                reason=f"{path}: cannot read the file ({exc.strerror or exc}). Check that it "
                "is not open in another program and that you have permission, then retry.",
            )
        explained = explain(exc, path)
        reason = explained.message if explained else format_message(
            f"could not be filed ({type(exc).__name__}: {str(exc)[:200]})", path,
            "the file was left where it was; run the command again with INTAKE_DEBUG=1 and "
            "report what it prints")
        if explained is None and os.environ.get("INTAKE_DEBUG"):
            raise exc
        return IngestResult(source_text, Outcome.ERROR, reason=reason)

    def _ingest_path(
        self, path: Path, matter: str | None, *, claimed: bool, listed: bool = False
    ) -> IngestResult:
        """File one path. `listed`: found in a folder (a file that has gone since was
        taken by another process, or moved: not an error)."""
        source_text = str(path)
        try:
            source = self._plain_file(path, listed=listed)
            if isinstance(source, IngestResult):
                return source
            hint = self.matter_hint(source, matter)
            if claimed:
                return self._ingest(source, hint)
            try:
                key = self._claim_key(source)
            except FileNotFoundError:
                return IngestResult(source_text, Outcome.IGNORED, reason=GONE_REASON)
            with self.claimant.hold(key, source_text) as held:
                if not held:
                    return IngestResult(source_text, Outcome.IGNORED,
                                        reason="another process is filing this file")
                if not path.is_file():
                    return IngestResult(source_text, Outcome.IGNORED, reason=GONE_REASON)
                return self._ingest(source, hint)
        except IntakeError as exc:
            return IngestResult(source_text, Outcome.ERROR, reason=exc.message)
        except OSError as exc:
            return IngestResult(
                source_text,
                Outcome.ERROR,
                reason=f"{path}: cannot read the file ({exc.strerror or exc}). Check that it is "
                "not open in another program and that you have permission, then retry.",
            )
        except Exception as exc:  # a database error (disk full, read-only) or a bug: one
            explained = explain(exc, path)  # result for this file, the batch goes on
            reason = explained.message if explained else format_message(
                f"could not be filed ({type(exc).__name__}: {str(exc)[:200]})", path,
                "the file was left where it was; run the command again with INTAKE_DEBUG=1 and "
                "report what it prints")
            if explained is None and os.environ.get("INTAKE_DEBUG"):
                raise
            return IngestResult(source_text, Outcome.ERROR, reason=reason)

    def prepare(self, path: Path, sha: str, workdir: Path) -> tuple[Prepared, str | None]:
        """Run the preparer (`prepare_file`: a file it cannot prepare goes to Review/
        unchanged with the reason). Returns (prepared, review reason or None)."""
        return prepare_file(self.preparer, self.prepared_ahead, path, sha, workdir)

    candidate = staticmethod(make_candidate)

    def plan(
        self, candidate: Candidate, decision: Decision, prepared: Prepared, source: Source,
        namer: Namer | None = None,
        *,
        known: Mapping[str, list[DocumentRecord]] | None = None,
    ) -> FilingPlan:
        """The plan step (no writes): see plan.py. `known`: the documents with these bytes,
        read ahead for a batch (`DocumentStore.with_bytes`), in place of a query each."""
        if namer is None:
            namer = ReservingNamer({str(self.abs(p)) for p in self.ledger.docs.reserved_paths()})
        find_filed: FindFiled = self.ledger.docs.find_filed
        find_in_review: FindInReview = self.ledger.docs.find_waiting_in_review
        if known is not None and candidate.sha256 in known:
            same = known[candidate.sha256]

            def find_filed(matter: str, _sha: str) -> DocumentRecord | None:
                return next((d for d in same if d.matter_id == matter
                             and d.status == DocStatus.FILED), None)

            def find_in_review(_sha: str) -> DocumentRecord | None:
                return next((d for d in same if d.status == DocStatus.REVIEW), None)

        return plan_filing(
            self.ws, candidate, decision, prepared, source,
            find_filed=find_filed, find_in_review=find_in_review, namer=namer,
        )

    def _ingest(
        self,
        source: Source,
        matter_hint: str | None,
        *,
        child_index: int = 0,
        depth: int = 0,
    ) -> IngestResult:
        path = source.path
        size = path.stat().st_size
        sha = sha256_file(path)
        # The preparer creates the work folder only when it writes something.
        workdir = self.work_folder("prep")
        try:
            prepared, refused = self.prepare(path, sha, workdir)
            parent = source.parent
            candidate = self.candidate(
                source, prepared, sha, size, matter_hint,
                parent_name=Path(parent.filed_path).name if parent and parent.filed_path
                else None,
                child_index=child_index,
            )
            decision = wall_review(self.ledger, decide(self.router, candidate, refused))
            result = self._file(source, candidate, prepared, decision)
            if result.status is Outcome.FILED and prepared.children and result.document_id:
                result.children = self._file_children(result, prepared, depth)
            return result
        finally:
            if workdir.exists():
                self.mover.remove_work_folder(workdir, self.ws.work)

    def _file_children(
        self, parent_result: IngestResult, prepared: Prepared, depth: int
    ) -> list[IngestResult]:
        assert parent_result.document_id is not None
        parent = self.ledger.docs.document(parent_result.document_id)
        assert parent is not None
        results = []
        for index, child in enumerate(prepared.children, start=1):
            if depth + 1 > MAX_CHILD_DEPTH:
                results.append(
                    IngestResult(str(child.name), Outcome.ERROR, reason="nested too deeply")
                )
                continue
            source = Source(SourceKind.MEMBER, child, PurePosixPath(child.name),
                            parent=parent, member=child.name)
            try:
                results.append(
                    self._ingest(source, parent.matter_id, child_index=index, depth=depth + 1)
                )
            except (IntakeError, OSError) as exc:
                results.append(IngestResult(child.name, Outcome.ERROR, reason=str(exc)))
        return results

    def _file(
        self, source: Source, candidate: Candidate, prepared: Prepared, decision: Decision,
    ) -> IngestResult:
        for attempt in range(3):
            plan = self.plan(candidate, decision, prepared, source)
            try:
                doc = self.execute(plan, source, candidate, prepared)
            except _NameTaken:
                if attempt == 2:
                    raise FilingError(
                        "three names in a row were taken by another workstation",
                        path=source.path, fix="ingest again",
                    ) from None
                continue
            result = self._result(doc, plan.duplicate_of)
            if source.kind is SourceKind.MEMBER:
                result.source = source.member
            result.flags = list(prepared.flags)
            result.notes = _notes(prepared)
            return result
        raise AssertionError("unreachable")

    # ---- the execute step ----------------------------------------------------------------

    def source_record(self, source: Source) -> tuple[str, dict[str, Any]]:
        """How the ledger names a source: the path recorded and the custody details
        (absolute path, workspace-relative path; for a member its parent and name)."""
        if source.kind is SourceKind.MEMBER and source.parent is not None:
            parent = source.parent
            recorded = f"{parent.source_path}!/{source.member}"
            return recorded, {
                "source": recorded, "source_relative": None, "parent_id": parent.id,
                "member": source.member, "parent_sha256": parent.sha256,
            }
        recorded = absolute(source.path)
        return recorded, {
            "source": recorded, "source_relative": self.workspace_relative(recorded),
        }

    def execute(
        self,
        plan: FilingPlan,
        source: Source,
        candidate: Candidate,
        prepared: Prepared | None = None,
        *,
        action: dict[str, Any] | None = None,
    ) -> DocumentRecord:
        """Carry out a plan: pending row, the mover, the row done, the source removed.

        `action` (a review action: its name and who) is recorded with the events; for a
        REVIEW source the existing document row is reused.
        """
        decision = plan.decision
        filed = plan.filed
        with self.ledger.transaction(decision.rules_version) as txn:
            self._record_removed(txn)
            doc_id = self.record_intent(txn, plan, source, candidate, prepared, action=action)
        self._fault("intent_recorded")
        try:
            copied = self.copy_targets(plan, doc_id)
        except FilingError as exc:
            self._roll_back(doc_id, exc.message, decision.rules_version)
            if isinstance(exc.__cause__, FileExistsError):
                raise _NameTaken() from exc
            raise
        done = self._finish(doc_id, plan, prepared, source.removable, decision.rules_version)
        if done.filed_path:  # full-text search (issue 14); never stops a filing
            known = prepared.text if prepared and (
                prepared.filed_from == source.path or done.status == DocStatus.FILED) else None
            index_document(self.ledger, done.id, self.ws.root / done.filed_path,
                           prepared.facts if prepared else {}, known)
        link_translations(self.ledger, done, self.ws.root)  # issue 23: translation <-> original
        if plan.status == DocStatus.REVIEW and filed is not None:
            write_sidecar(self.mover, filed.dest, plan.reason or "needs a person's decision",
                          self.ws, source=done.source_path, sha256=done.sha256,
                          document_id=done.id)
        self._clear_source(done, source.removable, copied)
        now = self.ledger.docs.document(doc_id)
        assert now is not None
        return now

    def record_intent(
        self,
        txn: Txn,
        plan: FilingPlan,
        source: Source,
        candidate: Candidate,
        prepared: Prepared | None = None,
        *,
        action: dict[str, Any] | None = None,
    ) -> int:
        """The pending row of a plan (and its `received` event), in the caller's
        transaction; the document's id. For a REVIEW source the existing row is reused."""
        decision = plan.decision
        matter = decision.matter
        original, filed = plan.original, plan.filed
        fields: dict[str, Any] = {
            "status": DocStatus.PENDING,
            "target_status": plan.status,
            "original_path": self.rel(original.dest) if original else None,
            "filed_path": self.rel(filed.dest) if filed else None,
            "filed_sha256": filed.sha256 if filed else None,
            "matter_id": matter,
            "category": decision.category,
            "document_date": decision.document_date,
            "rule": decision.rule,
            "reason": plan.reason if plan.status != DocStatus.FILED else None,
            "detected_type": plan.detected_type,
            "source_cleared": False,
        }
        if matter:
            txn.ensure_matter(matter)
        doc = source.document
        if doc is not None:
            pending = {
                "kind": str(source.kind), "source": self.rel(source.path),
                "sha256": candidate.sha256, **(action or {}),
                "restore": _restorable(doc),
            }
            txn.update_document(doc.id, pending_action=json.dumps(pending), **fields)
            return doc.id
        recorded, custody = self.source_record(source)
        parent = source.parent
        doc_id = txn.insert_document(
            sha256=candidate.sha256, size=candidate.size, source_path=recorded,
            family_id=parent.family_id if parent else None,
            parent_id=parent.id if parent else None, **fields,
        )
        if parent is None and prepared is not None and prepared.children:
            txn.update_document(doc_id, family_id=f"F{doc_id:06d}")
        txn.add_event(
            EventKind.RECEIVED, document_id=doc_id, matter_id=matter,
            path_before=recorded, sha256_before=candidate.sha256,
            detail={"size": candidate.size, "detected_type": plan.detected_type,
                    "parent": parent.id if parent else None, **custody},
        )
        return doc_id

    def copy_targets(self, plan: FilingPlan, doc_id: int, *, sync_dirs: bool = True) -> Copied:
        """Write a plan's copies: the targets that share a source in one read of it.
        On failure the copies already written are removed and the FilingError raised.
        `sync_dirs=False`: the folders to fsync are returned instead (a batch syncs each
        folder once)."""
        copied = self.write_targets(plan, doc_id)
        failed = next((e for e in self.mover.sync_written(copied.unsynced) if e), None)
        if failed is not None:
            self.drop_targets(copied)
            raise sync_error(failed, plan.targets[0].dest)
        self.link_targets(copied)
        if sync_dirs:
            self.mover.sync_folders(copied.folders)
            copied.folders = set()
        return copied

    def write_targets(self, plan: FilingPlan, doc_id: int) -> Copied:
        """The first step of `copy_targets`: each source read once into temporary copies
        beside its targets, checked, not yet synced (`Copied.unsynced`) or named."""
        copied = Copied(started=time.time())
        try:
            for src, sha in dict.fromkeys((t.src, t.sha256) for t in plan.targets):
                dests = [(t.dest, t.read_only) for t in plan.targets
                         if (t.src, t.sha256) == (src, sha)]
                written = self.mover.write_copies(src, dests, sha, tag=f"d{doc_id}")
                copied.unsynced.append(written)
                if src == plan.targets[0].src:
                    copied.source_stat = written.source_stat
        except FilingError:
            self.drop_targets(copied)
            raise
        return copied

    def link_targets(self, copied: Copied) -> None:
        """The last step of `copy_targets`, once the copies are synced: name them (never
        replacing a file); on failure nothing of them is left and the FilingError raised."""
        try:
            while copied.unsynced:
                written = copied.unsynced[0]
                copied.folders |= self.mover.link_written(written)
                copied.written += [dest for dest, _, _ in written.pairs]
                copied.unsynced.pop(0)
        except FilingError:
            self.drop_targets(copied)
            raise

    def drop_targets(self, copied: Copied) -> None:
        """Remove what `write_targets`/`link_targets` wrote for a filing given up."""
        for written in copied.unsynced:
            self.mover.discard_written(written)
        copied.unsynced = []
        for dest in copied.written:
            self.mover.discard(dest)

    def _roll_back(self, doc_id: int, reason: str, rules_version: str | None) -> None:
        doc = self.ledger.docs.document(doc_id)
        assert doc is not None
        action = _action(doc)
        with self.ledger.transaction(rules_version) as txn:
            if action is not None:
                txn.update_document(doc_id, pending_action=None, **action["restore"])
            else:
                txn.update_document(
                    doc_id, status=DocStatus.ROLLED_BACK, reason=reason, source_cleared=True
                )
            txn.add_event(
                EventKind.ROLLED_BACK, document_id=doc_id, matter_id=doc.matter_id,
                path_before=doc.source_path if action is None else action["source"],
                sha256_before=doc.sha256, detail={"reason": reason},
            )

    def _finish(
        self,
        doc_id: int,
        plan: FilingPlan,
        prepared: Prepared | None,
        removable: bool,
        rules_version: str | None,
    ) -> DocumentRecord:
        """Mark the row done and record what was written, in one transaction."""
        doc = self.ledger.docs.document(doc_id)
        assert doc is not None
        with self.ledger.transaction(rules_version) as txn:
            fields: dict[str, Any] = {"status": plan.status}
            if not removable:
                fields["source_cleared"] = True
            txn.update_document(doc_id, **fields)
            self._record_outcome(txn, doc, plan.status, prepared, plan.duplicate_of, plan.reason,
                                 flags=plan.flags, date_source=plan.decision.date_source)
            if plan.status == DocStatus.FILED and plan.decision.approval:
                request_approval(txn, doc, plan.decision)  # provisional: a lawyer decides
        self._fault("marked_done")
        done = self.ledger.docs.document(doc_id)
        assert done is not None
        return done

    def _record_outcome(
        self,
        txn: Txn,
        doc: DocumentRecord,
        status: str,
        prepared: Prepared | None,
        first: DocumentRecord | None,
        reason: str | None,
        *,
        flags: tuple[str, ...] = (),
        date_source: str | None = None,
    ) -> None:
        common: dict[str, Any] = {"document_id": doc.id, "matter_id": doc.matter_id}
        # Where the document date in the name came from (core/rules/facts.choose_date).
        dated = {"document_date": doc.document_date, "date_source": date_source} if (
            date_source) else {}
        action = _action(doc)
        came_from = action["source"] if action else doc.source_path
        who: dict[str, Any] = {}
        if action:
            who = {"action": action.get("action"), "user": action.get("user"),
                   "role": action.get("role")}
        if status == DocStatus.FILED:
            txn.add_event(
                EventKind.ORIGINAL_PRESERVED, **common, path_before=came_from,
                path_after=doc.original_path, sha256_before=doc.sha256,
                sha256_after=doc.sha256, detail={"read_only": True, **who},
            )
            for conversion in prepared.conversions if prepared else ():
                # A step may name its event kind (OCR) and the hashes it went between.
                kind = EventKind.OCR if conversion.get("step") == "ocr" else EventKind.CONVERTED
                txn.add_event(
                    kind, **common, path_before=doc.original_path,
                    path_after=doc.filed_path,
                    sha256_before=conversion.get("sha256_before", doc.sha256),
                    sha256_after=conversion.get("sha256_after", doc.filed_sha256),
                    detail=conversion,
                )
            notes = _notes(prepared) if prepared else []
            txn.add_event(
                EventKind.FILED, **common, path_before=came_from,
                path_after=doc.filed_path, sha256_before=doc.sha256,
                sha256_after=doc.filed_sha256,
                detail={"rule": doc.rule, "category": doc.category, "flags": list(flags),
                        **dated, **({"notes": notes} if notes else {}), **who},
            )
        elif status == DocStatus.REVIEW:
            txn.add_event(
                EventKind.ROUTED_TO_REVIEW, **common, path_before=came_from,
                path_after=doc.filed_path, sha256_before=doc.sha256, sha256_after=doc.sha256,
                detail={"reason": reason or doc.reason,
                        **({"flags": list(flags)} if flags else {}), **who},
            )
        elif status == DocStatus.DUPLICATE:
            txn.add_event(
                EventKind.DUPLICATE, **common, path_before=came_from,
                path_after=doc.filed_path, sha256_before=doc.sha256, sha256_after=doc.sha256,
                detail={"duplicate_of": first.id if first else None, **who},
            )
        if action and action.get("kind") == SourceKind.REVIEW:
            restore = action.get("restore", {})
            txn.add_event(
                EventKind.REVIEW_RESOLVED, **common, path_before=came_from,
                path_after=doc.filed_path, sha256_before=doc.sha256,
                sha256_after=doc.filed_sha256 or doc.sha256,
                detail={**who, "outcome": str(status),
                        "previous_reason": restore.get("reason"),
                        "review_copy_removed": came_from},
            )

    def _clear_source(self, doc: DocumentRecord, removable: bool,
                      copied: Copied | None = None) -> None:
        """Remove the source (only after its row is done) and record it. `copied`: what
        the copy step saw of the source, so an untouched source is not read again."""
        action = _action(doc)
        if action is not None:
            # A review action: the copy in Review/ is this app's own; remove it now.
            copy = self.abs(action["source"])
            self.mover.discard(sidecar_path(copy))  # the app's own note: first
            if copy.is_file() and sha256_file(copy) == doc.sha256:
                self.mover.discard(copy)
                self._fault("review_copy_removed")
            with self.ledger.transaction() as txn:
                txn.update_document(doc.id, pending_action=None, source_cleared=True)
            return
        if doc.source_cleared or not removable:
            return
        src = Path(doc.source_path)
        if src.exists():
            if not _unchanged_since(src, copied) and sha256_file(src) != doc.sha256:
                # Someone wrote a new file under the same name: it is new evidence, keep it.
                with self.ledger.transaction() as txn:
                    txn.update_document(doc.id, source_cleared=True)
                return
            self.mover.remove_source(src)
        # Recorded with the next transaction (or by flush()); recovery covers a crash between.
        self._removed.append(doc)

    def _result(self, doc: DocumentRecord, first: DocumentRecord | None) -> IngestResult:
        if doc.status == DocStatus.DUPLICATE and first is not None:
            return IngestResult(
                doc.source_path, Outcome.DUPLICATE,
                path=str(self.abs(first.filed_path)) if first.filed_path else None,
                original=str(self.abs(first.original_path)) if first.original_path else None,
                sha256=doc.sha256, matter=doc.matter_id, document_id=doc.id,
                reason=f"{doc.reason}"
                + (f"; set aside in {doc.filed_path}" if doc.filed_path else ""),
            )
        status = Outcome.REVIEW if doc.status == DocStatus.REVIEW else Outcome.FILED
        return IngestResult(
            doc.source_path, status,
            path=str(self.abs(doc.filed_path)) if doc.filed_path else None,
            original=str(self.abs(doc.original_path)) if doc.original_path else None,
            sha256=doc.sha256, matter=doc.matter_id, reason=doc.reason,
            document_id=doc.id, category=doc.category, rule=doc.rule or "",
            family_id=doc.family_id,
        )

    # ---- recovery ------------------------------------------------------------------------

    def recover(self) -> list[str]:
        """Finish or roll back every unfinished row (run at start-up). Rows whose source a
        live process holds under a claim are its own business and left alone."""
        actions = []
        # Rows first, claims after: a live process claims its source before it writes its
        # row, so any row read here that a live process works on shows in `busy`.
        unfinished = self.ledger.docs.unfinished()
        busy = self.claimant.held_elsewhere()
        for doc in unfinished:
            if doc.source_path in busy or _claim_source(doc) in busy:
                continue
            act = _action(doc)
            if act is not None and act.get("kind") == SourceKind.UNDO:
                from intake_desktop.core.filing.undo import recover_undo

                actions.append(recover_undo(self, doc))
            elif doc.status == DocStatus.PENDING:
                actions.append(self._recover_pending(doc))
            elif doc.status != DocStatus.ROLLED_BACK:
                self._clear_source(doc, self._removable(doc))
                actions.append(f"document {doc.id}: source cleared")
            finished = self.ledger.docs.document(doc.id)  # a link the interruption missed
            if finished is not None and link_translations(self.ledger, finished, self.ws.root):
                actions.append(f"document {doc.id}: translation linked")
        self.flush()
        return actions

    def _removable(self, doc: DocumentRecord) -> bool:
        src = Path(doc.source_path)
        return any(is_within(src, f.path) for f in self.intake_folders)

    def _recover_pending(self, doc: DocumentRecord) -> str:
        targets: list[tuple[Path, str]] = []
        if doc.original_path:
            targets.append((self.abs(doc.original_path), doc.sha256))
        if doc.filed_path:
            targets.append((self.abs(doc.filed_path), doc.filed_sha256 or doc.sha256))
        for dest, _ in targets:
            self.mover.discard(tmp_path_for(dest, f"d{doc.id}"))
        complete = all(d.is_file() and sha256_file(d) == s for d, s in targets)
        action = _action(doc)
        removable = action is not None or self._removable(doc)
        # The filed document with these bytes: for a duplicate, the one it duplicates; for a
        # filing, proof that another process (a watcher on another workstation) filed the
        # same source while this row was unfinished, so completing it would file it twice.
        first = self.ledger.docs.find_filed(doc.matter_id, doc.sha256) if doc.matter_id else None
        filed_elsewhere = first if doc.target_status == DocStatus.FILED else None
        if filed_elsewhere is not None and filed_elsewhere.id == doc.id:
            filed_elsewhere = None
        if complete and filed_elsewhere is None:
            with self.ledger.transaction() as txn:
                fields: dict[str, Any] = {"status": doc.target_status}
                if not removable:
                    fields["source_cleared"] = True
                txn.update_document(doc.id, **fields)
                txn.add_event(
                    EventKind.RECOVERED, document_id=doc.id, matter_id=doc.matter_id,
                    detail={"action": "completed", "after": "interrupted filing"},
                )
                self._record_outcome(txn, doc, doc.target_status, None, first, doc.reason)
            done = self.ledger.docs.document(doc.id)
            assert done is not None
            self._clear_source(done, removable)
            return f"document {doc.id}: completed"
        # Roll back: remove only our own verified copies, and only while the source remains
        # (an archive member's bytes remain in its filed parent).
        src = self.abs(action["source"]) if action else Path(doc.source_path)
        source_intact = src.is_file() and sha256_file(src) == doc.sha256
        removed = []
        if source_intact or filed_elsewhere is not None or doc.parent_id is not None:
            for dest, sha in targets:
                if dest.is_file() and sha256_file(dest) == sha:
                    self.mover.discard(dest)
                    removed.append(self.rel(dest))
        with self.ledger.transaction() as txn:
            if action is not None:
                txn.update_document(doc.id, pending_action=None, **action["restore"])
            else:
                txn.update_document(doc.id, status=DocStatus.ROLLED_BACK, source_cleared=True,
                                    reason="interrupted before filing finished")
            txn.add_event(
                EventKind.RECOVERED, document_id=doc.id, matter_id=doc.matter_id,
                path_before=action["source"] if action else doc.source_path,
                sha256_before=doc.sha256,
                detail={"action": "rolled_back", "removed_partial_copies": removed,
                        "source_intact": source_intact,
                        # a review action rolled back: the document is as it was before it
                        "restored_previous_state": action is not None,
                        "filed_elsewhere_as": filed_elsewhere.id if filed_elsewhere else None},
            )
        return f"document {doc.id}: rolled back"


def _action(doc: DocumentRecord) -> dict[str, Any] | None:
    if not doc.pending_action:
        return None
    value = json.loads(doc.pending_action)
    return value if isinstance(value, dict) else None


def _claim_source(doc: DocumentRecord) -> str:
    return f"document {doc.id}"


_RESTORED = ("status", "target_status", "original_path", "filed_path", "filed_sha256",
             "matter_id", "category", "document_date", "rule", "reason", "detected_type",
             "source_cleared")


def _restorable(doc: DocumentRecord) -> dict[str, Any]:
    """The fields a review action or an undo puts back when it is rolled back."""
    return {name: getattr(doc, name) for name in _RESTORED}


def _notes(prepared: Prepared) -> list[str]:
    """What a person should know about a filed document (e.g. how to install a converter)."""
    notes = prepared.facts.get("notes") or []
    return [str(n) for n in notes] if isinstance(notes, list | tuple) else [str(notes)]


@dataclass
class Copied:
    """What `copy_targets` wrote: the copies, the folders still to fsync (batch), and the
    source's status as it was read (to tell later, without reading it again, that it is
    still the same file)."""

    written: list[Path] = field(default_factory=list)
    folders: set[Path] = field(default_factory=set)
    unsynced: list[Written] = field(default_factory=list)  # written, not yet synced/named
    source_stat: os.stat_result | None = None
    started: float = 0.0  # time.time() before the source was opened


# A source last changed at least this long before it was copied, and whose status is the
# same now, is the file that was copied: a write since would have moved its change time
# past the one seen (timestamps are coarse, 2 s on FAT, hence the margin).
QUIET_SECONDS = 3.0
# The same on a local filesystem whose times this kernel sets with nanoseconds
# (platform.kernel_clock_times: a tick is at most 10 ms), for a change time with them (an
# ext4 made with small inodes keeps whole seconds): a file dropped in Intake/ and filed
# at once is not read a third time before its removal.
KERNEL_QUIET_SECONDS = 0.1


def _unchanged_since(src: Path, copied: Copied | None) -> bool:
    """True when `src` is provably the file the copy step read, without reading it."""
    seen = copied.source_stat if copied is not None else None
    if copied is None or seen is None:
        return False
    try:
        now = os.stat(src)
    except OSError:
        return False
    last_change = max(seen.st_mtime_ns, seen.st_ctime_ns) / 1e9
    quiet = QUIET_SECONDS
    if seen.st_ctime_ns % 1_000_000_000 and platform.kernel_clock_times(src, seen.st_dev):
        quiet = KERNEL_QUIET_SECONDS
    if last_change + quiet > copied.started:
        return False  # written just before it was copied: read it again to be sure
    same = ("st_ino", "st_dev", "st_size", "st_mtime_ns", "st_ctime_ns")
    return all(getattr(now, k) == getattr(seen, k) for k in same)


class _NameTaken(Exception):
    """Another process took the planned name between planning and renaming."""


def _unless_unwritable(step: Callable[[], object]) -> None:
    """Run a closing step whose failure must not hide the per-file results: an OS or
    database error (disk full, read-only) is left for the next start-up to put right."""
    try:
        step()
    except Exception as exc:
        if explain(exc) is None:
            raise
