"""What every store of the ledger shares: the link to the Ledger's engines, and the clock.

`Ledger` (store.py) owns the engines, transactions and migrations; each kind of record has
its own store, reached as an attribute of the Ledger (`ledger.docs`, `ledger.chain`,
`ledger.watch_claims`, `ledger.people`, `ledger.matter_book`, `ledger.bates`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from intake_desktop.core.ledger.store import Ledger


def utc_now() -> str:
    """UTC time with microseconds, ISO 8601, as recorded in events."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class LedgerStore:
    """One kind of record of a Ledger; reads and writes through the Ledger's engines."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    @property
    def _reader(self) -> Engine:
        return self._ledger.reader

    @property
    def _writer(self) -> Engine:
        return self._ledger.writer
