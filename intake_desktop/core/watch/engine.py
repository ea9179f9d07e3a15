"""The watcher: intake folders in, each complete file filed exactly once, status out.

Threads: one watchdog observer per folder turns events into hints on a queue; one scheduler
thread owns every tracked file (drains hints, runs the reconciliation scans, checks
stability, watches observer health, keeps the claims heartbeat) and hands complete files to
a bounded pool of filing workers. A worker claims the file in the ledger before any work,
files it through the Filer and reports the result. Nothing here touches Qt: callers get
`on_event(IngestResult | WatchStatus)` calls, from the watcher's threads.

Several desks on one folder: each file is first meant for one live desk (the highest of a
hash of desk and file name over the desks with a heartbeat row, so every desk makes the same
choice without asking); the others leave it for `handoff_after` and then take it only with
a filing worker free. The claim alone keeps a file from being filed twice; the share only
spares ten desks from all checking, hashing and claiming every file.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import itertools
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from intake_desktop.core.errors import UsageError
from intake_desktop.core.filing import FILER_OWNER_PREFIX, Filer, IngestResult, Outcome
from intake_desktop.core.junk import is_junk_path
from intake_desktop.core.watch.claims import ClaimBook, claim_key, folder_label, new_owner_id
from intake_desktop.core.watch.observers import (
    FolderWatch,
    Hint,
    OverflowSpy,
    observer_problem,
    plan_folder,
    start_observer,
    stop_observer,
)
from intake_desktop.core.watch.scan import scan_files
from intake_desktop.core.watch.settings import WatchSettings
from intake_desktop.core.watch.stability import (
    Signature,
    Stability,
    Track,
    Verdict,
    enable_lease_checks,
    signature,
)
from intake_desktop.core.watch.status import WatchEvent, WatchStatus
from intake_desktop.core.workspace import IntakeFolder, Workspace

WatchReport = IngestResult | WatchStatus
EventCallback = Callable[[WatchReport], None]
FilerSource = Filer | Callable[[], Filer]


def _ignore(report: WatchReport) -> None:
    """The default callback: reports go nowhere."""


@dataclass(frozen=True)
class _Failure:
    """A file that failed to file: its version, when to try again, its claim, how often."""

    sig: Signature
    retry_at: float
    key: str | None
    count: int


@dataclass(frozen=True)
class _Job:
    path: Path
    folder: int
    sig: Signature


class Watcher:
    """Watches intake folders and files what arrives. `start()`/`stop()` for a long run,
    `run_once()` to file what is complete now and return."""

    def __init__(
        self,
        workspace: Workspace,
        filer: FilerSource,
        folders: Sequence[IntakeFolder] | None = None,
        settings: WatchSettings | None = None,
        *,
        on_event: EventCallback = _ignore,
        owner: str | None = None,
    ) -> None:
        self.workspace = workspace
        self.settings = settings or WatchSettings()
        self.on_event = on_event
        self._make_filer: Callable[[], Filer]
        if isinstance(filer, Filer):
            shared = filer
            self._make_filer = lambda: shared
        else:
            self._make_filer = filer
        self._local = threading.local()
        first = self._filer()
        if folders is None:
            folders = first.intake_folders
        known = {f.path.resolve() for f in first.intake_folders}
        for folder in folders:
            if folder.path.resolve() not in known:
                raise UsageError(
                    f"{folder.path} is watched but is not an intake folder of the filer",
                    fix="add it to [intake] folders in config.toml so that filed sources "
                    "are removed from it and its matter applies",
                )
        self.folders = [plan_folder(i, f, self.settings) for i, f in enumerate(folders)]
        self._labels = [folder_label(fw.path, workspace.root) for fw in self.folders]
        self.claims = ClaimBook(first.ledger, self.settings, owner or new_owner_id())
        self.stability = Stability(self.settings)

        self._hints: queue.SimpleQueue[Hint] = queue.SimpleQueue()
        self._overflow = OverflowSpy(self._hints)
        # Keyed by the path as a string: a scan of 10,000 files builds no Path objects.
        self._tracks: dict[str, Track] = {}
        # When to look at each tracked file next: a heap of (time, tie-break, path). An
        # entry whose time no longer matches its track is stale and skipped, so a folder of
        # 10,000 waiting files costs nothing per tick.
        self._due: list[tuple[float, int, str]] = []
        self._due_order = itertools.count()
        self._desks: tuple[str, ...] = ()  # live desks at the last heartbeat, sorted
        self._prefixes = [str(fw.path) + os.sep for fw in self.folders]
        self._announced: set[str] = set()  # reported as seen (once per file)
        self._known_junk: set[str] = set()
        self._failed: dict[str, _Failure] = {}
        self._elsewhere: dict[str, float] = {}  # another watcher's: left alone until then
        self._lock = threading.Lock()
        self._inflight: dict[str, Future[None]] = {}
        self._results: list[IngestResult] = []
        self._emit_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._once = False
        self._running = False
        self._next_rescan = self._next_health = self._next_heartbeat = 0.0
        self._seen_owners: set[str] | None = None  # other desks at the last heartbeat

    # ---- public API ----------------------------------------------------------------------

    @property
    def owner(self) -> str:
        return self.claims.owner

    def start(self) -> None:
        """Recover, scan what is already waiting, start observers and the scheduler."""
        if self._thread is not None:
            raise RuntimeError("the watcher is already running")
        self._once = False
        self._stop.clear()
        self._begin()
        self._running = True
        self._overflow.attach()
        for fw in self.folders:
            self._start_folder(fw, restarted=False)
        now = time.monotonic()
        self._scan_all(now, report=False)
        self._next_rescan = now + self.settings.rescan_interval
        self._next_health = now + self.settings.health_interval
        self._thread = threading.Thread(target=self._loop, name="intake-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching; files being filed are finished first. Idempotent."""
        self._stop.set()
        self._overflow.detach()
        for fw in self.folders:
            stop_observer(fw)
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._running:
            self._running = False
            self._end()

    def run_once(self) -> list[IngestResult]:
        """File every file that is complete now (waiting one stability window) and return
        the results; files still being written are reported as `waiting` and left."""
        if self._thread is not None:
            raise RuntimeError("run_once() cannot run while the watcher is started")
        self._once = True
        self._stop.clear()
        self._begin()
        try:
            now = time.monotonic()
            for fw in self.folders:
                if not fw.path.is_dir():
                    self._emit(WatchStatus(WatchEvent.FOLDER_UNAVAILABLE,
                                           f"{fw.path}: the intake folder cannot be read; "
                                           "check that it exists and the share is connected",
                                           str(fw.path)))
            self._scan_all(now, report=False)
            while self._tracks or self._busy():
                now = time.monotonic()
                self._drain_hints(now)
                self._keep_alive(now)
                self._check_tracks(now)
                time.sleep(self.settings.tick)
        finally:
            self._end()
        with self._lock:
            results, self._results = self._results, []
        return results

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- lifecycle -----------------------------------------------------------------------

    def _begin(self) -> None:
        self.stability.lease_checks = enable_lease_checks()
        self._pool = ThreadPoolExecutor(self.settings.workers, thread_name_prefix="intake-file")
        self.claims.heartbeat()
        self._next_heartbeat = time.monotonic() + self.settings.heartbeat_interval
        self._expire_claims()
        self._filer().clean_work_folders()  # only those of processes that died
        if self.claims.is_eldest():
            for action in self._filer().recover():
                self._emit(WatchStatus(WatchEvent.RECOVERED, action))
        else:
            self._emit(WatchStatus(
                WatchEvent.RECOVERY_SKIPPED,
                "another watcher is running on this ledger; it finished any interrupted "
                "filing when it started",
            ))

    def _end(self) -> None:
        if self._pool is not None:
            # Files being filed are finished; those only queued stay in their folder.
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        with self._lock:
            self._inflight.clear()
        self._tracks.clear()
        self._due.clear()
        try:
            self.claims.retire()
        except Exception as exc:  # the ledger may be gone at shutdown; claims then expire
            self._emit(WatchStatus(WatchEvent.ERROR, f"could not release claims: {exc}"))
        if not self._once:
            self._emit(WatchStatus(WatchEvent.STOPPED, "stopped watching"))

    def _loop(self) -> None:
        while not self._stop.wait(self.settings.tick):
            try:
                self._tick(time.monotonic())
            except Exception as exc:  # the scheduler never dies of one bad tick
                self._emit(WatchStatus(WatchEvent.ERROR, f"watcher problem: {exc!r}"))

    def _tick(self, now: float) -> None:
        self._drain_hints(now)
        if now >= self._next_health:
            self._next_health = now + self.settings.health_interval
            self._check_health()
        if now >= self._next_rescan:
            self._next_rescan = now + self.settings.rescan_interval
            self._scan_all(now, report=True)
        self._keep_alive(now)
        self._check_tracks(now)

    def _keep_alive(self, now: float) -> None:
        """Heartbeat, and take back claims of watchers that died."""
        if now >= self._next_heartbeat:
            self._next_heartbeat = now + self.settings.heartbeat_interval
            self.claims.heartbeat()
            self._expire_claims()

    # ---- folders and observers -----------------------------------------------------------

    def _start_folder(self, fw: FolderWatch, *, restarted: bool) -> bool:
        try:
            start_observer(fw, self._hints, self.settings)
        except OSError as exc:
            if fw.available:
                fw.available = False
                fw.problem = exc.strerror or str(exc)
                self._emit(WatchStatus(
                    WatchEvent.FOLDER_UNAVAILABLE,
                    f"{fw.path}: the intake folder cannot be watched ({fw.problem}); "
                    "check that it exists and the share is connected. Retrying.",
                    str(fw.path),
                ))
            return False
        if restarted:
            self._emit(WatchStatus(WatchEvent.OBSERVER_RESTARTED,
                                   f"{fw.path}: watching again ({fw.why})", str(fw.path)))
        else:
            self._emit(WatchStatus(WatchEvent.STARTED, f"watching {fw.path} ({fw.why})",
                                   str(fw.path)))
        return True

    def _check_health(self) -> None:
        for fw in self.folders:
            problem = observer_problem(fw)
            if not problem:
                continue
            if fw.available:
                self._emit(WatchStatus(
                    WatchEvent.FOLDER_UNAVAILABLE,
                    f"{fw.path}: {problem}; restarting its observer", str(fw.path),
                ))
            stop_observer(fw)
            # A share may come back as a different mount: choose native or polling again.
            plan = plan_folder(fw.index, fw.folder, self.settings)
            fw.polling, fw.network, fw.why = plan.polling, plan.network, plan.why
            if self._start_folder(fw, restarted=True):
                self._scan_folder(fw, time.monotonic(), report=True)

    # ---- hints and scans -----------------------------------------------------------------

    def _drain_hints(self, now: float) -> None:
        while True:
            try:
                kind, path, index, at = self._hints.get_nowait()
            except queue.Empty:
                return
            if kind == "rescan":
                self._emit(WatchStatus(WatchEvent.RESCAN, "events were lost (the system's "
                                       "event queue overflowed): scanning every folder"))
                self._scan_all(now, report=True)
                continue
            fw = self.folders[index]
            name = str(path)
            if kind == "gone":
                self._tracks.pop(name, None)
                self._announced.discard(name)
                self._elsewhere.pop(name, None)
            elif kind == "dir_gone":
                prefix = name + os.sep
                for p in [p for p in self._tracks if p.startswith(prefix)]:
                    del self._tracks[p]
            elif kind == "dir":
                if path.is_dir() and not is_junk_path(path / "x", fw.path):
                    for file, junk in scan_files(path):
                        self._track(file, fw, junk, at)
            elif kind == "retry":
                self._track(name, fw, False, None, retry_at=at)
            elif path.is_relative_to(fw.path):
                self._track(name, fw, is_junk_path(path, fw.path), at)

    def _scan_all(self, now: float, *, report: bool) -> None:
        present: set[str] = set()
        complete = True
        for fw in self.folders:
            if fw.available or self._once:
                complete &= self._scan_folder(fw, now, report=report, present=present)
        if complete:
            # Forget what is no longer there (a long run must not grow without bound).
            self._announced &= present
            self._known_junk &= present
            # list(dict) copies atomically; workers add entries while this runs.
            for gone in [p for p in list(self._failed) if p not in present]:
                self._failed.pop(gone, None)
            for gone in [p for p in list(self._elsewhere) if p not in present]:
                self._elsewhere.pop(gone, None)

    def _scan_folder(self, fw: FolderWatch, now: float, *, report: bool,
                     present: set[str] | None = None) -> bool:
        before = len(self._tracks)
        try:
            for path, junk in scan_files(fw.path):
                if present is not None:
                    present.add(path)
                self._track(path, fw, junk, None)
        except OSError:
            return False  # the health check reports an unreadable folder
        found = len(self._tracks) - before
        if report and found:
            self._emit(WatchStatus(WatchEvent.RESCAN,
                                   f"{fw.path}: the scan found {found} file(s) the events "
                                   "had not reported", str(fw.path)))
        return True

    def _track(self, path: str, fw: FolderWatch, junk: bool, at: float | None,
               *, retry_at: float | None = None) -> None:
        """Note a file (from an event when `at` is set, else from a scan; `retry_at`: a
        failed file to look at again then)."""
        if junk:
            if path not in self._known_junk and os.path.exists(path):
                self._known_junk.add(path)
                self._emit(IngestResult(path, Outcome.IGNORED,
                                        reason="system or temporary file"))
            return
        track = self._tracks.get(path)
        if track is None:
            with self._lock:
                if path in self._inflight:
                    return
            if retry_at is None and path in self._failed and not self._may_retry(path):
                return
            until = self._elsewhere.get(path)
            if until is not None:
                if time.monotonic() < until:
                    return
                self._elsewhere.pop(path, None)
            if not os.path.isfile(path):
                return
            track = Track(Path(path), fw.index, next_check=retry_at or 0.0)
            if self._is_foreign(path, fw.index):
                track.foreign = True
                track.not_before = time.monotonic() + self.settings.handoff_after
            self._tracks[path] = track
            self._schedule(path, track)
            if path not in self._announced:
                self._announced.add(path)
                self._emit(WatchStatus(WatchEvent.SEEN, f"seen {path}", path))
        if at is not None:
            # An event: look again now (a close or rename may have finished the file).
            track.last_event = max(track.last_event, at)
            if at < track.next_check:
                track.next_check = at
                self._schedule(path, track)

    def _schedule(self, path: str, track: Track) -> None:
        heapq.heappush(self._due, (max(track.next_check, track.not_before),
                                   next(self._due_order), path))

    # ---- which desk a file is meant for --------------------------------------------------

    def _is_foreign(self, path: str, folder: int) -> bool:
        """True when another live desk is the first choice for this file."""
        desks = self._desks
        if self._once or len(desks) < 2 or self.owner not in desks:
            return False
        prefix = self._prefixes[folder]
        name = f"{self._labels[folder]}\0{path.removeprefix(prefix)}".encode(
            "utf-8", "surrogateescape")
        best = max(desks, key=lambda desk: hashlib.blake2b(
            desk.encode("utf-8", "surrogateescape") + b"\0" + name, digest_size=8).digest())
        return best != self.owner

    def _set_desks(self, desks: Sequence[str]) -> None:
        """The live desks changed (one started, stopped or died): share the waiting files
        again, so a dead desk's first choices go to the others now."""
        listed = tuple(sorted(desks))
        if listed == self._desks:
            return
        self._desks = listed
        now = time.monotonic()
        for path, track in list(self._tracks.items()):
            foreign = self._is_foreign(path, track.folder)
            if foreign == track.foreign:
                continue
            track.foreign = foreign
            track.not_before = now + self.settings.handoff_after if foreign else 0.0
            self._schedule(path, track)

    # ---- stability and dispatch ----------------------------------------------------------

    def _busy(self) -> bool:
        with self._lock:
            return bool(self._inflight)

    def _check_tracks(self, now: float) -> None:
        due = self._due
        while due and due[0][0] <= now:
            with self._lock:
                inflight = len(self._inflight)
            if inflight >= self.settings.max_queued:
                return
            when, _, path = heapq.heappop(due)
            track = self._tracks.get(path)
            if track is None or max(track.next_check, track.not_before) != when:
                continue  # gone, or looked at again later (a newer entry stands for it)
            if track.foreign and inflight >= self.settings.workers:
                # Another desk's first choice, still here: only for a free worker.
                track.not_before = now + 1.0
                self._schedule(path, track)
                continue
            fw = self.folders[track.folder]
            verdict = self.stability.check(track, now, network=fw.network)
            if verdict is Verdict.GONE:
                del self._tracks[path]
            elif verdict is Verdict.WAIT:
                if self._once and (track.changes or track.busy or track.blocked):
                    del self._tracks[path]
                    self._emit(WatchStatus(WatchEvent.WAITING,
                                           f"{path}: still being written; left for the "
                                           "next run", str(path)))
                else:
                    self._schedule(path, track)
            else:
                assert track.sig is not None
                del self._tracks[path]
                if path in self._failed and not self._may_retry(path, track.sig):
                    continue
                self._submit(_Job(track.path, track.folder, track.sig))

    def _may_retry(self, path: str, sig: Signature | None = None) -> bool:
        """A file that failed is tried again when it changed or its back-off (5 s, 20 s, 80 s
        ... up to `retry_failed_after`) ran out; its failed claim is dropped first."""
        failure = self._failed.get(path)
        if failure is None:
            return True
        if sig is None:
            sig = self._current_sig(Path(path))
        if sig == failure.sig and time.monotonic() < failure.retry_at:
            return False
        if failure.key is not None:
            self.claims.release(failure.key)
        return True

    def _record_failure(self, job: _Job, key: str | None) -> None:
        previous = self._failed.get(str(job.path))
        count = previous.count + 1 if previous and previous.sig == job.sig else 1
        delay = min(self.settings.retry_failed_after,
                    self.settings.retry_first_after * 4 ** (count - 1))
        retry_at = time.monotonic() + delay
        self._failed[str(job.path)] = _Failure(job.sig, retry_at, key, count)
        if not self._once:  # --once reports the failure and moves on
            self._hints.put(("retry", job.path, job.folder, retry_at))

    def _submit(self, job: _Job) -> None:
        assert self._pool is not None
        with self._lock:
            future = self._pool.submit(self._work, job)
            self._inflight[str(job.path)] = future

    # ---- one file, on a worker -----------------------------------------------------------

    def _filer(self) -> Filer:
        filer: Filer | None = getattr(self._local, "filer", None)
        if filer is None:
            filer = self._make_filer()
            self._local.filer = filer
        return filer

    def _work(self, job: _Job) -> None:
        try:
            result = self._take(job)
        except Exception as exc:  # one file's failure never stops the watcher
            result = IngestResult(
                str(job.path), Outcome.ERROR,
                reason=f"{job.path}: unexpected problem while filing ({exc!r}); the file stays "
                "in its intake folder and is tried again later",
            )
            if str(job.path) not in self._failed or self._failed[str(job.path)].sig != job.sig:
                self._record_failure(job, None)
        finally:
            with self._lock:
                self._inflight.pop(str(job.path), None)
        if result is not None:
            if result.status is not Outcome.ERROR:
                self._announced.discard(str(job.path))
            if self._once:
                with self._lock:
                    self._results.append(result)
            self._emit(result)
        self._recheck(job)

    def _take(self, job: _Job) -> IngestResult | None:
        """Claim, file, release. None when the file went away or another watcher has it."""
        if self._current_sig(job.path) != job.sig:
            return None
        fw = self.folders[job.folder]
        relative = PurePosixPath(job.path.relative_to(fw.path).as_posix())
        key = claim_key(self._labels[job.folder], relative, job.sig)
        if not self.claims.claim(key, str(job.path)):
            # Another watcher files it (or failed to): look again at the next full scan.
            self._elsewhere[str(job.path)] = time.monotonic() + self.settings.rescan_interval
            self._emit(WatchStatus(WatchEvent.TAKEN_ELSEWHERE,
                                   f"{job.path}: taken by another watcher", str(job.path)))
            return None
        try:
            # Re-check under the claim: another watcher may have filed it and let go.
            if self._current_sig(job.path) != job.sig:
                self.claims.release(key)
                return None
            result = self._filer().ingest_file(job.path, claimed=True)
        except Exception as exc:
            # Kept as failed, so neither this watcher nor another retries it at once.
            self._record_failure(job, key)
            self.claims.fail(key, f"unexpected problem while filing ({exc!r})")
            raise
        if result.status is Outcome.ERROR:
            self.claims.fail(key, result.reason or "filing failed")
            self._record_failure(job, key)
        else:
            self.claims.release(key)
            self._failed.pop(str(job.path), None)
        return result

    @staticmethod
    def _current_sig(path: Path) -> Signature | None:
        try:
            return signature(os.stat(path))
        except OSError:
            return None

    def _recheck(self, job: _Job) -> None:
        """If the file is still there in another version, look at it again."""
        sig = self._current_sig(job.path)
        if sig is not None and sig != job.sig:
            self._hints.put(("write", job.path, job.folder, time.monotonic()))

    def _expire_claims(self) -> None:
        dropped = self.claims.expire()
        for claim in dropped:
            self._emit(WatchStatus(
                WatchEvent.CLAIMS_EXPIRED,
                f"{claim.source}: claim of {claim.owner} ({claim.state}) expired; "
                "the file will be taken again", claim.source,
            ))
        # A desk that went away since the last heartbeat (died, or stopped) may have left a
        # filing unfinished (kill -9, power cut): the eldest live desk finishes or rolls back
        # what no live desk holds, now rather than at its own next start.
        listed = [o.owner for o in self.claims.ledger.watch_claims.owners()]
        self._set_desks([o for o in listed if not o.startswith(FILER_OWNER_PREFIX)])
        owners = set(listed) - {self.claims.owner}
        gone = self._seen_owners is not None and bool(self._seen_owners - owners)
        self._seen_owners = owners
        if self._pool is not None and (gone or any(c.state == "active" for c in dropped)) and (
                self.claims.is_eldest()):
            for action in self._filer().recover():
                self._emit(WatchStatus(WatchEvent.RECOVERED, action))

    def _emit(self, report: WatchReport) -> None:
        # A broken listener must not stop the watcher.
        with self._emit_lock, contextlib.suppress(Exception):
            self.on_event(report)
