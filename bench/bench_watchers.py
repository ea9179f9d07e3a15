"""Benchmark: files/s filed by 1, 2, 5 and 10 watcher processes on one PostgreSQL ledger,
beside 1 watcher on the SQLite ledger (the peer), in the same run (issue 20).

    python bench/bench_watchers.py [--files 500] [--desks 1,2,5,10] [--pg ADMIN_URL]

For each set-up: a new workspace (and a new PostgreSQL database, dropped afterwards), the
`watch --json --settle 0.2` processes started, seen alive in the ledger and given one
heartbeat to see each other (each desk takes first the files meant for it), then `--files`
files dropped into one matter's intake folder; the time runs from the first file written
to the last one filed in the ledger. Prints files/s, the ratio to the SQLite peer, the CPU
seconds per file the desks and the PostgreSQL server spent, and how the files were shared;
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
from intake_desktop.core.ledger.queries import DocumentFilter  # noqa: E402
from intake_desktop.core.watch.settings import WatchSettings  # noqa: E402
from intake_desktop.core.workspace import init_workspace  # noqa: E402

MATTER = "2024-0117 Reyes v. Acme"


def wait_for(check: Callable[[], bool], timeout: float) -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise TimeoutError("timed out")
        time.sleep(0.1)


def filed(app: App) -> int:
    return app.ledger.docs.count_documents(DocumentFilter())


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def server_pids() -> list[int]:
    """The PostgreSQL server's processes on this machine (empty when it runs elsewhere)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().startswith("postgres"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def run(tmp: Path, label: str, desks: int, files: int,
        db: str | None) -> tuple[float, float, float, list[int]]:
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
        if desks > 1:
            time.sleep(WatchSettings().heartbeat_interval + 1)
        rng = random.Random(desks)
        server = server_pids() if db else []
        cpu0 = cpu_seconds([p.pid for p in procs]), cpu_seconds(server)
        t = time.perf_counter()
        for i in range(files):
            (intake / f"exhibit-{i:04d}.pdf").write_bytes(rng.randbytes(2000 + i))
        wait_for(lambda: filed(app) == files, 1200)
        took = time.perf_counter() - t
        desk_cpu = cpu_seconds([p.pid for p in procs]) - cpu0[0]
        server_cpu = cpu_seconds(server) - cpu0[1]
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
        app.close()
    shares = [sum('"status": "filed"' in line
                  for line in (tmp / f"{label}-{d}.out").read_text().splitlines())
              for d in range(desks)]
    return took, desk_cpu / files, server_cpu / files, shares


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=500)
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
        peer, cpu, _, _ = run(tmp, "sqlite-1", 1, args.files, None)
        print(f"  {'SQLite, 1 watcher':<26} {args.files / peer:>7.1f} files/s  "
              f"({peer:.1f} s)  peer        desk CPU {1000 * cpu:.0f} ms/file")
        for desks in [int(x) for x in args.desks.split(",")]:
            name = f"firm_watch_{uuid.uuid4().hex[:8]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
            try:
                took, cpu, server, shares = run(tmp, f"pg-{desks}", desks, args.files, url)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            print(f"  {f'PostgreSQL, {desks} watcher(s)':<26} {args.files / took:>7.1f} "
                  f"files/s  ({took:.1f} s)  {peer / took:.2f}x the peer  desk CPU "
                  f"{1000 * cpu:.0f} ms/file, server {1000 * server:.0f} ms/file; "
                  f"filed per desk {shares}")
    admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
