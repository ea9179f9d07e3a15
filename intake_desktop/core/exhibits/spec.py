"""The exhibit-set spec (TOML): load, validate, and name the line of every mistake.

    [set]
    name = "Smith v. Jones - Plaintiff's trial exhibits"
    label_scheme = "numbers"          # or "letters" (A..Z, AA, AB ...)
    label_prefix = "Pltf. Ex."        # "Def. Ex.", "Joint Ex.", "Exhibit" ...
    first_label = 1                   # or "A"; continue a series from an earlier set
    court = "cand"                    # court profile: size limit, part names, stamp place
    stamp_position = "bottom-right"   # overrides the court profile
    stamp_positions = ["bottom-right", "bottom-left", "top-right"]
                                      # where the stamp may go, in order of preference;
                                      # the first whose area is blank wins (default: the
                                      # stamp_position's edge, then the opposite edge)
    shrink_to_fit = true              # no blank place: shrink the page's content to leave
                                      # a blank strip (false: refuse the page)
    margin_x = 36                     # points from the visible page edge
    margin_y = 18
    font_size = 10
    backing = false                   # opaque white box behind the stamp (only ever
                                      # drawn where the area is blank anyway)
    font = "embedded"                 # or "helvetica" (standard, not embedded); default:
                                      # embedded when the court profile prefers PDF/A
    slip_sheets = true
    page_labels = false               # "Ex. 3 - p. 2" on every page
    label_on_first_page = true
    binder = true

    [caption]                         # optional: the AO 187 caption of the index
    court = "United States District Court"
    district = "Central District of California"
    case_number = "2:24-cv-01234"
    judge = "Hon. Ana Ruiz"
    plaintiff = "Maria Reyes"
    defendant = "Acme Logistics, Inc."
    plaintiff_attorneys = "J. Park, Park & Lee LLP"
    defendant_attorneys = "R. Stone"
    trial_dates = "2025-03-03"
    court_reporter = ""
    courtroom_deputy = ""
    party = "plaintiff"               # whose exhibits: "plaintiff", "defendant" or "joint"
                                      # (default: from label_prefix, "Def. Ex." -> defendant)

    [bates]                           # optional: no table, no Bates numbers
    prefix = "SMITH"
    suffix = ""
    digits = 6
    start = 1                         # optional: default is the next free number
    range_separator = " - "           # how ranges are written: SMITH000004 - SMITH000005

    [[exhibit]]
    file = "records/er-visit.pdf"     # relative to this file; or document = 12,
                                      # or sha256 = "..." (a filed document)
    description = "ER record"
    date = 2024-03-01
    witness = "Dr. Lee"
    provider = "County ER"            # optional, for the chronology
    amount = "1,250.00"               # optional amount billed, for the chronology
    kind = "treatment"                # optional chronology kind; default: "treatment" when
                                      # a provider or amount is given, else "event".
                                      # Gaps are flagged only between rows of one kind.
    [[exhibit.entry]]                 # optional chronology rows inside the exhibit
    date = 2024-03-01
    description = "ER visit: lumbar strain"
    pages = "1-3"                     # pages of this exhibit: the row cites their Bates
    provider = "County ER"
    amount = 1250
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake_desktop.core.errors import BadInputError
from intake_desktop.core.exhibits.labels import (
    DEFAULT_PREFIX,
    LabelScheme,
    letters,
    letters_to_number,
)
from intake_desktop.core.pdf.stamp import Corner
from intake_desktop.core.pdf.stamp_fonts import FONT_CHOICES

# legal.md: zero-padded to 6-7 digits in common practice, 6-15 allowed. Fewer digits run
# out (999 pages with 3) and read as ambiguous next to page and exhibit numbers.
MIN_DIGITS, MAX_DIGITS = 6, 15
SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}$")


class SpecError(BadInputError):
    """The exhibit-set spec is invalid; the message names the line and field."""


@dataclass(frozen=True)
class BatesSpec:
    prefix: str
    suffix: str = ""
    digits: int = 6
    start: int | None = None
    range_separator: str = " - "  # "ABC-000004 - ABC-000005"

    def range(self, first: str, last: str) -> str:
        return first if first == last else f"{first}{self.range_separator}{last}"


PARTIES = ("plaintiff", "defendant", "joint")


@dataclass(frozen=True)
class CaptionSpec:
    """The caption of an AO 187 exhibit list; empty fields print as blanks to fill in."""

    court: str = "United States District Court"
    district: str = ""
    case_number: str = ""
    judge: str = ""
    plaintiff: str = ""
    defendant: str = ""
    plaintiff_attorneys: str = ""
    defendant_attorneys: str = ""
    trial_dates: str = ""
    court_reporter: str = ""
    courtroom_deputy: str = ""
    party: str = ""  # "plaintiff", "defendant", "joint"; "" = from the label prefix


CAPTION_KEYS = {f for f in CaptionSpec.__dataclass_fields__}


@dataclass(frozen=True)
class ChronologyEntry:
    date: dt.date
    description: str
    first_page: int | None = None
    last_page: int | None = None
    provider: str = ""
    amount: str = ""  # amount billed, as written ("1,250.00")
    kind: str = ""  # "" = inferred (treatment when provider or amount, else event)


@dataclass(frozen=True)
class ExhibitEntry:
    position: int  # 1-based place in the spec
    line: int
    description: str
    file: Path | None = None
    document_id: int | None = None
    sha256: str | None = None
    date: dt.date | None = None
    witness: str = ""
    provider: str = ""
    amount: str = ""
    entries: tuple[ChronologyEntry, ...] = ()
    kind: str = ""

    @property
    def reference(self) -> str:
        if self.file is not None:
            return str(self.file)
        if self.document_id is not None:
            return f"document {self.document_id}"
        return f"sha256 {self.sha256}"


@dataclass(frozen=True)
class ExhibitSetSpec:
    path: Path
    name: str
    exhibits: tuple[ExhibitEntry, ...]
    label_scheme: LabelScheme = LabelScheme.NUMBERS
    label_prefix: str = DEFAULT_PREFIX
    first_label: int = 1
    bates: BatesSpec | None = None
    court: str | None = None
    stamp_position: Corner | None = None
    stamp_positions: tuple[Corner, ...] = ()
    shrink_to_fit: bool = True
    margin_x: float = 36.0
    margin_y: float = 18.0
    font_size: float = 10.0
    backing: bool = False
    slip_sheets: bool = True
    page_labels: bool = False
    label_on_first_page: bool = True
    binder: bool = True
    matter: str | None = None
    font: str | None = None  # "helvetica" or "embedded"; None: embedded if the court wants PDF/A
    caption: CaptionSpec = field(default_factory=CaptionSpec)
    warnings: tuple[str, ...] = field(default=())


SET_KEYS = {
    "name", "label_scheme", "label_prefix", "first_label", "court", "stamp_position",
    "margin_x", "margin_y", "font_size", "backing", "slip_sheets", "page_labels",
    "label_on_first_page", "binder", "matter", "font", "stamp_positions", "shrink_to_fit",
}
BATES_KEYS = {"prefix", "suffix", "digits", "start", "range_separator"}
EXHIBIT_KEYS = {"file", "document", "sha256", "description", "date", "witness", "provider",
                "amount", "entry", "kind"}
ENTRY_KEYS = {"date", "description", "pages", "provider", "amount", "kind"}
AMOUNT_RE = re.compile(r"^\$?\s*\d{1,3}(,?\d{3})*(\.\d{1,2})?$")
POSITION_ALIASES = {"lower": "bottom", "upper": "top"}


class _Lines:
    """Finds the line of a table or key in the TOML text (tomllib gives no positions)."""

    HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?")

    def __init__(self, text: str) -> None:
        self.tables: list[tuple[str, int]] = []  # (header, line)
        self.keys: list[tuple[int, str, int]] = []  # (table index, key, line)
        current = -1
        for no, raw in enumerate(text.splitlines(), start=1):
            m = self.HEADER.match(raw)
            if m:
                self.tables.append((m.group(2), no))
                current = len(self.tables) - 1
                continue
            km = re.match(r"^\s*([A-Za-z0-9_\-]+)\s*=", raw)
            if km:
                self.keys.append((current, km.group(1), no))

    def table(self, header: str, occurrence: int = 1) -> tuple[int, int]:
        """(table index, line) of the n-th table with this header; (-1, 0) if absent."""
        seen = 0
        for i, (name, no) in enumerate(self.tables):
            if name == header:
                seen += 1
                if seen == occurrence:
                    return i, no
        return -1, 0

    def key(self, table_index: int, key: str, fallback: int) -> int:
        for t, k, no in self.keys:
            if t == table_index and k == key:
                return no
        return fallback

    def entry_table(self, exhibit_table: int, n: int) -> tuple[int, int]:
        """The n-th [[exhibit.entry]] after the given [[exhibit]] table."""
        seen = 0
        for i in range(exhibit_table + 1, len(self.tables)):
            name, no = self.tables[i]
            if name == "exhibit":
                break
            if name == "exhibit.entry":
                seen += 1
                if seen == n:
                    return i, no
        return exhibit_table, self.tables[exhibit_table][1] if exhibit_table >= 0 else 0


class _Checker:
    def __init__(self, path: Path, lines: _Lines) -> None:
        self.path = path
        self.lines = lines

    def fail(self, line: int, where: str, what: str, fix: str) -> SpecError:
        at = f"line {line}, {where}" if line else where
        return SpecError(f"{at}: {what}", path=self.path, fix=fix)

    def unknown(self, data: dict[str, Any], known: set[str], table: int, where: str) -> None:
        for key in data:
            if key not in known:
                line = self.lines.key(table, key, 0)
                raise self.fail(line, where, f"unknown key {key!r}",
                                f"use one of: {', '.join(sorted(known))}")

    def table(self, data: dict[str, Any], name: str, known: set[str], missing: str,
              fix: str) -> tuple[dict[str, Any], int, int]:
        """The `[name]` table of a spec: (table, table index, line), its unknown keys
        refused; an error saying `missing` (and `fix`) when it is not there."""
        found = self.optional_table(data, name, known)
        if found is None:
            raise self.fail(self.lines.table(name)[1], f"[{name}]", missing, fix)
        return found

    def optional_table(self, data: dict[str, Any], name: str,
                       known: set[str]) -> tuple[dict[str, Any], int, int] | None:
        """Like `table`, None when the spec has no `[name]`."""
        value = data.get(name)
        t, line = self.lines.table(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail(line, f"[{name}]", "must be a table",
                            f"write [{name}] on its own line")
        self.unknown(value, known, t, f"[{name}]")
        return value, t, line

    def array(self, data: dict[str, Any], name: str, known: set[str],
              fix: str) -> Iterator[tuple[int, dict[str, Any], int, int, str]]:
        """The `[[name]]` tables of a spec, each as (n from 1, table, table index, line,
        where) with its unknown keys refused; none when absent, an error when `name` is
        not written as [[name]] tables (`fix` says how)."""
        raw = data.get(name, [])
        if not isinstance(raw, list):
            raise self.fail(self.lines.table(name)[1], f"[[{name}]]",
                            f"must be [[{name}]] tables", fix)
        for n, table in enumerate(raw, start=1):
            t, line = self.lines.table(name, n)
            where = f"{name} {n}"
            self.unknown(table, known, t, where)
            yield n, table, t, line, where

    def one_of(self, data: dict[str, Any], keys: tuple[str, ...], line: int, where: str,
               fix: str) -> None:
        """Exactly one of `keys` (how an entry names its document) must be given."""
        given = [k for k in keys if k in data]
        if len(given) != 1:
            names = f"{', '.join(keys[:-1])} or {keys[-1]}"
            raise self.fail(line, where, f"needs exactly one of {names}"
                            + (f" (has {', '.join(given)})" if given else ""), fix)

    def reference(self, data: dict[str, Any], t: int, line: int,
                  where: str) -> tuple[int | None, str | None]:
        """A document named by its ledger id (`document`) or `sha256`: (id, sha), each None
        when not given."""
        doc_id = sha = None
        if "document" in data:
            raw = data["document"]
            if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
                raise self.fail(self.lines.key(t, "document", line), f"{where} 'document'",
                                "must be a ledger document id (a whole number)",
                                "see `intake-desktop ledger history` for ids")
            doc_id = raw
        if "sha256" in data:
            sha = self.text(data, "sha256", t, where, required=True)
            if not SHA256_RE.match(sha):
                raise self.fail(self.lines.key(t, "sha256", line), f"{where} 'sha256'",
                                "is not a SHA-256 (64 hexadecimal characters)",
                                "copy the full hash from the ledger")
            sha = sha.lower()
        return doc_id, sha

    def text(self, data: dict[str, Any], key: str, table: int, where: str,
             default: str = "", required: bool = False, max_len: int = 500) -> str:
        if key not in data:
            if required:
                line = self.lines.tables[table][1] if table >= 0 else 0
                raise self.fail(line, where, f"{key!r} is missing", f'add {key} = "..."')
            return default
        value = data[key]
        line = self.lines.key(table, key, 0)
        if not isinstance(value, str):
            raise self.fail(line, f"{where} {key!r}", "must be text in quotes",
                            f'write {key} = "..."')
        value = value.strip()
        if required and not value:
            raise self.fail(line, f"{where} {key!r}", "must not be empty", "fill it in")
        if len(value) > max_len:
            raise self.fail(line, f"{where} {key!r}", f"is longer than {max_len} characters",
                            "shorten it")
        return value

    def boolean(self, data: dict[str, Any], key: str, table: int, where: str,
                default: bool) -> bool:
        if key not in data:
            return default
        if not isinstance(data[key], bool):
            raise self.fail(self.lines.key(table, key, 0), f"{where} {key!r}",
                            "must be true or false", f"write {key} = true or {key} = false")
        return bool(data[key])

    def number(self, data: dict[str, Any], key: str, table: int, where: str,
               default: float, low: float, high: float) -> float:
        if key not in data:
            return default
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
            low <= value <= high
        ):
            raise self.fail(self.lines.key(table, key, 0), f"{where} {key!r}",
                            f"must be a number from {low:g} to {high:g}",
                            f"e.g. {key} = {default:g}")
        return float(value)

    def amount(self, data: dict[str, Any], table: int, where: str) -> str:
        """An amount billed: a number or text like "1,250.00", shown as 1,250.00."""
        if "amount" not in data:
            return ""
        value = data["amount"]
        line = self.lines.key(table, "amount", 0)
        if isinstance(value, str) and AMOUNT_RE.match(value.strip()):
            value = float(value.strip().lstrip("$").strip().replace(",", ""))
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.fail(line, f"{where} 'amount'", f"{value!r} is not an amount",
                            'write amount = 1250.00 or amount = "1,250.00"')
        return f"{value:,.2f}"

    def date(self, data: dict[str, Any], key: str, table: int, where: str) -> dt.date | None:
        if key not in data:
            return None
        value = data[key]
        line = self.lines.key(table, key, 0)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.fail(line, f"{where} {key!r}", f"{value!r} is not a date",
                        f"write dates as YYYY-MM-DD, e.g. {key} = 2024-03-01")


def _pages(value: Any) -> tuple[int, int] | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value, value
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", value)
        if m:
            first = int(m.group(1))
            last = int(m.group(2) or first)
            if 1 <= first <= last:
                return first, last
    return None


def _position(value: str) -> Corner | None:
    norm = value.strip().lower().replace("_", "-").replace(" ", "-")
    for old, new in POSITION_ALIASES.items():
        norm = norm.replace(old, new)
    try:
        return Corner(norm)
    except ValueError:
        return None


def load_spec(path: Path) -> ExhibitSetSpec:
    """Read and validate a spec file; every error names the file, line and field."""
    return parse_spec(read_spec(path, "exhibit-set spec"), path)


def read_spec(path: Path, what: str) -> str:
    """The text of a spec file (`what` names the kind in the error)."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read the {what} ({exc.strerror})", path=path,
                        fix="check the path") from exc
    except UnicodeDecodeError as exc:
        raise SpecError("the spec is not UTF-8 text", path=path,
                        fix="save it as UTF-8") from exc


def bates_digits(ck: _Checker, b: dict[str, Any], b_t: int, b_line: int) -> int:
    """`[bates] digits`: 6 to 15 (legal.md), 6 when absent; a line-numbered error else."""
    raw_digits = b.get("digits", 6)
    if (isinstance(raw_digits, int) and not isinstance(raw_digits, bool)
            and 1 <= raw_digits < MIN_DIGITS):
        raise ck.fail(ck.lines.key(b_t, "digits", b_line), "[bates] 'digits'",
                      f"{raw_digits} is too few: Bates numbers are zero-padded to "
                      f"{MIN_DIGITS} to {MAX_DIGITS} digits (6-7 are common), so a "
                      f"production never runs out of numbers and each reads unambiguously",
                      f"write digits = {MIN_DIGITS} or more")
    digits = int(ck.number(b, "digits", b_t, "[bates]", 6, MIN_DIGITS, MAX_DIGITS))
    if "digits" in b and not isinstance(b["digits"], int):
        raise ck.fail(ck.lines.key(b_t, "digits", b_line), "[bates] 'digits'",
                      "must be a whole number", "e.g. digits = 6")
    return digits


def bates_start(ck: _Checker, b: dict[str, Any], b_t: int, b_line: int) -> int | None:
    """`[bates] start`: a whole number of 1 or more; None (continue from the ledger) when
    absent."""
    if "start" not in b:
        return None
    raw = b["start"]
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise ck.fail(ck.lines.key(b_t, "start", b_line), "[bates] 'start'",
                      "must be a whole number of 1 or more",
                      "e.g. start = 1, or remove it to continue at the next free number")
    return raw


def open_spec(
    text: str, path: Path, tables: tuple[str, ...], use: str
) -> tuple[dict[str, Any], _Lines, _Checker]:
    """A spec's TOML with its line finder and checker; only `tables` at the top level
    (`use` says which, in words, when another is found)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"not valid TOML ({exc})", path=path,
                        fix="fix the line named above") from exc
    lines = _Lines(text)
    ck = _Checker(path, lines)
    for key in data:
        if key not in tables:
            raise ck.fail(lines.key(-1, key, lines.table(key)[1]), "top level",
                          f"unknown table or key {key!r}", f"use {use}")
    return data, lines, ck


def parse_spec(text: str, path: Path) -> ExhibitSetSpec:
    data, lines, ck = open_spec(text, path, ("set", "bates", "exhibit", "caption"),
                                "[set], [caption], [bates] and [[exhibit]]")
    warnings: list[str] = []
    s, set_t, set_line = ck.table(data, "set", SET_KEYS, "the [set] table is missing",
                                  'start the file with [set] and name = "..."')
    name = ck.text(s, "name", set_t, "[set]", required=True, max_len=120)
    scheme_text = ck.text(s, "label_scheme", set_t, "[set]", default="numbers")
    try:
        scheme = LabelScheme(scheme_text.lower())
    except ValueError:
        raise ck.fail(lines.key(set_t, "label_scheme", set_line), "[set] 'label_scheme'",
                      f"unknown scheme {scheme_text!r}",
                      'use "numbers" (1, 2, 3) or "letters" (A..Z, AA, AB)') from None
    prefix = ck.text(s, "label_prefix", set_t, "[set]", default=DEFAULT_PREFIX, max_len=40)
    first_label = 1
    if "first_label" in s:
        raw = s["first_label"]
        fl_line = lines.key(set_t, "first_label", set_line)
        try:
            if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 1:
                first_label = raw
            elif isinstance(raw, str) and scheme is LabelScheme.LETTERS:
                first_label = letters_to_number(raw.strip())
            elif isinstance(raw, str) and raw.strip().isdigit() and int(raw) >= 1:
                first_label = int(raw)
            else:
                raise ValueError(raw)
        except ValueError:
            raise ck.fail(fl_line, "[set] 'first_label'", f"{raw!r} is not a label to start at",
                          'write a number such as 12, or with letters a letter such as "M"'
                          ) from None
    position = None
    if "stamp_position" in s:
        pos_text = ck.text(s, "stamp_position", set_t, "[set]")
        position = _position(pos_text)
        if position is None:
            raise ck.fail(lines.key(set_t, "stamp_position", set_line),
                          "[set] 'stamp_position'", f"unknown position {pos_text!r}",
                          f"use one of: {', '.join(c.value for c in Corner)}")
    positions: list[Corner] = []
    if "stamp_positions" in s:
        sp_line = lines.key(set_t, "stamp_positions", set_line)
        raw_positions = s["stamp_positions"]
        if not isinstance(raw_positions, list) or not raw_positions:
            raise ck.fail(sp_line, "[set] 'stamp_positions'", "must be a list of positions",
                          'e.g. stamp_positions = ["bottom-right", "bottom-left"]')
        for item in raw_positions:
            corner = _position(item) if isinstance(item, str) else None
            if corner is None:
                raise ck.fail(sp_line, "[set] 'stamp_positions'",
                              f"unknown position {item!r}",
                              f"use some of: {', '.join(c.value for c in Corner)}")
            positions.append(corner)
        if position is None:
            position = positions[0]
    court = ck.text(s, "court", set_t, "[set]") or None
    font = ck.text(s, "font", set_t, "[set]").lower() or None
    if font is not None and font not in FONT_CHOICES:
        raise ck.fail(lines.key(set_t, "font", set_line), "[set] 'font'",
                      f"unknown font {font!r}",
                      'use "helvetica" (standard, not embedded) or "embedded" (for PDF/A)')
    matter = ck.text(s, "matter", set_t, "[set]") or None

    caption = CaptionSpec()
    found = ck.optional_table(data, "caption", CAPTION_KEYS)
    if found is not None:
        cap, c_t, c_line = found
        values = {k: ck.text(cap, k, c_t, "[caption]", default=getattr(caption, k))
                  for k in sorted(CAPTION_KEYS)}
        values["party"] = values["party"].lower()
        if values["party"] and values["party"] not in PARTIES:
            raise ck.fail(lines.key(c_t, "party", c_line), "[caption] 'party'",
                          f"unknown party {values['party']!r}",
                          'use "plaintiff", "defendant" or "joint"')
        caption = CaptionSpec(**values)

    bates = None
    found = ck.optional_table(data, "bates", BATES_KEYS)
    if found is not None:
        b, b_t, b_line = found
        bprefix = ck.text(b, "prefix", b_t, "[bates]", required=True, max_len=40)
        if any(ch in bprefix for ch in "\\/:*?\"<>|"):
            raise ck.fail(lines.key(b_t, "prefix", b_line), "[bates] 'prefix'",
                          "contains a character not allowed in file names",
                          "use letters, digits, '-' or '_'")
        suffix = ck.text(b, "suffix", b_t, "[bates]", max_len=20)
        digits = bates_digits(ck, b, b_t, b_line)
        start = bates_start(ck, b, b_t, b_line)
        if bprefix[-1].isdigit():
            warnings.append(
                f"Bates prefix {bprefix!r} ends in a digit, so numbers read ambiguously "
                f"({bprefix}{1:0{digits}d}); consider ending it with '-' or '_'"
            )
        separator = " - "
        if "range_separator" in b:
            separator = b["range_separator"]
            if not isinstance(separator, str) or not separator.strip() or len(separator) > 5:
                raise ck.fail(lines.key(b_t, "range_separator", b_line),
                              "[bates] 'range_separator'",
                              "must be a short text such as \" - \" or \" to \"",
                              'e.g. range_separator = " - "')
        bates = BatesSpec(prefix=bprefix, suffix=suffix, digits=digits, start=start,
                          range_separator=separator)

    raw_exhibits = data.get("exhibit")
    if not isinstance(raw_exhibits, list) or not raw_exhibits:
        raise ck.fail(0, "[[exhibit]]", "the set has no exhibits",
                      'add an [[exhibit]] table with file = "..." and description = "..."')
    exhibits = []
    for n, ex, t, line, where in ck.array(data, "exhibit", EXHIBIT_KEYS, ""):
        ck.one_of(ex, ("file", "document", "sha256"), line, where,
                  'write file = "path/to.pdf" (relative to the spec), document = 12 '
                  'or sha256 = "..."')
        file = None
        if "file" in ex:
            file_text = ck.text(ex, "file", t, where, required=True, max_len=1000)
            file_path = Path(file_text).expanduser()
            file = file_path if file_path.is_absolute() else path.parent / file_path
        doc_id, sha = ck.reference(ex, t, line, where)
        description = ck.text(ex, "description", t, where, required=True)
        entries = []
        raw_entries = ex.get("entry", [])
        if not isinstance(raw_entries, list):
            raise ck.fail(line, f"{where} 'entry'", "must be [[exhibit.entry]] tables",
                          "write each chronology row as [[exhibit.entry]]")
        for m, en in enumerate(raw_entries, start=1):
            et, eline = lines.entry_table(t, m)
            ewhere = f"exhibit {n} entry {m}"
            ck.unknown(en, ENTRY_KEYS, et, ewhere)
            edate = ck.date(en, "date", et, ewhere)
            if edate is None:
                raise ck.fail(eline, ewhere, "'date' is missing", "add date = YYYY-MM-DD")
            first = last = None
            if "pages" in en:
                pages = _pages(en["pages"])
                if pages is None:
                    raise ck.fail(lines.key(et, "pages", eline), f"{ewhere} 'pages'",
                                  f"{en['pages']!r} is not a page or range",
                                  'write pages = 3 or pages = "3-5" (pages of this exhibit)')
                first, last = pages
            entries.append(ChronologyEntry(
                date=edate,
                description=ck.text(en, "description", et, ewhere, required=True),
                first_page=first, last_page=last,
                provider=ck.text(en, "provider", et, ewhere),
                amount=ck.amount(en, et, ewhere),
                kind=ck.text(en, "kind", et, ewhere, max_len=40).lower(),
            ))
        exhibits.append(ExhibitEntry(
            position=n, line=line, description=description, file=file, document_id=doc_id,
            sha256=sha, date=ck.date(ex, "date", t, where),
            witness=ck.text(ex, "witness", t, where),
            provider=ck.text(ex, "provider", t, where),
            amount=ck.amount(ex, t, where),
            entries=tuple(entries),
            kind=ck.text(ex, "kind", t, where, max_len=40).lower(),
        ))
    return ExhibitSetSpec(
        path=path,
        name=name,
        exhibits=tuple(exhibits),
        label_scheme=scheme,
        label_prefix=prefix,
        first_label=first_label,
        bates=bates,
        court=court,
        stamp_position=position,
        stamp_positions=tuple(dict.fromkeys(positions)),
        shrink_to_fit=ck.boolean(s, "shrink_to_fit", set_t, "[set]", True),
        margin_x=ck.number(s, "margin_x", set_t, "[set]", 36.0, 0, 144),
        margin_y=ck.number(s, "margin_y", set_t, "[set]", 18.0, 0, 144),
        font_size=ck.number(s, "font_size", set_t, "[set]", 10.0, 4, 36),
        backing=ck.boolean(s, "backing", set_t, "[set]", False),
        slip_sheets=ck.boolean(s, "slip_sheets", set_t, "[set]", True),
        page_labels=ck.boolean(s, "page_labels", set_t, "[set]", False),
        label_on_first_page=ck.boolean(s, "label_on_first_page", set_t, "[set]", True),
        binder=ck.boolean(s, "binder", set_t, "[set]", True),
        matter=matter,
        font=font,
        caption=caption,
        warnings=tuple(warnings),
    )


# ---- writing a spec back (for the window's editor) ----------------------------------------


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


def dump_spec(spec: ExhibitSetSpec) -> str:
    """The spec as TOML that `parse_spec` reads back to the same values.

    File paths are written relative to the spec's folder when they lie inside it.
    """
    first_label: object = spec.first_label
    if spec.label_scheme is LabelScheme.LETTERS:
        first_label = letters(spec.first_label)
    out = ["[set]"]
    values: list[tuple[str, object]] = [
        ("name", spec.name), ("label_scheme", spec.label_scheme.value),
        ("label_prefix", spec.label_prefix), ("first_label", first_label),
    ]
    if spec.matter:
        values.append(("matter", spec.matter))
    if spec.court:
        values.append(("court", spec.court))
    if spec.font:
        values.append(("font", spec.font))
    if spec.stamp_position:
        values.append(("stamp_position", spec.stamp_position.value))
    if spec.stamp_positions:
        values.append(("stamp_positions", [c.value for c in spec.stamp_positions]))
    values.append(("shrink_to_fit", spec.shrink_to_fit))
    values += [
        ("margin_x", spec.margin_x), ("margin_y", spec.margin_y), ("font_size", spec.font_size),
        ("backing", spec.backing), ("slip_sheets", spec.slip_sheets),
        ("page_labels", spec.page_labels), ("label_on_first_page", spec.label_on_first_page),
        ("binder", spec.binder),
    ]
    out += [f"{k} = {_toml_value(v)}" for k, v in values]
    if spec.caption != CaptionSpec():
        out += ["", "[caption]"]
        out += [f"{k} = {_toml_value(getattr(spec.caption, k))}"
                for k in CaptionSpec.__dataclass_fields__
                if getattr(spec.caption, k) != getattr(CaptionSpec(), k)]
    if spec.bates is not None:
        out += ["", "[bates]", f"prefix = {_toml_value(spec.bates.prefix)}",
                f"suffix = {_toml_value(spec.bates.suffix)}", f"digits = {spec.bates.digits}"]
        if spec.bates.start is not None:
            out.append(f"start = {spec.bates.start}")
        if spec.bates.range_separator != " - ":
            out.append(f"range_separator = {_toml_value(spec.bates.range_separator)}")
    for ex in spec.exhibits:
        out += ["", "[[exhibit]]"]
        if ex.file is not None:
            try:
                ref = ex.file.relative_to(spec.path.parent).as_posix()
            except ValueError:
                ref = str(ex.file)
            out.append(f"file = {_toml_value(ref)}")
        elif ex.document_id is not None:
            out.append(f"document = {ex.document_id}")
        else:
            out.append(f"sha256 = {_toml_value(ex.sha256)}")
        out.append(f"description = {_toml_value(ex.description)}")
        for key, value in (("date", ex.date), ("witness", ex.witness),
                           ("provider", ex.provider), ("amount", ex.amount),
                           ("kind", ex.kind)):
            if value:
                out.append(f"{key} = {_toml_value(value)}")
        for en in ex.entries:
            out += ["[[exhibit.entry]]", f"date = {en.date.isoformat()}",
                    f"description = {_toml_value(en.description)}"]
            if en.first_page is not None:
                pages = (str(en.first_page) if en.first_page == en.last_page
                         else f"{en.first_page}-{en.last_page}")
                out.append(f"pages = {_toml_value(pages)}")
            for key, value in (("provider", en.provider), ("amount", en.amount),
                               ("kind", en.kind)):
                if value:
                    out.append(f"{key} = {_toml_value(value)}")
    return "\n".join(out) + "\n"
