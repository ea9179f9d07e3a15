"""The review queue: each action files through the mover and is recorded with the user."""

from __future__ import annotations

import hashlib
import stat

import pytest

from intake_desktop.app import build_filer
from intake_desktop.core.ledger import DocStatus
from intake_desktop.core.review import ReviewDesk, ReviewError
from intake_desktop.qt.review_page import ReviewPage


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def in_review(app, make_pdf):
    """Two PDFs sent to review (no matter given)."""
    filer = build_filer(app)
    filer.ingest([make_pdf("fax 0412.pdf", 3), make_pdf("scan 7.pdf", 2)])
    docs = app.ledger.docs.documents(status=DocStatus.REVIEW)
    assert len(docs) == 2
    return docs


def test_assign_files_the_review_copy(make_window, app, in_review, qtmodeltester):
    window = make_window("paralegal")
    page = window.pages["review"]
    assert isinstance(page, ReviewPage)
    assert page.model.rowCount() == 2
    assert "no matter" in page.model.data(page.model.index(0, 2)).lower()
    qtmodeltester.check(page.model)
    first = in_review[0]
    review_copy = app.workspace.root / first.filed_path
    page.select_row(0)
    resolution = page.assign_selected("2024-020 Diaz", "Medical")
    assert resolution is not None and resolution.resolved
    doc = app.ledger.docs.document(first.id)
    assert doc.status == DocStatus.FILED
    assert (doc.matter_id, doc.category) == ("2024-020 Diaz", "Medical")
    filed = app.workspace.root / doc.filed_path
    original = app.workspace.root / doc.original_path
    assert doc.filed_path == "Matters/2024-020 Diaz/fax 0412.pdf"
    assert sha(filed) == sha(original) == first.sha256
    assert not original.stat().st_mode & stat.S_IWUSR  # preserved read-only
    assert not review_copy.exists()
    events = app.ledger.chain.events(document_id=first.id)
    resolved = [e for e in events if e.kind == "review_resolved"]
    assert len(resolved) == 1
    assert (resolved[0].actor_user, resolved[0].actor_role) == ("pat", "paralegal")
    assert resolved[0].detail["action"] == "assign"
    assert page.model.rowCount() == 1
    assert "Filed in Matters/2024-020 Diaz/fax 0412.pdf" in page.result.text()
    assert app.ledger.chain.verify_chain().ok


def test_file_by_hand_and_refuse_escape(make_window, app, in_review):
    window = make_window("paralegal")
    page = window.pages["review"]
    page.select_row(1)
    assert page.file_selected_by_hand("2024-020 Diaz", "../../etc", "x.pdf") is None
    assert "leaves the matter's folder" in page.result.text()
    assert app.ledger.docs.document(in_review[1].id).status == DocStatus.REVIEW
    page.select_row(1)
    r = page.file_selected_by_hand("2024-020 Diaz", "Scans/2024", "2024-04-12_scan.pdf", "Scan")
    assert r is not None
    doc = app.ledger.docs.document(in_review[1].id)
    assert doc.filed_path == "Matters/2024-020 Diaz/Scans/2024/2024-04-12_scan.pdf"
    assert doc.rule == "filed by hand"
    assert sha(app.workspace.root / doc.filed_path) == in_review[1].sha256


def test_retry_still_in_review_is_recorded(make_window, app, in_review):
    window = make_window("paralegal")
    page = window.pages["review"]
    page.select_row(0)
    r = page.retry_selected()
    assert r is not None and not r.resolved
    assert "Still needs review" in page.result.text()
    kinds = [e.kind for e in app.ledger.chain.events(document_id=in_review[0].id)]
    assert kinds[-1] == "routed_to_review"
    assert app.ledger.chain.events(document_id=in_review[0].id)[-1].detail["action"] == "retry"


def test_open_is_recorded(make_window, app, in_review):
    window = make_window("paralegal")
    page = window.pages["review"]
    page.select_row(0)
    page.open_selected(launch=False)
    last = app.ledger.chain.events(document_id=in_review[0].id)[-1]
    assert (last.kind, last.actor_user) == ("opened", "pat")


def test_changed_review_copy_is_refused(app, in_review):
    desk = ReviewDesk(build_filer(app))
    copy = app.workspace.root / in_review[0].filed_path
    copy.write_bytes(b"tampered")
    with pytest.raises(ReviewError, match="was changed since it arrived"):
        desk.assign(in_review[0].id, "M")
    assert copy.read_bytes() == b"tampered"


def test_assign_same_bytes_as_filed_is_a_duplicate(app, make_pdf):
    filer = build_filer(app)
    pdf = make_pdf("a.pdf", 2)
    filer.ingest([pdf], matter="M")
    filer.ingest([pdf])
    [doc] = app.ledger.docs.documents(status=DocStatus.REVIEW)
    r = ReviewDesk(filer).assign(doc.id, "M")
    assert r.document.status == DocStatus.DUPLICATE
    assert (app.workspace.root / r.document.filed_path).parent == app.workspace.duplicates


def test_selecting_shows_the_review_copy(make_window, app, in_review):
    window = make_window("paralegal")
    page = window.pages["review"]
    page.select_row(0)
    assert page.preview.page_count() == 3
    page.select_row(1)
    assert page.preview.page_count() == 2
