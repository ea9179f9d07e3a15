"""The ledger and the filing protocol on a real PostgreSQL (shared setups).

Runs when INTAKE_TEST_PG_URL points at a server whose role may create databases
(`.ci/run` starts one); skipped otherwise.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from intake_desktop.app import build_filer, open_app
from intake_desktop.core import custody
from intake_desktop.core.filing import Outcome
from intake_desktop.core.ledger import Actor, EventKind, Ledger
from intake_desktop.core.workspace import Workspace
from tests.conftest import write_file

ADMIN_URL = os.environ.get("INTAKE_TEST_PG_URL", "")
pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="INTAKE_TEST_PG_URL not set")


@pytest.fixture
def pg_url() -> Iterator[str]:
    name = f"intake_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_filing_and_verify_on_postgres(workspace: Workspace, pg_url: str) -> None:
    data = write_file(workspace.intake / "2024-9 Lee" / "a.pdf", 10_000)
    write_file(workspace.intake / "2024-9 Lee" / "a copy.pdf", 10_000, seed=None)
    app = open_app(str(workspace.root), db=pg_url)
    try:
        results = build_filer(app).ingest([workspace.intake])
        assert {r.status for r in results} == {Outcome.FILED}
        filed = next(r for r in results if r.source.endswith("/a.pdf"))
        assert Path(filed.path or "").read_bytes() == data
        report = custody.verify(app.ledger, workspace.root)
        assert report.ok and report.events == len(app.ledger.chain.events()) >= 8
    finally:
        app.close()
    assert not workspace.ledger_path.exists(), "the SQLite file is not used with --db"


def test_events_are_append_only_on_postgres(pg_url: str) -> None:
    ledger = Ledger.open(pg_url, Actor("alice", "admin"))
    ledger.chain.record(EventKind.RECEIVED, detail={"n": 1})
    engine = create_engine(pg_url)
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE events SET kind = 'filed'"))
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM events"))
    engine.dispose()
    assert ledger.chain.verify_chain().ok
    ledger.close()


def test_two_workstations_append_to_one_chain(pg_url: str) -> None:
    import threading

    a = Ledger.open(pg_url, Actor("alice", "paralegal"))
    b = Ledger.open(pg_url, Actor("bob", "paralegal"))

    def write(ledger: Ledger) -> None:
        for i in range(40):
            ledger.chain.record(EventKind.RECEIVED, detail={"i": i})

    threads = [threading.Thread(target=write, args=(x,)) for x in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = a.chain.verify_chain()
    assert report.ok and report.events == 80
    a.close()
    b.close()
