"""Plain values for the desktop app's ledger queries: document filters and user profiles."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentFilter:
    """What the exhibit browser asks for. Empty fields do not filter.

    `text` matches (case-insensitively) the filed path, the source path, the category and
    the matter, and (whole words or word starts) what the document says and the Bates
    numbers and exhibit labels stamped on it. Dates are `YYYY-MM-DD` and compare with the
    document's date, or the day it was received when the rules found no date.
    """

    statuses: tuple[str, ...] = ("filed",)
    matter_id: str = ""
    category: str = ""
    date_from: str = ""
    date_to: str = ""
    text: str = ""
    exclude_matters: tuple[str, ...] = ()  # matter walls: never shown to this person


@dataclass(frozen=True)
class UserRecord:
    name: str
    role: str
    passphrase_hash: str
    created_at: str
    updated_at: str
    initials: str = ""  # migration 0007_people_walls
    account: str = ""  # the computer account this person signs in from by default


@dataclass(frozen=True)
class MatterRecord:
    """A matter of the firm: `id` is how it is filed (Matters/<id>/)."""

    id: str
    name: str = ""
    number: str = ""
    client: str = ""
    practice: str = ""  # the naming preset / checklist it follows
    attorney: str = ""  # responsible attorney
    created_at: str = ""


@dataclass(frozen=True)
class DocumentText:
    """What full-text search keeps about a document."""

    document_id: int
    pages: int | None
    body: str
    labels: str
