"""Plain values the ledger hands out (no ORM or SQLAlchemy objects leave the package)."""

from __future__ import annotations

import enum
import getpass
from dataclasses import dataclass
from typing import Any


class DocStatus(enum.StrEnum):
    PENDING = "pending"
    FILED = "filed"
    REVIEW = "review"
    DUPLICATE = "duplicate"
    ROLLED_BACK = "rolled_back"


class EventKind(enum.StrEnum):
    RECEIVED = "received"
    ORIGINAL_PRESERVED = "original_preserved"
    FILED = "filed"
    DUPLICATE = "duplicate"
    ROUTED_TO_REVIEW = "routed_to_review"
    SOURCE_REMOVED = "source_removed"
    RECOVERED = "recovered"
    ROLLED_BACK = "rolled_back"
    CONVERTED = "converted"
    SPLIT = "split"
    STAMPED = "stamped"
    OCR = "ocr"
    RULES_CHANGED = "rules_changed"
    REVIEW_RESOLVED = "review_resolved"
    SEALED = "sealed"
    CHECKLIST_ASSIGNED = "checklist_assigned"
    CHECKLIST_WAIVED = "checklist_waived"
    CHECKLIST_LETTER = "checklist_letter"


@dataclass(frozen=True)
class Actor:
    """Who acts: the OS user and the app role."""

    user: str
    role: str = "paralegal"

    @classmethod
    def current(cls, role: str = "paralegal") -> Actor:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "unknown"
        return cls(user=user, role=role)


@dataclass(frozen=True)
class EventRecord:
    seq: int
    at: str
    kind: str
    document_id: int | None
    matter_id: str | None
    actor_user: str
    actor_role: str
    tool_version: str
    rules_version: str | None
    path_before: str | None
    path_after: str | None
    sha256_before: str | None
    sha256_after: str | None
    detail: dict[str, Any]
    prev_hash: str
    row_hash: str


@dataclass(frozen=True)
class DocumentRecord:
    id: int
    sha256: str
    size: int
    detected_type: str
    source_path: str
    original_path: str | None
    filed_path: str | None
    filed_sha256: str | None
    matter_id: str | None
    category: str
    document_date: str | None
    status: str
    target_status: str
    family_id: str | None
    parent_id: int | None
    rule: str | None
    reason: str | None
    source_cleared: bool
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Seal:
    """The chain head written outside the database."""

    head_hash: str
    events: int
    sealed_at: str
