"""How the `intake-desktop` program ends after a command (intake_desktop/launch.py `run`,
`finish`): at once, without the interpreter's teardown, but with every line of its output,
its exit code, its exit handlers run, and never while another thread is still working."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from intake_desktop.core.workspace import init_workspace
from tests.conftest import write_file

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True, timeout=120, check=False)


def test_a_finished_command_ends_with_all_its_output_its_code_and_its_exit_handlers(
    tmp_path: Path
) -> None:
    """GIVEN 300 KB written to stdout (more than a pipe holds) and an exit handler WHEN the
    command ends with `finish(3)` THEN every byte arrives, the exit code is 3, the handler
    ran, and the interpreter's own teardown did not (an object's finalizer that only it
    would call never ran)."""
    done = _python("""
        import atexit, sys
        from intake_desktop.launch import finish

        class Torn:
            def __del__(self):
                sys.stderr.write("torn down\\n")

        kept = Torn()
        atexit.register(lambda: sys.stderr.write("handler ran\\n"))
        for n in range(10_000):
            print(f"line {n:05} " + "x" * 20)
        finish(3)
    """, tmp_path)
    lines = done.stdout.splitlines()
    assert len(lines) == 10_000 and lines[-1].startswith("line 09999"), done.stderr
    assert done.returncode == 3
    assert "handler ran" in done.stderr
    assert "torn down" not in done.stderr


def test_a_command_whose_thread_still_works_ends_after_it(tmp_path: Path) -> None:
    """GIVEN a thread still writing a file when the command returns WHEN it ends THEN the
    program waits for the thread as Python's usual exit does: the file is whole."""
    done = _python("""
        import threading, time
        from pathlib import Path
        from intake_desktop.launch import finish

        def late():
            time.sleep(0.5)
            Path("late.txt").write_text("whole")

        threading.Thread(target=late).start()
        finish(0)
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "late.txt").read_text() == "whole"


def test_the_program_ends_an_ingest_with_every_result(tmp_path: Path) -> None:
    """`python -m intake_desktop ingest --json` (the program as installed runs it): one
    JSON line per file, exit code 0; a command line it refuses exits 2 with its reason."""
    root = tmp_path / "ws"
    init_workspace(root)
    for i in range(12):
        write_file(root / "Intake" / "2024-0001 Smith" / f"note {i:02}.txt", 500, seed=i)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "intake_desktop", "--workspace", str(root), "ingest", "--json",
         str(root / "Intake")], env=env, capture_output=True, text=True, timeout=300,
        check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(results) == 12 and all(r["status"] in ("filed", "review") for r in results)
    wrong = subprocess.run([sys.executable, "-m", "intake_desktop", "ingest"], env=env,
                           capture_output=True, text=True, timeout=120, check=False)
    assert wrong.returncode == 2 and wrong.stderr.strip()
