"""Plain values the ledger hands out (no ORM or SQLAlchemy objects leave the package)."""

from __future__ import annotations

import enum
import os
import sys
from dataclasses import dataclass
from typing import Any


class DocStatus(enum.StrEnum):
    PENDING = "pending"
    FILED = "filed"
    REVIEW = "review"
    DUPLICATE = "duplicate"
    ROLLED_BACK = "rolled_back"
    UNDONE = "undone"  # filing undone: the file went back; the original is kept, superseded


class EventKind(enum.StrEnum):
    """Every kind of event the ledger accepts (values are stored and hashed: never change one).

    Add a member here before recording a new kind; `Txn.add_event` refuses anything else.
    """

    # filing (core/filing.py, core/review.py)
    RECEIVED = "received"
    ORIGINAL_PRESERVED = "original_preserved"
    FILED = "filed"
    DUPLICATE = "duplicate"
    ROUTED_TO_REVIEW = "routed_to_review"
    SOURCE_REMOVED = "source_removed"
    RECOVERED = "recovered"
    ROLLED_BACK = "rolled_back"
    REVIEW_RESOLVED = "review_resolved"
    UNDONE = "undone"  # a filing taken back: path_before the removed copy, path_after where
    SUPERSEDED = "superseded"  # an original kept on disk but no longer in force (after undo)
    REPAIRED = "repaired"  # a damaged file or a damaged ledger put right (detail says what)
    # conversions and court outputs
    CONVERTED = "converted"
    OCR = "ocr"
    SPLIT = "split"
    STAMPED = "stamped"
    EXPORTED = "exported"
    BATES_RESERVED = "bates_reserved"
    BATES_RELEASED = "bates_released"
    BATES_REUSED = "bates_reused"  # a rebuild kept the numbers it had reserved
    # people and rules
    OPENED = "opened"
    SIGNED_IN = "signed_in"
    PROFILE_SAVED = "profile_saved"
    MATTER_SAVED = "matter_saved"  # a matter's details (name, client, attorney) saved
    DETAILS_EDITED = "details_edited"  # a document's title, date or custodian (before/after)
    RULES_CHANGED = "rules_changed"
    RULES_ACCEPTED = "rules_accepted"
    # who may do what (issue 17): refusals, matter walls
    SIGN_IN_REFUSED = "sign_in_refused"  # a wrong or missing passphrase, an unknown person
    CAPABILITY_REFUSED = "capability_refused"  # the role may not do this (detail: capability)
    WALL_ADDED = "wall_added"  # a person screened from a matter (detail: person, reason)
    WALL_REMOVED = "wall_removed"
    WALL_REFUSED = "wall_refused"  # a screened person tried to reach the matter
    # the ledger itself
    LEDGER_ATTACHED = "ledger_attached"  # this ledger serves a workspace (id, URL)
    SEALED = "sealed"
    LEDGER_MIGRATED = "ledger_migrated"  # this chain was copied whole to another database
    LEDGER_MERGED = "ledger_merged"  # another desk's chain kept beside this one (desk_events)
    # matter checklists
    CHECKLIST_ASSIGNED = "checklist_assigned"
    CHECKLIST_WAIVED = "checklist_waived"
    CHECKLIST_LETTER = "checklist_letter"
    CHECKLIST_SAVED = "checklist_saved"  # an admin's edited checklist put in force
    PRODUCED = "produced"  # a document produced: volume, Bates range, treatment
    WITHHELD_PRIVILEGED = "withheld_privileged"  # withheld from a production, with the basis
    # supervision (issue 17): drafts, an attorney's sign-off, escalations a lawyer decides
    DRAFT_BUILT = "draft_built"  # an output folder (exhibit set, court-fit, production) made
    SIGNED_OFF = "signed_off"  # an attorney signed off an output folder (manifest and hash)
    APPROVAL_REQUESTED = "approval_requested"  # filed provisionally: a lawyer must decide
    APPROVED = "approved"  # a lawyer approved a provisional filing
    RETURNED = "returned"  # a lawyer returned a provisional filing to Review/ with a note
    # a certified translation paired with its original (detail: translation_of)
    TRANSLATION_LINKED = "translation_linked"


@dataclass(frozen=True)
class Actor:
    """Who acts: the OS user and the app role."""

    user: str
    role: str = "paralegal"

    @classmethod
    def current(cls, role: str = "paralegal") -> Actor:
        """The computer account running the app (a profile of that name decides the role
        in the window). Never from USER/LOGNAME/USERNAME: anyone can set those."""
        return cls(user=os_account(), role=role)


def os_account() -> str:
    """The login name of this process's account, from the operating system."""
    if sys.platform == "win32":
        try:
            return os.getlogin()  # GetUserNameW: the token's account, not %USERNAME%
        except OSError:
            return "unknown"
    import pwd

    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid {os.getuid()}"


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
    # A review action or an undo under way (JSON written by core.filing), else None.
    pending_action: str | None = None


@dataclass(frozen=True)
class Seal:
    """The chain head written outside the database."""

    head_hash: str
    events: int
    sealed_at: str
    workspace_id: str = ""  # empty in seals written before workspaces had an id
