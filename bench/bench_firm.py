"""Benchmark: a firm-sized ledger (issue 20): browse, filter change, search and verify.

    python bench/bench_firm.py [--docs 100000] [--events-per-doc 2] [--pg ADMIN_URL]
                               [--search-only]

Builds a ledger of `--docs` filed documents (each with a search text and
`--events-per-doc` chained events) by bulk insert, on SQLite and, with --pg (or
INTAKE_TEST_PG_URL), on a new PostgreSQL database that is dropped afterwards. Then measures,
each the median of 5 runs, what the window and `ledger verify` do, beside a named peer in
the same run:
- browse first page: `Ledger.browse_documents` (200 rows) vs. a plain
  `SELECT * FROM documents ORDER BY id LIMIT 200`;
- filter change (matter + category + date range) vs. the same WHERE as a plain SELECT;
- search (one word, full text + paths) vs. the bare full-text index query (FTS5 MATCH /
  tsvector @@) of the same word, for a common word (in most documents), a rare one (in one
  document's text) and a path-only one (in one file name);
- verify the chain (`Ledger.verify_chain`, streaming) vs. reading the same columns with a
  plain SELECT (what the hashing adds), with the process's peak RSS before and after.
Prints times and ratios (ours / peer); nothing asserts a time.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.big_ledger import CATEGORIES, MATTERS, WORDS  # noqa: E402
from intake_desktop.core.ledger import Actor, Ledger  # noqa: E402
from intake_desktop.core.ledger.chain import canonical_detail, row_hash  # noqa: E402
from intake_desktop.core.ledger.queries import DocumentFilter  # noqa: E402
from intake_desktop.core.ledger.schema import (  # noqa: E402
    EVENT_HASHED_COLUMNS,
    chain_head,
    document_text,
    documents,
    events,
    matters,
)

BATCH = 10_000


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(url: str, n: int, per_doc: int) -> float:
    """Bulk insert `n` documents, their text and `per_doc` chained events each."""
    ledger = Ledger.open(url, Actor("bench", "paralegal"))
    engine = ledger.writer
    rng = random.Random(20)
    t = time.perf_counter()
    prev = "0" * 64
    seq = 0
    with engine.begin() as conn:
        conn.execute(matters.insert(), [{"id": m, "name": m, "created_at": "2024-01-01T00:00:00Z"}
                                        for m in MATTERS])
    for start in range(1, n + 1, BATCH):
        docs, texts, evs = [], [], []
        for i in range(start, min(n, start + BATCH - 1) + 1):
            matter = MATTERS[i % len(MATTERS)]
            name = f"{i:07d} Document {i}.pdf"
            sha = f"{i:064x}"
            day = f"20{10 + i % 14:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            docs.append({
                "id": i, "sha256": sha, "size": 10_000 + i, "detected_type": "application/pdf",
                "source_path": f"/incoming/{name}",
                "original_path": f"Matters/{matter}/_Originals/{name}",
                "filed_path": f"Matters/{matter}/{name}", "filed_sha256": sha,
                "matter_id": matter, "category": CATEGORIES[i % len(CATEGORIES)],
                "document_date": day, "status": "filed", "target_status": "filed",
                "source_cleared": True, "created_at": f"{day}T09:00:00Z",
                "updated_at": f"{day}T09:00:00Z",
            })
            texts.append({"document_id": i, "pages": 1 + i % 9, "labels": "",
                          "body": " ".join(rng.choices(WORDS, k=30)) + f" ref{i}",
                          "updated_at": f"{day}T09:00:00Z"})
            for k in range(per_doc):
                seq += 1
                values = {
                    "seq": seq, "at": f"{day}T09:00:{k:02d}.000000Z",
                    "kind": "filed" if k == per_doc - 1 else "received",
                    "document_id": i, "matter_id": matter, "actor_user": "bench",
                    "actor_role": "paralegal", "tool_version": "bench", "rules_version": None,
                    "path_before": None, "path_after": f"Matters/{matter}/{name}",
                    "sha256_before": None, "sha256_after": sha,
                    "detail": canonical_detail({"n": k}),
                }
                digest = row_hash(prev, [values[c] for c in EVENT_HASHED_COLUMNS])
                evs.append({**values, "prev_hash": prev, "row_hash": digest})
                prev = digest
        with engine.begin() as conn:
            conn.execute(documents.insert(), docs)
            conn.execute(document_text.insert(), texts)
            conn.execute(events.insert(), evs)
    with engine.begin() as conn:
        conn.execute(chain_head.update().values(seq=seq, hash=prev, writes=seq))
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('documents','id'), "
                              ":n)"), {"n": n})
            conn.execute(text("ANALYZE"))
        else:
            conn.exec_driver_sql("ANALYZE")
    ledger.close()
    return time.perf_counter() - t


def timed(fn: Callable[[], Any], runs: int = 5) -> tuple[float, Any]:
    out = fn()  # warm
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def measure(url: str, label: str, n_docs: int) -> None:
    ledger = Ledger(url, Actor("bench", "paralegal"))
    engine = ledger.reader
    dialect = engine.dialect.name

    def plain(sql: str, **params: Any) -> Any:
        def run() -> int:
            with engine.connect() as conn:
                return len(conn.execute(text(sql), params).fetchall())
        return run

    flt = DocumentFilter(matter_id=MATTERS[7], category="Medical", date_from="2015-01-01",
                         date_to="2020-12-31")
    rare = f"ref{n_docs // 2 + 1}"  # one document says it

    def fts_of(word: str) -> Callable[[], Any]:
        if dialect == "sqlite":
            return plain("SELECT rowid FROM document_fts WHERE document_fts MATCH :q "
                         "ORDER BY rowid LIMIT 200", q=f'"{word}"*')
        return plain("SELECT document_id FROM document_text WHERE tsv @@ "
                     "to_tsquery('simple', :q) ORDER BY document_id LIMIT 200", q=f"'{word}':*")

    fts = fts_of("radiology")
    rows = [
        ("browse first page", lambda: ledger.docs.browse_documents(DocumentFilter(), limit=200),
         "plain SELECT ... ORDER BY id LIMIT 200",
         plain("SELECT * FROM documents WHERE status = 'filed' ORDER BY id LIMIT 200")),
        ("filter change", lambda: ledger.docs.browse_documents(flt, limit=200),
         "plain SELECT, same WHERE",
         plain("SELECT * FROM documents WHERE status = 'filed' AND matter_id = :m AND "
               "category = :c AND coalesce(document_date, substr(created_at, 1, 10)) "
               "BETWEEN :a AND :b ORDER BY id LIMIT 200",
               m=flt.matter_id, c=flt.category, a=flt.date_from, b=flt.date_to)),
        ("search 'radiology'", lambda: ledger.docs.browse_documents(
            DocumentFilter(text="radiology"), limit=200),
         "bare full-text index query", fts),
        (f"search '{rare}'", lambda: ledger.docs.browse_documents(
            DocumentFilter(text=rare), limit=200),
         "bare full-text index query", fts_of(rare)),
        ("search path '0004242'", lambda: ledger.docs.browse_documents(
            DocumentFilter(text="0004242"), limit=200),
         "bare full-text query 'ref4242'", fts_of("ref4242")),
        ("count (status bar)", lambda: ledger.docs.count_documents(DocumentFilter()),
         "plain SELECT count(*)", plain("SELECT count(*) FROM documents")),
    ]
    print(f"\n{label} ({ledger.display_url if dialect != 'sqlite' else 'SQLite file'})")
    print(f"  {'what':<22} {'ours':>9} {'peer':>9} {'ratio':>7}  peer")
    for name, ours, peer_name, peer in rows:
        t_ours, _ = timed(ours)
        t_peer, _ = timed(peer)
        print(f"  {name:<22} {t_ours * 1000:>7.1f}ms {t_peer * 1000:>7.1f}ms "
              f"{t_ours / max(t_peer, 1e-9):>6.1f}x  {peer_name}")
    cols = ", ".join(EVENT_HASHED_COLUMNS) + ", prev_hash, row_hash"

    def read_all() -> int:
        with engine.connect() as conn:
            result = conn.execution_options(yield_per=5000).execute(
                text(f"SELECT {cols} FROM events ORDER BY seq"))
            return sum(1 for _ in result)

    before = rss_mb()
    t_verify, report = timed(ledger.chain.verify_chain, runs=1)
    after = rss_mb()
    t_read, count = timed(read_all, runs=1)
    print(f"  {'verify chain':<22} {t_verify:>8.2f}s {t_read:>8.2f}s "
          f"{t_verify / max(t_read, 1e-9):>6.1f}x  plain SELECT of the same columns "
          f"({count:,} events, ok={report.ok}, {report.events / t_verify:,.0f} events/s)")
    print(f"  peak RSS {before:.0f} MB before verify, {after:.0f} MB after")
    ledger.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--events-per-doc", type=int, default=2)
    parser.add_argument("--pg", default=os.environ.get("INTAKE_TEST_PG_URL", ""),
                        help="a PostgreSQL URL whose role may create databases")
    parser.add_argument("--search-only", action="store_true",
                        help="PostgreSQL only, without `ledger migrate` (the search rows)")
    args = parser.parse_args()
    print(f"{args.docs:,} documents, {args.docs * args.events_per_doc:,} events")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite:///{Path(tmp) / 'ledger.sqlite'}"
        if not (args.search_only and args.pg):
            print(f"built SQLite in {build(sqlite_url, args.docs, args.events_per_doc):.1f} s")
            measure(sqlite_url, "SQLite", args.docs)
        if args.pg:
            on_postgres(args, sqlite_url)
    return 0


def on_postgres(args: argparse.Namespace, sqlite_url: str) -> None:
    """The same ledger built on PostgreSQL, measured; then `ledger migrate` of the SQLite
    one into a second database, beside the bulk build of the same rows (the peer)."""
    from sqlalchemy.engine import make_url

    from intake_desktop.core.ledger.migrate_to import migrate_ledger

    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    names = [f"firm_bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    urls = [make_url(args.pg).set(database=n).render_as_string(hide_password=False)
            for n in names]
    with admin.connect() as conn:
        for n in names:
            conn.execute(text(f'CREATE DATABASE "{n}"'))
    try:
        t_build = build(urls[0], args.docs, args.events_per_doc)
        print(f"built PostgreSQL in {t_build:.1f} s")
        measure(urls[0], "PostgreSQL", args.docs)
        if args.search_only:
            return
        source = Ledger(sqlite_url, Actor("bench", "admin"))
        try:
            t = time.perf_counter()
            result = migrate_ledger(source, urls[1])
            t_migrate = time.perf_counter() - t
        finally:
            source.close()
        print(f"\nledger migrate SQLite -> PostgreSQL: {t_migrate:.1f} s for "
              f"{result.target_events:,} events (verified there), peer: bulk build of the "
              f"same rows {t_build:.1f} s, ratio {t_migrate / t_build:.1f}x")
    finally:
        with admin.connect() as conn:
            for n in names:
                conn.execute(text(f'DROP DATABASE "{n}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
