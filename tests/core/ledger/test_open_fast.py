"""Opening a ledger already at the shipped schema does not load alembic (issue 16: a third
of a second of every command's start); one behind is still upgraded by alembic."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.ledger.store import MIGRATIONS, migration_heads
from tests.conftest import REPO


def test_the_heads_read_from_the_files_are_alembics() -> None:
    assert migration_heads() == frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())


def test_an_up_to_date_ledger_opens_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    Ledger.open(url, Actor("x")).close()  # created and upgraded (alembic runs here)
    probe = (
        "import sys\n"
        "from intake_desktop.core.ledger import Actor, Ledger\n"
        f"ledger = Ledger.open({url!r}, Actor('x'))\n"
        "print(ledger.chain.event_count(), 'alembic' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120,
                          check=True)
    assert done.stdout.split() == ["0", "False"]


def test_a_ledger_one_migration_behind_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    Ledger.open(f"sqlite:///{path}", Actor("x")).close()
    with sqlite3.connect(path) as db:  # as if 0003_bates had never run
        db.execute("DROP TABLE bates_counters")
        db.execute("DELETE FROM alembic_version WHERE version_num = '0003_bates'")
    ledger = Ledger.open(f"sqlite:///{path}", Actor("x"))
    try:
        assert ledger.bates.next_bates("ABC") == 1  # the table is back
    finally:
        ledger.close()
    with sqlite3.connect(path) as db:
        versions = {row[0] for row in db.execute("SELECT version_num FROM alembic_version")}
    assert versions == migration_heads()
