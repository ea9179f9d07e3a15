"""Where a document was produced, and which document a Bates number belongs to: read back
from the ledger's `produced` and `withheld_privileged` events (for the browser and search)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from intake_desktop.core.ledger.records import EventRecord
from intake_desktop.core.production.build import PRODUCED, WITHHELD


class Events(Protocol):
    def events(self, *, document_id: int | None = None) -> list[EventRecord]: ...


class EventSource(Protocol):
    """The ledger, as far as finding productions goes (`ledger.chain`)."""

    @property
    def chain(self) -> Events: ...


@dataclass(frozen=True)
class Production:
    """One document in one production volume."""

    document_id: int
    volume: str
    bates_first: str | None
    bates_last: str | None
    withheld: bool
    event: int  # the ledger event's sequence number

    @property
    def label(self) -> str:
        """"produced in PROD001 as ABC000123-ABC000130" (or "withheld from PROD001")."""
        if self.withheld:
            return f"withheld from {self.volume}" + (
                f" (slip sheet {self.bates_first})" if self.bates_first else "")
        span = self.bates_first if self.bates_first == self.bates_last else (
            f"{self.bates_first}-{self.bates_last}")
        return f"produced in {self.volume} as {span}"


def _production(event: EventRecord) -> Production | None:
    if event.kind not in (PRODUCED, WITHHELD) or event.document_id is None:
        return None
    d = event.detail
    return Production(event.document_id, str(d.get("volume", "")), d.get("bates_first"),
                      d.get("bates_last"), event.kind == WITHHELD, event.seq)


def productions_of(ledger: EventSource, document_id: int) -> list[Production]:
    """Every production of one document, oldest first."""
    found = (_production(e) for e in ledger.chain.events(document_id=document_id))
    return [p for p in found if p is not None]


_SPLIT = re.compile(r"^(.*?)(\d+)$")


def _split(number: str) -> tuple[str, int] | None:
    m = _SPLIT.match(number.strip())
    return (m.group(1), int(m.group(2))) if m else None


def find_bates(ledger: EventSource, number: str,
               events: Sequence[EventRecord] | None = None) -> Production | None:
    """The produced document whose Bates range holds `number` (e.g. "ABC000125")."""
    wanted = _split(number)
    if wanted is None:
        return None
    for event in events if events is not None else ledger.chain.events():
        p = _production(event)
        if p is None or not p.bates_first or not p.bates_last:
            continue
        first, last = _split(p.bates_first), _split(p.bates_last)
        if first is None or last is None or first[0] != wanted[0]:
            continue
        if first[1] <= wanted[1] <= last[1]:
            return p
    return None
