"""`ledger grant` (issue 20 item 3): the desks connect as an app role that may append events
but that the server itself refuses UPDATE, DELETE, TRUNCATE and DROP TRIGGER on them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from intake_desktop.app import build_filer, open_app
from intake_desktop.core import custody
from intake_desktop.core.ledger import Actor, EventKind, Ledger
from intake_desktop.core.ledger.grant import apply_grants, grant_sql
from intake_desktop.core.workspace import Workspace
from tests.conftest import run_cli, write_file
from tests.pg_server import ADMIN_URL, can_create_roles, pg_database

pytestmark = pytest.mark.skipif(
    not can_create_roles(),
    reason="INTAKE_TEST_PG_URL not set, or its role may not create roles",
)

TAMPERING = [
    "UPDATE events SET actor_user = 'mallory' WHERE seq = 1",
    "DELETE FROM events WHERE seq = 1",
    "TRUNCATE events",
    "DROP TRIGGER events_append_only ON events",
    "ALTER TABLE events DISABLE TRIGGER events_append_only",
    "UPDATE chain_head SET writes = writes",  # allowed: the head moves (verify checks it)
    "UPDATE desk_events SET kind = 'x'",
    "DELETE FROM documents",
    "DROP TABLE events",
]


@pytest.fixture
def roles() -> Iterator[tuple[str, str]]:
    tag = uuid.uuid4().hex[:8]
    owner, app = f"firm_owner_{tag}", f"firm_app_{tag}"
    yield owner, app
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for role in (app, owner):
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    admin.dispose()


def _as(url: str, role: str) -> str:
    return make_url(url).set(username=role, password="pw-" + role).render_as_string(
        hide_password=False)


def test_the_printed_sql_names_both_roles_and_grants_no_update_on_events() -> None:
    sql = grant_sql("intake_owner", "intake_app", "firm")
    assert 'GRANT INSERT ON TABLE public."events" TO "intake_app"' in sql
    assert 'ALTER TABLE public.%I OWNER TO "intake_owner"' in sql
    grants_on_events = [line for line in sql.splitlines() if '"events"' in line]
    assert grants_on_events == ['GRANT INSERT ON TABLE public."events" TO "intake_app";']
    proc = run_cli("ledger", "grant", "--db", "postgresql+psycopg://x@server/firm")
    assert proc.returncode == 0 and proc.stdout == grant_sql("intake_owner", "intake_app",
                                                             "firm")


def test_app_role_files_but_the_server_refuses_tampering(
    workspace: Workspace, roles: tuple[str, str]
) -> None:
    owner, app_role = roles
    with pg_database() as url:
        Ledger.open(url, Actor("admin", "admin")).close()  # the schema, as the admin
        apply_grants(url, owner, app_role)
        admin = create_engine(url)
        with admin.begin() as conn:
            for role in roles:
                conn.execute(text(f"ALTER ROLE \"{role}\" PASSWORD 'pw-{role}'"))
            tables = {str(r[0]): str(r[1]) for r in conn.execute(text(
                "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'"))}
        admin.dispose()
        assert set(tables.values()) == {owner}, "the owner role owns every table"
        # a desk connected as the app role files and verifies
        app_url = _as(url, app_role)
        write_file(workspace.intake / "2024-3 Ortiz" / "lease.pdf", 5000)
        with open_app(str(workspace.root), db=app_url) as app:
            results = build_filer(app).ingest([workspace.intake])
            assert [r.status for r in results] == ["filed"]
            before = app.ledger.chain.head()
            assert custody.verify(app.ledger, workspace.root).ok
        # the same role, by hand, is refused everything that rewrites history
        engine = create_engine(app_url)
        refused = []
        for statement in TAMPERING:
            try:
                with engine.begin() as conn:
                    conn.execute(text(statement))
            except ProgrammingError as exc:
                refused.append(statement)
                assert getattr(exc.orig, "sqlstate", "") == "42501", statement  # privilege
        engine.dispose()
        assert refused == [s for s in TAMPERING if not s.startswith("UPDATE chain_head")]
        ledger = Ledger.open(app_url, Actor("paralegal"))
        try:
            assert ledger.chain.head() == before and ledger.chain.verify_chain().ok
            assert ledger.missing_triggers() == []
            ledger.chain.record(EventKind.OPENED)  # appending still works
        finally:
            ledger.close()
        # the owner role migrates (runs the upgrade path and may alter its tables)
        owner_ledger = Ledger.open(_as(url, owner), Actor("admin", "admin"))
        owner_ledger.close()


def test_grant_apply_needs_a_database(tmp_path: Path, workspace: Workspace) -> None:
    proc = run_cli("ledger", "grant", "--apply", "--workspace", str(workspace.root))
    assert proc.returncode == 2 and "--apply needs the database" in proc.stderr
