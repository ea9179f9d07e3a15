"""Where a matter stands against its checklist, read from the ledger.

The checklist a matter follows and every waiver are ledger events; what has arrived is read
from the filed documents themselves, so filing ticks an item, and a document sent back to
Review or undone unticks it, with no second record to keep in step.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from intake_desktop.core.checklists.loader import shipped_checklists
from intake_desktop.core.checklists.model import Checklist, ChecklistItem, Expected
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import DocStatus, DocumentRecord, EventKind, Ledger
from intake_desktop.core.rules.router import party_in


class ItemStatus(enum.StrEnum):
    RECEIVED = "received"
    MISSING = "missing"
    WAIVED = "waived"
    REVIEW = "review"  # a document that would satisfy it is waiting in Review/


@dataclass(frozen=True)
class ItemState:
    item: ChecklistItem
    status: ItemStatus
    documents: tuple[DocumentRecord, ...] = ()
    waived_by: str = ""
    waived_reason: str = ""
    # a per-provider item: the providers named on the matter with no document for it yet
    missing_for: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.item.id,
            "title": self.item.title,
            "status": self.status.value,
            "required": self.item.required,
            "documents": [{"id": d.id, "path": d.filed_path, "date": d.document_date}
                          for d in self.documents],
            "waived_by": self.waived_by or None,
            "waived_reason": self.waived_reason or None,
            "missing_for": list(self.missing_for),
        }


@dataclass(frozen=True)
class MatterChecklist:
    matter: str
    checklist: Checklist
    items: tuple[ItemState, ...] = field(default_factory=tuple)

    @property
    def missing(self) -> list[ItemState]:
        return [s for s in self.items if s.status is ItemStatus.MISSING and s.item.required]

    @property
    def progress(self) -> tuple[int, int]:
        """(items done, items counted): received or waived out of all required items."""
        required = [s for s in self.items if s.item.required]
        done = [s for s in required if s.status in (ItemStatus.RECEIVED, ItemStatus.WAIVED)]
        return len(done), len(required)


class ChecklistUnavailable(IntakeError):
    pass


def _events(ledger: Ledger, matter: str, kind: str) -> list[Any]:
    return [e for e in ledger.chain.events() if e.kind == kind and e.matter_id == matter]


def assign_checklist(ledger: Ledger, matter: str, checklist: Checklist) -> int:
    """The matter follows this checklist from now on (a `checklist_assigned` event)."""
    with ledger.transaction() as txn:
        txn.ensure_matter(matter)
        return txn.add_event(EventKind.CHECKLIST_ASSIGNED, matter_id=matter,
                             detail={"checklist": checklist.id, "title": checklist.title})


def waive_item(ledger: Ledger, matter: str, item_id: str, reason: str) -> int:
    """An item the matter does not need, with who waived it and why (an event)."""
    if not reason.strip():
        raise ChecklistUnavailable(
            f"a waiver of {item_id!r} needs a reason: say why the matter does not need it")
    with ledger.transaction() as txn:
        txn.ensure_matter(matter)
        return txn.add_event(EventKind.CHECKLIST_WAIVED, matter_id=matter,
                             detail={"item": item_id, "reason": reason.strip()})


def assigned_checklist(ledger: Ledger, matter: str,
                       available: list[Checklist] | None = None) -> Checklist:
    events = _events(ledger, matter, EventKind.CHECKLIST_ASSIGNED)
    if not events:
        raise ChecklistUnavailable(
            f"the matter {matter!r} follows no checklist yet: choose one for it "
            "(checklist MATTER --use ID; the ids are listed by checklist --list)")
    wanted = str(events[-1].detail.get("checklist"))
    for checklist in available if available is not None else shipped_checklists():
        if checklist.id == wanted:
            return checklist
    raise ChecklistUnavailable(
        f"the matter {matter!r} follows the checklist {wanted!r}, which is no longer shipped: "
        "choose another one for it")


def assigned_at(ledger: Ledger, matter: str) -> str | None:
    """When the matter was first given a checklist (ISO time), None if never."""
    events = _events(ledger, matter, EventKind.CHECKLIST_ASSIGNED)
    return events[0].at if events else None


def _party(doc: DocumentRecord, matter: str) -> str:
    """The person a document belongs to, from Intake/<matter>/<party>/ ('' when none)."""
    parts = PurePosixPath(doc.source_path.replace("\\", "/")).parts
    if matter in parts:
        rest = parts[parts.index(matter) + 1 : -1]
        return party_in("/".join(rest)) or ""
    return ""


# Providers (issue 18): a provider is named on a matter by
#   - the folder a filed document sits in below its category folder, for documents that
#     satisfy a per-provider item (the personal-injury preset files records and bills as
#     Medical Records/<provider>/ and Bills/<provider>/), and
#   - a folder Intake/<matter>/<Medical...|Bills...|Records...>/<provider>/, even an empty
#     one: a paralegal names a provider whose records are still awaited by making it.
PROVIDER_INTAKE_FOLDERS = re.compile(r"(?i)^(medical|bills?|records)")


def _provider_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _provider(doc: DocumentRecord, matter: str) -> str:
    """The provider folder of a filed document (`<category>/<provider>/<file>`), or ''."""
    parts = PurePosixPath((doc.filed_path or "").replace("\\", "/")).parts
    if matter in parts:
        parts = parts[parts.index(matter) + 1:]
    return parts[-2] if len(parts) >= 3 else ""


def providers_named(filed: list[DocumentRecord], matter: str, checklist: Checklist,
                    intake_root: Path | None = None) -> dict[str, str]:
    """The providers named on the matter (normalized key -> name as written)."""
    per_provider = [i for i in checklist.items if i.expected is Expected.PER_PROVIDER]
    named: dict[str, str] = {}
    for doc in filed:
        if any(i.satisfied_by(doc.rule, doc.category) for i in per_provider):
            name = _provider(doc, matter)
            if name:
                named.setdefault(_provider_key(name), name)
    folder = intake_root / matter if intake_root is not None else None
    if per_provider and folder is not None and folder.is_dir():
        for kind in sorted(folder.iterdir()):
            if kind.is_dir() and PROVIDER_INTAKE_FOLDERS.match(kind.name):
                for provider in sorted(p for p in kind.iterdir() if p.is_dir()):
                    named.setdefault(_provider_key(provider.name), provider.name)
    return named


def matter_checklist(ledger: Ledger, matter: str,
                     available: list[Checklist] | None = None, *,
                     intake_root: Path | None = None) -> MatterChecklist:
    """Each item of the matter's checklist: received (with its documents), waived, waiting
    in Review, or missing. `intake_root` (the workspace's Intake/) lets empty provider
    folders name providers whose documents are still awaited."""
    checklist = assigned_checklist(ledger, matter, available)
    docs = ledger.docs.documents(matter_id=matter)
    filed = [d for d in docs if d.status == DocStatus.FILED]
    review = [d for d in docs if d.status == DocStatus.REVIEW]
    waivers: dict[str, tuple[str, str]] = {}
    for event in _events(ledger, matter, EventKind.CHECKLIST_WAIVED):
        waivers[str(event.detail.get("item"))] = (event.actor_user, str(event.detail["reason"]))
    # The people of the matter: Intake/<matter>/<party>/ folders seen on its documents.
    parties = {p for p in (_party(d, matter) for d in filed) if p}
    providers = providers_named(filed, matter, checklist, intake_root)
    states: list[ItemState] = []
    for item in checklist.items:
        mine = tuple(d for d in filed if item.satisfied_by(d.rule, d.category))
        lacking: tuple[str, ...] = ()
        if item.expected is Expected.PER_PROVIDER:
            have = {_provider_key(_provider(d, matter)) for d in mine}
            lacking = tuple(sorted((name for key, name in providers.items() if key not in have),
                                   key=str.casefold))
        complete = bool(mine) and not lacking and (
            item.expected is not Expected.PER_PARTY
            or not parties
            or parties <= {_party(d, matter) for d in mine}
        )
        if item.id in waivers and not complete:
            who, why = waivers[item.id]
            states.append(ItemState(item, ItemStatus.WAIVED, mine, who, why))
        elif complete:
            states.append(ItemState(item, ItemStatus.RECEIVED, mine))
        elif any(item.satisfied_by(d.rule, d.category) for d in review):
            waiting = tuple(d for d in review if item.satisfied_by(d.rule, d.category))
            states.append(ItemState(item, ItemStatus.REVIEW, waiting))
        else:
            states.append(ItemState(item, ItemStatus.MISSING, mine if lacking else (),
                                    missing_for=lacking))
    return MatterChecklist(matter, checklist, tuple(states))
