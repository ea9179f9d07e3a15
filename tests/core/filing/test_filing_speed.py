"""Issue 16: filing at disk speed without giving up a promise.

One read per byte (the copies and the SHA-256 in one pass), group commit (a batch's
pending rows in one transaction, its done rows in another), the PDF read once for the
checks, the rules, the OCR probe and the search index. Nothing here asserts a time: the
checks count bytes read, transactions and parses, which do not depend on the machine.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest
from sqlalchemy import event

from intake_desktop.app import App, build_filer
from intake_desktop.core import custody, platform
from intake_desktop.core.errors import FilingError
from intake_desktop.core.filing import Filer, Outcome
from intake_desktop.core.filing import filer as filer_module
from intake_desktop.core.filing.batch import BatchLimits
from intake_desktop.core.ledger.queries import DocumentFilter
from intake_desktop.core.mover import Mover
from tests.conftest import write_file

MATTER = "2024-0216 Okafor"
PROC_IO = Path("/proc/self/io")
needs_proc_io = pytest.mark.skipif(not PROC_IO.exists(), reason="needs Linux /proc/self/io")


def bytes_read() -> int:
    """Bytes this process has read through read-like system calls (page cache included)."""
    for line in PROC_IO.read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def aged(path: Path, seconds: float = 3600) -> None:
    """Give a file an old modification time (as files dropped into Intake/ usually have)."""
    then = time.time() - seconds
    os.utime(path, (then, then))


@contextmanager
def commits(app: App) -> Iterator[list[int]]:
    """Count the ledger's write transactions that commit."""
    seen: list[int] = []

    def count(_conn: object) -> None:
        seen.append(1)

    engine = app.ledger.writer
    event.listen(engine, "commit", count)
    try:
        yield seen
    finally:
        event.remove(engine, "commit", count)


# ---- one read per byte -------------------------------------------------------------------

@needs_proc_io
def test_two_copies_and_the_hash_take_one_read_of_the_source(tmp_path: Path) -> None:
    src = tmp_path / "in" / "deposition.mp4"
    data = write_file(src, 8 * 1024 * 1024, seed=3)
    sha = hashlib.sha256(data).hexdigest()
    first, second = tmp_path / "a" / "original.mp4", tmp_path / "b" / "filed.mp4"
    before = bytes_read()
    Mover().place_copy(src, first, sha, tag="t", read_only=True, more=[(second, False)])
    read = bytes_read() - before
    assert first.read_bytes() == data and second.read_bytes() == data
    assert not os.access(first, os.W_OK) or os.geteuid() == 0
    assert read < 1.2 * len(data), f"read {read} bytes for {len(data)}"
    assert not list(tmp_path.rglob("*.intake-tmp"))


def test_a_source_that_is_not_what_was_hashed_gets_no_copy(tmp_path: Path) -> None:
    src = tmp_path / "scan.pdf"
    write_file(src, 300_000, seed=4)
    dest, other = tmp_path / "out" / "scan.pdf", tmp_path / "out2" / "scan.pdf"
    with pytest.raises(FilingError, match="does not match"):
        Mover().place_copy(src, dest, "0" * 64, tag="t", more=[(other, False)])
    assert not dest.exists() and not other.exists()
    assert not list(tmp_path.rglob("*.intake-tmp"))


@needs_proc_io
def test_ingest_reads_a_large_file_twice_at_most(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hash for the plan, then one pass for both copies; the untouched source is removed
    without being read again (main read it six times: hash, two copies, two checks, and
    once more before removing it). libmagic reads up to 7 MB of it besides."""
    monkeypatch.setattr(filer_module, "QUIET_SECONDS", 0.2)
    src = app.workspace.intake / MATTER / "video deposition.mp4"
    data = write_file(src, 32 * 1024 * 1024, seed=5)
    time.sleep(0.3)  # last changed before the filing started (see QUIET_SECONDS)
    before = bytes_read()
    [result] = Filer(app.workspace, app.ledger).ingest([app.workspace.intake])
    read = bytes_read() - before
    assert result.status is Outcome.FILED
    assert Path(result.path or "").read_bytes() == data
    assert Path(result.original or "").read_bytes() == data
    assert not src.exists()
    assert read < 2.5 * len(data), f"read {read / len(data):.1f} times the file"


def test_a_source_rewritten_in_place_after_copying_is_kept(app: App) -> None:
    """Same size, same modification time put back: the change time still tells, so the
    source is read again, found different and kept as new evidence."""
    src = app.workspace.intake / MATTER / "ledger.xlsx"
    write_file(src, 50_000, seed=6)
    aged(src)
    stat = src.stat()

    def rewrite(step: str) -> None:
        if step == "marked_done":
            src.write_bytes(write_file(tmp := src.with_suffix(".new"), 50_000, seed=7))
            tmp.unlink()
            os.utime(src, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    [result] = build_filer(app, fault=rewrite).ingest([app.workspace.intake])
    assert result.status is Outcome.FILED
    assert src.exists(), "a different file under the same name is new evidence"
    assert hashlib.sha256(src.read_bytes()).hexdigest() != result.sha256
    assert custody.verify(app.ledger, app.workspace.root).ok


def test_reflink_is_asked_once_per_filesystem_and_falls_back(tmp_path: Path) -> None:
    src, dest = tmp_path / "a.bin", tmp_path / "b.bin"
    src.write_bytes(b"x" * 10_000)
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        cloned = platform.clone_file(fin.fileno(), fout.fileno())
    if cloned:  # btrfs / XFS: the clone has the bytes
        assert dest.read_bytes() == src.read_bytes()
    else:  # ext4, tmpfs, other systems: nothing written, the caller copies
        assert dest.read_bytes() == b""
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    Mover().place_copy(src, tmp_path / "c.bin", sha, tag="t")
    assert (tmp_path / "c.bin").read_bytes() == src.read_bytes()


def test_forced_fallbacks_copy_and_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(platform.FORCE_ENV, "1")
    src = tmp_path / "a.bin"
    data = write_file(src, 200_000, seed=8)
    with open(src, "rb") as fin, open(tmp_path / "x", "wb") as fout:
        assert platform.clone_file(fin.fileno(), fout.fileno()) is False
        platform.sync_data(fout.fileno())
    Mover().place_copy(src, tmp_path / "out" / "a.bin", hashlib.sha256(data).hexdigest(),
                       tag="t", more=[(tmp_path / "out2" / "a.bin", True)])
    assert (tmp_path / "out" / "a.bin").read_bytes() == data
    assert (tmp_path / "out2" / "a.bin").read_bytes() == data


# ---- group commit ------------------------------------------------------------------------

def test_a_batch_writes_its_pending_rows_then_its_done_rows(app: App, filer: Filer) -> None:
    datas = [write_file(app.workspace.intake / MATTER / f"page {i:02}.pdf", 20_000, seed=i)
             for i in range(10)]
    with commits(app) as seen:
        results = filer.ingest([app.workspace.intake])
    assert [r.status for r in results] == [Outcome.FILED] * 10
    assert [Path(r.path or "").read_bytes() for r in results] == datas
    kinds = [e.kind for e in app.ledger.chain.events() if e.document_id is not None]
    assert kinds[:10] == ["received"] * 10, "one transaction: every pending row first"
    assert kinds[10:30] == ["original_preserved", "filed"] * 10
    assert kinds[30:] == ["source_removed"] * 10
    # Start-up, the claims, the pending rows, the done rows, the search text, the claims
    # given back, the removals recorded, the end: 8. One file at a time took 5 a file.
    assert len(seen) <= 10, len(seen)
    assert not list(app.workspace.intake.rglob("*.pdf"))
    assert custody.verify(app.ledger, app.workspace.root).ok


def test_batches_close_by_count_and_by_bytes(app: App, filer: Filer) -> None:
    for i in range(9):
        write_file(app.workspace.intake / MATTER / f"a {i}.pdf", 10_000, seed=100 + i)
    filer.batch_limits = BatchLimits(files=4, bytes=10**9, seconds=60)
    filer.ingest([app.workspace.intake])
    runs = _received_runs(app)
    assert runs == [4, 4, 1], runs
    for i in range(5):
        write_file(app.workspace.intake / MATTER / f"b {i}.pdf", 10_000, seed=200 + i)
    filer.batch_limits = BatchLimits(files=100, bytes=25_000, seconds=60)
    filer.ingest([app.workspace.intake])
    assert _received_runs(app)[3:] == [3, 2]  # closed once 30,000 bytes >= 25,000


def test_copying_starts_after_a_few_files_when_nothing_is_being_copied(
        app: App, filer: Filer) -> None:
    """GIVEN batch limits far above the number of files WHEN nothing is being copied THEN a
    batch closes once it holds `idle_files` files (copying starts early, and the last
    batch, which nothing overlaps, stays small), and every file is filed once."""
    datas = [write_file(app.workspace.intake / MATTER / f"c {i}.pdf", 10_000, seed=300 + i)
             for i in range(9)]
    filer.batch_limits = BatchLimits(files=100, bytes=10**9, seconds=60, idle_files=3)
    results = filer.ingest([app.workspace.intake])
    runs = _received_runs(app)
    assert runs[0] == 3 and len(runs) >= 2 and sum(runs) == 9, runs
    assert [Path(r.path or "").read_bytes() for r in results] == datas


def _received_runs(app: App) -> list[int]:
    """Lengths of the runs of consecutive `received` events (one run per batch)."""
    runs: list[int] = []
    previous = ""
    for e in app.ledger.chain.events():
        if e.kind == "received":
            if previous == "received":
                runs[-1] += 1
            else:
                runs.append(1)
        previous = e.kind
    return runs


def test_same_bytes_twice_in_one_batch_is_a_duplicate_not_two_filings(
    app: App, filer: Filer
) -> None:
    data = write_file(app.workspace.intake / MATTER / "a letter.pdf", 30_000, seed=9)
    write_file(app.workspace.intake / MATTER / "b other.pdf", 30_000, seed=10)
    (app.workspace.intake / MATTER / "c letter copy.pdf").write_bytes(data)
    results = filer.ingest([app.workspace.intake])
    assert [r.status for r in results] == [Outcome.FILED, Outcome.FILED, Outcome.DUPLICATE]
    assert results[2].path == results[0].path
    filed = [p for p in app.workspace.matter_dir(MATTER).rglob("*") if p.is_file()]
    assert len(filed) == 4  # two documents, each original + working copy
    assert custody.verify(app.ledger, app.workspace.root).ok


def test_names_in_one_batch_never_collide(app: App, filer: Filer) -> None:
    """Two files routed to the same name in one batch: the second gets ` (2)`."""
    one = write_file(app.workspace.intake / MATTER / "A" / "letter.pdf", 5_000, seed=11)
    two = write_file(app.workspace.intake / MATTER / "B" / "letter.pdf", 5_000, seed=12)
    filer.router = _SameFolder()
    results = filer.ingest([app.workspace.intake])
    paths = [Path(r.path or "") for r in results]
    assert [p.name for p in paths] == ["letter.pdf", "letter (2).pdf"]
    assert [p.read_bytes() for p in paths] == [one, two]


class _SameFolder:
    rules_version = "test-same-folder"

    def route(self, candidate: object) -> object:
        from intake_desktop.core.pipeline import Decision

        return Decision(matter=MATTER, folder="Letters", filename="letter.pdf", rule="same",
                        rules_version=self.rules_version)


def test_one_file_in_a_batch_failing_does_not_stop_the_others(
    app: App, filer: Filer, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = write_file(app.workspace.intake / MATTER / "a good.pdf", 10_000, seed=13)
    bad = app.workspace.intake / MATTER / "b vanishing.pdf"
    write_file(bad, 10_000, seed=14)
    real = filer.mover.write_copies  # the step that reads the source

    def vanish(src: Path, *args: object, **kw: object) -> object:
        if src == bad and bad.exists():
            bad.unlink()
        return real(src, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(filer.mover, "write_copies", vanish)
    results = filer.ingest([app.workspace.intake])
    assert [r.status for r in results] == [Outcome.FILED, Outcome.ERROR]
    assert "disappeared" in (results[1].reason or "")
    assert Path(results[0].path or "").read_bytes() == good
    assert not list(app.workspace.matters.rglob("b vanishing*"))
    assert app.ledger.docs.unfinished() == []
    assert custody.verify(app.ledger, app.workspace.root).ok


def test_a_batch_syncs_its_copies_several_at_a_time_and_keeps_no_thread(
    app: App, filer: Filer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each copy's data is synced before it is named, the batch's syncs overlap (the
    filesystem commits concurrent syncs together), and no thread outlives the batch (so
    forking preparation workers later stays safe)."""
    import threading

    real = platform.sync_data
    synced: list[tuple[int, str]] = []  # (thread, the copy's name at the time)
    gate = threading.Barrier(2, timeout=30)  # two syncs must be waiting at once

    def sync_data(fd: int) -> None:
        synced.append((threading.get_ident(), os.readlink(f"/proc/self/fd/{fd}")))
        if len(synced) <= 2:
            gate.wait()
        real(fd)

    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to name the file being synced")
    monkeypatch.setattr(platform, "sync_data", sync_data)
    datas = [write_file(app.workspace.intake / MATTER / f"note {i}.bin", 20_000, seed=70 + i)
             for i in range(6)]
    threads_before = threading.active_count()
    results = filer.ingest([app.workspace.intake])
    assert [r.status for r in results] == [Outcome.FILED] * 6
    assert [Path(r.path or "").read_bytes() for r in results] == datas
    assert len(synced) == 12  # the original and the working copy of each
    assert all(name.endswith(".intake-tmp") for _, name in synced), synced  # before naming
    assert len({thread for thread, _ in synced}) >= 2
    assert threading.active_count() == threads_before
    assert not list((app.workspace.intake / MATTER).iterdir())  # sources removed


def test_the_next_batch_is_staged_while_this_ones_copies_are_written(
    app: App, filer: Filer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN batches of two files WHEN the first batch's copies are being written THEN the
    files of the next batch are hashed and planned meanwhile (the copies are not waited for
    before the next batch is staged) AND the ledger still records one batch after the
    other: a batch's pending rows only after the batch before it is done, and each
    batch's sources removed only after its done commit."""
    import threading

    filer.batch_limits = BatchLimits(files=2, bytes=10**9, seconds=60)
    datas = [write_file(app.workspace.intake / MATTER / f"part {i}.pdf", 20_000, seed=80 + i)
             for i in range(6)]
    staged_next = threading.Event()
    real_copy, real_plan = filer.mover.write_copies, filer.plan
    overlapped: list[bool] = []

    def write_copies(src: Path, *args: Any, **kw: Any) -> Any:
        if src.name == "part 0.pdf" and not overlapped:
            overlapped.append(staged_next.wait(timeout=20))  # wait for part 2's planning
        return real_copy(src, *args, **kw)

    def plan(candidate: Any, *args: Any, **kw: Any) -> Any:
        if candidate.source.name == "part 2.pdf":
            staged_next.set()
        return real_plan(candidate, *args, **kw)

    monkeypatch.setattr(filer.mover, "write_copies", write_copies)
    monkeypatch.setattr(filer, "plan", plan)
    results = filer.ingest([app.workspace.intake])
    assert overlapped == [True], "the next batch was planned only after the copies"
    assert [Path(r.path or "").read_bytes() for r in results] == datas
    kinds = [e.kind for e in app.ledger.chain.events() if e.document_id is not None]
    received = [n for n, k in enumerate(kinds) if k == "received"]
    filed = [n for n, k in enumerate(kinds) if k == "filed"]
    removed = [n for n, k in enumerate(kinds) if k == "source_removed"]
    for batch in range(3):
        first, last = 2 * batch, 2 * batch + 1
        if batch:  # this batch's intents follow the previous batch's done commit
            assert received[first] > filed[last - 2], kinds
        assert filed[first] > received[last], kinds  # done after every intent of the batch
        assert removed[first] > filed[last], kinds  # sources after the done commit
    assert custody.verify(app.ledger, app.workspace.root).ok


def test_a_batchs_sources_are_removed_while_the_next_batch_is_staged(
    app: App, filer: Filer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN batches of two files WHEN the first batch is done and its sources are being
    removed THEN the filing step plans the next batch meanwhile (it does not wait for the
    removals) AND every source is still removed only after its done commit, recorded as
    `source_removed`, and the work folders are gone when `ingest` returns."""
    import threading

    filer.batch_limits = BatchLimits(files=2, bytes=10**9, seconds=60)
    datas = [write_file(app.workspace.intake / MATTER / f"part {i}.pdf", 20_000, seed=90 + i)
             for i in range(6)]
    planned_later = threading.Event()
    real_remove, real_plan = filer.mover.remove_sources, filer.plan
    overlapped: list[bool] = []

    def remove_sources(sources: list[Path]) -> None:
        if any(p.name == "part 0.pdf" for p in sources):
            overlapped.append(planned_later.wait(timeout=20))  # until part 4 is planned
        real_remove(sources)

    def plan(candidate: Any, *args: Any, **kw: Any) -> Any:
        if candidate.source.name == "part 4.pdf":
            planned_later.set()
        return real_plan(candidate, *args, **kw)

    monkeypatch.setattr(filer.mover, "remove_sources", remove_sources)
    monkeypatch.setattr(filer, "plan", plan)
    results = filer.ingest([app.workspace.intake])
    assert overlapped == [True], "the next batch was planned only after the removals"
    assert [Path(r.path or "").read_bytes() for r in results] == datas
    assert not list((app.workspace.intake / MATTER).iterdir())
    kinds = [(e.kind, e.document_id) for e in app.ledger.chain.events()
             if e.document_id is not None]
    for doc_id in {d for _, d in kinds}:
        mine = [k for k, d in kinds if d == doc_id]
        assert mine.index("source_removed") > mine.index("filed"), mine
    assert not any(app.workspace.work.iterdir()), list(app.workspace.work.iterdir())
    assert [t.name for t in threading.enumerate() if t.name.startswith("intake-")] == []
    assert custody.verify(app.ledger, app.workspace.root).ok


@pytest.mark.skipif(shutil.which("fincore") is None, reason="needs util-linux fincore")
def test_filed_copies_do_not_stay_in_the_page_cache(app: App, filer: Filer) -> None:
    """A filed copy is synced, then its cached pages are let go (nobody reads it soon;
    two cached copies of every file would push out what the user is working on)."""
    data = write_file(app.workspace.intake / MATTER / "scan.pdf", 4 * 1024 * 1024, seed=90)
    [result] = filer.ingest([app.workspace.intake])
    for copy in (Path(result.path or ""), Path(result.original or "")):
        cached = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES",
                                 str(copy)], capture_output=True, text=True, check=True)
        assert int(cached.stdout.strip()) < 1024 * 1024, (copy, cached.stdout)
    assert Path(result.path or "").read_bytes() == data


@pytest.mark.skipif(shutil.which("fincore") is None, reason="needs util-linux fincore")
def test_a_large_files_copies_leave_the_cache_while_they_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large file's copies are written out and dropped from the cache every
    `STREAM_FLUSH` bytes as they are written (a 1 GiB video does not first fill the cache
    with two copies), and the copies are still whole and checked."""
    import intake_desktop.core.mover as mover_mod

    monkeypatch.setattr(mover_mod, "STREAM_FLUSH", 2 * 1024 * 1024)
    src = tmp_path / "in" / "video.mp4"
    data = write_file(src, 12 * 1024 * 1024, seed=91)
    first, second = tmp_path / "a" / "original.mp4", tmp_path / "b" / "filed.mp4"
    cached: list[int] = []
    real = mover_mod._let_go

    def let_go(fds: list[int]) -> None:
        real(fds)
        for fd in fds:  # what the copy holds in the cache just after
            out = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES",
                                  f"/proc/{os.getpid()}/fd/{fd}"], capture_output=True, text=True,
                                 check=True)
            cached.append(int(out.stdout.strip()))

    monkeypatch.setattr(mover_mod, "_let_go", let_go)
    Mover().place_copy(src, first, hashlib.sha256(data).hexdigest(), tag="t",
                       read_only=True, more=[(second, False)])
    assert len(cached) == 2 * 6, cached  # at 2, 4, 6, 8, 10 and 12 MB, for both copies
    assert max(cached) < 1024 * 1024, cached
    assert first.read_bytes() == data and second.read_bytes() == data


# ---- the PDF read once -------------------------------------------------------------------

def text_pdf(path: Path, lines: list[str]) -> None:
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    body = b"BT /F1 12 Tf 72 720 Td 14 TL " + b" ".join(
        b"(" + line.encode() + b") '" for line in lines) + b" ET"
    pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=pdf.make_stream(body))))
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(path)


def test_a_text_pdf_is_parsed_once_for_checks_rules_ocr_probe_and_search(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = app.workspace.intake / MATTER / "radiology report.pdf"
    text_pdf(src, ["Lakeside Imaging Center", "Findings: no fracture", "Zanzibarite"])
    opened = {"pikepdf": 0, "pypdf": 0}
    real_open, real_init = pikepdf.open, pypdf.PdfReader.__init__

    def count_open(*args: object, **kw: object) -> pikepdf.Pdf:
        opened["pikepdf"] += 1
        return real_open(*args, **kw)  # type: ignore[arg-type]

    def count_init(self: pypdf.PdfReader, *args: object, **kw: object) -> None:
        opened["pypdf"] += 1
        real_init(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pikepdf, "open", count_open)
    monkeypatch.setattr(pypdf.PdfReader, "__init__", count_init)
    [result] = build_filer(app).ingest([app.workspace.intake])
    monkeypatch.undo()
    assert result.status is Outcome.FILED
    # main: pikepdf twice (checks, OCR probe), pypdf twice (first page, search index)
    assert opened == {"pikepdf": 1, "pypdf": 1}, opened
    found = app.ledger.docs.browse_documents(DocumentFilter(text="Zanzibarite"))
    assert [d.id for d in found] == [result.document_id], "indexed for search"


def test_a_scan_still_gets_its_ocr_probe(app: App, tmp_path: Path) -> None:
    """Pages without text: the probe runs and says so (a flag or an OCR event)."""
    from PIL import Image

    img = tmp_path / "page.png"
    Image.new("L", (300, 300), 255).save(img)
    import img2pdf

    src = app.workspace.intake / MATTER / "scan.pdf"
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_bytes(img2pdf.convert(str(img)))
    [result] = build_filer(app).ingest([app.workspace.intake])
    assert result.status is Outcome.FILED
    doc_events = app.ledger.chain.events(document_id=result.document_id)
    ocr = [e for e in doc_events if e.kind == "ocr"]
    assert ocr or "not_text_searchable" in result.flags, (result.flags, doc_events)


# ---- preparation in parallel -------------------------------------------------------------

class _PidPreparer:
    """A preparer (the Preparer protocol) that says which process prepared each file."""

    def prepare(self, source: Path, sha256: str, workdir: Path) -> object:
        from intake_desktop.core.mime import detect_type
        from intake_desktop.core.pipeline import Prepared

        return Prepared(detected_type=detect_type(source), filed_from=source,
                        facts={"pid": os.getpid()})


class _PidRouter:
    rules_version = "test-pid"

    def route(self, candidate: object) -> object:
        from intake_desktop.core.pipeline import Candidate, Decision

        assert isinstance(candidate, Candidate)
        return Decision(matter=MATTER, filename=candidate.source.name,
                        rule=f"pid-{candidate.facts['pid']}", rules_version=self.rules_version)


def rerun_alone(request: pytest.FixtureRequest) -> bool:
    """Worker processes are forked only by a process with no other thread (core/filing/
    pool.py) and no Qt application. When this test process has run the window tests, run
    this test again in a fresh pytest and take its verdict: True when it did."""
    if platform.fork_is_safe() or os.environ.get("INTAKE_TEST_ALONE"):
        return False
    test = f"{request.node.path}::{request.node.name}"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        env={**os.environ, "INTAKE_TEST_ALONE": "1"}, cwd=request.config.rootpath,
        capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    return True


def test_files_are_prepared_by_worker_processes_and_filed_in_input_order(
    app: App, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    if rerun_alone(request):
        return
    monkeypatch.setenv("INTAKE_PREPARE_WORKERS", "2")
    datas = [write_file(app.workspace.intake / MATTER / f"exhibit {i:02}.bin", 5_000, seed=i)
             for i in range(12)]
    filer = Filer(app.workspace, app.ledger, preparer=_PidPreparer(),  # type: ignore[arg-type]
                  router=_PidRouter())  # type: ignore[arg-type]
    results = filer.ingest([app.workspace.intake])
    assert [Path(r.path or "").name for r in results] == [f"exhibit {i:02}.bin"
                                                          for i in range(12)]
    assert [Path(r.path or "").read_bytes() for r in results] == datas
    pids = {int(r.rule.removeprefix("pid-")) for r in results}
    assert os.getpid() not in pids and len(pids) >= 1, pids
    ids = [r.document_id for r in results]
    assert ids == sorted(ids), "documents numbered in input order"
    assert not list(app.workspace.work.iterdir()), "no work folder left"


class SlowFirstPreparer:
    """The preparation of the files named `first...` lasts until `wanted` other files were
    prepared (each leaves a mark in `marks`), as a long LibreOffice conversion or OCR run
    would; it gives up after `patience` seconds and says how many it saw."""

    def __init__(self, marks: Path, wanted: int, patience: float = 20.0,
                 first: str = "exhibit 00") -> None:
        self.marks, self.wanted, self.patience, self.first = marks, wanted, patience, first

    def prepare(self, source: Path, sha256: str, workdir: Path) -> object:
        from intake_desktop.core.mime import detect_type
        from intake_desktop.core.pipeline import Prepared

        seen = 0
        if source.name.startswith(self.first):
            end = time.monotonic() + self.patience
            while (seen := len(list(self.marks.iterdir()))) < self.wanted:
                if time.monotonic() > end:
                    break
                time.sleep(0.02)
        else:
            (self.marks / source.name).write_bytes(b"")
        return Prepared(detected_type=detect_type(source), filed_from=source,
                        facts={"pid": os.getpid(), "seen": seen})


def test_a_slow_file_holds_up_only_its_own_worker(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """GIVEN two workers and a first file whose preparation lasts until five others are
    prepared WHEN the folder is ingested THEN the other worker prepares the files behind it
    meanwhile (they are not queued behind the slow one, nor held back by the filing step
    waiting for the first file), and every file is still filed in input order."""
    if rerun_alone(request):
        return
    monkeypatch.setenv("INTAKE_PREPARE_WORKERS", "2")
    marks = tmp_path / "marks"
    marks.mkdir()
    datas = [write_file(app.workspace.intake / MATTER / f"exhibit {i:02}.bin", 5_000, seed=i)
             for i in range(10)]
    filer = Filer(app.workspace, app.ledger, preparer=SlowFirstPreparer(marks, 5),  # type: ignore[arg-type]
                  router=_PidRouter())  # type: ignore[arg-type]
    seen: list[int] = []
    real = filer.candidate

    def candidate(source: object, prepared: Any, *args: Any, **kw: Any) -> Any:
        seen.append(prepared.facts["seen"])
        return real(source, prepared, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(filer, "candidate", candidate)
    results = filer.ingest([app.workspace.intake])
    assert seen[0] >= 5, f"the first file waited while only {seen[0]} others were prepared"
    assert [Path(r.path or "").read_bytes() for r in results] == datas
    ids = [r.document_id for r in results]
    assert ids == sorted(ids), "documents numbered in input order"


def test_the_pool_changes_nothing_but_speed(app: App, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            request: pytest.FixtureRequest) -> None:
    """The same mixed upload filed with and without workers: the same names, statuses,
    hashes and flags."""
    if rerun_alone(request):
        return
    from PIL import Image

    def upload(folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(3):
            text_pdf(folder / f"letter {i}.pdf", [f"Letter {i}", "Dated March 4, 2024"])
            Image.new("RGB", (200, 150), (i * 60, 90, 120)).save(folder / f"photo {i}.jpg")
            (folder / f"notes {i}.txt").write_text(f"Call notes {i}\n" * 20)
        (folder / "letter copy.pdf").write_bytes((folder / "letter 1.pdf").read_bytes())

    from intake_desktop.app import open_app
    from intake_desktop.core.workspace import init_workspace

    upload(tmp_path / "upload")
    outcomes = []
    for workers in ("0", "2"):
        monkeypatch.setenv("INTAKE_PREPARE_WORKERS", workers)
        root = tmp_path / f"ws{workers}"
        init_workspace(root).rules_path.unlink()
        shutil.copytree(tmp_path / "upload", root / "Intake" / MATTER)
        with open_app(str(root)) as other:
            results = build_filer(other).ingest([other.workspace.intake])
        outcomes.append([(Path(r.source).name, str(r.status),
                          Path(r.path).relative_to(root).as_posix() if r.path else None,
                          r.sha256, r.flags) for r in results])
    assert outcomes[0] == outcomes[1]
    assert {o[1] for o in outcomes[1]} == {"filed", "duplicate"}


def test_the_progress_line_shows_rate_and_time_left() -> None:
    from intake_desktop.commands.ingest import TerminalProgress

    bar = TerminalProgress(enabled=True)
    assert "left" not in bar.line(0, 100, "/in/a.pdf", now=10.0)
    line = bar.line(20, 100, "/in/report 21.pdf", now=20.0)  # 20 files in 10 s
    assert "20/100 2.0/s, 40s left report 21.pdf" in line
    assert "1m30s left" in bar.line(10, 100, "/in/x.pdf", now=20.0)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")
def test_workers_end_when_the_command_is_killed(tmp_path: Path) -> None:
    """kill -9 of `ingest` while its workers prepare: no worker outlives it."""
    import signal
    import subprocess
    import sys

    from tests.conftest import REPO

    script = tmp_path / "parent.py"
    script.write_text(
        "import os, sys, time\n"
        "from intake_desktop.core import platform\n"
        "parent = os.getpid()\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        "    platform.die_with_parent(parent)\n"
        "    time.sleep(60)\n"
        "    os._exit(0)\n"
        "print(child, flush=True)\n"
        "time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.stdout is not None
    child = int(proc.stdout.readline())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    raise AssertionError("the worker outlived its parent")


def test_workers_route_with_the_rules_in_force_and_the_filing_step_keeps_their_decisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """GIVEN a workspace with the litigation preset's rules and two workers WHEN a folder of
    text PDFs is ingested THEN the rules decide each file in the worker that prepared it
    (the filing step routes none of them again) AND names, folders and statuses are the
    ones filing without workers gives."""
    if rerun_alone(request):
        return
    from intake_desktop.app import open_app
    from intake_desktop.core.rules.router import RulesRouter
    from intake_desktop.core.workspace import init_workspace

    titles = ["Complaint for damages", "Answer to complaint", "Deposition of Jane Roe",
              "Medical records, Mercy Hospital", "Invoice 2211", "Letter to counsel"]
    main_calls: list[str] = []
    real_route = RulesRouter.route

    def route(self: RulesRouter, candidate: Any) -> Any:
        main_calls.append(candidate.source.name)  # a worker's appends stay in the worker
        return real_route(self, candidate)

    monkeypatch.setattr(RulesRouter, "route", route)
    outcomes = []
    for workers in ("0", "2"):
        monkeypatch.setenv("INTAKE_PREPARE_WORKERS", workers)
        main_calls.clear()
        root = tmp_path / f"ws{workers}"
        init_workspace(root, "litigation")
        for i, title in enumerate(titles):
            text_pdf(root / "Intake" / MATTER / f"scan {i:02}.pdf",
                     [title, f"Dated March {i + 1}, 2024", "Smith v. Harbor Freight"])
        with open_app(str(root)) as other:
            results = build_filer(other).ingest([other.workspace.intake])
        outcomes.append([(Path(r.source).name, str(r.status), r.rule,
                          Path(r.path).relative_to(root).as_posix() if r.path else None)
                         for r in results])
        if workers == "0":
            assert len(main_calls) == len(titles)
        else:
            assert main_calls == [], "the filing step routed again what a worker routed"
    assert outcomes[0] == outcomes[1]
    assert {o[1] for o in outcomes[0]} >= {"filed"}, outcomes[0]


def test_a_workers_decision_made_with_rules_no_longer_in_force_is_made_again(
    app: App, tmp_path: Path
) -> None:
    """GIVEN a decision made with the rules in force when the workers were forked WHEN an
    admin saves new rules before the file is filed THEN the filing step does not keep it
    (`accept` is False) and routes the file with the new rules."""
    from intake_desktop.core.pipeline import Candidate
    from intake_desktop.core.rules.active import WorkspaceRulesRouter
    from intake_desktop.core.workspace import init_workspace

    root = tmp_path / "ws"
    ws = init_workspace(root, "litigation")
    src = root / "Intake" / MATTER / "notes.txt"
    src.parent.mkdir(parents=True)
    src.write_text("call notes")
    router = WorkspaceRulesRouter(ws, None, lambda _text: None)
    snapshot = router.snapshot()
    assert snapshot is not None
    candidate = Candidate(source=src, relative=src.relative_to(root / "Intake"),
                          matter_hint=MATTER, detected_type="text/plain", sha256="0" * 64,
                          size=src.stat().st_size)
    before = snapshot.route(candidate)
    assert router.accept(before)
    rules = ws.rules_path.read_text(encoding="utf-8")
    ws.rules_path.write_text(rules + "\n# edited by an admin\n", encoding="utf-8")
    os.utime(ws.rules_path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    assert not router.accept(before), "a decision of the old rules was kept"
    assert router.route(candidate).rules_version != before.rules_version


def test_the_filing_step_of_a_pooled_run_compiles_no_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """GIVEN rules already in force (checked when they were saved) WHEN a folder is ingested
    with two workers THEN the filing step never parses or compiles them (the workers do,
    each when it first routes a file) AND the files are filed by those rules."""
    if rerun_alone(request):
        return
    from intake_desktop.app import open_app
    from intake_desktop.core.rules import ruleset
    from intake_desktop.core.workspace import init_workspace

    monkeypatch.setenv("INTAKE_PREPARE_WORKERS", "2")
    root = tmp_path / "ws"
    init_workspace(root, "litigation")
    text_pdf(root / "Intake" / MATTER / "first.pdf", ["Complaint for damages"])
    with open_app(str(root)) as first:  # the preset becomes the version in force
        build_filer(first).ingest([first.workspace.intake])
    parsed: list[int] = []
    real_load = ruleset._Loader.load

    def load(self: Any) -> Any:
        parsed.append(os.getpid())  # a worker's appends stay in the worker
        return real_load(self)

    monkeypatch.setattr(ruleset._Loader, "load", load)
    for i in range(6):
        text_pdf(root / "Intake" / MATTER / f"complaint {i}.pdf",
                 ["Complaint for damages", f"Dated March {i + 1}, 2024"])
    with open_app(str(root)) as app:
        results = build_filer(app).ingest([app.workspace.intake])
    assert parsed == [], "the filing step compiled the rules"
    assert {r.status for r in results} == {Outcome.FILED}
    assert all("Pleadings" in (r.path or "") for r in results), [r.path for r in results]


def test_a_batch_looks_up_same_bytes_in_one_query_and_still_finds_duplicates(
    app: App, filer: Filer
) -> None:
    """GIVEN a document already filed WHEN sixteen files are ingested in batches of eight,
    one of them with the same bytes as that document THEN the ledger is asked about the
    files' bytes once a batch (before, once a file) AND the copy is a duplicate of the
    document filed before."""
    first = write_file(app.workspace.intake / MATTER / "letter.pdf", 9_000, seed=1)
    (earlier,) = filer.ingest([app.workspace.intake])
    assert earlier.status is Outcome.FILED
    filer.batch_limits = BatchLimits(files=8, bytes=10**9, seconds=60)
    for i in range(15):
        write_file(app.workspace.intake / MATTER / f"exhibit {i:02}.pdf", 9_000, seed=10 + i)
    (app.workspace.intake / MATTER / "letter again.pdf").write_bytes(first)
    lookups: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "FROM documents" in statement and "sha256" in statement.split("WHERE", 1)[-1]:
            lookups.append(statement)

    event.listen(app.ledger.reader, "before_cursor_execute", seen)
    try:
        results = filer.ingest([app.workspace.intake])
    finally:
        event.remove(app.ledger.reader, "before_cursor_execute", seen)
    assert len(results) == 16
    again = next(r for r in results if Path(r.source).name == "letter again.pdf")
    assert again.status is Outcome.DUPLICATE and str(earlier.document_id) in (again.reason or "")
    assert {r.status for r in results if r is not again} == {Outcome.FILED}
    assert len(lookups) == 2, lookups  # two batches of eight


@needs_proc_io
def test_a_file_dropped_just_before_filing_is_not_read_again_before_its_removal(
    app: App
) -> None:
    """On a local filesystem whose times the kernel sets (ext4 here), a source last changed
    a moment before it was copied is removed on its status alone: changed since, its
    change time would have moved (main read it a third time: its change time was within
    the three seconds FAT's coarse times need)."""
    src = app.workspace.intake / MATTER / "body camera.mp4"
    data = write_file(src, 32 * 1024 * 1024, seed=8)
    time.sleep(0.2)  # a moment, not three seconds
    before = bytes_read()
    [result] = Filer(app.workspace, app.ledger).ingest([app.workspace.intake])
    read = bytes_read() - before
    assert result.status is Outcome.FILED, result.reason
    assert not src.exists()
    assert Path(result.path or "").read_bytes() == data
    assert read < 2.5 * len(data), f"read {read / len(data):.1f} times the file"


def test_a_batch_looks_up_each_folders_real_path_once(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN 40 files for one matter WHEN they are filed in batches THEN the paths the
    ledger records are resolved a folder at a time, not a path at a time (each file's two
    copies and its claim resolved six paths component by component, 1,200 calls for 200
    files), and the recorded paths are still the real, workspace-relative ones."""
    datas = [write_file(app.workspace.intake / MATTER / f"letter {i:02}.pdf", 3_000, seed=i)
             for i in range(40)]
    calls = 0
    real_resolve = Path.resolve

    def resolve(self: Path, strict: bool = False) -> Path:
        nonlocal calls
        calls += 1
        return real_resolve(self, strict)

    monkeypatch.setattr(Path, "resolve", resolve)
    results = Filer(app.workspace, app.ledger).ingest([app.workspace.intake])
    monkeypatch.undo()
    assert [r.status for r in results] == [Outcome.FILED] * 40
    assert calls < 40, f"{calls} paths resolved for 40 files"
    for result, data in zip(results, datas, strict=True):
        doc = app.ledger.docs.document(result.document_id or 0)
        assert doc is not None and doc.filed_path and doc.original_path
        assert (app.workspace.root / doc.filed_path).read_bytes() == data
        assert (app.workspace.root / doc.original_path).read_bytes() == data
        assert not Path(doc.filed_path).is_absolute() and ".." not in doc.filed_path
