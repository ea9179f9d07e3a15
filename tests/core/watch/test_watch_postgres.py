"""Claims on a real PostgreSQL: two watcher processes sharing one ledger server.

Runs when INTAKE_TEST_PG_URL is set (`.ci/run` starts a server); skipped otherwise.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from intake_desktop.app import App, open_app
from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.workspace import Workspace
from tests.core.ledger.test_postgres import ADMIN_URL, pg_url
from tests.core.watch.test_watch import MATTER, assert_each_filed_once, blob, wait_for
from tests.core.watch.test_watch_processes import WatchProcess, filed_count

pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="INTAKE_TEST_PG_URL not set")
__all__ = ["pg_url"]  # the fixture, re-used


def race_for(ledger: Ledger, key: str, racers: int) -> list[str]:
    """`racers` threads claim `key` at the same moment; returns the winners."""
    winners: list[str] = []
    barrier = threading.Barrier(racers)

    def race(owner: str) -> None:
        barrier.wait()
        if ledger.watch_claims.claim(key, owner, source="x"):
            winners.append(owner)

    threads = [threading.Thread(target=race, args=(f"o{i}",)) for i in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return winners


def test_claim_race_on_postgres_has_one_winner(pg_url: str) -> None:
    ledger = Ledger.open(pg_url, Actor("alice", "paralegal"))
    try:
        for key in ("a" * 64, "b" * 64, "c" * 64):
            assert len(race_for(ledger, key, 6)) == 1
        assert len(ledger.watch_claims.claims()) == 3
    finally:
        ledger.close()


def test_two_watchers_on_a_postgres_ledger_file_each_once(
    workspace: Workspace, pg_url: str
) -> None:
    intake = workspace.intake / MATTER
    intake.mkdir(parents=True)
    app: App = open_app(str(workspace.root), db=pg_url)
    try:
        procs = [WatchProcess(app, "pg-first", "--db", pg_url),
                 WatchProcess(app, "pg-second", "--db", pg_url)]
        try:
            wait_for(lambda: len(app.ledger.watch_claims.live_owners(within=60)) == 2)
            contents = {f"pg-{i:03d}.pdf": blob(9000 + i, 1500 + i) for i in range(120)}
            for name, data in contents.items():
                (intake / name).write_bytes(data)
            wait_for(lambda: filed_count(app) == 120, timeout=120)
        finally:
            outputs = [p.stop() for p in procs]
        assert_each_filed_once(app, contents)
        filed_by = [{Path(r["source"]).name for r in out if r["status"] == "filed"}
                    for out in outputs]
        assert not filed_by[0] & filed_by[1]
        assert filed_by[0] | filed_by[1] == set(contents)
        assert app.ledger.watch_claims.claims() == []
    finally:
        app.close()
    assert not workspace.ledger_path.exists()
