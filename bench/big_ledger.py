"""A firm-sized ledger built in minutes: 1,000,000 filed documents with their search text and
5 chained events each, on SQLite or PostgreSQL (bench_gui.py, bench_firm.py).

Filing 1,000,000 documents through the app takes hours; inserting them row by row through
SQLAlchemy ~8 minutes per backend. This writes the same rows directly: PostgreSQL's COPY
(psycopg's `cursor.copy`), SQLite `executemany` in one transaction, with the secondary
indexes (and SQLite's full-text trigger) set aside during the load and rebuilt once after.
Each event is chained with the ledger's own `row_hash` over `EVENT_HASHED_COLUMNS`, and the
chain head is moved to the last one, so `Ledger.chain.verify_chain()` (the chain half of
`ledger verify`) passes on the result. No files are written: the documents point at paths
that do not exist, so the files half of `ledger verify` would report them missing.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.ledger.chain import canonical_detail, row_hash
from intake_desktop.core.ledger.schema import EVENT_HASHED_COLUMNS, GENESIS_HASH

WORDS = [
    "deposition", "invoice", "mri", "radiology", "lease", "contract", "subpoena", "wage",
    "settlement", "insurance", "affidavit", "police", "report", "witness", "ledger",
    "exhibit", "motion", "order", "notice", "payment", "claim", "estimate", "repair", "bill",
    "statement",
]
# A word in exactly one document's text (`ref<n>` is in every one: rare by construction).
MATTERS = [f"2024-{m:03d} Client {m}" for m in range(1, 51)]
CATEGORIES = ["Correspondence", "Medical", "Pleadings", "Billing", "Discovery", "Photos"]
EVENT_KINDS = ["received", "original_preserved", "filed", "source_removed", "opened"]
BATCH = 20_000

DOC_COLUMNS = [
    "id", "sha256", "size", "detected_type", "source_path", "original_path", "filed_path",
    "filed_sha256", "matter_id", "category", "document_date", "status", "target_status",
    "source_cleared", "created_at", "updated_at", "reason", "rule",
]
TEXT_COLUMNS = ["document_id", "pages", "body", "labels", "updated_at"]
EVENT_COLUMNS = [*EVENT_HASHED_COLUMNS, "prev_hash", "row_hash"]
TABLES = ("documents", "document_text", "events")


@dataclass
class Built:
    documents: int
    events: int
    seconds: float
    head_hash: str


def _rows(n: int, per_doc: int, seed: int = 20) -> Iterator[tuple[list[tuple[Any, ...]],
                                                                 list[tuple[Any, ...]],
                                                                 list[tuple[Any, ...]]]]:
    """Batches of (documents, texts, events) rows, the events chained from the genesis."""
    rng = random.Random(seed)
    prev, seq = GENESIS_HASH, 0
    for start in range(1, n + 1, BATCH):
        docs, texts, evs = [], [], []
        for i in range(start, min(n, start + BATCH - 1) + 1):
            matter = MATTERS[i % len(MATTERS)]
            category = CATEGORIES[i % len(CATEGORIES)]
            name = f"{i:07d} {category} {i}.pdf"
            sha = f"{i:064x}"
            day = f"20{10 + i % 14:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            at = f"{day}T09:00:00Z"
            filed = f"Matters/{matter}/{category}/{name}"
            original = f"Matters/{matter}/_Originals/{name}"
            docs.append((i, sha, 10_000 + i, "application/pdf", f"/incoming/{name}", original,
                         filed, sha, matter, category, day, "filed", "filed", True, at, at,
                         None, "bench"))
            texts.append((i, 1 + i % 9, " ".join(rng.choices(WORDS, k=30)) + f" ref{i}", "",
                          at))
            for k in range(per_doc):
                seq += 1
                kind = EVENT_KINDS[k % len(EVENT_KINDS)]
                values = (seq, f"{day}T09:00:{k:02d}.000000Z", kind, i, matter, "bench",
                          "paralegal", "bench", None,
                          f"/incoming/{name}" if kind == "received" else None,
                          original if kind == "original_preserved" else filed,
                          sha if kind != "received" else None, sha,
                          canonical_detail({"n": k}))
                digest = row_hash(prev, values)
                evs.append((*values, prev, digest))
                prev = digest
        yield docs, texts, evs


def _set_aside_pg(conn: Any) -> list[str]:
    """Drop the secondary (non-unique) indexes of the bulk tables; their definitions."""
    rows = conn.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = ANY(:t) AND indexdef NOT LIKE 'CREATE UNIQUE%'"), {"t": list(TABLES)})
    found = [(str(r[0]), str(r[1])) for r in rows]
    for name, _ in found:
        conn.execute(text(f'DROP INDEX "{name}"'))
    return [d for _, d in found]


def _set_aside_sqlite(db: sqlite3.Connection) -> list[str]:
    """Drop the secondary indexes and the document_text triggers; their definitions."""
    placeholders = ",".join("?" * len(TABLES))
    found = db.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({placeholders}) "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL AND sql NOT LIKE "
        "'CREATE UNIQUE%'", TABLES).fetchall()
    for kind, name, _ in found:
        db.execute(f'DROP {kind.upper()} "{name}"')
    return [str(sql) for _, _, sql in found]


def build_big_ledger(url: str, n: int, per_doc: int = 5,
                     on_progress: Callable[[str], None] = print) -> Built:
    """Build the ledger at `url` (migrated, empty) with `n` filed documents."""
    ledger = Ledger.open(url, Actor("bench", "paralegal"))
    engine = ledger.writer
    t = time.perf_counter()
    now = "2024-01-01T00:00:00Z"
    prev, seq = GENESIS_HASH, 0
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO matters (id, name, created_at, number, client, "
                              "practice, attorney) VALUES (:m, :n, :at, '', '', '', '')"),
                         [{"m": m, "n": m, "at": now} for m in MATTERS])
            definitions = _set_aside_pg(conn)
            raw = conn.connection.dbapi_connection
            assert raw is not None
            with raw.cursor() as cur:
                for done, (docs, texts, evs) in enumerate(_rows(n, per_doc), start=1):
                    for table, columns, rows in (("documents", DOC_COLUMNS, docs),
                                                 ("document_text", TEXT_COLUMNS, texts),
                                                 ("events", EVENT_COLUMNS, evs)):
                        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
                            for row in rows:
                                cp.write_row(row)
                    seq, prev = evs[-1][0], evs[-1][-1]
                    _progress(on_progress, done, n, t)
            on_progress(f"  rows loaded in {time.perf_counter() - t:.0f} s; building indexes")
            for definition in definitions:
                conn.execute(text(definition))
            conn.execute(text("UPDATE chain_head SET seq = :s, hash = :h, writes = :s "
                              "WHERE id = 1"), {"s": seq, "h": prev})
            conn.execute(text("SELECT setval(pg_get_serial_sequence('documents', 'id'), :n)"),
                         {"n": n})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        ledger.close()
        path = url.removeprefix("sqlite:///")
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")  # a bench ledger: rebuilt if the load fails
        db.execute("BEGIN")
        db.executemany("INSERT INTO matters (id, name, created_at, number, client, practice, "
                       "attorney) VALUES (?, ?, ?, '', '', '', '')",
                       [(m, m, now) for m in MATTERS])
        definitions = _set_aside_sqlite(db)
        for done, (docs, texts, evs) in enumerate(_rows(n, per_doc), start=1):
            for table, columns, rows in (("documents", DOC_COLUMNS, docs),
                                         ("document_text", TEXT_COLUMNS, texts),
                                         ("events", EVENT_COLUMNS, evs)):
                db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                               f"({', '.join('?' * len(columns))})", rows)
            seq, prev = evs[-1][0], evs[-1][-1]
            _progress(on_progress, done, n, t)
        on_progress(f"  rows loaded in {time.perf_counter() - t:.0f} s; building indexes")
        for fts in ("document_fts", "document_paths"):  # their triggers were set aside
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (fts,)).fetchone():
                db.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        for definition in definitions:
            db.execute(definition)
        db.execute("UPDATE chain_head SET seq = ?, hash = ?, writes = ? WHERE id = 1",
                   (seq, prev, seq))
        db.execute("COMMIT")
        db.execute("ANALYZE")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
    ledger.close()
    return Built(n, seq, time.perf_counter() - t, prev)


def _progress(on_progress: Callable[[str], None], batches: int, n: int, t: float) -> None:
    done = min(batches * BATCH, n)
    if done % 200_000 == 0 or done == n:
        on_progress(f"  {done:,} documents in {time.perf_counter() - t:.0f} s")


def verify_built(url: str) -> tuple[bool, int, float]:
    """The chain half of `ledger verify` on the built ledger: (ok, events, seconds)."""
    ledger = Ledger(url, Actor("bench", "paralegal"))
    t = time.perf_counter()
    report = ledger.chain.verify_chain()
    ledger.close()
    return report.ok, report.events, time.perf_counter() - t
