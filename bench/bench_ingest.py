"""Benchmark: ingest throughput and ledger verification, beside cp + sync + sha256sum.

Targets (issue "Foundation"): >= 300 small files/s with WAL + synchronous=FULL; large-file
throughput >= 0.5x of `cp && sync && sha256sum`; `ledger verify` of the chain >= 100,000
events/s (files on disk excluded). Run: .venv/bin/python bench/bench_ingest.py [--small N]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake_desktop.app import open_app
from intake_desktop.core import custody
from intake_desktop.core.filing import Filer, Outcome
from intake_desktop.core.ledger import EventKind
from intake_desktop.core.workspace import init_workspace

MATTER = "2024-0001 Bench"


def make_files(folder: Path, count: int, rng: random.Random) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(count):
        size = rng.randrange(100_000, 2_000_000)
        (folder / f"doc {i:05}.pdf").write_bytes(os.urandom(size))
        total += size
    return total


def peer(src: Path, dst: Path) -> float:
    """cp + sync + sha256sum of the copies: the floor for copy-and-verify."""
    start = time.perf_counter()
    subprocess.run(["cp", "-r", str(src), str(dst)], check=True)
    subprocess.run(["sync"], check=True)
    files = [str(p) for p in sorted(dst.rglob("*")) if p.is_file()]
    for i in range(0, len(files), 200):
        subprocess.run(["sha256sum", *files[i:i + 200]], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def ingest(root: Path) -> tuple[float, int]:
    """The filing protocol alone: built-in routing, original bytes filed (no conversion)."""
    app = open_app(str(root))
    filer = Filer(app.workspace, app.ledger)
    start = time.perf_counter()
    results = filer.ingest([app.workspace.intake])
    elapsed = time.perf_counter() - start
    app.close()
    assert all(r.status is Outcome.FILED for r in results), {r.status for r in results}
    return elapsed, len(results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large-mb", type=int, default=1024)
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    rng = random.Random(1)
    base = Path(tempfile.mkdtemp(prefix="bench-ingest-", dir=os.environ.get("BENCH_DIR")))
    try:
        print(f"workdir {base}")
        # -- small files
        root = base / "ws small"
        init_workspace(root)
        total = make_files(root / "Intake" / MATTER, args.small, rng)
        shutil.copytree(root / "Intake", base / "peer-src")
        subprocess.run(["sync"], check=True)
        peer_t = peer(base / "peer-src", base / "peer-dst")
        ours_t, n = ingest(root)
        mb = total / 1e6
        print(f"small files: {n} files, {mb:.0f} MB (two verified copies each: original + filed)")
        print(f"  intake-desktop ingest: {n / ours_t:8.1f} files/s {mb / ours_t:8.1f} MB/s")
        print(f"  cp+sync+sha256sum:     {n / peer_t:8.1f} files/s {mb / peer_t:8.1f} MB/s")
        print(f"  ratio ours/peer: {peer_t / ours_t:.2f}   target >= 300 files/s: "
              f"{'MET' if n / ours_t >= 300 else 'MISSED'}")
        # -- full verify (chain, events, files re-hashed, Matters/ walked) vs sha256sum
        app = open_app(str(root))
        start = time.perf_counter()
        full = custody.verify(app.ledger, root)
        verify_t = time.perf_counter() - start
        app.close()
        assert full.ok, full.problems
        kept = [str(p) for p in sorted((root / "Matters").rglob("*")) if p.is_file()]
        start = time.perf_counter()
        for i in range(0, len(kept), 200):
            subprocess.run(["sha256sum", *kept[i:i + 200]], check=True,
                           stdout=subprocess.DEVNULL)
        sum_t = time.perf_counter() - start
        print(f"ledger verify with files: {full.files_checked} files, {full.events} events "
              f"in {verify_t:.2f} s; sha256sum of the same files {sum_t:.2f} s "
              f"(ratio ours/peer {verify_t / sum_t:.2f})")
        shutil.rmtree(base / "peer-dst")
        shutil.rmtree(base / "peer-src")

        # -- one large file
        root = base / "ws large"
        init_workspace(root)
        big = root / "Intake" / MATTER / "video deposition.mp4"
        big.parent.mkdir(parents=True)
        with open(big, "wb") as fh:
            for _ in range(args.large_mb):
                fh.write(os.urandom(1 << 20))
        shutil.copy(big, base / "big-peer.bin")
        subprocess.run(["sync"], check=True)
        peer_dir = base / "big-peer"
        peer_dir.mkdir()
        start = time.perf_counter()
        subprocess.run(["cp", str(base / "big-peer.bin"), str(peer_dir / "copy.bin")], check=True)
        subprocess.run(["sync"], check=True)
        subprocess.run(["sha256sum", str(peer_dir / "copy.bin")], check=True,
                       stdout=subprocess.DEVNULL)
        peer_big = time.perf_counter() - start
        ours_big, _ = ingest(root)
        mbig = args.large_mb * 1.048576
        ratio = peer_big / ours_big
        print(f"large file: {mbig:.0f} MB")
        print(f"  intake-desktop ingest: {mbig / ours_big:8.1f} MB/s")
        print(f"  cp+sync+sha256sum:     {mbig / peer_big:8.1f} MB/s")
        verdict = "MET" if ratio >= 0.5 else "MISSED"
        print(f"  ratio ours/peer: {ratio:.2f}   target >= 0.5: {verdict}")

        # -- ledger verify (chain only)
        app = open_app(str(root))
        have = app.ledger.chain.event_count()
        with app.ledger.transaction() as txn:
            for i in range(args.events - have):
                txn.add_event(EventKind.RECEIVED, document_id=i, path_before=f"/x/{i}.pdf",
                              sha256_before=f"{i:064x}", detail={"size": i})
        start = time.perf_counter()
        report = app.ledger.chain.verify_chain()
        verify_t = time.perf_counter() - start
        app.close()
        assert report.ok
        rate = report.events / verify_t
        print(f"ledger verify: {report.events} events in {verify_t:.2f} s = {rate:,.0f} events/s"
              f"   target >= 100,000/s: {'MET' if rate >= 100_000 else 'MISSED'}")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
