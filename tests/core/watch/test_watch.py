"""The watcher in-process: complete files only, each exactly once, junk left alone."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from intake_desktop.app import App, build_filer
from intake_desktop.core import platform
from intake_desktop.core.errors import UsageError, WorkspaceError
from intake_desktop.core.filing import Filer, IngestResult, Outcome
from intake_desktop.core.ledger import ClaimState, DocStatus
from intake_desktop.core.pipeline import BuiltinRouter, Candidate, Decision
from intake_desktop.core.watch import Watcher, WatchEvent, WatchReport, WatchSettings, WatchStatus
from intake_desktop.core.watch import stability as stability_module
from intake_desktop.core.watch.fsinfo import fs_type, is_network_fs
from intake_desktop.core.watch.observers import plan_folder
from intake_desktop.core.watch.settings import load_watch_settings
from intake_desktop.core.watch.stability import writer_active
from intake_desktop.core.workspace import IntakeFolder

MATTER = "2024-0117 Reyes v. Acme"
WRITER = Path(__file__).with_name("watch_writer.py")

FAST = WatchSettings(
    settle=0.2, stable_window=1.0, tick=0.02, poll_interval=0.2, rescan_interval=30.0,
    health_interval=0.2, heartbeat_interval=1.0, stale_after=5.0, workers=2, max_queued=8,
)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blob(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


class Reports:
    """Collects what the watcher reports, from any of its threads."""

    def __init__(self) -> None:
        self.items: list[WatchReport] = []
        self.lock = threading.Lock()

    def __call__(self, report: WatchReport) -> None:
        with self.lock:
            self.items.append(report)

    def results(self, status: Outcome | None = None) -> list[IngestResult]:
        with self.lock:
            return [r for r in self.items if isinstance(r, IngestResult)
                    and (status is None or r.status is status)]

    def statuses(self, kind: WatchEvent) -> list[WatchStatus]:
        with self.lock:
            return [r for r in self.items if isinstance(r, WatchStatus) and r.kind is kind]


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll until `condition()` holds (the timeout only keeps a broken run from hanging)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the watcher")
        time.sleep(0.05)


def filed_docs(app: App) -> list:
    return app.ledger.docs.documents(status=DocStatus.FILED)


def assert_each_filed_once(app: App, contents: dict[str, bytes], matter: str = MATTER) -> None:
    """Every expected content is filed exactly once, byte-identical, and nothing else is."""
    docs = app.ledger.docs.documents()
    assert sorted(d.status for d in docs) == [DocStatus.FILED] * len(contents)
    by_sha = {d.sha256: d for d in docs}
    assert len(by_sha) == len(contents)
    for name, data in contents.items():
        doc = by_sha[sha(data)]
        assert doc.size == len(data)
        assert Path(doc.source_path).name == name
        filed = app.workspace.root / (doc.filed_path or "")
        original = app.workspace.root / (doc.original_path or "")
        assert filed.read_bytes() == data and original.read_bytes() == data
    on_disk = [p for p in app.workspace.matter_dir(matter).rglob("*") if p.is_file()]
    assert len(on_disk) == 2 * len(contents)  # filed copy + preserved original each
    assert not any(p.is_file() for p in app.workspace.review.rglob("*"))


@pytest.fixture
def reports() -> Reports:
    return Reports()


@pytest.fixture
def make_watcher(app: App, reports: Reports) -> Iterator[Callable[..., Watcher]]:
    made: list[Watcher] = []

    def make(settings: WatchSettings = FAST, filer: Callable[[], Filer] | None = None,
             folders: list[IntakeFolder] | None = None) -> Watcher:
        w = Watcher(app.workspace, filer or (lambda: build_filer(app)), folders,
                    settings, on_event=reports)
        made.append(w)
        return w

    yield make
    for w in made:
        w.stop()


def start_writer(src: Path, dest: Path, chunk: int, pauses: str,
                 *extra: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(src), str(dest), str(chunk), pauses, *extra],
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "started"
    return proc


# ---- completeness ------------------------------------------------------------------------


def test_slow_writers_are_never_taken_partially(
    app: App, make_watcher: Callable[..., Watcher], reports: Reports, tmp_path: Path
) -> None:
    """GIVEN two processes writing files in chunks over ~3 s, with pauses longer than the
    settle time WHEN the watcher runs THEN each is filed once, whole, after the last write."""
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    contents = {"scan-0001.pdf": blob(1, 12 * 65536), "deposition.pdf": blob(2, 9 * 65536)}
    for name, data in contents.items():
        (tmp_path / name).write_bytes(data)
    watcher = make_watcher()
    watcher.start()
    writers = [
        start_writer(tmp_path / "scan-0001.pdf", intake / "scan-0001.pdf", 65536,
                     "0.1,0.5,0.2,0.6"),
        start_writer(tmp_path / "deposition.pdf", intake / "deposition.pdf", 65536,
                     "0.4,0.1,0.7"),
    ]
    whole = {sha(data) for data in contents.values()}
    while any(proc.poll() is None for proc in writers):
        # Whatever is filed while the writers run is a whole file, never a prefix.
        assert {d.sha256 for d in app.ledger.docs.documents()} <= whole
        time.sleep(0.02)
    assert [proc.returncode for proc in writers] == [0, 0]
    wait_for(lambda: len(filed_docs(app)) == 2)
    watcher.stop()
    assert_each_filed_once(app, contents)
    assert not (intake / "scan-0001.pdf").exists()


def test_slow_writer_where_open_writers_cannot_be_seen_waits_for_stability(
    app: App, make_watcher: Callable[..., Watcher], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN a platform that cannot tell open writers (network share, Windows) WHEN a slow
    writer pauses for less than the stability window THEN the file is still taken whole."""
    monkeypatch.setattr(stability_module, "writer_active", lambda path: None)
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    data = blob(3, 8 * 65536)
    (tmp_path / "src.bin").write_bytes(data)
    watcher = make_watcher()
    watcher.start()
    proc = start_writer(tmp_path / "src.bin", intake / "fax.tif", 65536, "0.5,0.3,0.6")
    assert proc.wait(timeout=30) == 0
    wait_for(lambda: len(filed_docs(app)) == 1)
    watcher.stop()
    assert_each_filed_once(app, {"fax.tif": data})


def test_write_then_rename_is_filed_once_and_the_partial_name_never(
    app: App, make_watcher: Callable[..., Watcher], reports: Reports, tmp_path: Path
) -> None:
    """GIVEN a download written as NAME.part and renamed WHEN watched THEN only NAME is filed."""
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    data = blob(4, 6 * 65536)
    (tmp_path / "src.bin").write_bytes(data)
    watcher = make_watcher()
    watcher.start()
    proc = start_writer(tmp_path / "src.bin", intake / "records.pdf", 65536, "0.3", "--rename")
    assert proc.wait(timeout=30) == 0
    wait_for(lambda: len(filed_docs(app)) == 1)
    watcher.stop()
    assert_each_filed_once(app, {"records.pdf": data})
    ignored = [Path(r.source).name for r in reports.results(Outcome.IGNORED)]
    assert ignored == ["records.pdf.part"]


def test_writer_active_sees_an_open_writer(tmp_path: Path) -> None:
    path = tmp_path / "open.bin"
    with open(path, "wb") as fh:
        fh.write(b"x")
        if sys.platform.startswith("linux"):
            assert writer_active(path) is True
    assert writer_active(path) in (False, None)


# ---- volume, start-up and restart ----------------------------------------------------------


def test_folder_of_200_files_dropped_at_once(
    app: App, make_watcher: Callable[..., Watcher], reports: Reports, tmp_path: Path
) -> None:
    """GIVEN a folder of 200 files (in subfolders) renamed into Intake/ in one step WHEN
    watched THEN all 200 are filed exactly once, keeping their subfolders."""
    staging = tmp_path / MATTER
    contents = {}
    for i in range(200):
        name = f"page-{i:03d}.pdf"
        data = blob(1000 + i, 1000 + i)
        sub = staging / ("Medical" if i % 2 else "Letters")
        sub.mkdir(parents=True, exist_ok=True)
        (sub / name).write_bytes(data)
        contents[name] = data
    watcher = make_watcher()
    watcher.start()
    os.rename(staging, app.workspace.intake / MATTER)
    wait_for(lambda: len(filed_docs(app)) == 200, timeout=60)
    watcher.stop()
    assert_each_filed_once(app, contents)
    medical = app.workspace.matter_dir(MATTER) / "Medical"
    assert len([p for p in medical.iterdir() if p.is_file()]) == 100
    assert len(reports.results()) == 200


def test_files_present_before_start_are_filed(
    app: App, make_watcher: Callable[..., Watcher], reports: Reports
) -> None:
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    contents = {f"waiting-{i}.pdf": blob(i, 4000 + i) for i in range(20)}
    for name, data in contents.items():
        (intake / name).write_bytes(data)
    watcher = make_watcher()
    watcher.start()
    wait_for(lambda: len(filed_docs(app)) == 20)
    watcher.stop()
    assert_each_filed_once(app, contents)
    assert len(reports.statuses(WatchEvent.SEEN)) == 20


def test_watcher_restarted_mid_stream_files_each_once(
    app: App, make_watcher: Callable[..., Watcher]
) -> None:
    """GIVEN files arriving steadily WHEN the watcher is stopped and a new one started
    mid-stream THEN every file, including those dropped while none ran, is filed once."""
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    contents = {f"stream-{i:03d}.pdf": blob(500 + i, 3000 + i) for i in range(90)}
    names = list(contents)

    def drop(batch: list[str]) -> None:
        for name in batch:
            (intake / name).write_bytes(contents[name])
            time.sleep(0.01)

    first = make_watcher()
    first.start()
    drop(names[:40])
    wait_for(lambda: len(filed_docs(app)) >= 10)
    first.stop()
    drop(names[40:60])  # nobody watching
    second = make_watcher()
    second.start()
    drop(names[60:])
    wait_for(lambda: len(filed_docs(app)) == 90, timeout=60)
    second.stop()
    assert_each_filed_once(app, contents)
    assert app.ledger.watch_claims.claims() == []


def test_junk_is_ignored_and_left_in_place(
    app: App, make_watcher: Callable[..., Watcher], reports: Reports
) -> None:
    intake = app.workspace.intake / MATTER
    junk = [".DS_Store", "._letter.pdf", "desktop.ini", "Thumbs.db", "~$brief.docx",
            "video.mp4.part", "x.crdownload", "upload.tmp", "@eaDir/thumb.jpg",
            "__MACOSX/._a.pdf", ".Trashes/old.pdf"]
    for name in junk:
        (intake / name).parent.mkdir(parents=True, exist_ok=True)
        (intake / name).write_bytes(b"junk " + name.encode())
    real = blob(7, 5000)
    watcher = make_watcher()
    watcher.start()
    (intake / "letter.pdf").write_bytes(real)
    wait_for(lambda: len(filed_docs(app)) == 1)
    watcher.stop()
    assert_each_filed_once(app, {"letter.pdf": real})
    for name in junk:
        assert (intake / name).read_bytes() == b"junk " + name.encode()
    # Junk files by name are reported once each; files in junk folders silently skipped.
    assert sorted(Path(r.source).name for r in reports.results(Outcome.IGNORED)) == sorted(
        Path(n).name for n in junk if "/" not in n
    )


# ---- events are hints: reconciliation and dead observers ---------------------------------


def test_reconciliation_scan_finds_what_events_missed(
    app: App, make_watcher: Callable[..., Watcher], reports: Reports
) -> None:
    """GIVEN an observer that reports nothing in time (polling every 60 s) WHEN a file
    arrives THEN the periodic reconciliation scan takes it."""
    settings = WatchSettings(**{**FAST.__dict__, "force_polling": True, "poll_interval": 60.0,
                                "rescan_interval": 0.5})
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    watcher = make_watcher(settings)
    watcher.start()
    data = blob(9, 7000)
    (intake / "missed.pdf").write_bytes(data)
    wait_for(lambda: len(filed_docs(app)) == 1)
    watcher.stop()
    assert_each_filed_once(app, {"missed.pdf": data})
    assert reports.statuses(WatchEvent.RESCAN)


def test_an_event_queue_overflow_triggers_a_scan_at_once(
    app: App, make_watcher: Callable[..., Watcher], reports: Reports
) -> None:
    """GIVEN events that never come (polling every 60 s, timed scans every 30 s) WHEN
    watchdog reports an inotify queue overflow THEN every folder is scanned at once."""
    import logging

    settings = WatchSettings(**{**FAST.__dict__, "force_polling": True, "poll_interval": 60.0})
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    watcher = make_watcher(settings)
    watcher.start()
    data = blob(17, 6000)
    (intake / "lost-event.pdf").write_bytes(data)
    time.sleep(0.5)
    assert not filed_docs(app)  # nothing reported it
    logging.getLogger("watchdog.observers.inotify_c").warning(
        "Inotify queue overflowed; filesystem events were lost"
    )
    wait_for(lambda: len(filed_docs(app)) == 1)
    watcher.stop()
    assert_each_filed_once(app, {"lost-event.pdf": data})
    kinds = [(r.kind, r.message) for r in reports.items if isinstance(r, WatchStatus)]
    assert "overflowed" in reports.statuses(WatchEvent.RESCAN)[0].message, kinds


@pytest.mark.parametrize("polling", [False, True], ids=["native", "polling"])
def test_dead_observer_is_reported_and_restarted(
    app: App, make_watcher: Callable[..., Watcher], reports: Reports, tmp_path: Path,
    polling: bool,
) -> None:
    """GIVEN an extra intake folder (a share) that disappears and comes back WHEN a file is
    dropped into the new folder THEN the outage is reported, the observer restarted, and
    the file filed (rescans are too rare here to find it: the observer does)."""
    share = tmp_path / "scanner share"
    share.mkdir()
    folders = [IntakeFolder(app.workspace.intake),
               IntakeFolder(share, matter=MATTER, polling=polling)]
    watcher = make_watcher(
        folders=folders,
        filer=lambda: Filer(app.workspace, app.ledger, intake_folders=folders[1:]),
    )
    watcher.start()
    shutil.rmtree(share)
    wait_for(lambda: bool(reports.statuses(WatchEvent.FOLDER_UNAVAILABLE)))
    share.mkdir()
    wait_for(lambda: bool(reports.statuses(WatchEvent.OBSERVER_RESTARTED)))
    data = blob(10, 9000)
    (share / "after-outage.pdf").write_bytes(data)
    wait_for(lambda: len(filed_docs(app)) == 1)
    watcher.stop()
    assert_each_filed_once(app, {"after-outage.pdf": data})
    assert [s.path for s in reports.statuses(WatchEvent.OBSERVER_RESTARTED)] == [str(share)]


# ---- failures and claims -------------------------------------------------------------------


class ExplodingRouter(BuiltinRouter):
    """Crashes on files named `explode*`, like a bug in a filing stage would (the Filer
    sends preparer failures to Review/ itself; a router crash reaches the watcher)."""

    def route(self, candidate: Candidate) -> Decision:
        if candidate.source.name.startswith("explode"):
            raise RuntimeError("router crashed")
        return super().route(candidate)


def test_one_failing_file_never_stops_the_watcher(
    app: App, make_watcher: Callable[..., Watcher], reports: Reports
) -> None:
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    bad = blob(11, 3000)
    (intake / "explode.pdf").write_bytes(bad)
    watcher = make_watcher(
        filer=lambda: Filer(app.workspace, app.ledger, router=ExplodingRouter())
    )
    watcher.start()
    wait_for(lambda: bool(reports.results(Outcome.ERROR)))
    good = blob(12, 3000)
    (intake / "fine.pdf").write_bytes(good)
    wait_for(lambda: len(filed_docs(app)) == 1)
    watcher.stop()
    [error] = reports.results(Outcome.ERROR)
    assert "router crashed" in (error.reason or "")
    assert (intake / "explode.pdf").read_bytes() == bad  # left in place, untouched
    [claim] = app.ledger.watch_claims.claims()
    assert claim.state == ClaimState.FAILED and claim.source == str(intake / "explode.pdf")
    assert "router crashed" in (claim.reason or "")


class FlakyRouter(BuiltinRouter):
    """Fails the first time it sees each file, like a database hiccup."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def route(self, candidate: Candidate) -> Decision:
        if candidate.source.name not in self.seen:
            self.seen.add(candidate.source.name)
            raise RuntimeError("transient")
        return super().route(candidate)


def test_a_transient_failure_is_retried_after_a_short_back_off(
    app: App, make_watcher: Callable[..., Watcher], reports: Reports
) -> None:
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    data = blob(15, 3000)
    (intake / "flaky.pdf").write_bytes(data)
    router = FlakyRouter()
    settings = WatchSettings(**{**FAST.__dict__, "retry_first_after": 0.3})
    watcher = make_watcher(settings, filer=lambda: Filer(app.workspace, app.ledger,
                                                          router=router))
    watcher.start()
    wait_for(lambda: len(filed_docs(app)) == 1)
    watcher.stop()
    assert [r.status for r in reports.results()] == [Outcome.ERROR, Outcome.FILED]
    assert_each_filed_once(app, {"flaky.pdf": data})
    assert app.ledger.watch_claims.claims() == []


def test_claims_let_exactly_one_of_many_threads_win(app: App) -> None:
    winners: list[str] = []
    barrier = threading.Barrier(8)

    def race(owner: str) -> None:
        barrier.wait()
        if app.ledger.watch_claims.claim("k" * 64, owner, source="x"):
            winners.append(owner)

    threads = [threading.Thread(target=race, args=(f"o{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1
    assert [c.owner for c in app.ledger.watch_claims.claims()] == winners


def test_claims_of_a_silent_owner_and_old_failures_expire(app: App) -> None:
    ledger = app.ledger
    ledger.watch_claims.heartbeat("alive", now=1000.0)
    ledger.watch_claims.heartbeat("dead", now=1000.0)
    assert ledger.watch_claims.claim("a" * 64, "alive", source="a", now=1000.0)
    assert ledger.watch_claims.claim("b" * 64, "dead", source="b", now=1000.0)
    assert ledger.watch_claims.claim("c" * 64, "alive", source="c", now=1000.0)
    ledger.watch_claims.fail_claim("c" * 64, "alive", "bad file", now=1000.0)
    ledger.watch_claims.heartbeat("alive", now=1100.0)
    expired = ledger.watch_claims.expire_claims(stale_after=60, retry_failed_after=600, now=1101.0)
    assert [c.source for c in expired] == ["b"]
    ledger.watch_claims.heartbeat("alive", now=1600.0)
    expired = ledger.watch_claims.expire_claims(stale_after=60, retry_failed_after=600, now=1601.0)
    assert [c.source for c in expired] == ["c"]
    assert [c.source for c in ledger.watch_claims.claims()] == ["a"]
    assert not ledger.watch_claims.claim("a" * 64, "other")


# ---- run_once, settings, filesystems -------------------------------------------------------


def test_run_once_files_what_is_complete_and_leaves_what_is_being_written(
    app: App, make_watcher: Callable[..., Watcher], reports: Reports, tmp_path: Path
) -> None:
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    done = blob(13, 4000)
    (intake / "done.pdf").write_bytes(done)
    growing = blob(14, 20 * 65536)
    (tmp_path / "src").write_bytes(growing)
    proc = start_writer(tmp_path / "src", intake / "growing.pdf", 65536, "0.2")
    try:
        results = make_watcher().run_once()
    finally:
        assert proc.wait(timeout=30) == 0
    assert [Path(r.source).name for r in results] == ["done.pdf"]
    assert [s.path for s in reports.statuses(WatchEvent.WAITING)] == [str(intake / "growing.pdf")]
    assert_each_filed_once(app, {"done.pdf": done})
    assert (intake / "growing.pdf").read_bytes() == growing


def test_watch_settings_from_config_are_validated(app: App) -> None:
    config = app.workspace.config_path
    config.write_text(config.read_text() + "\n[watch]\nsettle = 0.5\nworkers = 3\n")
    settings = load_watch_settings(config, workers=None)
    assert (settings.settle, settings.workers) == (0.5, 3)
    config.write_text(config.read_text().replace("workers = 3", 'workers = "many"'))
    with pytest.raises(WorkspaceError, match=r"\[watch\] workers must be a whole number") as info:
        load_watch_settings(config)
    assert str(config) in info.value.message
    config.write_text(config.read_text().replace('workers = "many"', "setle = 1"))
    with pytest.raises(WorkspaceError, match="unknown setting"):
        load_watch_settings(config)
    config.write_text(config.read_text().replace("setle = 1", ""))
    with pytest.raises(UsageError, match="workers must be positive"):
        load_watch_settings(config, workers=0)  # from the command line


MOUNTS = """/dev/sda1 / ext4 rw 0 0
//nas/scans /mnt/scans cifs rw 0 0
nas:/export /mnt/nfs nfs4 rw 0 0
me@host:/x /mnt/my\\040share fuse.sshfs rw 0 0
"""


def test_network_filesystems_are_detected_from_mounts() -> None:
    assert fs_type(Path("/mnt/scans/in"), MOUNTS) == "cifs"
    assert is_network_fs(Path("/mnt/scans/in"), MOUNTS)
    assert is_network_fs(Path("/mnt/nfs"), MOUNTS)
    assert is_network_fs(Path("/mnt/my share/a"), MOUNTS)
    assert not is_network_fs(Path("/mnt/scansX"), MOUNTS)
    assert not is_network_fs(Path("/home/me"), MOUNTS)


def test_polling_observer_sees_new_files_and_subfolders(
    app: App, make_watcher: Callable[..., Watcher], reports: Reports
) -> None:
    settings = WatchSettings(**{**FAST.__dict__, "force_polling": True})
    watcher = make_watcher(settings)
    watcher.start()
    assert "polling" in reports.statuses(WatchEvent.STARTED)[0].message
    contents = {f"polled-{i}.pdf": blob(20 + i, 3000) for i in range(5)}
    for i, (name, data) in enumerate(contents.items()):
        folder = app.workspace.intake / MATTER / ("Sub" if i % 2 else "")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    wait_for(lambda: len(filed_docs(app)) == 5)
    watcher.stop()
    assert_each_filed_once(app, contents)
    assert not reports.statuses(WatchEvent.RESCAN)  # found by polling, not by a rescan


def test_polling_is_chosen_from_config_and_for_network_shares(tmp_path: Path) -> None:
    fw = plan_folder(0, IntakeFolder(tmp_path, polling=True), FAST)
    assert fw.polling and "config" in fw.why
    assert not plan_folder(0, IntakeFolder(tmp_path), FAST).polling
    share = plan_folder(1, IntakeFolder(Path("/mnt/scans/inbox")), FAST, mounts_text=MOUNTS)
    assert share.polling and share.network and "cifs" in share.why
    local = plan_folder(2, IntakeFolder(Path("/srv/in")), FAST, mounts_text=MOUNTS)
    assert not local.polling and not local.network


def test_run_once_reports_a_failing_file_and_returns(app: App, reports: Reports) -> None:
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    (intake / "explode.pdf").write_bytes(b"boom")
    watcher = Watcher(app.workspace, Filer(app.workspace, app.ledger,
                                           router=ExplodingRouter()),
                      settings=FAST, on_event=reports)
    [result] = watcher.run_once()
    assert result.status is Outcome.ERROR and "router crashed" in (result.reason or "")
    assert (intake / "explode.pdf").read_bytes() == b"boom"


def test_duplicate_and_out_of_order_events_never_file_twice(
    app: App, make_watcher: Callable[..., Watcher]
) -> None:
    """GIVEN a filed file WHEN its events arrive again, duplicated and out of order (as
    inotify and polling both deliver them) THEN nothing more is filed."""
    from watchdog.events import (
        FileClosedEvent,
        FileCreatedEvent,
        FileDeletedEvent,
        FileModifiedEvent,
    )

    from intake_desktop.core.watch.observers import _Handler

    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    data = blob(16, 4000)
    src = intake / "once.pdf"
    watcher = make_watcher()
    watcher.start()
    src.write_bytes(data)
    wait_for(lambda: len(filed_docs(app)) == 1)
    handler = _Handler(watcher._hints, 0)
    for event in (FileClosedEvent(str(src)), FileCreatedEvent(str(src)),
                  FileDeletedEvent(str(src)), FileModifiedEvent(str(src)),
                  FileClosedEvent(str(src)), FileClosedEvent(str(src))):
        handler.on_any_event(event)
    time.sleep(1.0)  # several settle windows: anything wrongly queued would be filed
    watcher.stop()
    assert_each_filed_once(app, {"once.pdf": data})


def test_reading_an_intake_file_wakes_no_observer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a native observer on an intake folder WHEN a file there is opened and read 200
    times (what every desk on a shared folder does to each file: trial open, lease check,
    hashing, copying) THEN the observer receives no event for it; writing it still gives
    the events the watcher needs. (With 10 desks on one folder the reads of the other nine
    took most of each desk's time.)"""
    import queue as queue_module

    from intake_desktop.core.watch.observers import (
        Hint,
        _Handler,
        start_observer,
        stop_observer,
    )

    seen: list[str] = []
    dispatch = _Handler.dispatch

    def counting(self: _Handler, event: object) -> None:
        seen.append(type(event).__name__)
        dispatch(self, event)  # type: ignore[arg-type]

    monkeypatch.setattr(_Handler, "dispatch", counting)
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4 scanned")
    hints: queue_module.SimpleQueue[Hint] = queue_module.SimpleQueue()
    fw = plan_folder(0, IntakeFolder(tmp_path), FAST)
    assert not fw.polling
    start_observer(fw, hints, FAST)
    try:
        for _ in range(200):
            with open(path, "rb") as fh:
                fh.read()
        os.stat(path)
        time.sleep(0.5)
        assert seen == [], f"{len(seen)} events for reads: {sorted(set(seen))}"
        (tmp_path / "new.pdf").write_bytes(b"%PDF-1.4 new")
        wait_for(lambda: "FileClosedEvent" in seen, timeout=5)
    finally:
        stop_observer(fw)
    kinds = []
    while not hints.empty():
        kinds.append(hints.get_nowait()[0])
    # Close-after-write is a hint only where the platform reports it (not in portable mode).
    assert "write" in kinds
    assert ("closed" in kinds) == platform.close_events_supported()


def test_two_desks_on_one_folder_share_the_files_without_racing(app: App) -> None:
    """GIVEN two watchers (two desks) on one intake folder and ledger, each aware of the
    other through its heartbeat row WHEN 60 files arrive THEN each file is filed once, both
    desks file some, and neither loses a single claim race: each file went to one desk
    (before, both desks checked, hashed and claimed every file and one lost each race)."""
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    desk_reports = [Reports(), Reports()]
    desks = [Watcher(app.workspace, lambda: build_filer(app), settings=FAST, on_event=r)
             for r in desk_reports]
    try:
        for desk in desks:
            desk.start()
        wait_for(lambda: len(app.ledger.watch_claims.live_owners(within=60)) == 2)
        time.sleep(1.5 * FAST.heartbeat_interval)  # each desk's next heartbeat sees the other
        contents = {f"shared-{i:02d}.pdf": blob(900 + i, 1500 + i) for i in range(60)}
        for name, data in contents.items():
            (intake / name).write_bytes(data)
        wait_for(lambda: len(filed_docs(app)) == 60, timeout=60)
    finally:
        for desk in desks:
            desk.stop()
    assert_each_filed_once(app, contents)
    filed = [{Path(r.source).name for r in rep.results(Outcome.FILED)} for rep in desk_reports]
    assert filed[0] and filed[1] and not filed[0] & filed[1]
    assert filed[0] | filed[1] == set(contents)
    assert [rep.statuses(WatchEvent.TAKEN_ELSEWHERE) for rep in desk_reports] == [[], []]


def test_files_meant_for_a_desk_that_went_away_are_taken_by_another(
    app: App, make_watcher: Callable[..., Watcher]
) -> None:
    """GIVEN a second desk that is alive (heartbeat) but files nothing WHEN 20 files arrive
    THEN this desk files its share at once and leaves the other desk's share (hand-off is
    far off); once the other desk's heartbeat row is gone, the rest is filed at the next
    heartbeat, every file once."""
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    claims = app.ledger.watch_claims
    stop = threading.Event()

    def other_desk_alive() -> None:
        while not stop.wait(0.3):
            claims.heartbeat("desk-elsewhere", host="another machine", pid=1)

    claims.heartbeat("desk-elsewhere", host="another machine", pid=1)
    beating = threading.Thread(target=other_desk_alive)
    beating.start()
    watcher = make_watcher(WatchSettings(**{**FAST.__dict__, "handoff_after": 120.0}))
    try:
        watcher.start()
        contents = {f"handoff-{i:02d}.pdf": blob(950 + i, 1200 + i) for i in range(20)}
        for name, data in contents.items():
            (intake / name).write_bytes(data)
        wait_for(lambda: len(filed_docs(app)) >= 1, timeout=30)
        time.sleep(3 * FAST.heartbeat_interval)
        mine = len(filed_docs(app))
        assert 0 < mine < 20, "only this desk's share is filed while the other is alive"
    finally:
        stop.set()
        beating.join()
    claims.retire_owner("desk-elsewhere")
    wait_for(lambda: len(filed_docs(app)) == 20, timeout=30)
    watcher.stop()
    assert_each_filed_once(app, contents)


def test_on_a_share_a_file_is_complete_only_after_the_stability_window(tmp_path: Path) -> None:
    """GIVEN a folder on a network share (no open-writer check; attributes read through a
    fresh open) WHEN the file grows THEN it is complete only once size and mtime held still
    for the whole stable window."""
    from intake_desktop.core.watch.stability import Stability, Track, Verdict

    path = tmp_path / "scan.tif"
    path.write_bytes(b"a" * 1000)
    stability = Stability(FAST, lease_checks=True)
    track = Track(path, 0)
    assert stability.check(track, 100.0, network=True) is Verdict.WAIT
    assert track.next_check == 100.0 + FAST.stable_window
    with open(path, "ab") as fh:
        fh.write(b"b" * 1000)
    assert stability.check(track, 100.9, network=True) is Verdict.WAIT  # grew: clock restarts
    assert track.changes == 1 and track.sig is not None and track.sig[0] == 2000
    assert stability.check(track, 101.8, network=True) is Verdict.WAIT
    assert stability.check(track, 100.9 + FAST.stable_window, network=True) is Verdict.READY
