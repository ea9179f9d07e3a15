"""Benchmark: start-up of the desktop bundle beside `python -m intake_desktop` (the peer).

    python bench/bench_startup.py [--bundle dist/intake-desktop] [--runs 5]

For `--version` (the CLI with every command module imported) and `doctor --json` on a new
workspace (Qt started in a child, engines asked for their versions), prints the first run
(cold caches, as a paralegal's first start) and the median of --runs, and the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, check=True, capture_output=True, timeout=600)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bundle", type=Path, default=REPO / "dist" / "intake-desktop")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    exe = args.bundle / "intake-desktop"
    if not exe.is_file():
        sys.exit(f"{exe}: no bundle; run `make bundle` first")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    bundle_env = {k: v for k, v in env.items() if not k.startswith("PYTHON")}
    peers = {"bundle": ([str(exe)], bundle_env),
             "python -m": ([sys.executable, "-m", "intake_desktop"], env)}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for task, extra in (("--version", ["--version"]),
                            ("doctor --json", ["doctor", "--json", "--workspace",
                                               str(work / "ws")])):
            row = {}
            for name, (cmd, cmd_env) in peers.items():
                first = timed([*cmd, *extra], cmd_env, work)
                runs = [timed([*cmd, *extra], cmd_env, work) for _ in range(args.runs)]
                row[name] = (first, statistics.median(runs))
                print(f"{task:14} {name:10} first {first:6.2f} s   median {row[name][1]:6.2f} s")
            ratio = row["bundle"][1] / row["python -m"][1]
            print(f"{task:14} bundle / python -m: {ratio:.2f}x (median)")


if __name__ == "__main__":
    main()
