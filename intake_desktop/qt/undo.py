"""Undo from the window: the same core undo as `intake-desktop undo`, as the acting user."""

from __future__ import annotations

from dataclasses import dataclass

from intake_desktop.core.filing import UndoError, undo_document
from intake_desktop.qt.session import Session


@dataclass(frozen=True)
class UndoOutcome:
    ok: bool
    message: str  # what was done, or why it was refused (and what to do)


def undo_filing(session: Session, doc_id: int) -> UndoOutcome:
    """Take document `doc_id` (and its family) back; a refusal changes nothing."""
    filer = session.filer()
    try:
        filer.begin()
        result = undo_document(filer, doc_id)
    except UndoError as exc:
        return UndoOutcome(False, exc.message)
    finally:
        filer.claimant.retire()
    return UndoOutcome(True, result.message)
