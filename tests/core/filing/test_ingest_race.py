"""Exactly once across entry points: two `ingest` processes, and `ingest` against `watch`,
on one intake folder of 300 files. Every entry point takes the same claim before work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from intake_desktop.app import App, open_app
from intake_desktop.core import custody
from intake_desktop.core.workspace import Workspace
from tests.conftest import REPO
from tests.core.ledger.test_postgres import ADMIN_URL
from tests.core.ledger.test_postgres import pg_url as _pg_url
from tests.core.watch.test_watch import MATTER, assert_each_filed_once, blob, wait_for
from tests.core.watch.test_watch_processes import WatchProcess, filed_count

N_FILES = 300


def _drop(app: App) -> dict[str, bytes]:
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    contents = {f"exhibit-{i:03d}.pdf": blob(5000 + i, 1500 + i) for i in range(N_FILES)}
    for name, data in contents.items():
        (intake / name).write_bytes(data)
    return contents


def _ingest(app: App, name: str, db: str = "") -> subprocess.Popen[str]:
    logs = app.workspace.root.parent
    return subprocess.Popen(
        [sys.executable, "-m", "intake_desktop", "--workspace", str(app.workspace.root),
         *(["--db", db] if db else []), "ingest", "--json", str(app.workspace.intake)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, text=True,
        stdout=open(logs / f"{name}.out", "w"), stderr=open(logs / f"{name}.err", "w"),
    )


def _lines(app: App, name: str) -> list[dict]:
    out = app.workspace.root.parent / f"{name}.out"
    return [json.loads(x) for x in out.read_text().splitlines() if x.strip()]


def test_two_ingest_processes_file_each_of_300_files_exactly_once(app: App) -> None:
    """GIVEN 300 files in Intake/<matter>/ WHEN two `ingest` processes run on the folder at
    the same time THEN each file is filed exactly once (one row, one original, one copy),
    each process reports the files the other took as ignored, and verify passes."""
    _race(app)


pg_url = _pg_url  # the per-test PostgreSQL database fixture


@pytest.mark.skipif(not ADMIN_URL, reason="INTAKE_TEST_PG_URL not set")
def test_two_ingest_processes_on_postgres(workspace: Workspace, pg_url: str) -> None:
    """The same race on a shared PostgreSQL ledger (one claim mechanism for both)."""
    with open_app(str(workspace.root), db=pg_url) as app:
        _race(app, pg_url)


def _race(app: App, db: str = "") -> None:
    contents = _drop(app)
    procs = {name: _ingest(app, name, db) for name in ("first", "second")}
    for name, proc in procs.items():
        assert proc.wait(timeout=600) == 0, (app.workspace.root.parent / f"{name}.err"
                                             ).read_text()
    assert_each_filed_once(app, contents)
    filed = [{Path(r["source"]).name for r in _lines(app, n) if r["status"] == "filed"}
             for n in procs]
    assert not filed[0] & filed[1]
    assert filed[0] | filed[1] == set(contents)
    for name in procs:
        other = [r for r in _lines(app, name) if r["status"] != "filed"]
        assert {r["status"] for r in other} <= {"ignored"}, other
    assert custody.verify(app.ledger, app.workspace.root).ok
    assert app.ledger.watch_claims.claims() == [] and app.ledger.watch_claims.owners() == []
    print(f"\nfiled per process: {len(filed[0])} + {len(filed[1])}")


def test_ingest_against_a_watcher_files_each_of_300_files_exactly_once(app: App) -> None:
    """GIVEN 300 files and a running watcher WHEN `ingest` runs on the same folder THEN
    each file is filed exactly once, by one or the other."""
    contents = _drop(app)
    watcher = WatchProcess(app, "watcher")
    try:
        wait_for(lambda: len(app.ledger.watch_claims.live_owners(within=60)) >= 1, timeout=60)
        proc = _ingest(app, "ingest")
        assert proc.wait(timeout=600) == 0, (app.workspace.root.parent / "ingest.err"
                                            ).read_text()
        wait_for(lambda: filed_count(app) == N_FILES, timeout=300)
    finally:
        watched = watcher.stop()
    assert_each_filed_once(app, contents)
    by_ingest = {Path(r["source"]).name for r in _lines(app, "ingest") if r["status"] == "filed"}
    by_watch = {Path(r["source"]).name for r in watched if r.get("status") == "filed"}
    assert not by_ingest & by_watch
    assert by_ingest | by_watch == set(contents)
    assert custody.verify(app.ledger, app.workspace.root).ok
    print(f"\nfiled by ingest {len(by_ingest)}, by the watcher {len(by_watch)}")
