"""What filing reports for each input: one line of `ingest --json` (DESIGN.md fields)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Outcome(enum.StrEnum):
    FILED = "filed"
    REVIEW = "review"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    ERROR = "error"


@dataclass
class IngestResult:
    """One line of `ingest --json` (fields named in DESIGN.md)."""

    source: str
    status: Outcome
    path: str | None = None
    original: str | None = None
    sha256: str | None = None
    matter: str | None = None
    reason: str | None = None
    document_id: int | None = None
    category: str = ""
    rule: str = ""
    flags: list[str] = field(default_factory=list)
    children: list[IngestResult] = field(default_factory=list)
    family_id: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": str(self.status),
            "path": self.path,
            "original": self.original,
            "sha256": self.sha256,
            "matter": self.matter,
            "reason": self.reason,
            "document_id": self.document_id,
            "category": self.category,
            "rule": self.rule,
            "flags": self.flags,
            "family_id": self.family_id,
            "notes": self.notes,
            "children": [c.to_json() for c in self.children],
        }
