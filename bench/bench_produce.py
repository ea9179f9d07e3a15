"""Benchmark: a production volume (stamped PDFs, text, DAT/OPT, ledger events) against the
exhibit build of the same documents, in pages per second.

Run from the repository root: `python bench/bench_produce.py` (a short run: 10 documents of
20 pages) or `python bench/bench_produce.py --documents 50 --pages-each 100` (the 5,000-page
production of issue 19). Peer: `exhibits build` (bench_stamp.py's set, without binder) on
the same files in the same run; the ratio is what to compare across machines.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_stamp import make_pdf
from intake_desktop.core.exhibits.build import build_set
from intake_desktop.core.exhibits.spec import load_spec
from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.production.build import produce
from intake_desktop.core.production.spec import load_production_spec

MATTER = "2024-0001 Bench v. Mark"


def file_documents(root: Path, ledger: Ledger, documents: int, pages_each: int) -> list[Path]:
    """`documents` distinct PDFs filed in the ledger (original = filed copy)."""
    folder = root / "Matters" / MATTER / "Records"
    folder.mkdir(parents=True)
    paths = []
    for n in range(documents):
        path = make_pdf(folder / f"record-{n:03d}.pdf", pages_each, seed=n)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        rel = path.relative_to(root).as_posix()
        with ledger.transaction() as txn:
            txn.ensure_matter(MATTER)
            doc_id = txn.insert_document(
                sha256=sha, size=path.stat().st_size, detected_type="application/pdf",
                source_path=str(path), original_path=rel, filed_path=rel, filed_sha256=sha,
                matter_id=MATTER, category="Records", document_date="2024-01-02",
                status="filed", target_status="filed")
            txn.add_event("filed", document_id=doc_id, matter_id=MATTER, path_after=rel,
                          sha256_after=sha)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10)
    parser.add_argument("--pages-each", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        ledger = Ledger.open(f"sqlite:///{root / 'ledger.sqlite'}", Actor("bench"))
        paths = file_documents(root, ledger, args.documents, args.pages_each)
        pages = args.documents * args.pages_each

        lines = ['[set]', 'name = "Bench set"', 'slip_sheets = false', 'binder = false', '',
                 '[bates]', 'prefix = "EXH-"', 'digits = 7', '']
        for n, path in enumerate(paths):
            lines += ['[[exhibit]]', f'file = "{path}"', f'description = "Record {n + 1}"', '']
        exhibit_spec = root / "exhibits.toml"
        exhibit_spec.write_text("\n".join(lines), encoding="utf-8")
        t0 = time.perf_counter()
        build_set(load_spec(exhibit_spec), root / "exhibits", ledger)
        exhibits_s = time.perf_counter() - t0

        prod_spec = root / "production.toml"
        prod_spec.write_text("\n".join([
            '[production]', 'volume = "PROD001"', f'matter = "{MATTER}"',
            'custodian = "Bench"', '', '[bates]', 'prefix = "PROD-"', 'digits = 7', '',
            '[[documents]]', 'category = "Records"', '']), encoding="utf-8")
        t0 = time.perf_counter()
        result = produce(load_production_spec(prod_spec), root / "production", ledger,
                         workspace_root=root)
        produce_s = time.perf_counter() - t0
        assert result.pages == pages
        ledger.close()
    print(f"{args.documents} documents, {pages} pages")
    print(f"  produce (PDF + text + DAT/OPT + ledger)  {produce_s:7.2f} s  "
          f"{pages / produce_s:7.0f} pages/s")
    print(f"  exhibits build (stamped, no binder)      {exhibits_s:7.2f} s  "
          f"{pages / exhibits_s:7.0f} pages/s")
    print(f"  ratio (production / exhibit build time): {produce_s / exhibits_s:.2f}x")


if __name__ == "__main__":
    main()
