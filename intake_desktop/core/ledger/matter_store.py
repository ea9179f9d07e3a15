"""The matters of the ledger: ids, details, and saving them (`matter_saved`)."""

from __future__ import annotations

from sqlalchemy import select, update

from intake_desktop.core.ledger.queries import MatterRecord
from intake_desktop.core.ledger.records import EventKind
from intake_desktop.core.ledger.schema import matters
from intake_desktop.core.ledger.store_base import LedgerStore


class MatterStore(LedgerStore):
    """Matters (`ledger.matter_book`): a matter row is created by the first document filed
    into it (Txn.ensure_matter) or by saving its details."""

    def matters(self) -> list[str]:
        with self._reader.connect() as conn:
            return [r[0] for r in conn.execute(select(matters.c.id).order_by(matters.c.id))]

    def matter_list(self) -> list[MatterRecord]:
        """Every matter with its details, by id."""
        with self._reader.connect() as conn:
            return [
                MatterRecord(**{k: r._mapping[k] or "" for k in MatterRecord.__dataclass_fields__})
                for r in conn.execute(select(matters).order_by(matters.c.id))
            ]

    def save_matter(self, matter: MatterRecord) -> MatterRecord:
        """Create a matter or change its details (recorded as a `matter_saved` event)."""
        values = {k: getattr(matter, k) for k in ("name", "number", "client", "practice",
                                                   "attorney")}
        with self._ledger.transaction() as txn:
            txn.ensure_matter(matter.id, matter.name)
            txn._conn.execute(update(matters).where(matters.c.id == matter.id).values(**values))
            txn.add_event(EventKind.MATTER_SAVED, matter_id=matter.id, detail=values)
        return next(m for m in self.matter_list() if m.id == matter.id)
