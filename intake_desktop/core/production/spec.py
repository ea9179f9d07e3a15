"""The production spec (TOML): load, validate, and name the line of every mistake.

    [production]
    volume = "PROD001"                # the volume folder and load-file names
    matter = "2024-0117 Reyes v. Acme Logistics"   # default matter of [[documents]]
    custodian = "Maria Reyes"         # CUSTODIAN of every document
    image_format = "pdf"              # one searchable, stamped PDF per document, or
                                      # "tiff": one image per page (TIFF G4 for black and
                                      # white, JPEG for colour) plus a text file per document
    natives = ["spreadsheet", "audio", "video"]   # produced native, with a slip sheet
    confidentiality = "CONFIDENTIAL"  # endorsement stamped on every page ("" for none)
    withheld_slip_sheets = true       # a Bates-numbered "Withheld - Privileged" page per
                                      # withheld document (false: a control number only)
    producing_party = "Plaintiff Maria Reyes"     # cover letter and privilege log
    served_on = "Helen Whitcombe, Whitcombe Sterling LLP"
    stamp_position = "bottom-right"   # the Bates number; the endorsement goes bottom-left
    privilege_log = ["csv", "pdf", "docx"]

    [bates]
    prefix = "REYES-"
    digits = 6
    start = 1                         # optional: default continues the prefix's numbers

    [[documents]]                     # which documents: one of
    category = "Correspondence"       #   a category (of `matter`, or the production's)
    document = 12                     #   a ledger id
    sha256 = "..."                    #   the SHA-256 of the original or the filed copy
    search = "Overtime letters"       #   a search saved in the exhibit browser
    confidentiality = "HIGHLY CONFIDENTIAL - ATTORNEYS' EYES ONLY"   # optional override

    [[withhold]]                      # a document withheld as privileged
    document = 14                     # or sha256 = "..."
    privilege = "attorney-client"     # or "work product", or a list of both
    description = "Letter from counsel to client providing legal advice on case status"
    document_type = "Letter"          # optional: default the document's category
    author = "Jordan Park"            # optional: default the e-mail's From
    recipients = "Maria Reyes"        # optional: default the e-mail's To and Cc
    date = 2024-03-15                 # optional: default the document's date
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake_desktop.core.exhibits.spec import (
    _Checker,
    _Lines,
    _position,
    bates_digits,
    bates_start,
    open_spec,
    read_spec,
)
from intake_desktop.core.pdf.stamp import Corner

PRODUCTION_KEYS = {
    "volume", "matter", "custodian", "image_format", "natives", "confidentiality",
    "withheld_slip_sheets", "producing_party", "served_on", "stamp_position",
    "privilege_log", "date",
}
BATES_KEYS = {"prefix", "digits", "start"}
DOCUMENT_KEYS = {"document", "sha256", "category", "matter", "confidentiality", "search"}
WITHHOLD_KEYS = {"document", "sha256", "privilege", "description", "document_type", "author",
                 "recipients", "date"}
NATIVE_KINDS = ("spreadsheet", "audio", "video")
IMAGE_FORMATS = ("pdf", "tiff")
LOG_FORMATS = ("csv", "pdf", "docx")
PRIVILEGES = {
    "attorney-client": "Attorney-client privilege",
    "work product": "Attorney work product",
    "common interest": "Common-interest privilege",
}
VOLUME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$")
CONFIDENTIALITY_DEFAULT = "CONFIDENTIAL"


@dataclass(frozen=True)
class ProductionBates:
    prefix: str
    digits: int = 6
    start: int | None = None

    def number(self, n: int) -> str:
        return f"{self.prefix}{n:0{self.digits}d}"


@dataclass(frozen=True)
class Selection:
    """One [[documents]] entry: a category of a matter, a ledger id, a SHA-256 or a saved
    browser search."""

    position: int
    line: int
    document_id: int | None = None
    sha256: str | None = None
    category: str | None = None
    matter: str | None = None
    confidentiality: str | None = None  # None: the production's
    search: str | None = None  # the name of a saved browser search

    @property
    def reference(self) -> str:
        if self.document_id is not None:
            return f"document {self.document_id}"
        if self.sha256 is not None:
            return f"sha256 {self.sha256}"
        if self.search is not None:
            return f"saved search {self.search!r}"
        return f"category {self.category!r} of {self.matter!r}"


@dataclass(frozen=True)
class Withhold:
    """One [[withhold]] entry: a document withheld as privileged, and why."""

    position: int
    line: int
    privileges: tuple[str, ...]
    description: str
    document_id: int | None = None
    sha256: str | None = None
    document_type: str = ""
    author: str = ""
    recipients: str = ""
    date: dt.date | None = None  # the log's date when the ledger has none

    @property
    def reference(self) -> str:
        if self.document_id is not None:
            return f"document {self.document_id}"
        return f"sha256 {self.sha256}"

    @property
    def privilege_text(self) -> str:
        return "; ".join(PRIVILEGES[p] for p in self.privileges)


@dataclass(frozen=True)
class ProductionSpec:
    path: Path
    volume: str
    bates: ProductionBates
    selections: tuple[Selection, ...]
    withheld: tuple[Withhold, ...] = ()
    matter: str | None = None
    custodian: str = ""
    image_format: str = "pdf"
    natives: tuple[str, ...] = NATIVE_KINDS
    confidentiality: str = CONFIDENTIALITY_DEFAULT
    withheld_slip_sheets: bool = True
    producing_party: str = ""
    served_on: str = ""
    stamp_position: Corner = Corner.BOTTOM_RIGHT
    privilege_log_formats: tuple[str, ...] = LOG_FORMATS
    date: dt.date | None = None  # the cover letter's date (default: today)
    warnings: tuple[str, ...] = field(default=())


def load_production_spec(path: Path) -> ProductionSpec:
    """Read and validate a production spec; every error names the file, line and field."""
    return parse_production_spec(read_spec(path, "production spec"), path)


def _text_list(ck: _Checker, lines: _Lines, data: dict[str, Any], key: str, t: int,
               line: int, where: str, allowed: tuple[str, ...],
               default: tuple[str, ...]) -> tuple[str, ...]:
    if key not in data:
        return default
    raw = data[key]
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ck.fail(lines.key(t, key, line), f"{where} {key!r}", "must be a list of text",
                      f"e.g. {key} = [{', '.join(repr(a) for a in allowed[:2])}]")
    out = []
    for v in values:
        norm = v.strip().lower().replace("_", " ").replace("attorney client", "attorney-client")
        norm = norm.replace("work-product", "work product")
        if norm not in allowed:
            raise ck.fail(lines.key(t, key, line), f"{where} {key!r}", f"{v!r} is not known",
                          f"use one of: {', '.join(repr(a) for a in allowed)}")
        out.append(norm)
    return tuple(dict.fromkeys(out))


def parse_production_spec(text: str, path: Path) -> ProductionSpec:
    data, lines, ck = open_spec(text, path, ("production", "bates", "documents", "withhold"),
                                "[production], [bates], [[documents]] and [[withhold]]")
    warnings: list[str] = []

    p, p_t, p_line = ck.table(data, "production", PRODUCTION_KEYS, "is missing",
                              'add a [production] table with volume = "PROD001"')
    volume = ck.text(p, "volume", p_t, "[production]", required=True, max_len=40)
    if not VOLUME_RE.match(volume):
        raise ck.fail(lines.key(p_t, "volume", p_line), "[production] 'volume'",
                      f"{volume!r} cannot name a volume folder",
                      'use letters, digits, "-" or "_", e.g. volume = "PROD001"')
    matter = ck.text(p, "matter", p_t, "[production]", max_len=120) or None
    image_format = ck.text(p, "image_format", p_t, "[production]", default="pdf").lower()
    if image_format not in IMAGE_FORMATS:
        raise ck.fail(lines.key(p_t, "image_format", p_line), "[production] 'image_format'",
                      f"{image_format!r} is not supported",
                      'write image_format = "pdf" (one searchable PDF per document) or "tiff" '
                      "(one image per page: TIFF G4, JPEG for colour; and a text file per "
                      "document)")
    natives = _text_list(ck, lines, p, "natives", p_t, p_line, "[production]", NATIVE_KINDS,
                         NATIVE_KINDS)
    confidentiality = ck.text(p, "confidentiality", p_t, "[production]",
                              default=CONFIDENTIALITY_DEFAULT, max_len=60)
    position = Corner.BOTTOM_RIGHT
    if "stamp_position" in p:
        raw_pos = ck.text(p, "stamp_position", p_t, "[production]")
        found = _position(raw_pos)
        if found is None or found.value.endswith("left"):
            raise ck.fail(lines.key(p_t, "stamp_position", p_line),
                          "[production] 'stamp_position'",
                          f"{raw_pos!r} is not a place for the Bates number",
                          'use "bottom-right", "bottom-center", "top-right" or "top-center" '
                          "(the endorsement takes the left corner)")
        position = found
    log_formats = _text_list(ck, lines, p, "privilege_log", p_t, p_line, "[production]",
                             LOG_FORMATS, LOG_FORMATS)

    b, b_t, b_line = ck.table(data, "bates", BATES_KEYS, "is missing",
                              'add a [bates] table with prefix = "ABC-" and digits = 6')
    prefix = ck.text(b, "prefix", b_t, "[bates]", required=True, max_len=40)
    if any(ch in prefix for ch in "\\/:*?\"<>|,\x14\xfe") or any(ch.isspace() for ch in prefix):
        raise ck.fail(lines.key(b_t, "prefix", b_line), "[bates] 'prefix'",
                      "contains a space or a character not allowed in file and load-file names",
                      "use letters, digits, '-' or '_'")
    raw_digits = bates_digits(ck, b, b_t, b_line)
    start = bates_start(ck, b, b_t, b_line)
    if prefix[-1].isdigit():
        warnings.append(f"Bates prefix {prefix!r} ends in a digit, so numbers read ambiguously;"
                        " consider ending it with '-' or '_'")

    selections = []
    for n, d, t, line, where in ck.array(data, "documents", DOCUMENT_KEYS,
                                         "write each selection as [[documents]]"):
        ck.one_of(d, ("document", "sha256", "category", "search"), line, where,
                  'write document = 12, sha256 = "...", category = "Correspondence" '
                  'or search = "a saved search"')
        doc_id, sha = ck.reference(d, t, line, where)
        category = ck.text(d, "category", t, where, required=True) if "category" in d else None
        search = (ck.text(d, "search", t, where, required=True, max_len=80)
                  if "search" in d else None)
        sel_matter = ck.text(d, "matter", t, where, max_len=120) or matter
        if category is not None and sel_matter is None:
            raise ck.fail(line, where, "a category needs a matter",
                          'add matter = "..." here or in [production]')
        conf = (ck.text(d, "confidentiality", t, where, max_len=60)
                if "confidentiality" in d else None)
        selections.append(Selection(position=n, line=line, document_id=doc_id, sha256=sha,
                                    category=category, matter=sel_matter,
                                    confidentiality=conf, search=search))

    withheld = []
    for n, w, t, line, where in ck.array(data, "withhold", WITHHOLD_KEYS,
                                         "write each as [[withhold]]"):
        ck.one_of(w, ("document", "sha256"), line, where, 'write document = 12 or sha256 = "..."')
        doc_id, sha = ck.reference(w, t, line, where)
        if "privilege" not in w:
            raise ck.fail(line, where, "'privilege' is missing",
                          'add privilege = "attorney-client" or "work product"')
        privileges = _text_list(ck, lines, w, "privilege", t, line, where,
                                tuple(PRIVILEGES), ())
        if not privileges:
            raise ck.fail(lines.key(t, "privilege", line), f"{where} 'privilege'",
                          "must name at least one privilege",
                          'e.g. privilege = "attorney-client"')
        withheld.append(Withhold(
            position=n, line=line, privileges=privileges, document_id=doc_id, sha256=sha,
            description=ck.text(w, "description", t, where, required=True, max_len=1000),
            document_type=ck.text(w, "document_type", t, where, max_len=80),
            author=ck.text(w, "author", t, where, max_len=200),
            recipients=ck.text(w, "recipients", t, where, max_len=500),
            date=ck.date(w, "date", t, where),
        ))
    if not selections and not withheld:
        raise ck.fail(0, "[[documents]]", "the production has no documents",
                      'add a [[documents]] table with category = "...", document = N or '
                      'sha256 = "..."')
    return ProductionSpec(
        path=path, volume=volume, bates=ProductionBates(prefix, raw_digits, start),
        selections=tuple(selections), withheld=tuple(withheld), matter=matter,
        custodian=ck.text(p, "custodian", p_t, "[production]", max_len=200),
        image_format=image_format, natives=natives, confidentiality=confidentiality,
        withheld_slip_sheets=ck.boolean(p, "withheld_slip_sheets", p_t, "[production]", True),
        producing_party=ck.text(p, "producing_party", p_t, "[production]", max_len=200),
        served_on=ck.text(p, "served_on", p_t, "[production]", max_len=300),
        stamp_position=position, privilege_log_formats=log_formats,
        date=ck.date(p, "date", p_t, "[production]"), warnings=tuple(warnings),
    )
