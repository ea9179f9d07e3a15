"""Settings > Firm database (admins) and the ledger database's line in the status bar.

The editor keeps the URL without its password in `.intake/config.toml` ([ledger] url, the
same setting the command line reads) and the password in the operating system's keyring;
it tests the connection, shows the schema version and offers the upgrade when the database
is behind this version of the app.

`attach_database_status(window)` adds a status-bar line that follows the desk's ledger
database: when it stops answering the watcher is stopped (files wait in their intake
folders; nothing is held back in memory) and the line says so; when it answers again the
watcher starts over with a full scan.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.firm_db import (
    DatabaseCheck,
    DatabaseLink,
    LinkState,
    check_database,
    save_firm_database,
    upgrade_database,
)
from intake_desktop.qt.session import Session
from intake_desktop.qt.wording import say

if TYPE_CHECKING:
    from intake_desktop.qt.main_window import MainWindow

URL_HINT = "postgresql+psycopg://intake_app@server/intake"


class FirmDatabaseEditor(QWidget):
    """The firm's PostgreSQL ledger: URL, password (keyring), test, schema, upgrade."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        workspace = session.app.workspace
        self.url = QLineEdit(workspace.load_config().ledger_url, self)
        self.url.setPlaceholderText(URL_HINT + "   (empty: this computer's .intake/ledger.sqlite)")
        self.url.setAccessibleName("Database URL")
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kept in this computer's keyring (blank keeps the "
                                         "stored one)")
        self.password.setAccessibleName("Database password")
        self.schema = QLabel("Schema: not checked yet", self)
        self.schema.setWordWrap(True)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.test_button = QPushButton("Test connection", self)
        self.upgrade_button = QPushButton("Upgrade schema", self)
        self.upgrade_button.setEnabled(False)
        self.upgrade_button.setToolTip("Runs the ledger's migrations (alembic upgrade) as the "
                                       "owner role; the desks' app role cannot")
        self.save_button = QPushButton("Save", self)
        self.test_button.clicked.connect(self.test_connection)
        self.upgrade_button.clicked.connect(self.upgrade)
        self.save_button.clicked.connect(self.save)
        intro = QLabel(
            "Desks of one firm share one PostgreSQL ledger. The URL is saved in "
            ".intake/config.toml without its password; the password stays in this "
            "computer's keyring. The command line uses the same setting (--db overrides it).",
            self)
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        form = QFormLayout()
        form.addRow("Database URL", self.url)
        form.addRow("Password", self.password)
        buttons = QHBoxLayout()
        for b in (self.test_button, self.upgrade_button, self.save_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.schema)
        layout.addWidget(self.result)
        layout.addStretch(1)
        self.last_check: DatabaseCheck | None = None

    def _url(self) -> str:
        """The URL to try: as typed, with the typed password when there is one."""
        from intake_desktop.core.ledger import split_password, with_password

        url = self.url.text().strip()
        if url and self.password.text():
            return with_password(split_password(url)[0], self.password.text())
        return url

    def _show(self, check: DatabaseCheck) -> None:
        self.last_check = check
        current = ", ".join(check.current) or "none"
        expected = ", ".join(check.heads)
        self.schema.setText(f"Schema: {current}" + (
            "" if not check.reachable or not check.behind else f"  (this app expects {expected})"))
        self.upgrade_button.setEnabled(check.behind)
        say(self.result, check.message, "ok" if check.reachable and not check.behind else
            ("warning" if check.reachable else "error"))

    def test_connection(self) -> DatabaseCheck | None:
        url = self._url()
        if not url:
            say(self.result, "No firm database: this desk keeps its ledger in "
                ".intake/ledger.sqlite.", "info")
            return None
        try:
            check = check_database(url)
        except IntakeError as exc:
            say(self.result, exc.message, "error")
            return None
        self._show(check)
        return check

    def upgrade(self) -> bool:
        try:
            check = upgrade_database(self._url())
        except IntakeError as exc:
            say(self.result, exc.message, "error")
            return False
        self._show(check)
        return True

    def save(self) -> bool:
        try:
            written = save_firm_database(self.session.app.workspace, self.url.text(),
                                         self.password.text() or None)
        except IntakeError as exc:
            say(self.result, exc.message, "error")
            return False
        self.url.setText(written)
        self.password.clear()
        say(self.result, ("Saved. " if written else "Saved: this desk uses its own "
                          ".intake/ledger.sqlite. ") + "Restart Intake Desktop to use it.", "ok")
        return True


# ---- the status bar ---------------------------------------------------------------------


class DatabaseStatus(QObject):
    """Probes the ledger database every `interval_ms` on a pool thread; `changed` on the GUI
    thread when it goes away or comes back."""

    changed = Signal(object)  # LinkState
    _probed = Signal(object, int)

    def __init__(self, url: str, parent: QObject | None = None, *,
                 interval_ms: int = 10_000, timeout: float = 5.0) -> None:
        super().__init__(parent)
        self.link = DatabaseLink(url, timeout=timeout)
        self.label = QLabel()
        self._busy = False
        self._asked = 0  # probes started, numbered; an answer older than one shown is dropped
        self._shown = 0
        self._probed.connect(self._arrived)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        self.timer.start()
        self.poll()

    def poll(self) -> None:
        if self._busy:
            return
        self._busy = True
        QThreadPool.globalInstance().start(self._probe)

    def _probe(self) -> None:  # on a pool thread
        self._asked += 1
        number = self._asked
        try:
            state, _ = self.link.check()
        except Exception as exc:  # never let the probe kill the pool thread
            import time

            state = LinkState(False, f"Ledger database: cannot check ({exc})", time.time())
        with contextlib.suppress(RuntimeError):  # the window closed meanwhile
            self._probed.emit(state, number)

    def check_now(self) -> LinkState:
        """Probe on this thread (tests, and the first look at start)."""
        self._asked += 1
        number = self._asked
        state, _ = self.link.check()
        self._arrived(state, number)
        return state

    def _arrived(self, state: LinkState, number: int) -> None:
        """A probe's answer, on the GUI thread. An answer older than the one shown is
        dropped (a pool probe that started before the database went may answer after);
        `changed` when it differs from what the window shows (not from what the link last
        saw: a pool probe may have seen the change first, its answer still queued)."""
        self._busy = False
        if number < self._shown:
            return
        self._shown = number
        shown = self.label.property("state_ok")
        if shown is not None and bool(shown) == state.ok:
            return
        say(self.label, state.message, "ok" if state.ok else "error")
        self.label.setProperty("state_ok", state.ok)
        self.changed.emit(state)


def attach_database_status(window: MainWindow, **kw: Any) -> DatabaseStatus | None:
    """Add the ledger database's line to the window's status bar (server ledgers only) and
    stop/start the window's watcher with it."""
    status = DatabaseStatus(window.app.ledger.url, window, **kw)
    if not status.link.watched:
        return None
    window.statusBar().addPermanentWidget(status.label)
    paused: list[bool] = []

    def follow(state: LinkState) -> None:
        if not state.ok and window.watch.running:
            window.watch.stop()
            paused.append(True)
        elif state.ok and paused:
            paused.clear()
            window._restart_watch()

    status.changed.connect(follow)
    return status
