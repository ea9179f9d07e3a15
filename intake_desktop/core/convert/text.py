"""Plain text, CSV and HTML to a readable PDF (HTML shown as text; nothing is fetched)."""

from __future__ import annotations

import csv
import html
import io
from html.parser import HTMLParser
from pathlib import Path

from intake_desktop.core.convert.base import (
    FLAG_TOO_LARGE,
    Converted,
    ConvertLimits,
    CpuBudget,
)
from intake_desktop.core.convert.facts import put, snippet
from intake_desktop.core.convert.render import TextPdf, reportlab_version

BLOCK_TAGS = frozenset({
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "hr", "section", "article", "header", "footer", "dt", "dd",
})
SKIP_TAGS = frozenset({"script", "style", "head", "title", "noscript", "template"})
MAX_CSV_COL = 40  # characters shown per CSV cell before it is cut with "…"


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self.skip += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("• ")
        if tag in ("td", "th"):
            self.parts.append("\t")
        if tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f"[image: {alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(" ".join(data.split()) if data.strip() else " ")


def html_to_text(markup: str) -> str:
    """Readable text of an HTML document: paragraphs and list items on their own lines."""
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError):  # malformed markup: fall back to the raw text
        return html.unescape(markup)
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _csv_lines(text: str) -> tuple[list[str], bool]:
    """Columns padded to a common width (cells cut at MAX_CSV_COL); wide: needs landscape."""
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192])
    except csv.Error:
        dialect = csv.excel
    rows = [[" ".join(c.split()) for c in row] for row in csv.reader(io.StringIO(text),
                                                                       dialect)]
    cut = [[c if len(c) <= MAX_CSV_COL else c[: MAX_CSV_COL - 1] + "…" for c in r]
           for r in rows]
    ncols = max((len(r) for r in cut), default=0)
    widths = [max((len(r[i]) for r in cut if i < len(r)), default=0) for i in range(ncols)]
    lines = [" | ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in cut]
    return lines, sum(widths) + 3 * ncols > 90


def text_to_pdf(path: Path, mime: str, kind: str, workdir: Path,
                limits: ConvertLimits) -> Converted:
    size = path.stat().st_size
    if size > limits.max_text_bytes:
        result = Converted()
        result.flags.append(FLAG_TOO_LARGE)
        result.notes.append(
            f"text of {size:,} bytes is larger than the {limits.max_text_bytes:,}-byte limit "
            "for conversion: filed as received; print it to PDF by hand if a PDF is needed"
        )
        return result
    text, encoding = decode_text(path.read_bytes())
    wide = False
    mono = kind == "csv"
    if kind == "html":
        text = html_to_text(text)
        body = text.splitlines()
    elif kind == "csv":
        body, wide = _csv_lines(text)
    else:
        body = text.splitlines()
    dest = workdir / "converted.pdf"
    writer = TextPdf(dest, title=path.name, wide=wide, mono=mono)
    writer.lines(body, CpuBudget(limits.cpu_seconds, path=path, mime=mime,
                                 what="converting the text to PDF"))
    pages = writer.close()
    result = Converted(pdf=dest)
    result.conversions.append({
        "tool": "reportlab", "tool_version": reportlab_version(), "from_type": mime,
        "to_type": "application/pdf", "pages": pages, "encoding": encoding,
        "method": {"html": "HTML shown as text", "csv": "CSV as aligned columns"}.get(
            kind, "text"),
    })
    put(result.facts, "page_count", pages)
    put(result.facts, "first_page_text", snippet("\n".join(body)[:8000]))
    return result
