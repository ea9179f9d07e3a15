"""packaging/system-deps.sh waits for the apt lock instead of failing (issue 21).

The package manager is the boundary: a stand-in `apt-get` on PATH answers the way the real
one does while another process holds the lock ("Could not get lock
/var/lib/dpkg/lock-frontend ..."), and `dpkg-query` says one package is missing.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import REPO

SCRIPT = REPO / "packaging" / "system-deps.sh"

LOCKED = (
    "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 "
    "(unattended-upgr)\nE: Unable to acquire the dpkg frontend lock "
    "(/var/lib/dpkg/lock-frontend), is another process using it?"
)


def fake_tools(bin_dir: Path, locked_runs: int) -> Path:
    bin_dir.mkdir()
    calls = bin_dir / "calls.log"
    tools = {
        "dpkg": "#!/bin/sh\nexit 0\n",
        "dpkg-query": (
            '#!/bin/sh\nfor a; do last="$a"; done\n'
            'if [ "$last" = "qpdf" ]; then exit 1; fi\necho "install ok installed"\n'
        ),
        "sudo": '#!/bin/sh\nexec "$@"\n',
        "apt-get": (
            "#!/bin/sh\n"
            f'echo "$*" >> "{calls}"\n'
            f'n=$(wc -l < "{calls}")\n'
            f'if [ "$n" -le {locked_runs} ]; then printf "%s\\n" "{LOCKED}" >&2; exit 100; fi\n'
            "exit 0\n"
        ),
    }
    for name, text in tools.items():
        path = bin_dir / name
        path.write_text(text)
        path.chmod(0o755)
    return calls


def run_script(
    tmp_path: Path, locked_runs: int, wait: int
) -> tuple[subprocess.CompletedProcess[str], Path]:
    calls = fake_tools(tmp_path / "bin", locked_runs)
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
           "INTAKE_APT_WAIT": str(wait), "INTAKE_APT_POLL": "1"}
    done = subprocess.run(["bash", str(SCRIPT), "test"], env=env, capture_output=True,
                          text=True, timeout=60)
    return done, calls


def test_waits_for_the_lock_then_installs(tmp_path: Path) -> None:
    done, calls = run_script(tmp_path, locked_runs=2, wait=30)
    assert done.returncode == 0, done.stderr
    lines = calls.read_text().splitlines()
    assert lines[:3] == ["-o DPkg::Lock::Timeout=0 update -qq"] * 3
    assert lines[3].endswith("install -y -qq --no-install-recommends qpdf")
    assert done.stderr.count("holds the apt lock; waiting for it (up to 30 s)") == 1


def test_gives_up_after_the_limit_with_a_message(tmp_path: Path) -> None:
    done, calls = run_script(tmp_path, locked_runs=1000, wait=2)
    assert done.returncode == 1
    assert "still holds the apt lock after 2 s" in done.stderr
    assert "INTAKE_APT_WAIT" in done.stderr
    assert "install" not in calls.read_text()
