"""Concordance DAT and Opticon OPT load files, as review platforms ingest them.

DAT: UTF-8 with a byte-order mark, CRLF line ends, fields separated by 0x14 (DC4) and
quoted by 0xFE (þ); the first line names the fields. OPT: one line per page,
`BATES,VOLUME,IMAGEPATH,Y|blank,,,PAGECOUNT` (Y and the page count on a document's first page).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

FIELD_SEPARATOR = "\x14"
QUOTE = "\xfe"
NEWLINE_IN_VALUE = "\xae"  # Concordance's stand-in for a line break inside a value
BOM = "\ufeff"
CRLF = "\r\n"

DAT_FIELDS = (
    "BEGBATES", "ENDBATES", "BEGATTACH", "ENDATTACH", "PAGECOUNT", "PRODVOL", "CUSTODIAN",
    "FILENAME", "FILEEXT", "DOCDATE", "FROM", "TO", "CC", "SUBJECT", "MD5HASH", "SHA1HASH",
    "SHA256HASH", "CONFIDENTIALITY", "PRIVILEGE", "NATIVELINK", "TEXTLINK",
)


def _clean(value: object) -> str:
    """A value that cannot break the file's structure: no separator or quote characters,
    line breaks written as Concordance's ®."""
    text = "" if value is None else str(value)
    text = text.replace(FIELD_SEPARATOR, " ").replace(QUOTE, "th")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", NEWLINE_IN_VALUE)
    return text


def dat_line(values: Sequence[object]) -> str:
    return FIELD_SEPARATOR.join(f"{QUOTE}{_clean(v)}{QUOTE}" for v in values)


def dat_bytes(rows: Sequence[Mapping[str, object]],
              fields: Sequence[str] = DAT_FIELDS) -> bytes:
    lines = [dat_line(fields)] + [dat_line([row.get(f, "") for f in fields]) for row in rows]
    return (BOM + CRLF.join(lines) + CRLF).encode("utf-8")


def opt_line(bates: str, volume: str, image_path: str, first: bool, pages: int) -> str:
    for part in (bates, volume, image_path):
        if "," in part:
            raise ValueError(f"an OPT value may not contain a comma: {part!r}")
    return f"{bates},{volume},{image_path},{'Y' if first else ''},,,{pages if first else ''}"


def opt_bytes(lines: Sequence[str]) -> bytes:
    return (CRLF.join(lines) + CRLF).encode("utf-8")
