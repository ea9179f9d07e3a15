"""The ledger package: the only code that talks to the database."""

from intake_desktop.core.ledger.chain import ChainReport
from intake_desktop.core.ledger.claims import ClaimRecord, ClaimState, OwnerRecord
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
    "utc_now",
]
