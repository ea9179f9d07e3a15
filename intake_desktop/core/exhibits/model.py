"""The values a build passes around: resolved sources, built exhibits and their parts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.exhibits.labels import bates_text, page_label
from intake_desktop.core.exhibits.spec import BatesSpec, ExhibitEntry, ExhibitSetSpec


class BuildError(IntakeError):
    """The exhibit set could not be built; nothing was left in the output folder."""


@dataclass(frozen=True)
class ResolvedSource:
    path: Path
    document_id: int | None = None
    matter_id: str | None = None


Resolver = Callable[[ExhibitEntry], ResolvedSource]


@dataclass(frozen=True)
class OutputPart:
    path: Path
    bytes: int
    first_page: int
    last_page: int
    sha256: str

    def as_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "bytes": self.bytes, "first_page": self.first_page,
                "last_page": self.last_page}


@dataclass
class BuiltExhibit:
    entry: ExhibitEntry
    ident: str
    label: str
    source: ResolvedSource
    source_sha256: str
    pages: int
    bates: BatesSpec | None
    bates_start: int | None
    parts: list[OutputPart] = field(default_factory=list)
    slip_sheet: Path | None = None
    binder_page: int | None = None  # 1-based page of its bookmark in the combined binder
    actions: list[str] = field(default_factory=list)  # what the court preflight changed
    # Where stamping had to avoid content: page (from 1) -> scale its content was shrunk to,
    # page -> the position the stamp moved to; and production numbers already on the pages.
    shrunk: dict[int, float] = field(default_factory=dict)
    moved: dict[int, str] = field(default_factory=dict)
    production_numbers: list[str] = field(default_factory=list)

    @property
    def bates_range(self) -> str:
        if self.bates is None or self.bates_first is None or self.bates_last is None:
            return ""
        return self.bates.range(self.bates_first, self.bates_last)

    @property
    def produced_as(self) -> str:
        """The other side's numbers on this exhibit: 'ACME0000120 - ACME0000123' or one."""
        nums = self.production_numbers
        if not nums:
            return ""
        return nums[0] if len(nums) == 1 else f"{nums[0]} - {nums[-1]}"

    def bates_at(self, page: int) -> str | None:
        """The Bates number printed on the exhibit's page `page` (from 1)."""
        if self.bates is None or self.bates_start is None:
            return None
        return bates_text(self.bates.prefix, self.bates_start + page - 1, self.bates.digits,
                          self.bates.suffix)

    @property
    def bates_first(self) -> str | None:
        return self.bates_at(1)

    @property
    def bates_last(self) -> str | None:
        return self.bates_at(self.pages)

    def cite(self, first: int = 1, last: int | None = None) -> str:
        last = self.pages if last is None else last
        if self.bates is not None:
            return self.bates.range(str(self.bates_at(first)), str(self.bates_at(last)))
        return f"{self.label}, p. {first}" if first == last else f"{self.label}, pp. {first}-{last}"

    def page_lines(self, page: int, spec: ExhibitSetSpec) -> list[str]:
        lines = []
        if page == 1 and spec.label_on_first_page:
            lines.append(self.label)
        if spec.page_labels:
            lines.append(page_label(self.ident, page))
        bates = self.bates_at(page)
        if bates:
            lines.append(bates)
        return lines
