"""Issue 16, conversions in parallel: what the preparation pool's workers run and when.

Workers prepare a file's attachments with the file (an e-mail's photo is converted and
OCRed in the worker, not by the filing step after it takes the e-mail), keep going well
ahead of a file that takes long, and start the most expensive kinds first while the
filing step still files in input order. Nothing here asserts a time: the checks are on
which process prepared what, in which order, and on the filed bytes and ledger.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from intake_desktop.app import App, build_filer, open_app
from intake_desktop.core.filing import Filer
from intake_desktop.core.workspace import init_workspace
from tests.conftest import write_file
from tests.core.convert import samples as s
from tests.core.filing.test_filing_speed import (
    MATTER,
    SlowFirstPreparer,
    _PidRouter,
    rerun_alone,
)


class _Logged:
    """The real preparer, each call logged as "pid<TAB>file name" (appended: workers and
    the filing process write to the same log)."""

    def __init__(self, inner: Any, log: Path) -> None:
        self.inner, self.log = inner, log

    def prepare(self, source: Path, sha256: str, workdir: Path) -> Any:
        with open(self.log, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\t{source.name}\n")
        return self.inner.prepare(source, sha256, workdir)

    def calls(self) -> list[tuple[int, str]]:
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [(int(pid), name) for pid, name in (line.split("\t", 1) for line in lines)]


def emails(folder: Path, count: int) -> None:
    """`count` e-mails, each with a bill (a text PDF) and a photo attached."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        picture = folder.parent / f"photo {i}.jpg"
        s.photo(picture, color=f"#{40 * i:02x}6080")
        msg = s.email_message(subject=f"Claim update {i}", body=f"Update number {i}.",
                              attachments=[
                                  (f"bill {i}.pdf", s.pdf_bytes([f"Bill {i}"]),
                                   "application/pdf"),
                                  (f"photo {i}.jpg", picture.read_bytes(), "image/jpeg")])
        (folder / f"message {i}.eml").write_bytes(bytes(msg))
        picture.unlink()


def test_attachments_are_prepared_by_the_worker_that_prepared_their_email(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """GIVEN two workers and four e-mails, each with a PDF and a photo attached WHEN the
    folder is ingested THEN every attachment was prepared (converted, OCRed) in a worker,
    none by the filing process after it took the e-mail, and each is filed under its
    e-mail with its own bytes."""
    if rerun_alone(request):
        return
    monkeypatch.setenv("INTAKE_PREPARE_WORKERS", "2")
    emails(app.workspace.intake / MATTER, 4)
    filer = build_filer(app)
    logged = _Logged(filer.preparer, tmp_path / "calls.log")
    filer.preparer = logged  # type: ignore[assignment]
    results = filer.ingest([app.workspace.intake])
    assert [str(r.status) for r in results] == ["filed"] * 4
    calls = logged.calls()
    attachment_calls = [(pid, name) for pid, name in calls if not name.endswith(".eml")]
    assert sorted(name for _, name in attachment_calls) == sorted(
        [f"bill {i}.pdf" for i in range(4)] + [f"photo {i}.jpg" for i in range(4)])
    here = [name for pid, name in attachment_calls if pid == os.getpid()]
    assert here == [], f"prepared by the filing process: {here}"
    for i, result in enumerate(results):
        names = sorted(Path(c.source).name for c in result.children)
        assert names == [f"bill {i}.pdf", f"photo {i}.jpg"]
        assert all(str(c.status) == "filed" for c in result.children)
        photo = next(c for c in result.children if c.source.endswith(".jpg"))
        assert photo.path and Path(photo.path).read_bytes()[:5] == b"%PDF-"
    assert not list(app.workspace.work.iterdir()), "no work folder left"


def test_attachments_prepared_ahead_are_filed_as_without_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """The same e-mails (and an archive of them) filed with and without workers: the same
    names, statuses, hashes, flags and children, in the same order."""
    if rerun_alone(request):
        return
    upload = tmp_path / "upload"
    emails(upload, 3)
    (upload / "notes.txt").write_text("Call notes\n" * 20)
    shutil.make_archive(str(tmp_path / "mails"), "zip", upload)
    shutil.move(tmp_path / "mails.zip", upload / "mails.zip")

    def flat(results: list[Any], root: Path) -> list[Any]:
        out = []
        for r in results:
            out.append((Path(r.source).name, str(r.status),
                        Path(r.path).relative_to(root).as_posix() if r.path else None,
                        r.sha256, r.flags, flat(r.children, root)))
        return out

    outcomes = []
    for workers in ("0", "2"):
        monkeypatch.setenv("INTAKE_PREPARE_WORKERS", workers)
        root = tmp_path / f"ws{workers}"
        init_workspace(root).rules_path.unlink()
        shutil.copytree(upload, root / "Intake" / MATTER)
        with open_app(str(root)) as other:
            results = build_filer(other).ingest([other.workspace.intake])
            assert not list(other.workspace.work.iterdir()), "no work folder left"
        outcomes.append(flat(results, root))
    assert outcomes[0] == outcomes[1]
    zipped = next(o for o in outcomes[1] if o[0] == "mails.zip")
    assert len(zipped[5]) == 4 and any(child[5] for child in zipped[5]), zipped


def test_the_other_worker_keeps_going_far_ahead_of_a_long_file(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """GIVEN two workers and a first file that takes as long as 60 others together (an OCR
    run on a hard photo: 90 s where most files take 1 s) WHEN 70 files are ingested THEN the
    other worker prepares at least 60 files behind it meanwhile instead of running dry, and
    every file is still filed in input order."""
    if rerun_alone(request):
        return
    monkeypatch.setenv("INTAKE_PREPARE_WORKERS", "2")
    marks = tmp_path / "marks"
    marks.mkdir()
    datas = [write_file(app.workspace.intake / MATTER / f"exhibit {i:03}.bin", 2_000, seed=i)
             for i in range(70)]
    slow = SlowFirstPreparer(marks, 60, 30.0, first="exhibit 000")
    filer = Filer(app.workspace, app.ledger, preparer=slow,  # type: ignore[arg-type]
                  router=_PidRouter())  # type: ignore[arg-type]
    seen: list[int] = []
    real = filer.candidate

    def candidate(source: object, prepared: Any, *args: Any, **kw: Any) -> Any:
        seen.append(prepared.facts["seen"])
        return real(source, prepared, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(filer, "candidate", candidate)
    results = filer.ingest([app.workspace.intake])
    assert seen[0] >= 60, f"the other worker ran dry after {seen[0]} files"
    assert [Path(r.path or "").read_bytes() for r in results] == datas
    ids = [r.document_id for r in results]
    assert ids == sorted(ids), "documents numbered in input order"


class _OrderPreparer:
    """Logs the order preparations start in (appended by every worker) and takes a little
    time for each, as a conversion would."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def prepare(self, source: Path, sha256: str, workdir: Path) -> object:
        from intake_desktop.core.mime import detect_type
        from intake_desktop.core.pipeline import Prepared

        with open(self.log, "a", encoding="utf-8") as fh:
            fh.write(source.name + "\n")
        time.sleep(0.05)
        return Prepared(detected_type=detect_type(source), filed_from=source,
                        facts={"pid": os.getpid()})


def test_the_most_expensive_kinds_start_first_and_are_filed_in_order(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """GIVEN two workers, twenty text files, then an e-mail and a Word file at the end of the
    folder WHEN it is ingested THEN the e-mail and the Word file (attachments, LibreOffice:
    the long ones) start before most of the text files in front of them (within the first
    half), so they do not end the run alone on one worker; the files nearest the filing
    step still go first, and every file is filed, numbered in input order."""
    if rerun_alone(request):
        return
    monkeypatch.setenv("INTAKE_PREPARE_WORKERS", "2")
    folder = app.workspace.intake / MATTER
    folder.mkdir(parents=True)
    for i in range(20):
        (folder / f"a note {i:02}.txt").write_text(f"Call notes {i}\n" * 5)
    (folder / "b message.eml").write_bytes(bytes(s.email_message(subject="Claim")))
    s.docx(folder / "c letter.docx", ["Letter", "Dear client."])
    log = tmp_path / "order.log"
    filer = Filer(app.workspace, app.ledger, preparer=_OrderPreparer(log),  # type: ignore[arg-type]
                  router=_PidRouter())  # type: ignore[arg-type]
    results = filer.ingest([app.workspace.intake])
    order = log.read_text(encoding="utf-8").splitlines()
    assert len(order) == 22
    # Before: 20th and 21st of 22 (in input order); now ahead of most text files.
    assert order.index("b message.eml") < 11 and order.index("c letter.docx") < 11, order
    assert "a note 00.txt" in order[:2], "the file the filing step waits for goes first"
    assert [Path(r.source).name for r in results] == sorted(
        [f"a note {i:02}.txt" for i in range(20)] + ["b message.eml", "c letter.docx"])
    ids = [r.document_id for r in results]
    assert ids == sorted(ids) and None not in ids, "documents numbered in input order"


class _PairPreparer:
    """Each Office file's preparation lasts until the other Office file's has started (a
    mark in `marks`) or `patience` seconds pass, and says whether it saw it; other files
    take `cheap` seconds."""

    def __init__(self, marks: Path, cheap: float = 0.5, patience: float = 15.0) -> None:
        self.marks, self.cheap, self.patience = marks, cheap, patience

    def prepare(self, source: Path, sha256: str, workdir: Path) -> object:
        from intake_desktop.core.mime import detect_type
        from intake_desktop.core.pipeline import Prepared

        met = None
        if source.suffix == ".docx":
            (self.marks / source.name).write_bytes(b"")
            end = time.monotonic() + self.patience
            met = False
            while time.monotonic() < end:
                if len(list(self.marks.glob("*.docx"))) >= 2:
                    met = True
                    break
                time.sleep(0.02)
        else:
            time.sleep(self.cheap)
        return Prepared(detected_type=detect_type(source), filed_from=source,
                        facts={"pid": os.getpid(), "met": met})


def test_a_file_is_never_queued_behind_a_long_one_on_a_busy_worker(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """GIVEN two workers, an Office file, a text file and a second Office file (each Office
    conversion lasting until the other has started) WHEN the folder is ingested THEN the
    second Office file waits for a free worker instead of being queued behind the first on
    the same worker (the demo's two LibreOffice conversions ran one after the other while
    the other worker had nothing to do): the two run at the same time, and the files are
    filed in input order."""
    if rerun_alone(request):
        return
    monkeypatch.setenv("INTAKE_PREPARE_WORKERS", "2")
    marks = tmp_path / "marks"
    marks.mkdir()
    folder = app.workspace.intake / MATTER
    folder.mkdir(parents=True)
    s.docx(folder / "a 00 letter.docx", ["Letter", "Dear client."])
    (folder / "a 01 notes.txt").write_text("Call notes\n" * 5)
    s.docx(folder / "a 02 declaration.docx", ["Declaration", "I declare."])
    for i in range(3, 6):
        (folder / f"a {i:02} notes.txt").write_text(f"Call notes {i}\n" * 5)
    names = sorted(p.name for p in folder.iterdir())
    filer = Filer(app.workspace, app.ledger, preparer=_PairPreparer(marks),  # type: ignore[arg-type]
                  router=_PidRouter())  # type: ignore[arg-type]
    met: dict[str, object] = {}
    real = filer.candidate

    def candidate(source: Any, prepared: Any, *args: Any, **kw: Any) -> Any:
        met[source.path.name] = prepared.facts["met"]
        return real(source, prepared, *args, **kw)

    monkeypatch.setattr(filer, "candidate", candidate)
    results = filer.ingest([app.workspace.intake])
    assert met["a 00 letter.docx"] is True and met["a 02 declaration.docx"] is True, met
    assert [Path(r.source).name for r in results] == names
    ids = [r.document_id for r in results]
    assert ids == sorted(ids) and None not in ids


class _JobsPreparer:
    """Says how many Tesseract processes an OCR run would get where it prepares."""

    def prepare(self, source: Path, sha256: str, workdir: Path) -> object:
        from intake_desktop.core.mime import detect_type
        from intake_desktop.core.ocr.engine import DEFAULT_JOBS, capped_jobs
        from intake_desktop.core.pipeline import Prepared

        return Prepared(detected_type=detect_type(source), filed_from=source,
                        facts={"pid": os.getpid(), "jobs": capped_jobs(DEFAULT_JOBS)})


def test_workers_share_the_cores_for_ocr(
    app: App, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """GIVEN as many workers as cores WHEN files are prepared THEN an OCR run in a worker
    starts one Tesseract process (each worker has its share of the cores: both cores busy
    with different documents, not one document's pages), and the filing process's own
    OCR keeps its default."""
    if rerun_alone(request):
        return
    from intake_desktop.core.filing.pool import _cores
    from intake_desktop.core.ocr.engine import DEFAULT_JOBS, OCR_JOBS_ENV, capped_jobs

    monkeypatch.delenv(OCR_JOBS_ENV, raising=False)
    workers = max(2, _cores())
    monkeypatch.setenv("INTAKE_PREPARE_WORKERS", str(workers))
    for i in range(6):
        write_file(app.workspace.intake / MATTER / f"exhibit {i:02}.bin", 2_000, seed=i)
    filer = Filer(app.workspace, app.ledger, preparer=_JobsPreparer(),  # type: ignore[arg-type]
                  router=_PidRouter())  # type: ignore[arg-type]
    jobs: dict[int, int] = {}
    real = filer.candidate

    def candidate(source: Any, prepared: Any, *args: Any, **kw: Any) -> Any:
        jobs[prepared.facts["pid"]] = prepared.facts["jobs"]
        return real(source, prepared, *args, **kw)

    monkeypatch.setattr(filer, "candidate", candidate)
    results = filer.ingest([app.workspace.intake])
    assert all(str(r.status) == "filed" for r in results)
    assert os.getpid() not in jobs and jobs
    assert set(jobs.values()) == {max(1, _cores() // workers)}, jobs
    assert capped_jobs(DEFAULT_JOBS) == DEFAULT_JOBS  # the filing process: unchanged
