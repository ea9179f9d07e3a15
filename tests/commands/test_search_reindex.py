"""`intake-desktop search reindex`: documents filed before full-text search (migration 0006)
get their words and stamped labels indexed; documents already indexed are left alone."""

from __future__ import annotations

import json
import sqlite3

from intake_desktop.app import App, build_filer
from intake_desktop.core.ledger import EventKind
from intake_desktop.core.ledger.queries import DocumentFilter
from intake_desktop.core.search_text import reindex_documents
from tests.conftest import run_cli
from tests.exhibit_pdfs import text_pdf

MATTER = "2024-0301 Nguyen"


def found(app: App, words: str) -> list[int]:
    flt = DocumentFilter(statuses=("filed",), text=words)
    return [d.id for d in app.ledger.docs.browse_documents(flt, after_id=0, limit=50)]


def forget_text(app: App) -> None:
    """As in a ledger whose documents were filed before document_text existed."""
    with sqlite3.connect(app.workspace.ledger_path) as db:
        db.execute("DELETE FROM document_text")


def test_reindex_fills_what_older_filings_lack(app: App) -> None:
    filer = build_filer(app)
    [a] = filer.ingest([text_pdf(app.workspace.root.parent / "in" / "er.pdf", 2,
                                 "Emergency room discharge summary")], matter=MATTER)
    [b] = filer.ingest([text_pdf(app.workspace.root.parent / "in" / "bill.pdf", 1,
                                 "Hospital invoice")], matter=MATTER)
    app.ledger.chain.record(EventKind.STAMPED, document_id=b.document_id, matter_id=MATTER,
                      detail={"set": "Nguyen", "label": "Ex. 7", "bates_first": "NG000010",
                              "bates_last": "NG000011", "pages": 1})
    forget_text(app)
    assert found(app, "discharge") == [] and found(app, "NG000011") == []

    done = run_cli("--workspace", str(app.workspace.root), "search", "reindex", "--json")
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stdout)
    assert (line["indexed"], line["already"], line["missing_files"]) == (2, 0, [])
    assert found(app, "discharge") == [a.document_id]
    assert found(app, "NG000011") == [b.document_id]  # stamped labels too
    texts = app.ledger.docs.document_texts([a.document_id])
    assert texts[a.document_id].pages == 2

    again = reindex_documents(app.ledger, app.workspace.root)
    assert (again.indexed, again.already) == (0, 2)
    assert app.ledger.chain.verify_chain().ok  # an index, not custody: no events


def test_reindex_names_documents_whose_file_is_missing(app: App) -> None:
    [r] = build_filer(app).ingest([text_pdf(app.workspace.root.parent / "in" / "x.pdf", 1,
                                            "Letter")], matter=MATTER)
    forget_text(app)
    filed = app.workspace.root / (app.ledger.docs.document(r.document_id or 0).filed_path or "")
    filed.chmod(0o644)
    filed.unlink()
    report = reindex_documents(app.ledger, app.workspace.root)
    assert report.indexed == 0
    assert report.missing_files == [filed.relative_to(app.workspace.root).as_posix()]
