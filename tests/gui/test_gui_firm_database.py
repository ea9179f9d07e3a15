"""Settings > Firm database and the ledger database's line in the status bar (issue 20
item 1), on a real PostgreSQL (INTAKE_TEST_PG_URL)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import pytest
from sqlalchemy.engine import make_url

from intake_desktop.app import open_app
from intake_desktop.core.firm_db import ledger_url
from intake_desktop.core.ledger import Actor, DocStatus
from intake_desktop.core.workspace import init_workspace
from intake_desktop.qt.main_window import MainWindow
from tests.keyring_file import use_file_keyring
from tests.pg_server import TcpProxy, needs_pg, pg_database

pytestmark = needs_pg


@pytest.fixture
def file_keyring(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "keyring.json"
    before = use_file_keyring(path)
    yield path
    keyring.set_keyring(before)  # type: ignore[arg-type]
    os.environ.pop("INTAKE_TEST_KEYRING_FILE", None)


@pytest.fixture
def pg() -> Iterator[str]:
    with pg_database() as url:
        yield url


def test_admin_connects_the_desk_to_the_firm_database(make_window: Any, pg: str,
                                                     file_keyring: Path, tmp_path: Path) -> None:
    window = make_window("admin")
    assert window.open_page("settings")
    page = window.pages["settings"]
    editor = page.firm_database
    page.tabs.setCurrentWidget(editor)
    bare = make_url(pg)._replace(password=None).render_as_string(hide_password=False)
    editor.url.setText(bare)
    editor.password.setText(make_url(pg).password or "")
    check = editor.test_connection()
    assert check is not None and check.reachable and check.behind
    assert editor.upgrade_button.isEnabled() and "holds no ledger yet" in editor.result.text()
    assert editor.upgrade()
    assert not editor.upgrade_button.isEnabled()
    assert "schema up to date" in editor.result.text()
    assert set(check.heads) <= set(editor.schema.text().removeprefix("Schema: ").split(", "))
    window.resize(1100, 640)
    window.grab().save(str(tmp_path / "firm-database.png"))
    assert editor.save()
    ws = window.app.workspace
    assert ws.load_config().ledger_url == bare and editor.password.text() == ""
    assert list(json.loads(file_keyring.read_text()).values()) == [make_url(pg).password]
    assert ledger_url(ws) == make_url(pg).render_as_string(hide_password=False)
    assert "Restart Intake Desktop" in editor.result.text()


@dataclass
class Desk:
    proxy: TcpProxy
    app: Any
    window: MainWindow
    status: Any


@pytest.fixture
def desk(qtbot: Any, pg: str, tmp_path: Path) -> Iterator[Desk]:
    """A watching window on a workspace whose ledger is reached through a proxy the test
    can cut; the status line's timer stopped so the test probes by hand."""
    proxy = TcpProxy(pg)
    proxy.start()
    ws = init_workspace(tmp_path / "desk")
    ws.rules_path.unlink(missing_ok=True)
    app = open_app(str(ws.root), db=proxy.url, create=False)
    window = MainWindow(app, actor=Actor("pat", "paralegal"), tray=False, watch=True)
    qtbot.addWidget(window)
    status = window.database_status
    assert status is not None
    status.timer.stop()
    try:
        yield Desk(proxy, app, window, status)
    finally:
        window.close()
        app.close()
        proxy.stop()


def test_a_desk_that_loses_the_database_pauses_and_resumes(qtbot: Any, desk: Desk,
                                                           make_pdf: Any) -> None:
    status, window, app = desk.status, desk.window, desk.app
    ws = app.workspace
    assert status.check_now().ok and window.watch.running
    assert "connected" in status.label.text()
    desk.proxy.stop()
    state = status.check_now()
    assert not state.ok and "unreachable since" in status.label.text()
    assert not window.watch.running, "nothing is taken while the ledger is gone"
    dropped = make_pdf("while away.pdf", 1, folder=ws.intake / "2024-9 Ruiz")
    time.sleep(1.5)
    assert dropped.exists(), "the file waits in its intake folder"
    desk.proxy.start()
    with qtbot.waitSignal(window.watch.filed, timeout=30000):
        assert status.check_now().ok
        assert window.watch.running and "connected" in status.label.text()
    assert not dropped.exists()
    [doc] = app.ledger.docs.documents(status=DocStatus.FILED)
    assert doc.matter_id == "2024-9 Ruiz" and app.ledger.chain.verify_chain().ok


def test_a_probe_that_saw_the_loss_first_still_pauses_the_watcher(desk: Desk) -> None:
    """The pool thread's probe can see the database go before the window hears of it (its
    answer still queued): the next answer must still pause the watcher."""
    status = desk.status
    assert status.check_now().ok and desk.window.watch.running
    desk.proxy.stop()
    status.link.check()  # what a pool probe does; its answer not yet delivered
    assert not status.check_now().ok
    assert not desk.window.watch.running, "nothing is taken while the ledger is gone"
