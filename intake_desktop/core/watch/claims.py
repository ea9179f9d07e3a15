"""Claims: a watcher takes an intake file in the ledger before touching it.

The claim key names the file version: its intake folder, its path below that folder, its
size and its mtime. Two watchers (two workstations on one PostgreSQL ledger, or two
processes on one SQLite file) race on one INSERT against the key; the loser skips the file.
A filed file's claim is dropped (its source is gone, and a later file of the same name is
new evidence); a failed one is kept for `retry_failed_after`; a dead watcher's claims are
taken back after `stale_after` without a heartbeat.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from intake_desktop.core.filing import (
    FILER_OWNER_PREFIX,
    claim_key,
    folder_label,
    new_owner_id,
    pid_alive,
)
from intake_desktop.core.ledger import ClaimRecord, ClaimState, Ledger
from intake_desktop.core.platform import process_space
from intake_desktop.core.watch.settings import WatchSettings

__all__ = ["ClaimBook", "claim_key", "folder_label", "new_owner_id", "pid_alive"]


@dataclass
class ClaimBook:
    """One watcher's side of the claims: its owner id, heartbeat and expiry duty."""

    ledger: Ledger
    settings: WatchSettings
    owner: str

    def claim(self, key: str, source: str) -> bool:
        return self.ledger.watch_claims.claim(key, self.owner, source=source)

    def release(self, key: str) -> None:
        self.ledger.watch_claims.release(key, self.owner)

    def fail(self, key: str, reason: str) -> None:
        self.ledger.watch_claims.fail_claim(key, self.owner, reason)

    def heartbeat(self) -> None:
        self.ledger.watch_claims.heartbeat(self.owner, host=process_space(), pid=os.getpid())

    def expire(self) -> list[ClaimRecord]:
        """Take back claims of dead watchers and old failures. A watcher on this machine
        whose process is gone (killed, crashed) is dead at once, not after `stale_after`."""
        dropped: list[ClaimRecord] = []
        host = process_space()
        for other in self.ledger.watch_claims.owners():
            if other.owner != self.owner and other.host == host and not pid_alive(other.pid):
                dropped += self.ledger.watch_claims.claims(owner=other.owner,
                                                           state=ClaimState.ACTIVE)
                self.ledger.watch_claims.retire_owner(other.owner)
        return dropped + self.ledger.watch_claims.expire_claims(
            stale_after=self.settings.stale_after,
            retry_failed_after=self.settings.retry_failed_after,
        )

    def is_eldest(self) -> bool:
        """True when no live watcher started before this one: the eldest runs recovery, so
        a newcomer never rolls back a filing that a running watcher has in progress."""
        live = [o for o in self.ledger.watch_claims.live_owners(within=self.settings.stale_after,
                                                                now=time.time())
                if not o.owner.startswith(FILER_OWNER_PREFIX)]
        me = next((o for o in live if o.owner == self.owner), None)
        if me is None:
            return not live
        return all((o.started_at, o.owner) >= (me.started_at, me.owner) for o in live)

    def retire(self) -> None:
        self.ledger.watch_claims.retire_owner(self.owner)
