"""The documents of the ledger: filing state, browsing, and the full-text search index."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import (
    Integer,
    bindparam,
    column,
    func,
    or_,
    select,
    text,
    union,
    union_all,
    update,
)
from sqlalchemy import table as sql_table

from intake_desktop.core.ledger.queries import DocumentFilter, DocumentText
from intake_desktop.core.ledger.records import DocStatus, DocumentRecord
from intake_desktop.core.ledger.schema import document_text, documents
from intake_desktop.core.ledger.store_base import LedgerStore, utc_now


def _doc(row: Any) -> DocumentRecord:
    m = row._mapping
    return DocumentRecord(**{k: m[k] for k in DocumentRecord.__dataclass_fields__})


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fts_query(word: str) -> str:
    """One word (or word start) for an FTS5 MATCH, quoted so no input is FTS syntax."""
    return '"' + word.replace('"', '""') + '"*'


def _pg_tsquery(word: str) -> str:
    """One word (or word start) for PostgreSQL's to_tsquery, quoted so no input is syntax."""
    return "'" + word.replace("'", "''").replace("\\", "") + "':*"


def _path_match(word: str, table: Any = documents) -> Any:
    """`word` anywhere in the filed path, source path, category or matter (ILIKE)."""
    pattern = f"%{_like_escape(word)}%"
    return or_(*[table.c[name].ilike(pattern, escape="\\")
                 for name in ("filed_path", "source_path", "category", "matter_id")])


# The "dialect" the search conditions are built for when a SQLite ledger has the trigram
# index of its paths (migration 0009; absent where SQLite lacks the trigram tokenizer).
SQLITE_PATHS_INDEXED = "sqlite+paths"


def _sqlite_path_match(word: str, n: int) -> Any:
    """`word` anywhere in the four path columns through the trigram index of migration
    0009 (a substring match, case-insensitive, like `_path_match`): words of three
    characters or more; shorter ones are read from every row."""
    if len(word) < 3:
        return _path_match(word)
    key = f"path_{n}"
    clause = text(f"SELECT rowid AS document_id FROM document_paths WHERE document_paths "
                  f"MATCH :{key}").bindparams(**{key: '"' + word.replace('"', '""') + '"'})
    return documents.c.id.in_(clause.columns(document_id=Integer))


def _pg_text_clause(word: str, n: int, table: str = "document_text") -> Any:
    key = f"fts_{n}"
    return text(f"{table}.tsv @@ to_tsquery('simple', :{key})").bindparams(
        **{key: _pg_tsquery(word)})


def _text_match(word: str, n: int, dialect: str) -> Any:
    """Ids of documents whose text or stamped labels contain `word` (None: no index)."""
    key = f"fts_{n}"
    if dialect == "sqlite":
        clause = text(f"SELECT rowid AS document_id FROM document_fts WHERE document_fts "
                      f"MATCH :{key}").bindparams(**{key: _fts_query(word)})
        return documents.c.id.in_(clause.columns(document_id=Integer))
    if dialect == "postgresql":
        return documents.c.id.in_(
            select(document_text.c.document_id).where(_pg_text_clause(word, n)))
    return None


def _word_match(word: str, n: int, dialect: str) -> Any:
    """One search word: in the paths, category or matter, or in what the document says.

    On PostgreSQL the two halves are a UNION of two indexable queries (pg_trgm GIN indexes
    of migration 0008 for the paths, the tsvector GIN index for the text): an OR of a LIKE
    and an IN (subquery) makes the planner read every document and hash every text match.
    """
    if dialect == "postgresql":
        alias = documents.alias(f"by_path_{n}")
        said = document_text.alias(f"by_text_{n}")
        by_path = select(alias.c.id).where(_path_match(word, alias))
        by_text = select(said.c.document_id).where(_pg_text_clause(word, n, said.name))
        return documents.c.id.in_(union_all(by_path, by_text))
    if dialect == SQLITE_PATHS_INDEXED:
        found, dialect = [_sqlite_path_match(word, n)], "sqlite"
    else:
        found = [_path_match(word)]
    in_text = _text_match(word, n, dialect)
    if in_text is not None:
        found.append(in_text)
    return or_(*found)


def _filter_conditions(flt: DocumentFilter, dialect: str = "") -> list[Any]:
    """WHERE conditions of the exhibit browser's filter (desktop app block below)."""
    conds: list[Any] = []
    if flt.statuses:
        conds.append(documents.c.status.in_(list(flt.statuses)))
    if flt.matter_id:
        conds.append(documents.c.matter_id == flt.matter_id)
    if flt.exclude_matters:
        conds.append(or_(documents.c.matter_id.is_(None),
                         documents.c.matter_id.notin_(list(flt.exclude_matters))))
    if flt.category:
        conds.append(documents.c.category == flt.category)
    day = func.coalesce(documents.c.document_date, func.substr(documents.c.created_at, 1, 10))
    if flt.date_from:
        conds.append(day >= flt.date_from)
    if flt.date_to:
        conds.append(day <= flt.date_to)
    for n, word in enumerate(flt.text.split()):
        conds.append(_word_match(word, n, dialect))
    return conds


# A search half with at most this many matches (of its first word, before the other
# filters) is read whole and sorted; a larger one is walked in id order until a page is full.
FEW_MATCHES = 2000


def _pg_page_ids(flt: DocumentFilter, after_id: int, limit: int,
                 few: tuple[bool, bool] = (False, False), *, ordered: bool = True) -> Any:
    """Ids of one keyset page of a PostgreSQL search, each half of the first word's match
    (paths, text) paged on its own (the first `limit` ids of each, in id order) and the two
    unioned: a common word then stops after a page instead of hashing every match. A half
    known to have `few` matches is read whole through its index and sorted (walking the
    ids for a word in one document reads all 1,000,000 of them). Not `ordered`: any
    `limit` ids of each half (a count up to a cap, which needs no order)."""
    first, *rest = flt.text.split()
    others = _filter_conditions(replace(flt, text=" ".join(rest)), "postgresql")
    base = [documents.c.id > after_id, *others]
    by_path = select(documents.c.id).where(*base, _path_match(first))
    by_text = (select(documents.c.id)
               .join(document_text, document_text.c.document_id == documents.c.id)
               .where(*base, _pg_text_clause(first, len(rest) + 1)))
    halves: list[Any] = []
    for half, is_few in ((by_path, few[0]), (by_text, few[1])):
        if not ordered:
            halves.append(half.limit(limit))
        elif is_few:  # OFFSET 0 keeps the order and limit out of the scan (a bitmap of few)
            whole = half.offset(0).subquery()
            halves.append(select(whole.c.id).order_by(whole.c.id).limit(limit))
        else:
            halves.append(half.order_by(documents.c.id).limit(limit))
    return union(*halves).subquery("page")


def _pg_few(conn: Any, flt: DocumentFilter) -> tuple[bool, bool]:
    """Whether the first word matches at most FEW_MATCHES paths, and texts (each an
    unordered LIMIT query: milliseconds for a rare word, a quarter second for a word in
    700,000 documents)."""
    first = flt.text.split()[0]
    probes = (select(documents.c.id).where(_path_match(first)),
              select(document_text.c.document_id).where(_pg_text_clause(first, 0)))
    counts = [conn.execute(select(func.count()).select_from(
        probe.limit(FEW_MATCHES + 1).subquery())).scalar_one() for probe in probes]
    return counts[0] <= FEW_MATCHES, counts[1] <= FEW_MATCHES


_FTS = sql_table("document_fts", column("rowid", Integer))
_PATHS = sql_table("document_paths", column("rowid", Integer))


def _sqlite_page_ids(flt: DocumentFilter, after_id: int, limit: int) -> Any:
    """Ids of one keyset page of a SQLite search with the path index (as `_pg_page_ids`):
    each half of the first word read from its FTS5 index in id order, joined to the
    documents for the other filters, stopped after `limit`; a common word then reads one
    page of 700,000 matches, not all of them."""
    first, *rest = flt.text.split()
    others = _filter_conditions(replace(flt, text=" ".join(rest)), SQLITE_PATHS_INDEXED)
    halves: list[Any] = []
    sources: list[tuple[Any, str, str]] = [(_FTS, "document_fts", _fts_query(first))]
    if len(first) >= 3:
        sources.append((_PATHS, "document_paths", '"' + first.replace('"', '""') + '"'))
    else:  # too short for trigrams: read the paths of every row
        halves.append(select(documents.c.id).where(documents.c.id > after_id, *others,
                                                    _path_match(first))
                      .order_by(documents.c.id).limit(limit).subquery())
    for index, name, query in sources:
        key = f"page_{name}"
        halves.append(
            select(documents.c.id)
            .select_from(index.join(documents, documents.c.id == index.c.rowid))
            .where(text(f"{name} MATCH :{key}").bindparams(**{key: query}),
                   index.c.rowid > after_id, *others)
            .order_by(index.c.rowid).limit(limit).subquery())
    return union(*[select(h.c.id) for h in halves]).subquery("page")


class DocumentStore(LedgerStore):
    """Documents (`ledger.docs`): one row per file taken in, its search text and labels.

    Browsing is keyset-paged and filtered (the exhibit browser); search text (migration
    0006_window_search) is an index, not custody, so it is written without an event.
    """

    def document(self, doc_id: int) -> DocumentRecord | None:
        with self._reader.connect() as conn:
            row = conn.execute(select(documents).where(documents.c.id == doc_id)).first()
        return _doc(row) if row else None

    def find_filed(self, matter_id: str, sha256: str) -> DocumentRecord | None:
        """The first filed document of this matter with these bytes."""
        with self._reader.connect() as conn:
            row = conn.execute(
                select(documents)
                .where(
                    documents.c.matter_id == matter_id,
                    documents.c.sha256 == sha256,
                    documents.c.status == DocStatus.FILED,
                )
                .order_by(documents.c.id)
            ).first()
        return _doc(row) if row else None

    def with_bytes(self, shas: Iterable[str]) -> dict[str, list[DocumentRecord]]:
        """The filed documents and those waiting in Review/ for each of these SHA-256s, in
        id order (a batch's `find_filed` and `find_waiting_in_review` in one query: the
        first of a matter's FILED rows, the first REVIEW row)."""
        wanted = sorted(set(shas))
        found: dict[str, list[DocumentRecord]] = {sha: [] for sha in wanted}
        with self._reader.connect() as conn:
            for start in range(0, len(wanted), 500):
                # By the SHA-256 index alone: with the status in the query SQLite walked the
                # status index, every filed document.
                rows = conn.execute(
                    select(documents)
                    .where(documents.c.sha256.in_(wanted[start:start + 500]))
                    .order_by(documents.c.id))
                for row in rows:
                    if row.status in (DocStatus.FILED, DocStatus.REVIEW):
                        doc = _doc(row)
                        found[doc.sha256].append(doc)
        return found

    def find_waiting_in_review(self, sha256: str) -> DocumentRecord | None:
        """The first document with these bytes waiting in Review/ (filing de-duplicates)."""
        with self._reader.connect() as conn:
            row = conn.execute(
                select(documents)
                .where(documents.c.sha256 == sha256, documents.c.status == DocStatus.REVIEW)
                .order_by(documents.c.id)
            ).first()
        return _doc(row) if row else None

    def documents(
        self,
        *,
        status: str | None = None,
        matter_id: str | None = None,
        after_id: int = 0,
        limit: int | None = None,
    ) -> list[DocumentRecord]:
        query = select(documents).where(documents.c.id > after_id).order_by(documents.c.id)
        if status:
            query = query.where(documents.c.status == status)
        if matter_id:
            query = query.where(documents.c.matter_id == matter_id)
        if limit:
            query = query.limit(limit)
        with self._reader.connect() as conn:
            return [_doc(r) for r in conn.execute(query)]

    def unfinished(self) -> list[DocumentRecord]:
        """Pending intents and filed documents whose Intake/ source was not yet removed."""
        with self._reader.connect() as conn:
            rows = conn.execute(
                select(documents)
                .where(
                    or_(
                        documents.c.status == DocStatus.PENDING,
                        documents.c.source_cleared.is_(False),
                    )
                )
                .order_by(documents.c.id)
            )
            return [_doc(r) for r in rows]

    def reserved_paths(self) -> set[str]:
        """Destination paths claimed by pending intents (never handed out twice)."""
        with self._reader.connect() as conn:
            rows = conn.execute(
                select(documents.c.original_path, documents.c.filed_path).where(
                    documents.c.status == DocStatus.PENDING
                )
            )
            return {p for row in rows for p in row if p}

    def browse_documents(
        self, flt: DocumentFilter, *, after_id: int = 0, limit: int = 200
    ) -> list[DocumentRecord]:
        """One keyset page of documents matching `flt`, in id order."""
        dialect = self._search_dialect()
        if dialect == "postgresql" and flt.text.split():
            with self._reader.connect() as conn:
                few = _pg_few(conn, flt)
            page = _pg_page_ids(flt, after_id, limit, few)
            where: list[Any] = [documents.c.id.in_(select(page.c.id))]
        elif dialect == SQLITE_PATHS_INDEXED and flt.text.split():
            page = _sqlite_page_ids(flt, after_id, limit)
            where = [documents.c.id.in_(select(page.c.id))]
        else:
            where = [documents.c.id > after_id, *_filter_conditions(flt, dialect)]
        query = select(documents).where(*where).order_by(documents.c.id).limit(limit)
        with self._reader.connect() as conn:
            return [_doc(r) for r in conn.execute(query)]

    def _search_dialect(self) -> str:
        """The dialect, told apart for a SQLite ledger with the path trigram index (looked
        up once per store: a migration adds it, nothing removes it while the app runs)."""
        dialect = self._ledger.dialect
        if dialect != "sqlite":
            return dialect
        known: bool | None = getattr(self, "_paths_indexed", None)
        if known is None:
            with self._reader.connect() as conn:
                found = conn.execute(text(
                    "SELECT 1 FROM sqlite_master WHERE name = 'document_paths'")).first()
            known = found is not None
            self._paths_indexed = known
        return SQLITE_PATHS_INDEXED if known else dialect

    def count_documents_upto(self, flt: DocumentFilter, cap: int) -> int:
        """How many documents match `flt`, counted no further than `cap` + 1 (a result
        above `cap` means "more than `cap`"): the browser's label, which must not count
        700,000 matches of a common word in a 1,000,000-document ledger."""
        dialect = self._search_dialect()
        if dialect in ("postgresql", SQLITE_PATHS_INDEXED) and flt.text.split():
            # Each half of the first word stops after cap + 1 ids; below the cap both
            # halves are whole, so the count is exact.
            if dialect == "postgresql":
                ids: Any = select(_pg_page_ids(flt, 0, cap + 1, ordered=False).c.id)
            else:
                ids = select(_sqlite_page_ids(flt, 0, cap + 1).c.id)
        else:
            ids = select(documents.c.id).where(
                *_filter_conditions(flt, dialect)).limit(cap + 1)
        query = select(func.count()).select_from(ids.subquery("upto"))
        with self._reader.connect() as conn:
            return min(int(conn.execute(query).scalar_one()), cap + 1)

    def count_documents(self, flt: DocumentFilter) -> int:
        query = select(func.count()).select_from(documents).where(
            *_filter_conditions(flt, self._search_dialect()))
        with self._reader.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def categories(self) -> list[str]:
        """Categories in use, sorted (the empty category left out): one index seek per
        category (a recursive "next larger" walk of ix_documents_category), not a DISTINCT
        over every document (seconds at 1,000,000)."""
        walk = text(
            "WITH RECURSIVE found(category) AS ("
            " SELECT min(category) FROM documents WHERE category > ''"
            " UNION ALL"
            " SELECT (SELECT min(category) FROM documents d WHERE d.category > found.category)"
            " FROM found WHERE found.category IS NOT NULL)"
            " SELECT category FROM found WHERE category IS NOT NULL ORDER BY category")
        with self._reader.connect() as conn:
            return [str(r[0]) for r in conn.execute(walk)]

    def recent_documents(self, limit: int = 20) -> list[DocumentRecord]:
        """The latest top-level documents that were filed or sent to review, newest first."""
        query = (
            select(documents)
            .where(
                documents.c.status.in_([DocStatus.FILED, DocStatus.REVIEW]),
                documents.c.parent_id.is_(None),
            )
            .order_by(documents.c.id.desc())
            .limit(limit)
        )
        with self._reader.connect() as conn:
            return [_doc(r) for r in conn.execute(query)]

    def set_document_text(
        self, document_id: int, body: str, pages: int | None = None
    ) -> None:
        """Keep (or replace) what a document says, for full-text search."""
        values = {"pages": pages, "body": body, "updated_at": utc_now()}
        with self._writer.begin() as conn:
            done = conn.execute(
                update(document_text)
                .where(document_text.c.document_id == document_id)
                .values(**values)
            )
            if not done.rowcount:
                conn.execute(document_text.insert().values(
                    document_id=document_id, labels="", **values))

    def set_document_texts(self, texts: Sequence[tuple[int, str, int | None]]) -> None:
        """`set_document_text` for several documents ((id, body, pages)) in one
        transaction (a filed batch): one statement for the new ones, one for the others."""
        if not texts:
            return
        now = utc_now()
        wanted = {doc_id: (body, pages) for doc_id, body, pages in texts}
        with self._writer.begin() as conn:
            have = {int(r[0]) for r in conn.execute(
                select(document_text.c.document_id)
                .where(document_text.c.document_id.in_(list(wanted))))}
            new = [{"document_id": doc_id, "labels": "", "pages": pages, "body": body,
                    "updated_at": now}
                   for doc_id, (body, pages) in wanted.items() if doc_id not in have]
            old = [{"_doc_id": doc_id, "pages": pages, "body": body, "updated_at": now}
                   for doc_id, (body, pages) in wanted.items() if doc_id in have]
            if new:
                conn.execute(document_text.insert(), new)
            if old:
                conn.execute(update(document_text)
                             .where(document_text.c.document_id == bindparam("_doc_id")), old)

    def add_document_labels(self, document_id: int, labels: Sequence[str]) -> None:
        """Add stamped labels (Bates numbers, exhibit labels) to a document's search text."""
        with self._writer.begin() as conn:
            row = conn.execute(
                select(document_text.c.labels).where(document_text.c.document_id == document_id)
            ).first()
            have = str(row[0]).split() if row else []
            new = [w for label in labels for w in str(label).split() if w not in have]
            if not new:
                return
            joined = " ".join([*have, *new])
            if row:
                conn.execute(update(document_text)
                             .where(document_text.c.document_id == document_id)
                             .values(labels=joined, updated_at=utc_now()))
            else:
                conn.execute(document_text.insert().values(
                    document_id=document_id, pages=None, body="", labels=joined,
                    updated_at=utc_now()))

    def document_texts(
        self, document_ids: Sequence[int], *, with_body: bool = True
    ) -> dict[int, DocumentText]:
        """The search text of these documents (those indexed); pages and labels only when
        `with_body` is False."""
        if not document_ids:
            return {}
        t = document_text.c
        body = t.body if with_body else text("'' AS body")
        query = select(t.document_id, t.pages, body, t.labels).where(
            t.document_id.in_(list(document_ids)))
        with self._reader.connect() as conn:
            return {
                int(r[0]): DocumentText(int(r[0]), r[1], str(r[2] or ""), str(r[3] or ""))
                for r in conn.execute(query)
            }
