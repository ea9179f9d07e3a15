"""The browser's search on PostgreSQL is indexable and finds what it always found (issue 20).

Each word matches anywhere in the filed path, source path, category or matter, or as a word
(start) in what the document says: checked against a plain Python reading of the same rows,
page by page, on SQLite and on PostgreSQL with and without the pg_trgm indexes of migration
0008 (a role that may not create extensions). PostgreSQL parts need INTAKE_TEST_PG_URL.
"""

from __future__ import annotations

import os
import random
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.ledger.queries import DocumentFilter
from intake_desktop.core.ledger.schema import document_text, documents, matters

ADMIN_URL = os.environ.get("INTAKE_TEST_PG_URL", "")
needs_pg = pytest.mark.skipif(not ADMIN_URL, reason="INTAKE_TEST_PG_URL not set")

WORDS = ["radiology", "radius", "invoice", "lease", "wage", "mri", "police", "report"]
MATTERS = ["2024-001 Lee", "2024-002 Radford", "2023-007 Okafor"]
CATEGORIES = ["Medical", "Radiology", "Billing", "Correspondence"]
N = 240
SEARCHES = ["radi", "RADIOLOGY", "lee", "0042", "ology", "ford invoice", "report 2023",
            "wage_", "100%", "it's", "okafor lease mri", "nothing-here"]


def _rows() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    rng = random.Random(7)
    docs, texts = [], []
    for i in range(1, N + 1):
        matter = MATTERS[i % len(MATTERS)]
        name = f"{i:05d} {rng.choice(WORDS).title()} note.pdf"
        docs.append({
            "id": i, "sha256": f"{i:064x}", "size": 100 + i, "detected_type": "application/pdf",
            "source_path": f"/incoming/{'wage_' if i % 17 == 0 else ''}{name}",
            "original_path": f"Matters/{matter}/_Originals/{name}",
            "filed_path": f"Matters/{matter}/{name}", "filed_sha256": f"{i:064x}",
            "matter_id": matter, "category": CATEGORIES[i % len(CATEGORIES)],
            "document_date": f"2024-01-{1 + i % 28:02d}", "status": "filed",
            "target_status": "filed", "source_cleared": True,
            "created_at": "2024-01-01T09:00:00Z", "updated_at": "2024-01-01T09:00:00Z",
        })
        texts.append({"document_id": i, "pages": 1, "labels": f"EX{i:04d}" if i % 5 == 0 else "",
                      "body": " ".join(rng.choices(WORDS, k=4)),
                      "updated_at": "2024-01-01T09:00:00Z"})
    return docs, texts


def _says(tokens: list[str], word: str) -> bool:
    """Whole word or word start, punctuation read as the full-text tokenizers read it."""
    parts = re.findall(r"[a-z0-9]+", word.lower())
    return len(parts) == 1 and any(t.startswith(parts[0]) for t in tokens)


def _expected(flt: DocumentFilter, docs: list[dict[str, object]],
              texts: list[dict[str, object]]) -> list[int]:
    said = {t["document_id"]: f"{t['body']} {t['labels']}".lower().split() for t in texts}
    found = []
    for d in docs:
        if flt.matter_id and d["matter_id"] != flt.matter_id:
            continue
        if d["matter_id"] in flt.exclude_matters:
            continue
        fields = [str(d[c]).lower() for c in ("filed_path", "source_path", "category",
                                              "matter_id")]
        if all(any(w.lower() in f for f in fields) or _says(said[d["id"]], w)
               for w in flt.text.split()):
            found.append(int(str(d["id"])))
    return found


def _fill(url: str) -> Ledger:
    ledger = Ledger.open(url, Actor("alice", "admin"))
    docs, texts = _rows()
    with ledger.writer.begin() as conn:
        conn.execute(matters.insert(), [{"id": m, "name": m, "created_at": "2024-01-01"}
                                        for m in MATTERS])
        conn.execute(documents.insert(), docs)
        conn.execute(document_text.insert(), texts)
    return ledger


def _check_all(ledger: Ledger) -> None:
    docs, texts = _rows()
    filters = [DocumentFilter(text=s) for s in SEARCHES] + [
        DocumentFilter(text="radi", matter_id=MATTERS[1]),
        DocumentFilter(text="report", exclude_matters=(MATTERS[0],)),
    ]
    for flt in filters:
        want = _expected(flt, docs, texts)
        assert ledger.docs.count_documents(flt) == len(want), flt
        # The browser's label counts no further than its cap (above: cap + 1).
        for cap in (3, len(want), len(want) + 5):
            assert ledger.docs.count_documents_upto(flt, cap) == min(len(want), cap + 1), (
                flt, cap)
        got: list[int] = []
        after = 0
        while page := ledger.docs.browse_documents(flt, after_id=after, limit=7):
            got += [d.id for d in page]
            after = page[-1].id
        assert got == want, flt
    assert _expected(DocumentFilter(text="radi"), docs, texts), "the data has matches"


@pytest.fixture
def pg_database() -> Iterator[tuple[str, str]]:
    """A new database and its name (dropped afterwards)."""
    name = f"firm2_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False), name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _plan(ledger: Ledger, word: str) -> str:
    from sqlalchemy import func, select
    from sqlalchemy.dialects import postgresql

    from intake_desktop.core.ledger.document_store import _filter_conditions

    query = select(func.count()).select_from(documents).where(
        *_filter_conditions(DocumentFilter(text=word), "postgresql"))
    compiled = query.compile(dialect=postgresql.dialect(),
                             compile_kwargs={"render_postcompile": True})
    with ledger.reader.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        return "\n".join(r[0] for r in conn.exec_driver_sql(
            f"EXPLAIN {compiled}", compiled.params))


def test_search_results_on_sqlite(tmp_path: Path) -> None:
    """With the trigram index of the paths (migration 0009) and, as on a SQLite without the
    trigram tokenizer, without it: the same results."""
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    ledger = _fill(url)
    try:
        assert ledger.docs._search_dialect() == "sqlite+paths"
        _check_all(ledger)
    finally:
        ledger.close()
    with create_engine(url).begin() as conn:
        for name in ("documents_paths_ai", "documents_paths_ad", "documents_paths_au"):
            conn.execute(text(f"DROP TRIGGER {name}"))
        conn.execute(text("DROP TABLE document_paths"))
    ledger = Ledger(url, Actor("alice", "admin"))
    try:
        assert ledger.docs._search_dialect() == "sqlite"
        _check_all(ledger)
    finally:
        ledger.close()


def test_a_moved_document_is_found_by_its_new_path_on_sqlite(tmp_path: Path) -> None:
    """The trigram index of the paths follows the documents (triggers): a filed path
    changed (a review resolved, an undo) is found by the new name, not the old one."""
    ledger = _fill(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    try:
        flt = DocumentFilter(text="Qx-Renamed")
        assert ledger.docs.count_documents(flt) == 0
        with ledger.transaction() as txn:
            txn.update_document(42, filed_path="Matters/2024-001 Lee/qx-renamed.pdf",
                                source_path="/incoming/qx-renamed.pdf")
        assert [d.id for d in ledger.docs.browse_documents(flt)] == [42]
        assert ledger.docs.count_documents(DocumentFilter(text="00042")) == 0
        with ledger.writer.begin() as conn:
            conn.execute(text("DELETE FROM document_text WHERE document_id = 42"))
            conn.execute(text("DELETE FROM documents WHERE id = 42"))
        assert ledger.docs.browse_documents(flt) == []
    finally:
        ledger.close()


def test_categories_in_use_on_sqlite(tmp_path: Path) -> None:
    ledger = _fill(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    try:
        assert ledger.docs.categories() == sorted(CATEGORIES)
        with ledger.writer.begin() as conn:
            conn.execute(text("UPDATE documents SET category = '' WHERE category = 'Billing'"))
        assert ledger.docs.categories() == sorted(set(CATEGORIES) - {"Billing"})
    finally:
        ledger.close()


@needs_pg
def test_search_on_postgres_uses_trigram_indexes(pg_database: tuple[str, str]) -> None:
    ledger = _fill(pg_database[0])
    try:
        with ledger.reader.connect() as conn:
            names = {r[0] for r in conn.execute(text(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'documents'"))}
        assert {f"documents_{c}_trgm" for c in ("filed_path", "source_path", "category",
                                                "matter_id")} <= names
        plan = _plan(ledger, "0042")
        assert "documents_filed_path_trgm" in plan and "document_text_tsv" in plan, plan
        assert ledger.docs.categories() == sorted(CATEGORIES)
        _check_all(ledger)  # every half has few matches here: read whole and sorted
        from intake_desktop.core.ledger import document_store

        few = document_store.FEW_MATCHES
        document_store.FEW_MATCHES = 0  # as for a common word: each half walked in id order
        try:
            _check_all(ledger)
        finally:
            document_store.FEW_MATCHES = few
    finally:
        ledger.close()


@needs_pg
def test_search_without_create_extension_privilege(pg_database: tuple[str, str]) -> None:
    url, name = pg_database
    role = f"clerk_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'clerk'"))
        conn.execute(text(f'REVOKE CREATE ON DATABASE "{name}" FROM PUBLIC'))
        conn.execute(text(f"GRANT CREATE, USAGE ON SCHEMA public TO {role}"))
    clerk_url = make_url(url).set(username=role, password="clerk").render_as_string(
        hide_password=False)
    try:
        ledger = _fill(clerk_url)
        try:
            with ledger.reader.connect() as conn:
                assert conn.execute(text(
                    "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")).scalar() == 0
            _check_all(ledger)
        finally:
            ledger.close()
    finally:
        admin.dispose()
        drop = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with drop.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            conn.execute(text(f"DROP ROLE {role}"))
        drop.dispose()
