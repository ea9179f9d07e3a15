"""`ledger migrate --to URL` (issue 20 item 2): a desk's SQLite ledger into the firm's
PostgreSQL ledger, chain intact and sealed; a second copy refused; desks merged, each chain
still verifiable. The PostgreSQL tests need INTAKE_TEST_PG_URL; the copy into a SQLite file
runs everywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from intake_desktop.app import build_filer, open_app
from intake_desktop.core import custody
from intake_desktop.core.errors import LedgerError
from intake_desktop.core.ledger import Actor, EventKind, Ledger
from intake_desktop.core.ledger.desk_schema import desk_events
from intake_desktop.core.ledger.migrate_to import (
    COPIED_TABLES,
    desk_chain_problems,
    migrate_ledger,
)
from intake_desktop.core.ledger.schema import events
from intake_desktop.core.workspace import Workspace, init_workspace
from tests.conftest import run_cli, write_file
from tests.pg_server import needs_pg, pg_database


def _rows(url: str, table: Any) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            key = list(table.primary_key.columns)
            return [tuple(r) for r in conn.execute(select(table).order_by(*key))]
    finally:
        engine.dispose()


def _desk(root: Path, matter: str, n: int, seed: int) -> Workspace:
    """A workspace with `n` real files filed into `matter`, a profile and Bates numbers."""
    ws = init_workspace(root)
    ws.rules_path.unlink(missing_ok=True)
    for i in range(n):
        write_file(ws.intake / matter / f"scan {i}.pdf", 3000 + i, seed=seed + i)
    with open_app(str(ws.root)) as app:
        results = build_filer(app).ingest([ws.intake])
        assert {r.status for r in results} == {"filed"}
        app.ledger.people.save_user(f"clerk{seed}", "paralegal", "", detail={})
        app.ledger.bates.reserve_bates("ACME", 10)
        first = app.ledger.docs.documents()[0]
        app.ledger.docs.set_document_text(first.id, f"deposition of witness {seed}", pages=1)
    return ws


@pytest.fixture
def pg() -> Iterator[str]:
    with pg_database() as url:
        yield url


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("demo") / "Demo desk ñ"
    proc = run_cli("demo", "--workspace", str(root), "--json", timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return Workspace(root)


# ---- a copy into an empty database ---------------------------------------------------------


def test_copy_into_a_sqlite_file_keeps_every_row_and_the_chain(tmp_path: Path) -> None:
    ws = _desk(tmp_path / "desk", "2024-1 Reyes", 3, seed=1)
    target = f"sqlite:///{tmp_path / 'firm.sqlite'}"
    with open_app(str(ws.root)) as app:
        result = migrate_ledger(app.ledger, target)
        source = app.ledger.url
    assert result.mode == "copy" and result.target_head == result.source_head
    for table in COPIED_TABLES:
        assert _rows(target, table) == _rows(source, table), table.name
    firm = Ledger.open(target, Actor("t"))
    try:
        assert firm.chain.verify_chain().ok
        last = firm.chain.events()[-1]
        assert last.kind == EventKind.LEDGER_MIGRATED and last.detail["mode"] == "copy"
        assert firm.chain.head() == (result.source_events, result.source_head)
    finally:
        firm.close()


@needs_pg
def test_demo_ledger_on_postgres_verifies_and_matches_its_seal(demo_ws: Workspace,
                                                                 pg: str) -> None:
    root = str(demo_ws.root)
    proc = run_cli("ledger", "migrate", "--to", pg, "--workspace", root, "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out["mode"] == "copy" and out["target_head"] == out["source_head"]
    assert out["seals"], "the desk's ledger was sealed"
    seal = json.loads(Path(out["seals"][0]).read_text())
    assert seal["head_hash"] == out["target_head"] and seal["events"] == out["target_events"]
    # every table, row for row, and the document ids keep counting from where they were
    for table in COPIED_TABLES:
        assert _rows(pg, table) == _rows(demo_ws.default_ledger_url(), table), table.name
    engine = create_engine(pg)
    with engine.connect() as conn:
        nxt = conn.execute(text("SELECT nextval(pg_get_serial_sequence('documents','id'))")
                           ).scalar_one()
        top = conn.execute(select(func.max(text("id"))).select_from(text("documents"))
                           ).scalar_one()
    engine.dispose()
    assert nxt == top + 1
    # the workspace now on PostgreSQL: verify proves files and the seal written at the copy
    proc = run_cli("ledger", "verify", "--workspace", root, "--db", pg, "--json",
                   "--seal", out["seals"][0])
    report = json.loads(proc.stdout.splitlines()[-1])
    assert proc.returncode == 0 and report["ok"], report["problems"]
    assert report["files_checked"] > 40 and report["seal"]["head_hash"] == out["target_head"]
    # and full-text search answers there as it did on SQLite
    with open_app(root, db=pg) as app:
        from intake_desktop.core.ledger.queries import DocumentFilter

        hits = app.ledger.docs.browse_documents(DocumentFilter(text="Reyes"))
    assert hits

    # a second copy into the same database is refused, and changes nothing there
    before = _rows(pg, events)
    proc = run_cli("ledger", "migrate", "--to", pg, "--workspace", root)
    assert proc.returncode == 1
    assert "already holds a ledger" in proc.stderr and "--merge" in proc.stderr
    assert _rows(pg, events) == before


# ---- merging desks ----------------------------------------------------------------------------


@needs_pg
def test_two_desks_merged_each_chain_verifies(tmp_path: Path, pg: str) -> None:
    desk_a = _desk(tmp_path / "desk a", "2024-1 Reyes", 3, seed=10)
    desk_b = _desk(tmp_path / "desk b", "2024-2 Lee", 2, seed=20)
    with open_app(str(desk_b.root)) as app, pytest.raises(
            LedgerError, match="holds no ledger to merge into"):
        migrate_ledger(app.ledger, pg, merge=True)
    with open_app(str(desk_a.root)) as app:
        migrate_ledger(app.ledger, pg)
    b_rows = _rows(desk_b.default_ledger_url(), events)
    with open_app(str(desk_b.root)) as app:
        b_docs = app.ledger.docs.documents()
        result = migrate_ledger(app.ledger, pg, merge=True)
        b_rows = _rows(desk_b.default_ledger_url(), events)  # with its ledger_migrated
        assert b_rows[-1][2] == EventKind.LEDGER_MIGRATED
        with pytest.raises(LedgerError, match="already holds the chain of desk"):
            migrate_ledger(app.ledger, pg, merge=True)
    assert result.mode == "merge" and result.rows["documents"] == len(b_docs) == 2
    assert result.desk == desk_b.workspace_id()
    firm = Ledger.open(pg, Actor("t"))
    try:
        # desk B's chain kept byte for byte, verifiable on its own
        kept = [r[1:] for r in _rows(pg, desk_events) if r[0] == result.desk]
        assert kept == b_rows
        assert desk_chain_problems(firm) == []
        merged = firm.chain.kind_events(EventKind.LEDGER_MERGED)
        assert len(merged) == 1
        assert merged[0].detail["head_hash"] == b_rows[-1][-1]
        assert merged[0].detail["events"] == len(b_rows)
        # B's documents under new ids, same bytes; B's profile chained in the firm ledger
        shas = {d.sha256 for d in firm.docs.documents(matter_id="2024-2 Lee")}
        assert shas == {d.sha256 for d in b_docs}
        assert "clerk20" in {u.name for u in firm.people.users()}
        assert firm.bates.next_bates("ACME") == 11
        assert firm.chain.verify_chain().ok
    finally:
        firm.close()
    # desk A's workspace on the firm ledger: files, chain, profiles and merged desk all agree
    with open_app(str(desk_a.root), db=pg) as app:
        report = custody.verify(app.ledger, desk_a.root)
    assert report.ok, report.problems

    # a merged desk's chain altered in the database is caught by verify
    engine = create_engine(pg)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE desk_events DISABLE TRIGGER desk_events_append_only"))
        conn.execute(text("UPDATE desk_events SET path_after = 'elsewhere.pdf' "
                          "WHERE seq = 3 AND desk = :d"), {"d": result.desk})
    engine.dispose()
    firm = Ledger.open(pg, Actor("t"))
    try:
        problems = desk_chain_problems(firm)
    finally:
        firm.close()
    assert problems and "merged desk" in problems[0] and "event 3" in problems[0]
