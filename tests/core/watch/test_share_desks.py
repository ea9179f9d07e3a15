"""Two desks on one intake folder on a network share (issue 20 item 4): each desk mounts the
firm's share itself (two mounts of one SMB share), the workspace lives on it, the ledger on
PostgreSQL. Each file dropped through the share is filed once, none lost, the ledger
verifies.

Skipped unless INTAKE_TEST_SHARE names a folder on a mounted network share (and
INTAKE_TEST_PG_URL is set); INTAKE_TEST_SHARE_2, the same share mounted a second time, is
the second desk's view of it (without it both desks use the first mount).
`.ci/smb-share.sh` starts Samba on loopback and mounts it twice (kernel cifs where the
kernel has it, else smbnetfs through FUSE) and prints the two folders.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake_desktop.app import open_app
from intake_desktop.core import custody
from intake_desktop.core.platform import fs_type, is_network_fs
from intake_desktop.core.workspace import init_workspace
from tests.conftest import REPO
from tests.core.watch.test_firm_desks import WRITER, _wait_filed
from tests.core.watch.test_watch import MATTER, assert_each_filed_once, blob, wait_for
from tests.pg_server import needs_pg, pg_database

SHARE = os.environ.get("INTAKE_TEST_SHARE", "")
SHARE_2 = os.environ.get("INTAKE_TEST_SHARE_2", "") or SHARE
FILES = 2 * 30

pytestmark = [
    needs_pg,
    pytest.mark.skipif(not SHARE, reason="INTAKE_TEST_SHARE not set (see .ci/smb-share.sh)"),
]


@pytest.fixture
def share_roots() -> Iterator[tuple[Path, Path]]:
    """The same new workspace folder on the share, as each desk's mount shows it."""
    for folder in {SHARE, SHARE_2}:
        if not is_network_fs(Path(folder)):
            pytest.skip(f"{folder} is on {fs_type(Path(folder))}, not a network share")
    name = f"firm-share-{uuid.uuid4().hex[:8]}"
    first, second = Path(SHARE) / name, Path(SHARE_2) / name
    try:
        yield first, second
    finally:
        shutil.rmtree(first, ignore_errors=True)


class Desk:
    """`intake-desktop watch --json` on this desk's view of the workspace."""

    def __init__(self, root: Path, pg: str, logs: Path, name: str) -> None:
        self.out, self.err = logs / f"{name}.out", logs / f"{name}.err"
        with open(self.out, "w") as out, open(self.err, "w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "intake_desktop", "watch", "--json", "--workspace",
                 str(root), "--db", pg, "--settle", "0.2", "--stable-window", "1"],
                cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                stdout=out, stderr=err, text=True)

    def stop(self) -> list[dict]:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=120)
        assert self.proc.returncode == 0, self.err.read_text()
        return [json.loads(x) for x in self.out.read_text().splitlines() if x.strip()]


def test_two_desks_on_a_network_share_file_each_file_once(
    share_roots: tuple[Path, Path], tmp_path: Path
) -> None:
    first, second = share_roots
    workspace = init_workspace(first)
    workspace.rules_path.unlink(missing_ok=True)  # built-in routing, as tests/conftest.py
    intake = workspace.intake / MATTER
    intake.mkdir(parents=True)
    with pg_database() as pg:
        app = open_app(str(first), db=pg)
        try:
            desks = [Desk(root, pg, tmp_path, f"share-desk-{n}")
                     for n, root in enumerate((first, second))]
            try:
                wait_for(lambda: len(app.ledger.watch_claims.live_owners(within=60)) == 2,
                         timeout=120)
                started = time.monotonic()
                # Two writers through the first desk's mount (a scanner and a copy), as in
                # the firm desks test: half renamed into place, half written in place.
                writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(intake), str(w),
                                             str(FILES // 2)], cwd=REPO) for w in range(2)]
                for w in writers:
                    assert w.wait(timeout=300) == 0
                contents = {f"desk-{w}-{i:05d}.pdf": blob(w * 100000 + i,
                                                          1500 + (w * 100000 + i) % 3000)
                            for w in range(2) for i in range(FILES // 2)}
                _wait_filed(app, len(contents), timeout=600)
                took = time.monotonic() - started
            finally:
                outputs = [d.stop() for d in desks]
            assert_each_filed_once(app, contents)
            filed_by = [{Path(r["source"]).name for r in out if r["status"] == "filed"}
                        for out in outputs]
            assert not filed_by[0] & filed_by[1], "no file filed by both desks"
            assert filed_by[0] | filed_by[1] == set(contents), "none lost"
            assert filed_by[0] and filed_by[1], "both desks filed"
            assert not any(p.is_file() for p in intake.rglob("*"))
            report = custody.verify(app.ledger, first)
            assert report.ok, report.problems
            print(f"\n{len(contents)} files on {fs_type(first)} by 2 desks in {took:.0f} s; "
                  f"per desk {[len(f) for f in filed_by]}")
        finally:
            app.close()
