"""A checklist and its items, as validated from a checklist file."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Expected(enum.StrEnum):
    ONE = "one"  # exactly one document is expected
    AT_LEAST_ONE = "at-least-one"  # one or more (pay stubs, photos)
    PER_PARTY = "per-party"  # one per person filed under Intake/<matter>/<party>/
    # one per provider named on the matter (core/checklists/status.providers_named)
    PER_PROVIDER = "per-provider"


@dataclass(frozen=True)
class ChecklistItem:
    """One document a matter expects. A filed document satisfies it when its naming rule is
    in `rules` or its category in `categories`."""

    id: str
    title: str
    rules: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    required: bool = True
    expected: Expected = Expected.ONE
    requested_from: str = "client"
    client_note: str = ""
    line: int = 0

    def satisfied_by(self, rule: str | None, category: str | None) -> bool:
        return (rule or "") in self.rules or (category or "") in self.categories


@dataclass(frozen=True)
class Checklist:
    """What a kind of matter needs (e.g. a family-based I-130/I-485 petition)."""

    id: str
    title: str
    preset: str
    items: tuple[ChecklistItem, ...]
    source: str = ""

    def item(self, item_id: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.id == item_id), None)
