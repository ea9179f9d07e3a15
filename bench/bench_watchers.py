"""Benchmark: files/s filed by 1, 2, 5 and 10 watcher processes on one PostgreSQL ledger,
beside 1 watcher on the SQLite ledger (the peer), in the same run (issue 20).

    python bench/bench_watchers.py [--files 200] [--desks 1,2,5,10] [--pg ADMIN_URL]

For each set-up: a new workspace (and a new PostgreSQL database, dropped afterwards), the
`watch --json --settle 0.2` processes started and seen alive in the ledger, then `--files`
files dropped into one matter's intake folder; the time runs from the first file written
to the last one filed in the ledger. Prints files/s and the ratio to the SQLite peer;
nothing asserts a time.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from intake_desktop.app import App, open_app  # noqa: E402
from intake_desktop.core.ledger.records import DocStatus  # noqa: E402
from intake_desktop.core.workspace import init_workspace  # noqa: E402

MATTER = "2024-0117 Reyes v. Acme"


def wait_for(check: Callable[[], bool], timeout: float) -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise TimeoutError("timed out")
        time.sleep(0.1)


def filed(app: App) -> int:
    return len(app.ledger.docs.documents(status=DocStatus.FILED))


def run(tmp: Path, label: str, desks: int, files: int, db: str | None) -> float:
    ws = init_workspace(tmp / label)
    ws.rules_path.unlink(missing_ok=True)
    intake = ws.intake / MATTER
    intake.mkdir(parents=True)
    app = open_app(str(ws.root), db=db)
    extra = ["--db", db] if db else []
    procs = []
    try:
        for d in range(desks):
            with open(tmp / f"{label}-{d}.out", "w") as out, \
                    open(tmp / f"{label}-{d}.err", "w") as err:
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "intake_desktop", "watch", "--json",
                     "--workspace", str(ws.root), "--settle", "0.2", *extra],
                    cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                    stdout=out, stderr=err))
        wait_for(lambda: len(app.ledger.watch_claims.live_owners(within=60)) == desks, 180)
        rng = random.Random(desks)
        t = time.perf_counter()
        for i in range(files):
            (intake / f"exhibit-{i:04d}.pdf").write_bytes(rng.randbytes(2000 + i))
        wait_for(lambda: filed(app) == files, 600)
        return time.perf_counter() - t
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
        app.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--desks", default="1,2,5,10")
    parser.add_argument("--pg", default=os.environ.get("INTAKE_TEST_PG_URL", ""),
                        help="a PostgreSQL URL whose role may create databases")
    args = parser.parse_args()
    if not args.pg:
        print("needs --pg or INTAKE_TEST_PG_URL")
        return 2
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    print(f"{args.files} files, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        peer = run(tmp, "sqlite-1", 1, args.files, None)
        print(f"  {'SQLite, 1 watcher':<26} {args.files / peer:>7.1f} files/s  "
              f"({peer:.1f} s)  peer")
        for desks in [int(x) for x in args.desks.split(",")]:
            name = f"firm_watch_{uuid.uuid4().hex[:8]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
            try:
                took = run(tmp, f"pg-{desks}", desks, args.files, url)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            print(f"  {f'PostgreSQL, {desks} watcher(s)':<26} {args.files / took:>7.1f} "
                  f"files/s  ({took:.1f} s)  {peer / took:.2f}x the SQLite peer")
    admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
