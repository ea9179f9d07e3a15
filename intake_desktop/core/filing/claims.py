"""Claims: every entry point (ingest, watch, the window, review actions, undo) takes one in
the ledger before any work on a file, so two processes never work on the same file.

A claim is one INSERT against a primary key in its own transaction (SQLite or PostgreSQL):
of two processes racing, exactly one wins. An intake file's key names its version (intake
folder, path below it, size, mtime), the same key the watcher uses; a document's key (a
review action, an undo) names the document.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from intake_desktop.core.ledger import ClaimState, Ledger
from intake_desktop.core.platform import pid_alive, process_space

Signature = tuple[int, int]  # (size, mtime_ns)
# A process that has not beaten its heart for this long is taken as dead.
STALE_AFTER = 120.0


def folder_label(folder: Path, workspace_root: Path) -> str:
    """How claims name an intake folder: relative to the workspace when inside it (so
    workstations that mount the workspace at different paths agree), else as configured."""
    try:
        return "ws:" + folder.resolve().relative_to(workspace_root.resolve()).as_posix()
    except ValueError:
        return "abs:" + folder.as_posix()


def claim_key(label: str, relative: PurePosixPath, sig: Signature) -> str:
    size, mtime_ns = sig
    text = f"{label}\0{relative.as_posix()}\0{size}\0{mtime_ns}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def document_key(doc_id: int) -> str:
    """The claim a review action or an undo takes on one document."""
    return hashlib.sha256(f"document\0{doc_id}".encode()).hexdigest()


def new_owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# Owners that are not watchers (ingest, the window) carry this prefix, so a watcher's
# "am I the eldest watcher?" question ignores them.
FILER_OWNER_PREFIX = "filer:"


class Claimant:
    """One process's side of the claims when it is not a watcher (ingest, the window)."""

    def __init__(self, ledger: Ledger, owner: str | None = None) -> None:
        self.ledger = ledger
        self.owner = owner or FILER_OWNER_PREFIX + new_owner_id()
        self._beat = 0.0
        self._registered = False

    def heartbeat(self, *, force: bool = False) -> None:
        now = time.time()
        if force or not self._registered or now - self._beat > STALE_AFTER / 4:
            self.ledger.watch_claims.heartbeat(self.owner, host=process_space(),
                                               pid=os.getpid())
            self._beat, self._registered = now, True

    def expire_dead(self) -> None:
        """Take back the claims of processes on this machine that died (kill -9, crash)."""
        host = process_space()
        for other in self.ledger.watch_claims.owners():
            if other.owner != self.owner and other.host == host and not pid_alive(other.pid):
                self.ledger.watch_claims.retire_owner(other.owner)

    def held_elsewhere(self) -> set[str]:
        """Sources under an active claim of another live process (recovery leaves them)."""
        live = {
            o.owner for o in self.ledger.watch_claims.live_owners(within=STALE_AFTER)
            if o.host != process_space() or pid_alive(o.pid)
        }
        return {
            c.source for c in self.ledger.watch_claims.claims(state=ClaimState.ACTIVE)
            if c.owner != self.owner and c.owner in live
        }

    @contextmanager
    def hold(self, key: str, source: str) -> Iterator[bool]:
        """Take `key` for the duration of the block; yields False when another has it."""
        self.heartbeat()
        if not self.ledger.watch_claims.claim(key, self.owner, source=source):
            yield False
            return
        try:
            yield True
        finally:
            self.ledger.watch_claims.release(key, self.owner)

    def retire(self) -> None:
        if self._registered:
            self.ledger.watch_claims.retire_owner(self.owner)
            self._registered = False
