"""The firm database setting (issue 20 item 1): URL in config.toml without its password, the
password in the OS keyring, the command line reading the same setting (--db overrides it), a
connection test, the schema version and the upgrade; a desk that loses the database says so
and files nothing until it is back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from intake_desktop.core.desks.settings_files import SettingsError
from intake_desktop.core.firm_db import (
    KEYRING_SERVICE,
    DatabaseLink,
    check_database,
    ledger_url,
    save_firm_database,
    upgrade_database,
)
from intake_desktop.core.workspace import Workspace
from tests.conftest import run_cli, write_file
from tests.keyring_file import FileKeyring
from tests.pg_server import ADMIN_URL, TcpProxy, needs_pg, pg_database


@pytest.fixture
def keyring_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "keyring.json"
    monkeypatch.setenv("INTAKE_TEST_KEYRING_FILE", str(path))
    before = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    yield path
    keyring.set_keyring(before)


def _cli_env(keyring_path: Path) -> dict[str, str]:
    return {"PYTHON_KEYRING_BACKEND": "tests.keyring_file.FileKeyring",
            "INTAKE_TEST_KEYRING_FILE": str(keyring_path)}


def test_url_is_saved_without_its_password_which_goes_to_the_keyring(
    workspace: Workspace, keyring_file: Path
) -> None:
    written = save_firm_database(workspace, "postgresql+psycopg://intake_app:s3cr%40t@db.firm/intake")
    assert written == "postgresql+psycopg://intake_app@db.firm/intake"
    config = workspace.config_path.read_text()
    assert 'url = "postgresql+psycopg://intake_app@db.firm/intake"' in config
    assert "s3cr" not in config and "[seal]" in config, "the rest of the file is kept"
    assert workspace.load_config().ledger_url == written
    stored = json.loads(keyring_file.read_text())
    assert stored == {f"{KEYRING_SERVICE}\nintake_app@db.firm:/intake": "s3cr@t"}
    # connecting puts the password back; --db overrides the setting
    assert make_url(ledger_url(workspace)).password == "s3cr@t"
    assert ledger_url(workspace, "sqlite:///elsewhere.sqlite") == "sqlite:///elsewhere.sqlite"
    # a password typed apart replaces the stored one; an empty URL is the local ledger again
    save_firm_database(workspace, written, "n3w")
    assert make_url(ledger_url(workspace)).password == "n3w"
    assert save_firm_database(workspace, "") == ""
    assert ledger_url(workspace) == workspace.default_ledger_url()
    with pytest.raises(SettingsError, match="PostgreSQL server URL"):
        save_firm_database(workspace, "sqlite:////tmp/x.sqlite")


def test_a_closed_port_is_reported_unreachable_not_as_a_traceback(workspace: Workspace) -> None:
    url = "postgresql+psycopg://intake_app@127.0.0.1:1/intake"
    check = check_database(url)
    assert not check.reachable and not check.behind
    assert check.message.startswith("cannot connect to postgresql+psycopg://intake_app@127.0.0.1:1")
    link = DatabaseLink(url, timeout=2)
    state, changed = link.check()
    assert changed and not state.ok and "unreachable since" in state.message
    assert "nothing is filed until it is back" in state.message
    assert link.check() == (state, False)


@needs_pg
def test_command_line_uses_the_saved_database_and_keyring(
    workspace: Workspace, keyring_file: Path
) -> None:
    with pg_database() as url:
        check = check_database(url)
        assert check.reachable and check.current == () and check.behind
        assert "holds no ledger yet" in check.message
        assert upgrade_database(url).current == check.heads
        assert "schema up to date" in check_database(url).message
        save_firm_database(workspace, url)  # the password goes to the (file) keyring
        password = make_url(ADMIN_URL).password
        assert f":{password}@" not in workspace.config_path.read_text()
        assert make_url(workspace.load_config().ledger_url).password is None
        write_file(workspace.intake / "2024-7 Kim" / "letter.pdf", 4000)
        proc = run_cli("ingest", str(workspace.intake), "--workspace", str(workspace.root),
                       "--json", env=_cli_env(keyring_file))
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout.splitlines()[0])["status"] == "filed"
        assert not workspace.ledger_path.exists(), "nothing went to the local SQLite ledger"
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM documents")).scalar_one() == 1
        engine.dispose()
        # without the keyring's password the server refuses, in words
        proc = run_cli("ledger", "verify", "--workspace", str(workspace.root),
                       env={**_cli_env(keyring_file), "INTAKE_TEST_KEYRING_FILE":
                            str(keyring_file.parent / "empty.json"), "PGPASSWORD": ""})
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
        assert "password" in proc.stderr.lower()
        # --db overrides the setting for one command
        proc = run_cli("ledger", "verify", "--workspace", str(workspace.root), "--json",
                       "--db", workspace.default_ledger_url(), env=_cli_env(keyring_file))
        assert json.loads(proc.stdout.splitlines()[-1])["events"] == 0


@needs_pg
def test_the_link_follows_the_database_going_away_and_coming_back() -> None:
    with pg_database() as url:
        proxy = TcpProxy(url)
        proxy.start()
        link = DatabaseLink(proxy.url, timeout=2)
        state, changed = link.check(now=1000.0)
        assert state.ok and changed and "connected" in state.message
        proxy.stop()
        state, changed = link.check(now=1060.0)
        assert changed and not state.ok and state.since == 1060.0
        proxy.start()
        state, changed = link.check(now=1120.0)
        assert changed and state.ok
        proxy.stop()
