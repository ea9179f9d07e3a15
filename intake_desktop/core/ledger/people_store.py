"""The people of the ledger: the local user profiles (migration 0004_users)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from intake_desktop.core.ledger.holdings import passphrase_digest
from intake_desktop.core.ledger.queries import UserRecord
from intake_desktop.core.ledger.records import EventKind
from intake_desktop.core.ledger.schema import users
from intake_desktop.core.ledger.store_base import LedgerStore, utc_now


def _user(row: Any) -> UserRecord:
    m = row._mapping
    return UserRecord(**{k: m[k] for k in UserRecord.__dataclass_fields__})


class PeopleStore(LedgerStore):
    """User profiles (`ledger.people`): saving one is a chained `profile_saved` event."""

    def users(self) -> list[UserRecord]:
        with self._reader.connect() as conn:
            return [_user(r) for r in conn.execute(select(users).order_by(users.c.name))]

    def user(self, name: str) -> UserRecord | None:
        with self._reader.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        return _user(row) if row else None

    def save_user(
        self, name: str, role: str, passphrase_hash: str, *, detail: dict[str, Any]
    ) -> None:
        """Create or update a profile and record a `profile_saved` event, in one transaction."""
        now = utc_now()
        with self._ledger.transaction() as txn:
            conn = txn._conn
            exists = conn.execute(select(users.c.name).where(users.c.name == name)).first()
            if exists:
                conn.execute(
                    update(users)
                    .where(users.c.name == name)
                    .values(role=role, passphrase_hash=passphrase_hash, updated_at=now)
                )
            else:
                conn.execute(
                    users.insert().values(
                        name=name, role=role, passphrase_hash=passphrase_hash,
                        created_at=now, updated_at=now,
                    )
                )
            # The passphrase hash is chained as a digest: a forged or swapped row in `users`
            # then disagrees with its events (`ledger verify`, and admin sign-in, refuse it).
            txn.add_event(
                EventKind.PROFILE_SAVED,
                detail={**detail, "user": name, "role": str(role),
                        "passphrase_sha256": passphrase_digest(passphrase_hash)},
            )
