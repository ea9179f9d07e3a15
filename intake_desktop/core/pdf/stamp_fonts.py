"""Fonts for stamps: standard Helvetica (nothing embedded) or an embedded TrueType subset.

Helvetica is one of the PDF standard fonts, so a stamp adds only a few bytes; but PDF/A and
some courts want every font embedded, and then the stamp uses a subset of Bitstream Vera
Sans (shipped with reportlab, free to embed) holding just the characters stamped.
Widths come from the real font metrics in both cases.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFontFile

from intake_desktop.core.shipped import package_file

HELVETICA = "helvetica"
EMBEDDED = "embedded"
FONT_CHOICES = (HELVETICA, EMBEDDED)
MAX_SUBSET = 255


def bundled_ttf() -> Path:
    """Bitstream Vera Sans, as shipped inside reportlab."""
    return package_file("reportlab", "fonts", "Vera.ttf")


def _escape(raw: bytes) -> bytes:
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


class Helvetica:
    """Standard Helvetica with WinAnsi encoding (characters outside it print as '?')."""

    name = "Helvetica"

    def __init__(self) -> None:
        ascent, descent = pdfmetrics.getAscentDescent("Helvetica", 1000)
        self.ascent, self.descent = float(ascent), float(descent)

    def printable(self, text: str) -> str:
        return text.encode("cp1252", errors="replace").decode("cp1252")

    def width(self, text: str, size: float) -> float:
        return float(pdfmetrics.stringWidth(text, "Helvetica", size))

    def encode(self, text: str) -> bytes:
        """The string operand for Tj."""
        return b"(" + _escape(text.encode("cp1252", errors="replace")) + b")"

    def resource(self, pdf: pikepdf.Pdf) -> pikepdf.Object:
        return pdf.make_indirect(
            Dictionary(
                Type=Name.Font,
                Subtype=Name.Type1,
                BaseFont=Name.Helvetica,
                Encoding=Name.WinAnsiEncoding,
            )
        )


class EmbeddedSubset:
    """A TrueType subset with one byte code per character used (up to 255 characters)."""

    def __init__(self, texts: Iterable[str], ttf: Path | None = None) -> None:
        self.ttf = ttf or bundled_ttf()
        self._file = TTFontFile(str(self.ttf))
        wanted = sorted(set("".join(texts)) | {" ", "?"})
        cmap = self._file.charToGlyph
        self.chars = [c for c in wanted if ord(c) in cmap][:MAX_SUBSET]
        self.codes = {c: i for i, c in enumerate(self.chars)}
        self.ascent = float(self._file.ascent)
        self.descent = float(self._file.descent)
        self.name = self._file.name.decode("latin-1")

    def printable(self, text: str) -> str:
        return "".join(c if c in self.codes else "?" for c in text)

    def _advance(self, char: str) -> float:
        return float(self._file.charWidths.get(ord(char), self._file.defaultWidth))

    def width(self, text: str, size: float) -> float:
        return sum(self._advance(c) for c in self.printable(text)) * size / 1000.0

    def encode(self, text: str) -> bytes:
        return b"<" + bytes(self.codes[c] for c in self.printable(text)).hex().encode() + b">"

    def _to_unicode(self) -> bytes:
        pairs = "".join(f"<{i:02X}> <{ord(c):04X}>\n" for i, c in enumerate(self.chars))
        return (
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            "1 begincodespacerange <00> <FF> endcodespacerange\n"
            f"{len(self.chars)} beginbfchar\n{pairs}endbfchar\n"
            "endcmap CMapName currentdict /CMap defineresource pop end end\n"
        ).encode()

    def resource(self, pdf: pikepdf.Pdf) -> pikepdf.Object:
        data = self._file.makeSubset([ord(c) for c in self.chars])
        digest = hashlib.sha256("".join(self.chars).encode()).digest()
        tag = "".join(chr(ord("A") + b % 26) for b in digest[:6])
        base = Name(f"/{tag}+{self.name}")
        font_file = pdf.make_stream(data)
        font_file.Length1 = len(data)
        f = self._file
        descriptor = Dictionary(
            Type=Name.FontDescriptor,
            FontName=base,
            Flags=4,  # symbolic: the codes are the subset's own
            FontBBox=Array([round(v) for v in f.bbox]),
            ItalicAngle=float(f.italicAngle),
            Ascent=round(f.ascent),
            Descent=round(f.descent),
            CapHeight=round(f.capHeight),
            StemV=int(f.stemV),
            FontFile2=font_file,
        )
        return pdf.make_indirect(
            Dictionary(
                Type=Name.Font,
                Subtype=Name.TrueType,
                BaseFont=base,
                FirstChar=0,
                LastChar=len(self.chars) - 1,
                Widths=Array([round(self._advance(c), 3) for c in self.chars]),
                FontDescriptor=pdf.make_indirect(descriptor),
                ToUnicode=pdf.make_stream(self._to_unicode()),
            )
        )
