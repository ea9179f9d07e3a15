"""Links are not followed, names are clean, Review/ explains itself and holds no copies
twice, and work folders left by a killed process are cleaned at start."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

from intake_desktop.app import App, build_filer
from intake_desktop.core import custody
from intake_desktop.core.filing import LINK_REASON, Filer, Outcome
from intake_desktop.core.ledger import DocStatus
from intake_desktop.core.mover import PATH_BUDGET
from tests.conftest import write_file

MATTER = "2024-0301 Nguyen"


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_symlinks_in_intake_are_not_followed(app: App, filer: Filer, tmp_path: Path) -> None:
    """GIVEN a link to a file outside the workspace and a linked folder in Intake/
    WHEN ingesting THEN neither target's bytes are copied; the links stay, reported as
    'a link, not a file', and no document is recorded."""
    secret = write_file(tmp_path / "outside" / "secret.pdf", 5000, 1)
    write_file(tmp_path / "outside" / "dir" / "inner.pdf", 3000, 2)
    link = app.workspace.intake / MATTER / "looks normal.pdf"
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "outside" / "secret.pdf")
    (app.workspace.intake / "linked folder").symlink_to(tmp_path / "outside" / "dir")
    results = filer.ingest([app.workspace.intake])
    assert sorted((Path(r.source).name, r.status) for r in results) == [
        ("linked folder", Outcome.REVIEW), ("looks normal.pdf", Outcome.REVIEW)]
    assert all((r.reason or "").startswith(LINK_REASON) for r in results)
    assert link.is_symlink() and (app.workspace.intake / "linked folder").is_symlink()
    assert app.ledger.docs.documents() == []
    everywhere = [p.read_bytes() for p in files(app.workspace.review) + files(
        app.workspace.matters)]
    assert secret not in everywhere and everywhere == []
    # Named explicitly, a link inside Intake/ is refused the same way.
    [r] = filer.ingest([link])
    assert r.status is Outcome.REVIEW and (r.reason or "").startswith(LINK_REASON)


def test_planted_link_inside_matters_is_refused(app: App, filer: Filer, tmp_path: Path) -> None:
    """GIVEN Matters/<matter> replaced by a link to a folder outside the workspace WHEN a
    file for that matter is ingested THEN it is refused with a clear reason (no traceback),
    nothing is written outside, and the source stays."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    app.workspace.matters.mkdir(exist_ok=True)
    (app.workspace.matters / MATTER).symlink_to(outside, target_is_directory=True)
    src = app.workspace.intake / MATTER / "complaint.pdf"
    data = write_file(src, 4000, 3)
    [r] = filer.ingest([app.workspace.intake])
    assert r.status is Outcome.ERROR
    assert "is a link" in (r.reason or "") and "Replace the link" in (r.reason or "")
    assert list(outside.rglob("*")) == []
    assert src.read_bytes() == data
    # The planted link itself is something verify reports (no event put it there).
    report = custody.verify(app.ledger, app.workspace.root)
    assert not report.ok and report.unrecorded_files == [f"Matters/{MATTER}"]


def test_review_names_are_nfc_without_bidi_and_within_the_path_budget(
    app: App, filer: Filer, tmp_path: Path
) -> None:
    nfd = unicodedata.normalize("NFD", "Résumé café.pdf")
    bidi = "invoice\u202efdp.exe"
    long = "Very long scanned letter from the insurance company " * 4 + ".pdf"
    for name in (nfd, bidi, long):
        write_file(tmp_path / "in" / name, 1000 + len(name), len(name))
    results = filer.ingest([tmp_path / "in"])
    assert [r.status for r in results] == [Outcome.REVIEW] * 3
    names = sorted(Path(r.path or "").name for r in results)
    for r in results:
        rel = Path(r.path or "").relative_to(app.workspace.root).as_posix()
        assert len(rel) <= PATH_BUDGET - 5, rel  # room left for a counter " (12)"
        assert unicodedata.is_normalized("NFC", rel)
        assert not any(c in rel for c in "\u202e\u202a\u200f\u2066")
    assert "Résumé café.pdf" in names and "invoicefdp.exe" in names
    long_name = next(n for n in names if n.startswith("Very long"))
    assert long_name.endswith(".pdf")
    # Filed names too: the original keeps no bidi control.
    src = write_file(app.workspace.intake / MATTER / "bill\u202etxt.pdf", 900, 9)
    del src
    [r] = filer.ingest([app.workspace.intake])
    assert "\u202e" not in (r.original or "") and "\u202e" not in (r.path or "")


def test_review_deduplicates_and_writes_sidecars(app: App, filer: Filer, tmp_path: Path) -> None:
    """GIVEN a file waiting in Review/ WHEN the same bytes arrive again (another name, or
    the same upload re-ingested) THEN they are set aside as duplicates of it, not copied
    into Review/ again; each Review/ file has a sidecar with the reason and what to do."""
    data = write_file(app.workspace.intake / "ER visit.pdf", 7000, 4)
    [first] = filer.ingest([app.workspace.intake])
    assert first.status is Outcome.REVIEW
    copy = Path(first.path or "")
    sidecar = copy.with_name(copy.name + ".review.txt")
    text = sidecar.read_text()
    assert first.reason and first.reason in text
    assert "What to do:" in text and "Review queue" in text and first.sha256 in text
    (app.workspace.intake / "ER visit.pdf").write_bytes(data)
    (app.workspace.intake / "ER visit copy.pdf").write_bytes(data)
    outside = tmp_path / "ER visit.pdf"
    outside.write_bytes(data)
    again = filer.ingest([app.workspace.intake, outside])
    assert [r.status for r in again] == [Outcome.DUPLICATE] * 3
    assert all(f"document {first.document_id}, already waiting in Review/" in (r.reason or "")
               for r in again)
    in_review = [p for p in app.workspace.review.glob("*") if p.is_file()]
    assert sorted(p.name for p in in_review) == ["ER visit.pdf", "ER visit.pdf.review.txt"]
    assert files(app.workspace.intake) == [] and outside.exists()
    assert [d.status for d in app.ledger.docs.documents()] == [
        DocStatus.REVIEW, DocStatus.DUPLICATE, DocStatus.DUPLICATE, DocStatus.DUPLICATE]
    assert custody.verify(app.ledger, app.workspace.root).ok


def test_dead_work_folders_are_cleaned_at_start(app: App) -> None:
    """GIVEN work folders left by a killed process (and one of a live process) WHEN ingest
    starts THEN the dead ones are removed and the live one is kept."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        work = app.workspace.work
        for name in (f"prep-{dead.pid}-aaaa", f"review-{dead.pid}-bbbb", f"prep-{live.pid}-c"):
            write_file(work / name / "children" / "0001" / "big.bin", 200_000, 5)
        (work / f"prep-{dead.pid}-aaaa" / "ro.pdf").write_bytes(b"x")
        os.chmod(work / f"prep-{dead.pid}-aaaa" / "ro.pdf", 0o444)
        build_filer(app).ingest([])
        assert sorted(p.name for p in work.iterdir()) == [f"prep-{live.pid}-c"]
    finally:
        live.kill()
        live.wait()
