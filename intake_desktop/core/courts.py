"""Court profiles: per-court size limits and PDF rules, loaded and validated from TOML data.

Shipped profiles live in `resources/courts/*.toml`; admins add or override them in the
workspace's `.intake/courts/*.toml`. Every error names the file, the line and the field.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from intake_desktop.core import shipped
from intake_desktop.core.errors import BadInputError
from intake_desktop.core.toml_lines import line_of

DEFAULT_PART_PATTERN = "{stem} (Part {n} of {total}).pdf"
PAGE_SIZES: dict[str, tuple[float, float] | None] = {
    "any": None,
    "letter": (612.0, 792.0),
    "legal": (612.0, 1008.0),
    "a4": (595.28, 841.89),
}
STAMP_POSITIONS = ("lower-right", "lower-left", "upper-right", "upper-left")
FORMS_MODES = ("flatten", "keep")
PDFA_MODES = ("no", "preferred", "required")
FILENAME_CHARS = ("any", "letters-digits")
BLANK_PAGES = ("first", "rest", "all")
BLANK_CORNERS = STAMP_POSITIONS
_BLANK_KEYS = {"pages", "corner", "width_in", "height_in"}
ANNOTATION_MODES = ("keep", "flatten", "remove")
# Numbers that must say where they came from when present.
NEEDS_SOURCE = (
    "file_limit", "submission_limit", "filename_max", "margins_in", "colour_dpi", "blank_areas",
    "filename_chars",
)
MIN_LIMIT = 64 * 1024

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$", re.IGNORECASE)
_UNITS = {
    "b": 1,
    "kb": 1000,
    "kib": 1024,
    "mb": 1000**2,
    "mib": 1024**2,
    "gb": 1000**3,
    "gib": 1024**3,
}
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_PATTERN_FIELDS = {"stem", "n", "total"}


class CourtProfileError(BadInputError):
    """A court profile file is malformed, or the requested court is unknown."""


@dataclass(frozen=True)
class BlankArea:
    """A corner the clerk needs blank (Florida: 3 x 3 in. on page 1, 1 x 3 in. after)."""

    pages: str  # "first", "rest" or "all"
    corner: str  # "upper-right", ...
    width_in: float
    height_in: float

    def applies(self, page_number: int) -> bool:
        """Whether this area applies to the 1-based `page_number`."""
        if self.pages == "first":
            return page_number == 1
        if self.pages == "rest":
            return page_number > 1
        return True

    def rect(self, width_pt: float, height_pt: float) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) in points on an upright page of that size, origin lower left."""
        w, h = self.width_in * 72, self.height_in * 72
        x0 = width_pt - w if self.corner.endswith("right") else 0.0
        y0 = height_pt - h if self.corner.startswith("upper") else 0.0
        return (x0, y0, x0 + w, y0 + h)

    def describe(self) -> str:
        where = {"first": "page 1", "rest": "pages after the first", "all": "every page"}
        return (f"{self.height_in:g} x {self.width_in:g} in. {self.corner} of "
                f"{where[self.pages]}")


@dataclass(frozen=True)
class CourtProfile:
    """One court's filing rules. Sizes are bytes; `file_limit_bytes` None = none published."""

    id: str
    name: str
    file_limit_bytes: int | None
    submission_limit_bytes: int | None = None
    text_searchable: bool = False
    pdfa_preferred: bool = False
    page_size: str = "any"
    scan_dpi: int = 300
    filename_max: int | None = None
    part_pattern: str = DEFAULT_PART_PATTERN
    stamp_position: str = "lower-right"
    remove_active_content: bool = True
    forms: str = "flatten"
    annotations: str = "keep"
    pdfa_required: bool = False
    margins_in: float | None = None
    bookmarks_required: bool = False
    split_cover_page: bool = False
    blank_areas: tuple[BlankArea, ...] = ()
    filename_chars: str = "any"
    colour_dpi: int | None = None
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    path: Path | None = None

    @property
    def page_points(self) -> tuple[float, float] | None:
        """The required page size in points (portrait), or None for any size."""
        return PAGE_SIZES[self.page_size]


def generic_profile(limit_bytes: int) -> CourtProfile:
    """A size-limit-only profile for `fit --limit` without a court: active content is
    removed as every court profile does; forms and comments are kept."""
    return CourtProfile(
        id="generic",
        name=f"Size limit only ({format_size(limit_bytes)})",
        file_limit_bytes=limit_bytes,
        # What every court rejects goes (JavaScript, Launch, embedded files: kept as files).
        remove_active_content=True,
        forms="keep",
        annotations="keep",
        scan_dpi=200,
    )


def parse_size(value: object) -> int:
    """`35MB` -> 35,000,000; `35MiB` -> 36,700,160; an int is bytes. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError("a size must be a number or text like 25MB")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError("a size must be positive")
        return value
    if not isinstance(value, str):
        raise ValueError("a size must be a number or text like 25MB")
    m = _SIZE_RE.match(value)
    if not m:
        raise ValueError(f"{value!r} is not a size; write it like 25MB, 1.5MB or 500KB")
    number = float(m.group(1))
    unit = (m.group(2) or "b").lower()
    size = int(number * _UNITS[unit])
    if size <= 0:
        raise ValueError("a size must be positive")
    return size


LIMIT_FLOOR = 100_000  # no court's limit is near this; smaller is a typo (10 for 10MB)
LIMIT_FORMS = "25MB, 1.5MB, 500KB, 24MiB or 3000000B (1 MB = 1,000,000 bytes)"


def parse_limit(text: str) -> int:
    """A size limit typed by a person: a number with a unit, at least 100 KB.

    A bare number (`--limit 10`) is refused rather than guessed as bytes or megabytes.
    Raises ValueError with the accepted forms.
    """
    m = _SIZE_RE.match(text or "")
    if not m:
        raise ValueError(f"{text!r} is not a size; write it like {LIMIT_FORMS}")
    if not m.group(2):
        raise ValueError(f"{text!r} has no unit; write it like {LIMIT_FORMS}")
    size = parse_size(text)
    if size < LIMIT_FLOOR:
        raise ValueError(f"{text} is below the smallest limit fit accepts "
                         f"({format_size(LIMIT_FLOOR)}); write it like {LIMIT_FORMS}")
    return size


def format_size(size: int) -> str:
    """Bytes as decimal MB/KB text, matching how courts state limits."""
    if size >= 1000**2:
        return f"{size / 1000**2:.3g} MB"
    if size >= 1000:
        return f"{size / 1000:.3g} KB"
    return f"{size} bytes"


class _Checker:
    """Reads one profile table, collecting precise errors (file, line, field, fix)."""

    def __init__(
        self, path: Path, text: str, data: dict[str, Any], table: str | None = None
    ) -> None:
        self.path = path
        self.text = text
        self.data = data
        self.table = table

    def fail(self, key: str, what: str, fix: str, table: str | None = None) -> CourtProfileError:
        table = table or self.table
        line = line_of(self.text, key, table)
        where = f"line {line}, " if line else ""
        label = f"{table}.{key}" if table else key
        return CourtProfileError(f"{where}field '{label}': {what}", path=self.path, fix=fix)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any, fix: str) -> Any:
        if key not in self.data:
            return default
        value = self.data[key]
        if isinstance(value, bool) and kind is int:
            raise self.fail(key, "expected a number, got true/false", fix)
        if not isinstance(value, kind):
            raise self.fail(key, f"expected {_kind_name(kind)}, got {value!r}", fix)
        return value

    def choice(self, key: str, choices: tuple[str, ...] | list[str], default: str) -> str:
        fix = "use one of: " + ", ".join(f'"{c}"' for c in choices)
        value = self.get(key, str, default, fix)
        if value not in choices:
            raise self.fail(key, f"unknown value {value!r}", fix)
        return str(value)

    def size(self, key: str, *, required: bool) -> int | None:
        fix = 'write it like "25MB" (1 MB = 1,000,000 bytes), "24MiB" or a number of bytes'
        if key not in self.data:
            if required:
                raise CourtProfileError(
                    f"field '{key}' is missing",
                    path=self.path,
                    fix=f'add a line like {key} = "25MB" ("none" when the court gives no limit)',
                )
            return None
        value = self.data[key]
        if isinstance(value, str) and value.strip().lower() == "none":
            return None
        try:
            size = parse_size(value)
        except ValueError as exc:
            raise self.fail(key, str(exc), fix) from exc
        if size < MIN_LIMIT:
            raise self.fail(key, f"{size} bytes is implausibly small", fix)
        return size


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {bool: "true or false", int: "a whole number", str: "text in quotes", dict: "a table"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


KNOWN_KEYS = {
    "id",
    "name",
    "file_limit",
    "submission_limit",
    "text_searchable",
    "pdfa_preferred",
    "page_size",
    "scan_dpi",
    "filename_max",
    "part_pattern",
    "stamp_position",
    "remove_active_content",
    "forms",
    "annotations",
    "pdfa",
    "margins_in",
    "bookmarks_required",
    "split_cover_page",
    "blank_areas",
    "filename_chars",
    "colour_dpi",
    "sources",
}


def check_part_pattern(pattern: str) -> str | None:
    """Why `pattern` cannot name split parts, or None when it is fine."""
    try:
        fields = {
            name
            for _lit, name, _spec, _conv in string.Formatter().parse(pattern)
            if name is not None
        }
    except ValueError as exc:
        return f"not a valid pattern ({exc})"
    unknown = fields - _PATTERN_FIELDS
    if unknown:
        return f"unknown placeholder(s) {sorted(unknown)}; only {{stem}}, {{n}}, {{total}}"
    if "n" not in fields:
        return "must contain {n} so the parts get different names"
    if not pattern.lower().endswith(".pdf"):
        return "must end with .pdf"
    if "/" in pattern or "\\" in pattern:
        return "must not contain a folder separator"
    return None


def parse_profile(path: Path) -> CourtProfile:
    """Read and validate one profile file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CourtProfileError(
            f"cannot read the court profile ({exc})",
            path=path,
            fix="check that the file exists and is saved as UTF-8",
        ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CourtProfileError(
            f"not valid TOML ({exc})", path=path, fix="fix the syntax at that line"
        ) from exc
    c = _Checker(path, text, data)
    for key in data:
        if key not in KNOWN_KEYS:
            raise c.fail(
                key,
                "unknown field",
                "check the spelling; known fields are listed in resources/courts/README.md",
            )
    if "id" not in data:
        raise CourtProfileError(
            "field 'id' is missing", path=path, fix='add a line like id = "cacd" at the top'
        )
    court_id = c.get("id", str, "", 'use lower-case letters, digits and "-"')
    if not _ID_RE.match(court_id):
        raise c.fail("id", f"{court_id!r} is not a valid id", 'use lower-case letters, digits, "-"')
    name = c.get("name", str, "", 'add a line like name = "U.S. District Court, C.D. Cal."')
    if not name.strip():
        raise CourtProfileError(
            "field 'name' is missing or empty", path=path, fix='add name = "..." with the full name'
        )
    file_limit = c.size("file_limit", required=True)
    submission_limit = c.size("submission_limit", required=False)
    if file_limit and submission_limit and submission_limit < file_limit:
        raise c.fail(
            "submission_limit",
            "is smaller than file_limit",
            "the per-submission limit must be at least the per-file limit",
        )
    dpi = c.get("scan_dpi", int, 300, "use a whole number of dots per inch, e.g. 300")
    if not 72 <= dpi <= 1200:
        raise c.fail("scan_dpi", f"{dpi} is outside 72-1200", "use a value like 200 or 300")
    filename_max = c.get("filename_max", int, None, "use a whole number of characters, e.g. 50")
    if filename_max is not None and not 20 <= filename_max <= 255:
        raise c.fail("filename_max", f"{filename_max} is outside 20-255", "use a value like 50")
    pattern = c.get("part_pattern", str, DEFAULT_PART_PATTERN, f'e.g. "{DEFAULT_PART_PATTERN}"')
    problem = check_part_pattern(pattern)
    if problem:
        raise c.fail("part_pattern", problem, f'e.g. "{DEFAULT_PART_PATTERN}"')
    pdfa = c.choice("pdfa", PDFA_MODES, "no")
    pdfa_preferred = c.get("pdfa_preferred", bool, False, "use true or false")
    colour_dpi = c.get("colour_dpi", int, None, "use a whole number of dots per inch, e.g. 600")
    if colour_dpi is not None and not 72 <= colour_dpi <= 1200:
        raise c.fail("colour_dpi", f"{colour_dpi} is outside 72-1200", "use a value like 300")
    margins = c.get("margins_in", (int, float), None, "use inches as a number, e.g. 1 or 0.75")
    if isinstance(margins, bool) or (margins is not None and not 0 < margins <= 3):
        raise c.fail("margins_in", f"{margins!r} is not a margin in inches",
                     "use inches as a number from 0.1 to 3, e.g. 1")
    blank_areas = _blank_areas(c)
    sources_raw = c.get("sources", dict, {}, "add a [sources] table: field = \"URL\"")
    sources: dict[str, str] = {}
    for key, value in sources_raw.items():
        if key not in KNOWN_KEYS or key in ("id", "name", "sources"):
            raise c.fail(
                key, "is not a profile field", "each source is named after the field it backs",
                table="sources",
            )
        if not isinstance(value, str) or not value.strip():
            raise c.fail(key, "must be a URL or note in quotes", 'e.g. "https://..."', "sources")
        sources[key] = value
    filename_chars = c.choice("filename_chars", FILENAME_CHARS, "any")
    numbers = {"file_limit": file_limit, "submission_limit": submission_limit,
               "filename_max": filename_max, "margins_in": margins, "colour_dpi": colour_dpi,
               "blank_areas": blank_areas or None,
               "filename_chars": None if filename_chars == "any" else filename_chars}
    if pdfa == "required" and "pdfa" not in sources:
        raise CourtProfileError("field 'pdfa' is \"required\" but has no source", path=path,
                                fix='add pdfa = "URL of the court page" under [sources]')
    for key in NEEDS_SOURCE:
        if numbers[key] is not None and key not in sources:
            raise CourtProfileError(
                f"field '{key}' has no source",
                path=path,
                fix=f'add {key} = "URL of the court page" under [sources]',
            )
    return CourtProfile(
        id=court_id,
        name=name,
        file_limit_bytes=file_limit,
        submission_limit_bytes=submission_limit,
        text_searchable=c.get("text_searchable", bool, False, "use true or false"),
        pdfa_preferred=pdfa_preferred or pdfa in ("preferred", "required"),
        pdfa_required=pdfa == "required",
        margins_in=float(margins) if margins is not None else None,
        bookmarks_required=c.get("bookmarks_required", bool, False, "use true or false"),
        split_cover_page=c.get("split_cover_page", bool, False, "use true or false"),
        blank_areas=blank_areas,
        filename_chars=filename_chars,
        colour_dpi=colour_dpi,
        page_size=c.choice("page_size", list(PAGE_SIZES), "any"),
        scan_dpi=dpi,
        filename_max=filename_max,
        part_pattern=pattern,
        stamp_position=c.choice("stamp_position", STAMP_POSITIONS, "lower-right"),
        remove_active_content=c.get("remove_active_content", bool, True, "use true or false"),
        forms=c.choice("forms", FORMS_MODES, "flatten"),
        annotations=c.choice("annotations", ANNOTATION_MODES, "keep"),
        sources=MappingProxyType(sources),
        path=path,
    )


def _blank_areas(c: _Checker) -> tuple[BlankArea, ...]:
    """The `[[blank_areas]]` tables: pages, corner, width_in, height_in."""
    fix = ('write [[blank_areas]] tables with pages = "first", corner = "upper-right", '
           "width_in = 3, height_in = 3")
    raw = c.get("blank_areas", list, [], fix)
    areas = []
    for item in raw:
        if not isinstance(item, dict):
            raise c.fail("blank_areas", "each blank area must be a [[blank_areas]] table", fix)
        for key in item:
            if key not in _BLANK_KEYS:
                raise c.fail(key, "unknown field", "use pages, corner, width_in, height_in",
                             table="blank_areas")
        sub = _Checker(c.path, c.text, item, "blank_areas")
        pages = sub.choice("pages", BLANK_PAGES, "all")
        corner = sub.choice("corner", BLANK_CORNERS, "upper-right")
        size = []
        for key in ("width_in", "height_in"):
            value = item.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 11:
                raise c.fail(key, f"{value!r} is not a size in inches", fix, table="blank_areas")
            size.append(float(value))
        areas.append(BlankArea(pages, corner, size[0], size[1]))
    return tuple(areas)


def shipped_courts_dir() -> Path:
    return shipped.courts_dir()


def _load_dir(folder: Path, profiles: dict[str, CourtProfile]) -> None:
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob("*.toml")):
        profile = parse_profile(path)
        if profile.id in seen:
            raise CourtProfileError(
                f"id '{profile.id}' is also used by {seen[profile.id].name}",
                path=path,
                fix="give each profile in one folder its own id",
            )
        seen[profile.id] = path
        profiles[profile.id] = profile


def load_profiles(extra_dir: Path | None = None) -> dict[str, CourtProfile]:
    """All court profiles by id: shipped ones, overridden by those in `extra_dir`."""
    profiles: dict[str, CourtProfile] = {}
    folder = shipped_courts_dir()  # a missing folder raises ShippedDataError, naming it
    _load_dir(folder, profiles)
    if not profiles:
        raise shipped.ShippedDataError("no court profiles were found", path=folder,
                                       fix=shipped.REINSTALL_FIX)
    if extra_dir is not None and extra_dir.is_dir():
        _load_dir(extra_dir, profiles)
    return profiles


def load_profile(court_id: str, extra_dir: Path | None = None) -> CourtProfile:
    """One profile by id; an unknown id lists the known ones."""
    profiles = load_profiles(extra_dir)
    try:
        return profiles[court_id]
    except KeyError:
        known = ", ".join(sorted(profiles))
        looked = [str(shipped_courts_dir())]
        if extra_dir is not None:
            looked.append(str(extra_dir))
        raise CourtProfileError(
            f"unknown court '{court_id}' (profiles were looked for in {' and '.join(looked)})",
            fix=f"use one of: {known}; or add a profile in .intake/courts/",
        ) from None
