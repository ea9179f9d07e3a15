"""A ledger that proves the files (issue 24 item 2): every tampering an insider with write
access to the database and the disk tried is caught by `ledger verify` or by the seals.

The insider is careful: they switch the append-only triggers off, change what they want,
and switch them back on, so only the chain, the seals and the files can give them away.
Runs on SQLite, and on PostgreSQL when INTAKE_TEST_PG_URL is set.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from intake_desktop.app import App, build_filer, open_app
from intake_desktop.core import custody
from intake_desktop.core.errors import LedgerError
from intake_desktop.core.ledger import DocStatus, EventKind
from intake_desktop.core.roles import Profiles, SignInError, hash_passphrase
from intake_desktop.core.workspace import Workspace
from tests.conftest import run_cli, write_file
from tests.core.ledger.test_postgres import ADMIN_URL, pg_url

__all__ = ["pg_url"]  # the fixture, re-used

MATTER = "2023-0042 Estate of Kowalski"
SQLITE_TRIGGERS = """
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END;
"""


class Insider:
    """Someone who can write the ledger's database directly."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite:///")

    def run(self, sql: str, params: dict[str, Any] | None = None, *,
            keep_triggers_off: bool = False) -> None:
        if self.sqlite:
            conn = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            try:
                conn.execute("DROP TRIGGER IF EXISTS events_no_update")
                conn.execute("DROP TRIGGER IF EXISTS events_no_delete")
                conn.execute(sql, params or {})
                if not keep_triggers_off:
                    conn.executescript(SQLITE_TRIGGERS)
                conn.commit()
            finally:
                conn.close()
            return
        engine = create_engine(self.url)
        try:
            with engine.begin() as conn:
                conn.execute(text("ALTER TABLE events DISABLE TRIGGER events_append_only"))
                conn.execute(text(sql), params or {})
                if not keep_triggers_off:
                    conn.execute(text("ALTER TABLE events ENABLE TRIGGER events_append_only"))
        finally:
            engine.dispose()

    def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql), params or {}).scalar()
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest) -> str | None:
    if request.param == "sqlite":
        return None
    if not ADMIN_URL:
        pytest.skip("INTAKE_TEST_PG_URL not set")
    return str(request.getfixturevalue("pg_url"))


def fill(app: App) -> None:
    intake = app.workspace.intake
    for i in range(3):
        write_file(intake / MATTER / f"doc {i}.pdf", seed=i)
    write_file(intake / "no matter.pdf", seed=99)  # goes to Review/
    build_filer(app).ingest([intake])
    app.seal_if_changed()  # what every command does after its batch


@pytest.fixture
def filled(workspace: Workspace, db: str | None) -> Iterator[App]:
    app = open_app(str(workspace.root), db=db)
    fill(app)
    yield app
    app.close()


def insider(app: App) -> Insider:
    return Insider(app.ledger.url)


def verify(app: App, **kw: Any) -> custody.VerifyReport:
    return custody.verify(app.ledger, app.workspace.root, mirror=app.seal_mirror, **kw)


def a_filed_document(app: App) -> Any:
    [doc, *_] = app.ledger.docs.documents(matter_id=MATTER, status=DocStatus.FILED)
    return doc


def writable(path: Path) -> Path:
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    return path


def test_an_untouched_workspace_verifies(filled: App) -> None:
    report = verify(filled)
    assert report.ok, report.problems
    assert report.files_checked == 3 * 2 + 1
    assert report.unrecorded_files == report.missing_files == report.writable_originals == []
    assert report.seal is not None and report.seal["events"] == report.events


def test_replacing_a_filed_copy_and_editing_filed_sha256_is_caught(filled: App) -> None:
    doc = a_filed_document(filled)
    forged = b"%PDF-1.4 forged " + os.urandom(64)
    writable(filled.workspace.root / doc.filed_path).write_bytes(forged)
    insider(filled).run("UPDATE documents SET filed_sha256 = :s WHERE id = :i",
                        {"s": hashlib.sha256(forged).hexdigest(), "i": doc.id})
    report = verify(filled)
    assert not report.ok
    assert report.altered_files == [doc.filed_path]
    assert any("filed_sha256" in p and f"document {doc.id}" in p for p in report.problems)


def test_replacing_an_original_and_editing_sha256_is_caught(filled: App) -> None:
    doc = a_filed_document(filled)
    forged = os.urandom(2048)
    writable(filled.workspace.root / doc.original_path).write_bytes(forged)
    insider(filled).run("UPDATE documents SET sha256 = :s WHERE id = :i",
                        {"s": hashlib.sha256(forged).hexdigest(), "i": doc.id})
    report = verify(filled)
    assert not report.ok
    assert doc.original_path in report.altered_files
    assert any("sha256" in p and f"document {doc.id}" in p for p in report.problems)


def test_deleting_the_files_and_marking_the_row_rolled_back_is_caught(filled: App) -> None:
    doc = a_filed_document(filled)
    for rel in (doc.filed_path, doc.original_path):
        writable(filled.workspace.root / rel).unlink()
    insider(filled).run("UPDATE documents SET status = 'rolled_back' WHERE id = :i",
                        {"i": doc.id})
    report = verify(filled)
    assert not report.ok
    assert report.missing_files == sorted([doc.filed_path, doc.original_path])
    assert any("marked rolled back" in p for p in report.problems)


def test_files_no_event_names_are_reported(filled: App) -> None:
    planted = filled.workspace.matters / MATTER / "Correspondence" / "planted.pdf"
    write_file(planted, seed=5)
    write_file(filled.workspace.review / "slipped in.pdf", seed=6)
    (filled.workspace.matters / MATTER / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    report = verify(filled)
    assert not report.ok
    assert report.unrecorded_files == [
        f"Matters/{MATTER}/Correspondence/planted.pdf", "Review/slipped in.pdf"
    ]


def test_deleting_the_last_events_after_a_seal_and_fixing_the_head_is_caught(
    filled: App,
) -> None:
    """The automatic seal after the batch covers the whole chain: shortening it shows."""
    n = filled.ledger.chain.event_count()
    keep = n - 3
    spy = insider(filled)
    spy.run("DELETE FROM events WHERE seq > :k", {"k": keep})
    head = spy.scalar("SELECT row_hash FROM events WHERE seq = :k", {"k": keep})
    spy.run("UPDATE chain_head SET seq = :k, hash = :h", {"k": keep, "h": head})
    assert filled.ledger.chain.verify_chain().ok, "the chain alone cannot tell"
    report = verify(filled)
    assert not report.ok
    assert report.first_bad_event == keep + 1
    assert any(f"covers {n} events but the ledger has {keep}" in p for p in report.problems)
    [seal_file] = (filled.workspace.exports / "ledger-seals").glob("*.json")
    done = run_cli("ledger", "verify", "--workspace", str(filled.workspace.root), "--json",
                   "--seal", str(seal_file), "--db", filled.ledger.url)
    assert done.returncode == 1
    assert json.loads(done.stdout)["first_bad_event"] == keep + 1
    # The next batch does not bless the shortened chain with a new seal.
    before = sorted((filled.workspace.exports / "ledger-seals").iterdir())
    write_file(filled.workspace.intake / MATTER / "later.pdf", seed=77)
    build_filer(filled).ingest([filled.workspace.intake])
    warnings: list[str] = []
    filled.seal_if_changed(warnings.append)
    assert "no longer matches the seal" in warnings[0]
    assert sorted((filled.workspace.exports / "ledger-seals").iterdir()) == before
    assert not verify(filled).ok


def test_a_rewritten_chain_is_caught_by_the_mirror_even_without_exports(
    workspace: Workspace, tmp_path: Path
) -> None:
    mirror = tmp_path / "USB key"
    mirror.mkdir()
    set_config(workspace, "[seal]", f'mirror = "{mirror.as_posix()}"')
    app = open_app(str(workspace.root))
    try:
        fill(app)
        ws_id = workspace.workspace_id()
        [seal_file] = (mirror / str(ws_id)).glob("ledger-seal-*.json")
        assert json.loads(seal_file.read_text())["events"] == app.ledger.chain.event_count()
        # The insider rewrites event 2, recomputes every hash and the head, and deletes the
        # seals under Exports/: the one on the USB key still tells.
        from intake_desktop.core.ledger.chain import row_hash
        from intake_desktop.core.ledger.schema import EVENT_HASHED_COLUMNS, GENESIS_HASH

        conn = sqlite3.connect(workspace.ledger_path)
        conn.execute("DROP TRIGGER events_no_update")
        conn.execute("DROP TRIGGER events_no_delete")
        conn.execute("UPDATE events SET actor_user = 'somebody else' WHERE seq = 2")
        prev = GENESIS_HASH
        cols = ", ".join(EVENT_HASHED_COLUMNS)
        for row in conn.execute(f"SELECT {cols} FROM events ORDER BY seq").fetchall():
            digest = row_hash(prev, list(row))
            conn.execute("UPDATE events SET prev_hash=?, row_hash=? WHERE seq=?",
                         (prev, digest, row[0]))
            prev = digest
        conn.execute("UPDATE chain_head SET hash=?", (prev,))
        conn.commit()
        conn.executescript(SQLITE_TRIGGERS)
        conn.close()
        for seal in (workspace.exports / "ledger-seals").iterdir():
            seal.unlink()
        assert app.ledger.chain.verify_chain().ok
        report = verify(app)
        assert not report.ok
        assert report.seals_compared == [str(seal_file)]
        assert report.first_bad_event == json.loads(seal_file.read_text())["events"]
    finally:
        app.close()


def test_a_deleted_ledger_beside_a_full_matters_folder_is_refused(filled: App) -> None:
    if not filled.ledger.url.startswith("sqlite"):
        pytest.skip("the SQLite file; for PostgreSQL see test_pointing_the_ledger_url_...")
    root = filled.workspace.root
    filled.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(filled.workspace.ledger_path) + suffix).unlink(missing_ok=True)
    with pytest.raises(LedgerError, match=r"is empty but Matters/ and Review/ hold 7 files"):
        open_app(str(root))
    done = run_cli("ledger", "verify", "--workspace", str(root), "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["ok"] is False and report["events"] == 0
    assert len(report["unrecorded_files"]) == 7
    assert any("records none of them" in p for p in report["problems"])
    assert any("events were removed" in p for p in report["problems"])  # the seal says so
    done = run_cli("ingest", "--workspace", str(root), str(root / "Intake"))
    assert done.returncode == 1 and "is empty but Matters/" in done.stderr
    # Deleting the workspace's id as well makes it look new: it opens, but verify still
    # refuses (the files are unrecorded and the seals name the old id and more events).
    old_id = filled.workspace.workspace_id()
    filled.workspace.workspace_id_path.unlink()
    done = run_cli("ledger", "verify", "--workspace", str(root), "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 1 and report["ok"] is False
    assert any(f"written for workspace {old_id}" in p for p in report["problems"])


def set_config(ws: Workspace, section: str, line: str) -> None:
    """Set `key = value` (given as `line`) in .intake/config.toml's template, as a person would."""
    key = line.split("=")[0].strip()
    lines = ws.config_path.read_text(encoding="utf-8").splitlines()
    at = lines.index(section)
    for i in range(at + 1, len(lines)):
        if lines[i].split("=")[0].strip() == key:
            lines[i] = line
            break
    else:
        lines.insert(at + 1, line)
    ws.config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_pointing_the_ledger_url_at_another_database_is_refused(
    filled: App, tmp_path: Path
) -> None:
    ws = filled.workspace
    filed_before = sorted(p for p in ws.matters.rglob("*") if p.is_file())
    write_file(ws.intake / MATTER / "new.pdf", seed=31)
    # 1. A fresh, empty database.
    other = tmp_path / "elsewhere.sqlite"
    set_config(ws, "[ledger]", f'url = "sqlite:///{other.as_posix()}"')
    done = run_cli("ingest", "--workspace", str(ws.root), "--json", str(ws.intake))
    assert done.returncode == 1
    assert "is empty but Matters/ and Review/ hold 7 files" in done.stderr
    # 2. Another workspace's ledger.
    second = Workspace(tmp_path / "second")
    from intake_desktop.core.workspace import init_workspace

    init_workspace(second.root)
    app2 = open_app(str(second.root))
    write_file(second.intake / "2024-1 Other" / "x.pdf", seed=8)
    build_filer(app2).ingest([second.intake])
    app2.close()
    set_config(ws, "[ledger]", f'url = "{second.default_ledger_url()}"')
    done = run_cli("ingest", "--workspace", str(ws.root), "--json", str(ws.intake))
    assert done.returncode == 1
    assert "belongs to another workspace" in done.stderr
    assert str(second.workspace_id()) in done.stderr
    assert sorted(p for p in ws.matters.rglob("*") if p.is_file()) == filed_before
    assert (ws.intake / MATTER / "new.pdf").is_file()


def test_a_new_ledger_url_for_the_same_ledger_is_recorded(filled: App, tmp_path: Path) -> None:
    if not filled.ledger.url.startswith("sqlite"):
        pytest.skip("moving the SQLite file")
    ws = filled.workspace
    filled.close()
    moved = tmp_path / "moved ledger.sqlite"
    os.replace(ws.ledger_path, moved)
    for suffix in ("-wal", "-shm"):
        Path(str(ws.ledger_path) + suffix).unlink(missing_ok=True)
    set_config(ws, "[ledger]", f'url = "sqlite:///{moved.as_posix()}"')
    write_file(ws.intake / MATTER / "new.pdf", seed=31)
    done = run_cli("ingest", "--workspace", str(ws.root), "--json", str(ws.intake))
    assert done.returncode == 0, done.stderr
    app = open_app(str(ws.root))
    try:
        attached = [e for e in app.ledger.chain.events() if e.kind == EventKind.LEDGER_ATTACHED]
        assert [e.detail["url"] for e in attached] == [
            custody.DEFAULT_URL_LABEL, f"sqlite:///{moved.as_posix()}"
        ]
        assert attached[-1].detail["previous_url"] == custody.DEFAULT_URL_LABEL
        assert {e.detail["workspace_id"] for e in attached} == {ws.workspace_id()}
        assert verify(app).ok
    finally:
        app.close()


def test_forged_or_swapped_admin_rows_are_caught(filled: App) -> None:
    profiles = Profiles(filled.ledger)
    from intake_desktop.core.ledger import Actor

    profiles.save("Alice Admin", "admin", "correct horse", acting=Actor("setup", "admin"))
    profiles.save("Bob", "paralegal", acting=Actor("Alice Admin", "admin"))
    assert verify(filled).ok
    spy = insider(filled)
    # A forged admin row: added straight into `users`.
    spy.run("INSERT INTO users (name, role, passphrase_hash, created_at, updated_at) "
            "VALUES ('Mallory', 'admin', :h, 'x', 'x')", {"h": hash_passphrase("mallory pw")})
    # Swapped: Bob made admin with Alice's passphrase hash; Alice's passphrase replaced.
    alice_hash = spy.scalar("SELECT passphrase_hash FROM users WHERE name = 'Alice Admin'")
    spy.run("UPDATE users SET role = 'admin', passphrase_hash = :h WHERE name = 'Bob'",
            {"h": alice_hash})
    spy.run("UPDATE users SET passphrase_hash = :h WHERE name = 'Alice Admin'",
            {"h": hash_passphrase("insider pw")})
    report = verify(filled)
    assert not report.ok
    text_ = "\n".join(report.problems)
    assert "'Mallory' (admin) was added outside the app" in text_
    assert "'Bob' is admin in the users table but paralegal in its events" in text_
    assert "passphrase of the profile 'Alice Admin' was changed outside the app" in text_
    for name, pw in (("Mallory", "mallory pw"), ("Bob", "correct horse"),
                     ("Alice Admin", "insider pw")):
        with pytest.raises(SignInError):
            profiles.sign_in(name, pw)


def test_dropped_triggers_are_reported_and_restored(filled: App) -> None:
    spy = insider(filled)
    spy.run("SELECT 1", keep_triggers_off=True)
    report = verify(filled)
    assert not report.ok and report.triggers_missing and report.triggers_restored == []
    done = run_cli("ledger", "verify", "--workspace", str(filled.workspace.root), "--json",
                   *(["--db", filled.ledger.url] if not spy.sqlite else []))
    assert done.returncode == 1
    out = json.loads(done.stdout)
    assert out["triggers_restored"] == out["triggers_missing"] != []
    assert any("append-only protection" in p for p in out["problems"])
    assert filled.ledger.missing_triggers() == []
    [repaired] = [e for e in filled.ledger.chain.events() if e.kind == EventKind.REPAIRED]
    assert repaired.detail["restored_triggers"] == out["triggers_missing"]
    with pytest.raises(Exception, match="append-only"):
        spy_engine = create_engine(filled.ledger.url)
        try:
            with spy_engine.begin() as conn:
                conn.execute(text("DELETE FROM events WHERE seq = 1"))
        finally:
            spy_engine.dispose()
    assert verify(filled).ok


def test_a_writable_original_is_reported(filled: App) -> None:
    doc = a_filed_document(filled)
    writable(filled.workspace.root / doc.original_path)
    report = verify(filled)
    assert report.ok, "the bytes still match"
    assert report.writable_originals == [doc.original_path]
    assert any("should be read-only" in w for w in report.warnings)


def test_verify_json_keeps_its_fields_and_adds_the_new_ones(filled: App) -> None:
    if not filled.ledger.url.startswith("sqlite"):
        pytest.skip("CLI on the default ledger")
    done = run_cli("ledger", "verify", "--workspace", str(filled.workspace.root), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["first_bad_event"] is None
    assert report["events"] == filled.ledger.chain.event_count()
    for key in ("missing_files", "unrecorded_files", "writable_originals", "problems",
                "altered_files", "seal", "warnings"):
        assert key in report
    assert report["seal"]["events"] == report["events"]
