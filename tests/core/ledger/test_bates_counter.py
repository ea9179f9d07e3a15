"""The ledger's Bates counter: ranges never overlap, releases only undo the latest range."""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from intake_desktop.core.errors import LedgerError
from intake_desktop.core.ledger import Actor, Ledger

PG_ADMIN = os.environ.get("INTAKE_TEST_PG_URL", "")


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    """The same tests on SQLite and, when INTAKE_TEST_PG_URL is set, on PostgreSQL."""
    if request.param == "sqlite":
        led = Ledger.open(f"sqlite:///{tmp_path / 'l.sqlite'}", Actor("tester", "paralegal"))
        yield led
        led.close()
        return
    if not PG_ADMIN:
        pytest.skip("INTAKE_TEST_PG_URL not set")
    name = f"intake_bates_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    led = Ledger.open(url, Actor("tester", "paralegal"))
    yield led
    led.close()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migration_adds_the_table_beside_the_initial_schema(ledger: Ledger,
                                                            tmp_path: Path) -> None:
    if not ledger.url.startswith("sqlite"):
        pytest.skip("checked on SQLite")
    with sqlite3.connect(tmp_path / "l.sqlite") as conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        heads = {r[0] for r in conn.execute("select version_num from alembic_version")}
    assert {"bates_counters", "events", "documents"} <= tables
    assert "0003_bates" in heads


def test_reservations_are_consecutive_per_prefix(ledger: Ledger) -> None:
    assert ledger.bates.next_bates("ABC") == 1
    assert ledger.bates.reserve_bates("ABC", 10) == 1
    assert ledger.bates.reserve_bates("ABC", 5) == 11
    assert ledger.bates.reserve_bates("XYZ", 3, start=500) == 500
    assert ledger.bates.next_bates("ABC") == 16 and ledger.bates.next_bates("XYZ") == 503
    events = [e for e in ledger.chain.events() if e.kind == "bates_reserved"]
    assert [(e.detail["prefix"], e.detail["first"], e.detail["last"]) for e in events] == [
        ("ABC", 1, 10), ("ABC", 11, 15), ("XYZ", 500, 502)]
    assert all(e.actor_user == "tester" for e in events)
    assert ledger.chain.verify_chain().ok


def test_overlap_is_refused_and_a_skip_is_recorded(ledger: Ledger) -> None:
    ledger.bates.reserve_bates("ABC", 10)
    with pytest.raises(LedgerError, match="next free number is 11"):
        ledger.bates.reserve_bates("ABC", 2, start=5)
    assert ledger.bates.next_bates("ABC") == 11
    assert ledger.bates.reserve_bates("ABC", 2, start=20) == 20
    last = ledger.chain.events()[-1]
    assert last.detail["skipped"] == 9


def test_release_only_undoes_the_latest_range(ledger: Ledger) -> None:
    first = ledger.bates.reserve_bates("ABC", 10)
    second = ledger.bates.reserve_bates("ABC", 4)
    assert not ledger.bates.release_bates("ABC", first, 10)  # numbers after it are taken
    assert ledger.bates.release_bates("ABC", second, 4, reason="build failed")
    assert ledger.bates.next_bates("ABC") == 11
    assert ledger.chain.events()[-1].kind == "bates_released"


def test_concurrent_reservations_never_overlap(ledger: Ledger) -> None:
    ranges: list[tuple[int, int]] = []
    lock = threading.Lock()

    def worker() -> None:
        other = ledger.with_actor(Actor("other"))
        for _ in range(5):
            first = other.bates.reserve_bates("CON", 7)
            with lock:
                ranges.append((first, first + 6))
        other.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    numbers = sorted(n for a, b in ranges for n in range(a, b + 1))
    assert numbers == list(range(1, 4 * 5 * 7 + 1))


def test_latest_reservation_skips_released_ranges(ledger: Ledger) -> None:
    assert ledger.bates.latest_bates_reservation("ABC") is None
    ledger.bates.reserve_bates("ABC", 10, detail={"set": "first"})
    ledger.bates.reserve_bates("XYZ", 3)
    ledger.bates.reserve_bates("ABC", 4, detail={"set": "second"})
    latest = ledger.bates.latest_bates_reservation("ABC")
    assert latest is not None and latest["set"] == "second" and latest["first"] == 11
    assert ledger.bates.release_bates("ABC", 11, 4)
    latest = ledger.bates.latest_bates_reservation("ABC")
    assert latest is not None and latest["set"] == "first" and latest["last"] == 10
