"""The hash-chained ledger: every tampering is caught; a seal catches a rewritten chain."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from intake_desktop.app import App
from intake_desktop.core import custody
from intake_desktop.core.filing import Filer
from intake_desktop.core.ledger import Actor, EventKind, Ledger
from intake_desktop.core.ledger.chain import row_hash
from intake_desktop.core.ledger.schema import EVENT_HASHED_COLUMNS, GENESIS_HASH
from tests.conftest import write_file

MATTER = "2023-0042 Estate of Kowalski"


@pytest.fixture
def filled(app: App, filer: Filer) -> App:
    for i in range(3):
        write_file(app.workspace.intake / MATTER / f"doc {i}.pdf", seed=i)
    write_file(app.workspace.intake / "no matter.pdf", seed=99)
    filer.ingest([app.workspace.intake])
    return app


TRIGGER_SQL = """
CREATE TRIGGER events_no_{op} BEFORE {OP} ON events
BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END
"""


class Raw(sqlite3.Connection):
    """A careful insider's connection: drops the append-only triggers, puts them back on
    commit (so only the chain, the seals and the files can give the tampering away)."""

    def commit(self) -> None:
        for op in ("update", "delete"):
            self.execute(f"DROP TRIGGER IF EXISTS events_no_{op}")
            self.execute(TRIGGER_SQL.format(op=op, OP=op.upper()))
        super().commit()


def raw(app: App) -> Raw:
    conn = sqlite3.connect(app.workspace.ledger_path, factory=Raw)
    conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    conn.execute("DROP TRIGGER IF EXISTS events_no_delete")
    return conn


def test_events_are_append_only_in_the_database(filled: App) -> None:
    conn = sqlite3.connect(filled.workspace.ledger_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE events SET kind='filed' WHERE seq=1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM events WHERE seq=1")


def test_clean_ledger_verifies(filled: App) -> None:
    report = custody.verify(filled.ledger, filled.workspace.root)
    assert report.ok and report.first_bad_event is None
    assert report.events == len(filled.ledger.chain.events()) > 10
    assert report.files_checked == 3 * 2 + 1


def _tampered_value(column: str, value: object) -> object:
    if column in ("seq", "document_id"):
        return (int(value) if value is not None else 0) + 1000  # type: ignore[call-overload]
    if value is None:
        return "x"
    return str(value) + "x"


@pytest.mark.parametrize("column", [*EVENT_HASHED_COLUMNS, "prev_hash", "row_hash"])
def test_changing_any_field_of_any_event_is_caught(filled: App, column: str) -> None:
    events = filled.ledger.chain.events()
    for target in (events[0], events[len(events) // 2], events[-1]):
        conn = raw(filled)
        query = f"SELECT {column} FROM events WHERE seq=?"
        value = conn.execute(query, (target.seq,)).fetchone()[0]
        conn.execute(
            f"UPDATE events SET {column}=? WHERE seq=?",
            (_tampered_value(column, value), target.seq),
        )
        conn.commit()
        report = custody.verify(filled.ledger, filled.workspace.root, check_files=False)
        assert not report.ok, f"changing {column} of event {target.seq} went unnoticed"
        assert report.first_bad_event == target.seq
        for op in ("update", "delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS events_no_{op}")
        conn.execute(f"UPDATE events SET {column}=? WHERE seq=?",
                     (value, target.seq + (1000 if column == "seq" else 0)))
        conn.commit()
        conn.close()
        assert custody.verify(filled.ledger, filled.workspace.root).ok


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_deleting_an_event_is_caught(filled: App, where: str) -> None:
    events = filled.ledger.chain.events()
    seq = {"first": 1, "middle": len(events) // 2, "last": len(events)}[where]
    conn = raw(filled)
    conn.execute("DELETE FROM events WHERE seq=?", (seq,))
    conn.commit()
    report = custody.verify(filled.ledger, filled.workspace.root, check_files=False)
    assert not report.ok
    assert report.first_bad_event == seq


def test_editing_a_filed_file_or_an_original_is_caught(filled: App) -> None:
    [doc, *_] = filled.ledger.docs.documents(matter_id=MATTER)
    filed = filled.workspace.root / (doc.filed_path or "")
    original = filled.workspace.root / (doc.original_path or "")
    filed.chmod(0o644)
    filed.write_bytes(filed.read_bytes() + b"%edited")
    os.chmod(original, stat.S_IWUSR | stat.S_IRUSR)
    original.unlink()
    report = custody.verify(filled.ledger, filled.workspace.root)
    assert not report.ok
    assert report.altered_files == [doc.filed_path]
    assert report.missing_files == [doc.original_path]


def test_rewriting_the_whole_chain_is_caught_by_the_seal(filled: App) -> None:
    seal_path, seal = custody.write_seal(filled.ledger, filled.workspace.exports)
    assert seal_path.parent == filled.workspace.exports / "ledger-seals"
    assert json.loads(seal_path.read_text())["head_hash"] == seal.head_hash
    # An insider changes an event and recomputes every hash after it, and the chain head.
    conn = raw(filled)
    conn.execute("UPDATE events SET actor_user='somebody else' WHERE seq=2")
    cols = ", ".join(EVENT_HASHED_COLUMNS)
    prev = GENESIS_HASH
    for row in conn.execute(f"SELECT {cols} FROM events ORDER BY seq").fetchall():
        digest = row_hash(prev, list(row))
        conn.execute(
            "UPDATE events SET prev_hash=?, row_hash=? WHERE seq=?", (prev, digest, row[0])
        )
        prev = digest
    conn.execute("UPDATE chain_head SET hash=?", (prev,))
    conn.commit()

    # The seal in Exports/ledger-seals/ is found without being named, and named explicitly.
    for named in (None, seal_path):
        report = custody.verify(filled.ledger, filled.workspace.root, seal_file=named)
        assert not report.ok
        assert "does not match the seal" in report.problems[-1]
        assert report.first_bad_event == seal.events


def test_seal_still_verifies_after_new_events(filled: App, filer: Filer) -> None:
    seal_path, _ = custody.write_seal(filled.ledger, filled.workspace.exports)
    write_file(filled.workspace.intake / MATTER / "later.pdf", seed=1234)
    filer.ingest([filled.workspace.intake])
    assert custody.verify(filled.ledger, filled.workspace.root, seal_file=seal_path).ok


def test_history_by_path_and_by_sha(filled: App) -> None:
    [doc, *_] = filled.ledger.docs.documents(matter_id=MATTER)
    by_sha = filled.ledger.chain.history(doc.sha256)
    by_path = filled.ledger.chain.history(str(filled.workspace.root / (doc.filed_path or "")),
                                          filled.workspace.root)
    assert [e.seq for e in by_sha] == [e.seq for e in by_path]
    assert [e.kind for e in by_sha] == ["received", "original_preserved", "filed",
                                         "source_removed"]


def test_export_csv_and_json_have_one_row_per_event(filled: App) -> None:
    events = filled.ledger.chain.events()
    csv_text = custody.export_events(events, "csv")
    assert len(csv_text.strip().splitlines()) == len(events) + 1
    lines = custody.export_events(events, "json").strip().splitlines()
    assert [json.loads(line)["row_hash"] for line in lines] == [e.row_hash for e in events]


def test_every_event_records_actor_tool_and_utc_time(filled: App) -> None:
    for e in filled.ledger.chain.events():
        assert e.actor_user and e.actor_role == "paralegal"
        assert e.tool_version.startswith("intake-desktop ")
        assert e.at.endswith("Z")


def test_two_ledger_objects_interleave_writes_into_one_chain(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.sqlite'}"
    a = Ledger.open(url, Actor("alice", "paralegal"))
    b = Ledger.open(url, Actor("bob", "attorney"))
    for i in range(20):
        (a if i % 2 else b).chain.record(EventKind.RECEIVED, detail={"i": i})
    report = a.chain.verify_chain()
    assert report.ok and report.events == 20
    users = [e.actor_user for e in a.chain.events()]
    assert users.count("alice") == users.count("bob") == 10
