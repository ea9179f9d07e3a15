"""The ledger package: the only code that talks to the database."""

from intake_desktop.core.ledger.chain import ChainReport
from intake_desktop.core.ledger.claims import ClaimRecord, ClaimState, OwnerRecord
from intake_desktop.core.ledger.firm_url import split_password, with_password
from intake_desktop.core.ledger.grant import apply_grants, database_of, grant_sql
from intake_desktop.core.ledger.migrate_to import migrate_ledger
from intake_desktop.core.ledger.people_store import WallRecord
from intake_desktop.core.ledger.queries import (
    DocumentFilter,
    DocumentText,
    MatterRecord,
    UserRecord,
)
from intake_desktop.core.ledger.records import (
    Actor,
    DocStatus,
    DocumentRecord,
    EventKind,
    EventRecord,
    Seal,
    os_account,
)
from intake_desktop.core.ledger.store import Ledger, Txn, utc_now

__all__ = [
    "Actor",
    "ChainReport",
    "ClaimRecord",
    "ClaimState",
    "DocStatus",
    "DocumentFilter",
    "DocumentRecord",
    "DocumentText",
    "EventKind",
    "EventRecord",
    "Ledger",
    "MatterRecord",
    "OwnerRecord",
    "Seal",
    "Txn",
    "UserRecord",
    "WallRecord",
    "apply_grants",
    "database_of",
    "grant_sql",
    "migrate_ledger",
    "os_account",
    "split_password",
    "utc_now",
    "with_password",
]
