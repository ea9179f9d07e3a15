"""Undo: the received bytes go back, working copies go, originals are kept (superseded)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest

from intake_desktop.app import App, build_filer, open_app
from intake_desktop.core import custody
from intake_desktop.core.errors import InjectedFault
from intake_desktop.core.filing import Outcome
from intake_desktop.core.filing.undo import UndoError, find_target, undo_document
from intake_desktop.core.ledger import DocStatus, EventKind
from intake_desktop.core.review import ReviewDesk
from intake_desktop.core.workspace import init_workspace
from tests.conftest import run_cli
from tests.core.rules.samples import make_email
from tests.exhibit_pdfs import text_pdf

MATTER = "2024-0301 Nguyen"



def assert_verified(ledger: Any, root: Path) -> None:
    report = custody.verify(ledger, root)
    assert report.ok, (report.unrecorded_files, report.problems)

def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def recorded_paths(app: App) -> set[str]:
    """Paths the ledger names: documents' copies, and originals an undo superseded."""
    paths = {p for d in app.ledger.docs.documents() for p in (d.original_path, d.filed_path) if p}
    return paths | {e.detail["original"] for e in app.ledger.chain.events()
                    if e.kind == EventKind.UNDONE and e.detail.get("original")}


def assert_nothing_unrecorded(app: App) -> None:
    root = app.workspace.root
    on_disk = {p.relative_to(root).as_posix() for p in files_under(app.workspace.matters)}
    on_disk |= {p.relative_to(root).as_posix() for p in files_under(app.workspace.review)
                if not p.name.endswith(".review.txt")}
    assert on_disk <= recorded_paths(app), on_disk - recorded_paths(app)
    assert not list(root.rglob("*.intake-tmp"))


def test_single_file_goes_back_to_its_intake_folder(app: App) -> None:
    src = text_pdf(app.workspace.intake / MATTER / "Medical" / "er visit.pdf", 2, "ER")
    data = src.read_bytes()
    [r] = build_filer(app).ingest([app.workspace.intake])
    assert r.status is Outcome.FILED and not src.exists()
    filed, original = Path(r.path or ""), Path(r.original or "")

    done = run_cli("--workspace", str(app.workspace.root), "undo", str(filed), "--json")
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stdout)
    assert line["to"] == "intake" and line["returned_to"] == str(src)

    assert src.read_bytes() == data  # back where it came from, byte-identical
    assert not filed.exists()  # the working copy is gone
    assert original.read_bytes() == data  # the original is kept, read-only
    assert not original.stat().st_mode & stat.S_IWUSR
    doc = app.ledger.docs.document(r.document_id or 0)
    assert doc is not None and doc.status == DocStatus.UNDONE and doc.filed_path is None
    [ev] = [e for e in app.ledger.chain.events(document_id=doc.id) if e.kind == EventKind.UNDONE]
    assert (ev.path_before, ev.sha256_before) == (
        filed.relative_to(app.workspace.root).as_posix(), sha(data))
    assert (ev.path_after, ev.sha256_after) == (
        src.relative_to(app.workspace.root).as_posix(), sha(data))
    assert ev.detail["original_superseded"] is True and ev.detail["original"] == (
        original.relative_to(app.workspace.root).as_posix())
    assert_verified(app.ledger, app.workspace.root)
    assert_nothing_unrecorded(app)
    # Re-ingesting files it again as a new document (the undone one is not a duplicate).
    [again] = build_filer(app).ingest([app.workspace.intake])
    assert again.status is Outcome.FILED and again.document_id != r.document_id


def test_outside_source_goes_to_review_with_who_undid_it(app: App, tmp_path: Path) -> None:
    src = text_pdf(tmp_path / "outside" / "letter.pdf", 1, "Letter")
    [r] = build_filer(app).ingest([src], matter=MATTER)
    result = undo_document(build_filer(app), find_target(build_filer(app), r.path or ""))
    assert result.to == "review"
    doc = result.document
    assert doc.status == DocStatus.REVIEW and doc.reason == f"undone by {app.actor.user}"
    copy = app.workspace.root / (doc.filed_path or "")
    assert copy.read_bytes() == src.read_bytes() and src.exists()
    sidecar = copy.with_name(copy.name + ".review.txt")
    assert f"undone by {app.actor.user}" in sidecar.read_text()
    assert_verified(app.ledger, app.workspace.root)


def test_undo_of_a_review_action_returns_it_to_the_queue(app: App) -> None:
    src = text_pdf(app.workspace.intake / "loose.pdf", 1, "Loose")
    [r] = build_filer(app).ingest([app.workspace.intake])
    assert r.status is Outcome.REVIEW
    filer = build_filer(app)
    res = ReviewDesk(filer).assign(r.document_id or 0, MATTER)
    assert res.document.status == DocStatus.FILED
    result = undo_document(filer, res.document.id)
    assert result.to == "review" and result.document.status == DocStatus.REVIEW
    assert result.document.reason == r.reason  # the reason it first went to review
    assert [d.id for d in ReviewDesk(filer).items()] == [r.document_id]
    back = (app.workspace.root / (result.document.filed_path or "")).read_bytes()
    assert sha(back) == r.sha256 and not src.exists()
    # ... and it can be assigned again.
    again = ReviewDesk(filer).assign(r.document_id or 0, MATTER)
    assert again.document.status == DocStatus.FILED
    assert_verified(app.ledger, app.workspace.root)
    assert_nothing_unrecorded(app)


def _family_undone(app: App, top_id: int, intake_file: Path, data: bytes) -> None:
    family = [d for d in app.ledger.docs.documents() if d.id == top_id or d.parent_id == top_id]
    assert len(family) >= 3
    assert all(d.status == DocStatus.UNDONE and d.filed_path is None for d in family)
    assert intake_file.read_bytes() == data
    # Every original stays; no working copy remains in the matter.
    kept = files_under(app.workspace.matters)
    assert sorted(p.relative_to(app.workspace.root).as_posix() for p in kept) == sorted(
        d.original_path for d in family if d.original_path)
    assert_verified(app.ledger, app.workspace.root)
    kinds = [e.kind for d in family for e in app.ledger.chain.events(document_id=d.id)]
    assert kinds.count(EventKind.UNDONE) == len(family)


def test_email_family_is_undone_together(app: App) -> None:
    eml = make_email(
        app.workspace.intake / MATTER / "records.eml", subject="Records", sender="a@b.example",
        date=dt.datetime(2024, 3, 5, 9, 30, tzinfo=dt.UTC),
        attachments=[("bill.txt", b"Invoice 1\n", "text/plain"),
                     ("notes.txt", b"Notes 2\n", "text/plain")],
    )
    data = eml.read_bytes()
    [r] = build_filer(app).ingest([app.workspace.intake])
    assert r.status is Outcome.FILED and len(r.children) == 2
    # Undo named by one attachment's filed copy: the whole family goes.
    child_path = r.children[0].path or ""
    result = undo_document(build_filer(app), find_target(build_filer(app), child_path))
    assert result.document.id == r.document_id and len(result.family) == 2
    _family_undone(app, r.document_id or 0, eml, data)


def test_zip_family_is_undone_together(app: App, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("Paystub 2024-01-15.pdf", text_pdf(tmp_path / "a.pdf", 1, "A").read_bytes())
        zf.writestr("Paystub 2024-01-31.pdf", text_pdf(tmp_path / "b.pdf", 1, "B").read_bytes())
    z = app.workspace.intake / MATTER / "pay.zip"
    z.parent.mkdir(parents=True)
    z.write_bytes(buf.getvalue())
    [r] = build_filer(app).ingest([app.workspace.intake])
    assert r.status is Outcome.FILED and len(r.children) == 2
    result = undo_document(build_filer(app), r.document_id or 0)
    assert sorted(result.family) == sorted(c.document_id for c in r.children)
    _family_undone(app, r.document_id or 0, z, buf.getvalue())


class FaultAt:
    def __init__(self, n: int) -> None:
        self.n = n
        self.seen: list[str] = []

    def __call__(self, step: str) -> None:
        self.seen.append(step)
        if len(self.seen) == self.n:
            raise InjectedFault(step)


def test_crash_at_every_point_of_an_undo_then_restart(tmp_path: Path) -> None:
    """GIVEN a filed document WHEN undo is interrupted at each fault point and the app
    restarts THEN the undo is either finished or rolled back (and can be done again), no
    file is lost or doubled, and verify passes."""
    template = tmp_path / "tpl"
    init_workspace(template).rules_path.unlink()
    src = text_pdf(template / "Intake" / MATTER / "er.pdf", 2, "ER")
    data = src.read_bytes()
    with open_app(str(template)) as app:
        [r] = build_filer(app).ingest([app.workspace.intake])
    counter = FaultAt(0)
    root = tmp_path / "count"
    shutil.copytree(template, root)
    with open_app(str(root)) as app:
        undo_document(build_filer(app, fault=counter), r.document_id or 0)
    assert len(counter.seen) >= 8, counter.seen
    for n in range(1, len(counter.seen) + 1):
        root = tmp_path / f"run{n}"
        shutil.copytree(template, root)
        with open_app(str(root)) as app, pytest.raises(InjectedFault):
            undo_document(build_filer(app, fault=FaultAt(n)), r.document_id or 0)
        with open_app(str(root)) as app:
            filer = build_filer(app)
            filer.begin()
            doc = app.ledger.docs.document(r.document_id or 0)
            assert doc is not None and doc.pending_action is None
            if doc.status == DocStatus.FILED:  # rolled back: nothing changed; undo again
                assert not (root / "Intake" / MATTER / "er.pdf").exists()
                undo_document(filer, doc.id)
            filer.claimant.retire()
            back = root / "Intake" / MATTER / "er.pdf"
            assert back.read_bytes() == data, f"crash at {n} ({counter.seen[n - 1]})"
            assert [p.name for p in files_under(root / "Intake")] == ["er.pdf"]
            assert [p.read_bytes() for p in files_under(root / "Matters")] == [data]
            assert app.ledger.docs.unfinished() == []
            assert_verified(app.ledger, root)
            assert_nothing_unrecorded(app)
        shutil.rmtree(root)


def test_undo_after_stamping_into_an_exhibit_set_is_refused(app: App) -> None:
    src = text_pdf(app.workspace.intake / MATTER / "er.pdf", 2, "ER")
    [r] = build_filer(app).ingest([src])
    spec = app.workspace.root / "set.toml"
    spec.write_text(
        '[set]\nname = "Nguyen exhibits"\nlabel_prefix = "Ex."\n\n[bates]\nprefix = "NG-"\n'
        f'digits = 6\n\n[[exhibit]]\ndocument = {r.document_id}\ndescription = "ER record"\n'
        'date = 2024-01-05\n', encoding="utf-8")
    built = run_cli("--workspace", str(app.workspace.root), "exhibits", "build", str(spec),
                    "--out", str(app.workspace.exports / "set"), timeout=300)
    assert built.returncode == 0, built.stderr
    assert any(e.kind == EventKind.STAMPED
               for e in app.ledger.chain.events(document_id=r.document_id))
    with pytest.raises(UndoError) as err:
        undo_document(build_filer(app), r.document_id or 0)
    assert "stamped into the exhibit set" in err.value.message
    assert "Ex. 1" in err.value.message or "exhibit" in err.value.message
    done = run_cli("--workspace", str(app.workspace.root), "undo", r.path or "")
    assert done.returncode == 1 and "stamped into the exhibit set" in done.stderr
    assert Path(r.path or "").read_bytes() == Path(r.original or "").read_bytes()
    doc = app.ledger.docs.document(r.document_id or 0)
    assert doc is not None and doc.status == DocStatus.FILED and doc.pending_action is None
