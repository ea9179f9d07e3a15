"""The people of the ledger: the local user profiles (migration 0004_users; initials and
the computer account they work from, 0007_people_walls) and the matter walls that screen a
person from a matter (0007_people_walls; `wall_added`/`wall_removed` are the record, the
`walls` table the index every check reads with one primary-key lookup)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update

from intake_desktop.core.ledger.holdings import passphrase_digest
from intake_desktop.core.ledger.queries import UserRecord
from intake_desktop.core.ledger.records import EventKind
from intake_desktop.core.ledger.schema import users, walls
from intake_desktop.core.ledger.store_base import LedgerStore, utc_now


def _user(row: Any) -> UserRecord:
    m = row._mapping
    return UserRecord(**{k: m[k] for k in UserRecord.__dataclass_fields__})


@dataclass(frozen=True)
class WallRecord:
    person: str
    matter_id: str
    reason: str
    added_by: str
    added_at: str


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

    # ---- profiles -------------------------------------------------------------------------

    def save_person(
        self,
        name: str,
        role: str,
        passphrase_hash: str,
        *,
        initials: str,
        account: str,
        detail: dict[str, Any],
    ) -> None:
        """Create or update a profile and record `profile_saved`, in one transaction.

        A computer account is the default of one person only: giving it to this profile
        takes it from any other (recorded in the same event)."""
        now = utc_now()
        with self._ledger.transaction() as txn:
            conn = txn._conn
            taken_from: list[str] = []
            if account:
                taken_from = [str(r[0]) for r in conn.execute(
                    select(users.c.name).where(users.c.account == account, users.c.name != name))]
                if taken_from:
                    conn.execute(update(users).where(users.c.name.in_(taken_from))
                                 .values(account="", updated_at=now))
            values = {"role": role, "passphrase_hash": passphrase_hash, "initials": initials,
                      "account": account, "updated_at": now}
            exists = conn.execute(select(users.c.name).where(users.c.name == name)).first()
            if exists:
                conn.execute(update(users).where(users.c.name == name).values(**values))
            else:
                conn.execute(users.insert().values(name=name, created_at=now, **values))
            extra = {"account_taken_from": taken_from} if taken_from else {}
            txn.add_event(
                EventKind.PROFILE_SAVED,
                detail={**detail, **extra, "user": name, "role": str(role),
                        "initials": initials, "account": account,
                        "passphrase_sha256": passphrase_digest(passphrase_hash)},
            )

    def person_for_account(self, account: str) -> UserRecord | None:
        """The profile tied to this computer account, else the one named after it."""
        with self._reader.connect() as conn:
            row = conn.execute(select(users).where(users.c.account == account)).first()
            if row is None:
                row = conn.execute(select(users).where(users.c.name == account)).first()
        if row is None:
            return None
        m = row._mapping
        return UserRecord(**{k: m[k] for k in UserRecord.__dataclass_fields__})

    # ---- matter walls ---------------------------------------------------------------------

    def add_wall(self, person: str, matter_id: str, reason: str) -> bool:
        """Screen `person` from `matter_id` (`wall_added`); False when already screened."""
        with self._ledger.transaction() as txn:
            conn = txn._conn
            if conn.execute(select(walls.c.person).where(
                    walls.c.person == person, walls.c.matter_id == matter_id)).first():
                return False
            conn.execute(walls.insert().values(
                person=person, matter_id=matter_id, reason=reason,
                added_by=self._ledger.actor.user, added_at=utc_now()))
            txn.add_event(EventKind.WALL_ADDED, matter_id=matter_id,
                          detail={"person": person, "matter": matter_id, "reason": reason})
        return True

    def remove_wall(self, person: str, matter_id: str, reason: str = "") -> bool:
        """Lift a wall (`wall_removed`); False when there was none."""
        with self._ledger.transaction() as txn:
            conn = txn._conn
            gone = conn.execute(delete(walls).where(
                walls.c.person == person, walls.c.matter_id == matter_id)).rowcount
            if not gone:
                return False
            txn.add_event(EventKind.WALL_REMOVED, matter_id=matter_id,
                          detail={"person": person, "matter": matter_id, "reason": reason})
        return True

    def screened_matters(self, person: str) -> frozenset[str]:
        """The matters `person` is screened from."""
        with self._reader.connect() as conn:
            return frozenset(str(r[0]) for r in conn.execute(
                select(walls.c.matter_id).where(walls.c.person == person)))

    def is_screened(self, person: str, matter_id: str) -> bool:
        with self._reader.connect() as conn:
            return conn.execute(select(walls.c.person).where(
                walls.c.person == person, walls.c.matter_id == matter_id)).first() is not None

    def walls(self) -> list[WallRecord]:
        with self._reader.connect() as conn:
            return [WallRecord(**dict(r._mapping)) for r in conn.execute(
                select(walls).order_by(walls.c.matter_id, walls.c.person))]
