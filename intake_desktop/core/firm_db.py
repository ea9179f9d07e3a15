"""The firm database a desk connects to: URL in config.toml, password in the OS keyring.

`[ledger] url` in `.intake/config.toml` holds the URL without a password (the window's
Settings > Firm database writes it; `--db` overrides it for one command). The password is
kept by the `keyring` package in the operating system's store: Windows Credential Manager,
the macOS Keychain, the Secret Service (GNOME Keyring, KWallet) on a Linux desktop. It is
put into the URL only when connecting (and libpq's PGPASSWORD or ~/.pgpass still work when
the keyring has none).
"""

from __future__ import annotations

import re
import threading
import tomllib
from contextlib import suppress
from dataclasses import dataclass

from intake_desktop.core.desks.settings_files import SettingsError, replace_settings_file
from intake_desktop.core.errors import IntakeError, LedgerError
from intake_desktop.core.ledger.firm_url import (
    account_key,
    display,
    is_server_url,
    split_password,
    with_password,
)
from intake_desktop.core.workspace import Workspace

KEYRING_SERVICE = "intake-desktop ledger"


def stored_password(url: str) -> str | None:
    """The password the keyring holds for this URL's user, server and database."""
    try:
        import keyring  # here: 65 ms of imports that a local SQLite desk never needs

        return keyring.get_password(KEYRING_SERVICE, account_key(url))
    except Exception:  # no keyring or a broken one: libpq's PGPASSWORD / ~/.pgpass remain
        return None


def store_password(url: str, password: str) -> None:
    """Keep the password in the OS keyring (an empty password removes it)."""
    import keyring
    import keyring.errors

    key = account_key(url)
    try:
        if password:
            keyring.set_password(KEYRING_SERVICE, key, password)
        else:
            with suppress(keyring.errors.PasswordDeleteError):
                keyring.delete_password(KEYRING_SERVICE, key)
    except keyring.errors.KeyringError as exc:
        raise SettingsError(
            f"the password could not be kept in this computer's keyring ({exc})",
            fix="install or unlock the system keyring (Credential Manager, Keychain, GNOME "
            "Keyring), or give the password in ~/.pgpass",
        ) from exc


def url_with_password(url: str) -> str:
    """`url` ready to connect: a server URL without a password gets the keyring's."""
    if not is_server_url(url):
        return url
    bare, password = split_password(url)
    if password is not None:
        return url
    stored = stored_password(bare)
    return with_password(bare, stored) if stored else url


def ledger_url(workspace: Workspace, override: str | None = None) -> str:
    """The URL the workspace's ledger opens with: `--db`, else [ledger] url (with the
    keyring's password), else .intake/ledger.sqlite."""
    if override:
        return url_with_password(override)
    configured = workspace.load_config().ledger_url
    return url_with_password(configured) if configured else workspace.default_ledger_url()


# ---- the setting -----------------------------------------------------------------------------

_LEDGER_URL_LINE = re.compile(r"(?ms)^(\[ledger\][^\[]*?^url\s*=\s*)(\"[^\"\n]*\"|'[^'\n]*')")


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save_firm_database(workspace: Workspace, url: str, password: str | None = None) -> str:
    """Write `url` (its password removed) as [ledger] url and keep the password in the
    keyring. An empty URL goes back to the local .intake/ledger.sqlite. Returns the URL
    written."""
    bare = ""
    if url.strip():
        if not is_server_url(url.strip()):
            raise SettingsError("the firm database must be a PostgreSQL server URL",
                                fix="write it as postgresql+psycopg://USER@SERVER/DATABASE")
        bare, carried = split_password(url.strip())
        secret = password if password is not None else carried
        if secret is not None:
            store_password(bare, secret)
    path = workspace.config_path
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if _LEDGER_URL_LINE.search(text):
        new = _LEDGER_URL_LINE.sub(lambda m: m.group(1) + _toml_str(bare), text, count=1)
    elif re.search(r"(?m)^\[ledger\]\s*$", text):
        new = re.sub(r"(?m)^\[ledger\]\s*$", "[ledger]\nurl = " + _toml_str(bare), text,
                     count=1)
    else:
        new = text.rstrip("\n") + ("\n\n" if text else "") + f"[ledger]\nurl = {_toml_str(bare)}\n"
    try:
        if tomllib.loads(new).get("ledger", {}).get("url") != bare:
            raise SettingsError("the [ledger] table of config.toml could not be updated",
                                path=path, fix="set url under [ledger] by hand")
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"the settings file would not be valid TOML ({exc})", path=path,
                            fix="fix config.toml by hand first") from exc
    replace_settings_file(workspace, path, new)
    return bare


# ---- connection test and schema ----------------------------------------------------------


@dataclass(frozen=True)
class DatabaseCheck:
    """What a connection test found (plain values for the window and the command line)."""

    url: str  # password hidden
    reachable: bool
    message: str
    current: tuple[str, ...] = ()
    heads: tuple[str, ...] = ()

    @property
    def behind(self) -> bool:
        """Reachable, but the schema lacks revisions this version of the app ships."""
        return self.reachable and set(self.current) != set(self.heads)


def check_database(url: str) -> DatabaseCheck:
    """Connect (read only) and compare the schema with the shipped migrations."""
    from intake_desktop.core.ledger.status import schema_status

    status = schema_status(url_with_password(url))
    shown = display(url)
    if status.error:
        return DatabaseCheck(shown, False, f"cannot connect to {shown}: {status.error}",
                             heads=status.heads)
    if not status.current:
        msg = f"connected to {shown}; it holds no ledger yet (upgrade creates it)"
    elif status.up_to_date:
        msg = f"connected to {shown}; schema up to date"
    else:
        msg = (f"connected to {shown}; the schema is behind this version of the app "
               "(upgrade it)")
    return DatabaseCheck(shown, True, msg, status.current, status.heads)


def upgrade_database(url: str) -> DatabaseCheck:
    """Run the ledger's migrations (`alembic upgrade heads`) as the role in `url`."""
    from intake_desktop.core.ledger import Actor, Ledger

    try:
        Ledger.open(url_with_password(url), Actor.current("admin")).close()
    except IntakeError:
        raise
    except Exception as exc:  # the driver's own errors, in words
        raise LedgerError(f"the upgrade of {display(url)} failed ({exc})",
                          fix="connect as the owner role (`intake-desktop ledger grant`)") from exc
    return check_database(url)


# ---- is the database there? (the window's status bar) ------------------------------------


@dataclass(frozen=True)
class LinkState:
    """Whether the desk's ledger database answers, since when, in words."""

    ok: bool
    message: str
    since: float  # epoch seconds of the last change


class DatabaseLink:
    """Follows one ledger URL: `check()` probes it and says whether that changed anything.

    While the database does not answer the desk files nothing (the window stops its watcher;
    files wait in their intake folders, nothing is held in memory) and says so; when it
    answers again the watcher starts over with a full scan.
    """

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self.url = url
        self.timeout = timeout
        self.state: LinkState | None = None
        self._lock = threading.Lock()  # the window probes on pool threads

    @property
    def watched(self) -> bool:
        """Only a database server can go away under a running desk."""
        return is_server_url(self.url)

    def check(self, now: float | None = None) -> tuple[LinkState, bool]:
        import time

        from intake_desktop.core.ledger.firm_url import probe

        at = time.time() if now is None else now
        problem = probe(url_with_password(self.url), self.timeout)
        ok = problem is None
        with self._lock:
            if self.state is not None and self.state.ok == ok:
                return self.state, False
            self.state = self._describe(ok, problem, at)
            return self.state, True

    def _describe(self, ok: bool, problem: str | None, at: float) -> LinkState:
        import time

        shown = display(self.url)
        if ok:
            message = f"Ledger database: connected ({shown})"
        else:
            clock = time.strftime("%H:%M", time.localtime(at))
            message = (f"Ledger database unreachable since {clock} ({problem}): nothing is "
                       "filed until it is back; files wait in their intake folders")
        return LinkState(ok, message, at)
