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

from bench.big_ledger import MATTERS, build_big_ledger  # noqa: E402
from intake_desktop.core.ledger import Actor, Ledger  # noqa: E402
from intake_desktop.core.ledger.queries import DocumentFilter  # noqa: E402
from intake_desktop.core.ledger.schema import EVENT_HASHED_COLUMNS  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(url: str, n: int, per_doc: int) -> float:
    """Bulk-load `n` documents, their text and `per_doc` chained events each (the same
    builder as bench_gui's million-document ledgers, bench/big_ledger.py)."""
    return build_big_ledger(url, n, per_doc, on_progress=lambda _line: None).seconds


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
