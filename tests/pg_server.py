"""A PostgreSQL database of its own per test (INTAKE_TEST_PG_URL: a role that may create
databases; `.ci/postgres.sh` starts a server and prints one). Names start with `firm_`."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("INTAKE_TEST_PG_URL", "")
needs_pg = pytest.mark.skipif(not ADMIN_URL, reason="INTAKE_TEST_PG_URL not set")


@contextmanager
def pg_database(prefix: str = "firm") -> Iterator[str]:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def can_create_roles() -> bool:
    if not ADMIN_URL:
        return False
    engine = create_engine(ADMIN_URL)
    try:
        with engine.connect() as conn:
            row = conn.execute(text(
                "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
            )).scalar()
        return bool(row)
    finally:
        engine.dispose()


class TcpProxy:
    """A TCP forwarder to the test server, so a test can take the database away (stop)
    and bring it back (start) on the same port without touching the shared server."""

    def __init__(self, target_url: str) -> None:
        import socket

        url = make_url(target_url)
        self.target = (url.host or "127.0.0.1", int(url.port or 5432))
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = int(probe.getsockname()[1])
        probe.close()
        self.url = url.set(host="127.0.0.1", port=self.port).render_as_string(
            hide_password=False)
        self._server: Any = None
        self._conns: list[Any] = []

    def start(self) -> None:
        import socket
        import threading

        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self._server = server

        def pump(src: Any, dst: Any) -> None:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    with contextlib.suppress(OSError):
                        s.close()

        def accept() -> None:
            while True:
                try:
                    client, _ = server.accept()
                except OSError:
                    return
                upstream = socket.create_connection(self.target)
                self._conns += [client, upstream]
                threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
                threading.Thread(target=pump, args=(upstream, client), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()

    def stop(self) -> None:
        """Close the port and cut every open connection (the server 'goes away')."""
        import socket

        if self._server is not None:
            with contextlib.suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
            self._server = None
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                conn.close()
        self._conns.clear()
