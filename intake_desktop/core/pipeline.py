"""What the filing step asks of the stages before it: preparing a file and routing it.

The filer calls a `Preparer` (detect, convert, extract facts and attachments) and a
`Router` (matter, folder, name, or Review/ with a reason). The built-in versions here are
the simplest that are correct; the naming-rules and conversion features supply richer ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from intake_desktop.core.mime import detect_type


@dataclass(frozen=True)
class PageText:
    """The text layer of a PDF as read once while preparing it, so later steps (the OCR
    probe, the search index) need not parse the file again."""

    pages: tuple[str, ...]  # the text of each page read, in order (bounded, as search is)
    page_count: int
    every_page_has_text: bool  # every page shows text: nothing for OCR to do


@dataclass(frozen=True)
class Prepared:
    """A source made ready for filing."""

    detected_type: str
    # The file whose bytes become the filed copy: the source itself, or a converted file in
    # the work folder.
    filed_from: Path
    facts: dict[str, Any] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    # Details of each conversion (recorded as `converted` events).
    conversions: tuple[dict[str, Any], ...] = ()
    # Extracted attachments / archive members (files in the work folder), filed as children.
    children: tuple[Path, ...] = ()
    # The text layer of `filed_from`, when the preparer read it (None: read it if needed).
    text: PageText | None = None


class Preparer(Protocol):
    """`workdir` does not exist yet: create it (mkdir parents) only when writing into it.

    The filer removes it after filing.
    """

    def prepare(self, source: Path, sha256: str, workdir: Path) -> Prepared: ...


class PassThroughPreparer:
    """Detects the type by content and files the original bytes unchanged."""

    def prepare(self, source: Path, sha256: str, workdir: Path) -> Prepared:
        return Prepared(detected_type=detect_type(source), filed_from=source)


@dataclass(frozen=True)
class Candidate:
    """What a router knows about one incoming file."""

    source: Path
    relative: PurePosixPath  # path below its intake folder (or just the name)
    matter_hint: str | None  # from --matter, Intake/<matter>/ or the intake folder's config
    detected_type: str
    sha256: str
    size: int
    facts: dict[str, Any] = field(default_factory=dict)
    family_id: str | None = None
    parent_name: str | None = None  # the filed name of the parent, for children
    child_index: int = 0  # 1-based position among the parent's children (0: not a child)
    filed_suffix: str = ""  # extension of the filed copy (".pdf" when converted)


@dataclass(frozen=True)
class Decision:
    """Where a file goes. `review_reason` set: to Review/ instead."""

    matter: str | None
    folder: str = ""  # relative to the matter folder, posix separators
    filename: str = ""
    category: str = ""
    rule: str = ""
    document_date: str | None = None
    # Where the date came from: email_date, text:<label>, filename, capture_date, text,
    # parent (an attachment dated by its email), none. See core/rules/facts.py.
    date_source: str | None = None
    review_reason: str | None = None
    rules_version: str | None = None
    # "attorney": filed provisionally, a lawyer must approve (a rule's `approval`).
    approval: str | None = None


class Router(Protocol):
    def route(self, candidate: Candidate) -> Decision: ...


BUILTIN_RULES_VERSION = "builtin-1"
EMPTY_FILE_REASON = "the file is empty (0 bytes): ask the sender for it again"


def decide(router: Router, candidate: Candidate, refused: str | None = None) -> Decision:
    """Where a file goes: empty files and files the preparer refused go to Review/ first."""
    if candidate.size == 0:
        return Decision(
            matter=candidate.matter_hint, review_reason=EMPTY_FILE_REASON, rule="builtin"
        )
    if refused:
        return Decision(matter=candidate.matter_hint, review_reason=refused, rule="preparer")
    return router.route(candidate)


class BuiltinRouter:
    """Matter from --matter or Intake/<matter>/; subfolders and the name kept as they came."""

    rules_version = BUILTIN_RULES_VERSION

    def route(self, candidate: Candidate) -> Decision:
        if not candidate.matter_hint:
            return Decision(
                matter=None,
                review_reason="no matter: drop the file into Intake/<matter>/ or use --matter",
                rule="builtin",
                rules_version=self.rules_version,
            )
        parts = candidate.relative.parts
        if len(parts) > 1 and parts[0] == candidate.matter_hint:
            parts = parts[1:]  # Intake/<matter>/... : the folder named the matter
        relative = PurePosixPath(*parts)
        folder = relative.parent.as_posix()
        name = relative.name
        if candidate.filed_suffix and not name.lower().endswith(candidate.filed_suffix):
            name = f"{name}{candidate.filed_suffix}"
        return Decision(
            matter=candidate.matter_hint,
            folder="" if folder == "." else folder,
            filename=name,
            rule="builtin",
            rules_version=self.rules_version,
        )
