"""Filing: originals kept byte-identical and read-only, duplicates, collisions, Review/."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

import pytest

from intake_desktop.app import App
from intake_desktop.core import custody
from intake_desktop.core.filing import Filer, Outcome
from intake_desktop.core.ledger import DocStatus
from tests.conftest import write_file

MATTER = "2024-0117 Reyes v. Acme"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_file_in_matter_folder_is_filed_with_read_only_identical_original(
    app: App, filer: Filer
) -> None:
    """GIVEN a file in Intake/<matter>/Medical WHEN ingested THEN it is filed and preserved."""
    src = app.workspace.intake / MATTER / "Medical" / "MRI report – Dr. Ñúñez.pdf"
    data = write_file(src, 50_000)

    [result] = filer.ingest([app.workspace.intake])

    assert result.status is Outcome.FILED
    assert result.matter == MATTER
    filed, original = Path(result.path or ""), Path(result.original or "")
    assert filed == app.workspace.matter_dir(MATTER) / "Medical" / src.name
    assert original.parent == app.workspace.originals_dir(MATTER)
    assert filed.read_bytes() == data and original.read_bytes() == data
    assert not os.stat(original).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert not src.exists(), "the intake source is removed only after filing"
    doc = app.ledger.docs.document(result.document_id or 0)
    assert doc is not None and doc.status == DocStatus.FILED and doc.sha256 == sha(data)
    kinds = [e.kind for e in app.ledger.chain.events(document_id=doc.id)]
    assert kinds == ["received", "original_preserved", "filed", "source_removed"]
    assert custody.verify(app.ledger, app.workspace.root).ok


def test_name_collision_gets_a_new_name_and_never_overwrites(app: App, filer: Filer) -> None:
    first = write_file(app.workspace.intake / MATTER / "letter.pdf", seed=1)
    filer.ingest([app.workspace.intake])
    second = write_file(app.workspace.intake / MATTER / "letter.pdf", seed=2)
    [result] = filer.ingest([app.workspace.intake])

    assert result.status is Outcome.FILED
    assert Path(result.path or "").name == "letter (2).pdf"
    assert (app.workspace.matter_dir(MATTER) / "letter.pdf").read_bytes() == first
    assert Path(result.path or "").read_bytes() == second
    assert Path(result.original or "").name == "letter (2).pdf"


def test_exact_duplicate_is_recorded_and_set_aside(app: App, filer: Filer) -> None:
    data = write_file(app.workspace.intake / MATTER / "a.pdf", seed=7)
    write_file(app.workspace.intake / MATTER / "copy of a.pdf", seed=7)
    results = filer.ingest([app.workspace.intake])

    statuses = sorted(r.status for r in results)
    assert statuses == [Outcome.DUPLICATE, Outcome.FILED]
    dup = next(r for r in results if r.status is Outcome.DUPLICATE)
    aside = app.workspace.duplicates / "copy of a.pdf"
    assert aside.read_bytes() == data
    assert len(app.ledger.docs.documents(status=DocStatus.FILED)) == 1
    [event] = [e for e in app.ledger.chain.events() if e.kind == "duplicate"]
    assert event.detail["duplicate_of"] == next(
        r.document_id for r in results if r.status is Outcome.FILED
    )
    assert dup.reason and "same bytes" in dup.reason


def test_file_without_matter_goes_to_review_with_reason(app: App, filer: Filer) -> None:
    data = write_file(app.workspace.intake / "scan0001.pdf")
    [result] = filer.ingest([app.workspace.intake])
    assert result.status is Outcome.REVIEW
    assert result.reason and "no matter" in result.reason
    assert (app.workspace.review / "scan0001.pdf").read_bytes() == data
    [doc] = app.ledger.docs.documents(status=DocStatus.REVIEW)
    assert doc.reason == result.reason


def test_matter_option_and_outside_source_left_in_place(app: App, filer: Filer,
                                                        tmp_path: Path) -> None:
    outside = tmp_path / "Desktop folder" / "photo 1.jpg"
    data = write_file(outside)
    [result] = filer.ingest([outside], matter=MATTER)
    assert result.status is Outcome.FILED
    assert outside.read_bytes() == data, "files outside the workspace are copied, never moved"
    assert Path(result.path or "").read_bytes() == data


def test_zero_byte_file_goes_to_review_with_reason(app: App, filer: Filer) -> None:
    empty = app.workspace.intake / MATTER / "upload.pdf"
    empty.parent.mkdir(parents=True)
    empty.write_bytes(b"")
    [result] = filer.ingest([app.workspace.intake])
    assert result.status is Outcome.REVIEW
    assert result.reason and "empty" in result.reason
    assert (app.workspace.review / "upload.pdf").exists()


def test_missing_and_in_workspace_paths_are_clear_errors(app: App, filer: Filer) -> None:
    write_file(app.workspace.intake / MATTER / "x.pdf")
    [filed] = filer.ingest([app.workspace.intake])
    missing, inside = filer.ingest(
        [app.workspace.intake / "nope.pdf", Path(filed.path or "")]
    )
    assert missing.status is Outcome.ERROR and "no such file" in (missing.reason or "")
    assert inside.status is Outcome.ERROR
    assert "already inside the workspace" in (inside.reason or "")
    assert Path(filed.path or "").exists()


def test_file_that_disappears_mid_ingest_is_reported_and_nothing_half_filed(
    app: App, filer: Filer, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = app.workspace.intake / MATTER / "vanishing.pdf"
    write_file(src)
    real_place = filer.mover.write_copies  # the step that reads the source

    def vanish_then_copy(s: Path, *args: object, **kw: object) -> None:
        if s == src and src.exists():
            src.unlink()
        real_place(s, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(filer.mover, "write_copies", vanish_then_copy)
    [result] = filer.ingest([src])
    assert result.status is Outcome.ERROR
    assert "disappeared" in (result.reason or "")
    assert not list(app.workspace.matters.rglob("vanishing*"))
    [doc] = app.ledger.docs.documents()
    assert doc.status == DocStatus.ROLLED_BACK
    assert custody.verify(app.ledger, app.workspace.root).ok


def test_unreadable_file_is_a_clear_error_and_stays(
    app: App, filer: Filer, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = app.workspace.intake / MATTER / "locked.pdf"
    data = write_file(src)
    if os.geteuid() == 0:  # root reads anything: simulate the OS refusing
        import intake_desktop.core.filing.filer as filing_mod

        def refuse(path: Path) -> str:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))

        monkeypatch.setattr(filing_mod, "sha256_file", refuse)
    else:
        src.chmod(0)
    [result] = filer.ingest([src])
    src.chmod(0o644)
    assert result.status is Outcome.ERROR
    assert "cannot read" in (result.reason or "") and "permission" in (result.reason or "")
    assert src.read_bytes() == data


def _fail_writes(monkeypatch: pytest.MonkeyPatch, err: int) -> None:
    import intake_desktop.core.mover as mover_mod

    def failing(fd_in: int, fd_out: int) -> None:
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(mover_mod, "_sendfile", failing)


@pytest.mark.parametrize(
    ("err", "words"),
    [(errno.ENOSPC, "disk is full"), (errno.EROFS, "no permission to write")],
)
def test_full_disk_or_read_only_destination_leaves_source_and_no_partial_copy(
    app: App, filer: Filer, monkeypatch: pytest.MonkeyPatch, err: int, words: str
) -> None:
    src = app.workspace.intake / MATTER / "big scan.pdf"
    data = write_file(src, 100_000)
    _fail_writes(monkeypatch, err)
    [result] = filer.ingest([app.workspace.intake])
    assert result.status is Outcome.ERROR
    assert words in (result.reason or "")
    assert src.read_bytes() == data
    leftovers = [p for p in app.workspace.matters.rglob("*") if p.is_file()]
    assert leftovers == []
    assert custody.verify(app.ledger, app.workspace.root).ok
    monkeypatch.undo()
    [again] = filer.ingest([app.workspace.intake])
    assert again.status is Outcome.FILED


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_real_read_only_matter_folder(app: App, filer: Filer) -> None:
    src = app.workspace.intake / MATTER / "a.pdf"
    write_file(src)
    app.workspace.matters.chmod(0o555)
    try:
        [result] = filer.ingest([app.workspace.intake])
    finally:
        app.workspace.matters.chmod(0o755)
    assert result.status is Outcome.ERROR and src.exists()


def test_junk_files_are_ignored(app: App, filer: Filer) -> None:
    for name in (".DS_Store", "Thumbs.db", "~$draft.docx", "download.pdf.crdownload"):
        write_file(app.workspace.intake / MATTER / name)
    results = filer.ingest(
        [app.workspace.intake / MATTER / ".DS_Store", app.workspace.intake / MATTER / "Thumbs.db"]
    )
    assert {r.status for r in results} == {Outcome.IGNORED}
    assert filer.ingest([app.workspace.intake]) == []
    assert app.ledger.docs.documents() == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [("NUL .txt", "NUL_.txt"), ("CON.txt", "CON_.txt"), ("report .pdf", "report.pdf"),
     ('a<b>:"c".pdf', "a_b___c_.pdf"), ("..", "unnamed")],
)
def test_review_names_are_windows_safe(app: App, filer: Filer, tmp_path: Path, name: str,
                                       expected: str) -> None:
    src = tmp_path / "outside" / (name if name != ".." else "dotdot")
    data = write_file(src)
    if name == "..":
        from intake_desktop.core.mover import safe_name

        assert safe_name(name) == expected
        return
    [result] = filer.ingest([src])
    assert result.status is Outcome.REVIEW
    assert Path(result.path or "").name == expected
    assert Path(result.path or "").read_bytes() == data
