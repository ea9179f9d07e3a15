"""Readable PDFs from text: a header block (label: value) and wrapped body lines (reportlab)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import reportlab
from reportlab.lib.pagesizes import landscape, letter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen import canvas

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
MARGIN = 54.0


class Budget(Protocol):
    def check(self) -> None: ...


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    mono: str


def fonts() -> Fonts:
    """DejaVu (full Unicode) when installed, else the PDF base-14 fonts (Latin-1 only)."""
    wanted = {"IntakeSans": "DejaVuSans.ttf", "IntakeSansBold": "DejaVuSans-Bold.ttf",
              "IntakeMono": "DejaVuSansMono.ttf"}
    registered = set(pdfmetrics.getRegisteredFontNames())
    ok = True
    for name, filename in wanted.items():
        if name in registered:
            continue
        path = next((d / filename for d in FONT_DIRS if (d / filename).is_file()), None)
        if path is None:
            ok = False
            break
        try:
            pdfmetrics.registerFont(TTFont(name, str(path)))
        except TTFError:
            ok = False
            break
    if ok:
        return Fonts("IntakeSans", "IntakeSansBold", "IntakeMono")
    return Fonts("Helvetica", "Helvetica-Bold", "Courier")


def _encodable(text: str, font: str) -> str:
    if font.startswith("Intake"):
        return text
    return text.encode("latin-1", "replace").decode("latin-1")


class _CharWidths:
    """Width of each character in one font and size, measured once (reportlab's string
    width is the sum of its characters' widths), so wrapping is linear in the text."""

    def __init__(self, font: str, size: float) -> None:
        self.font = font
        self.size = size
        self.cache: dict[str, float] = {}

    def __call__(self, ch: str) -> float:
        width = self.cache.get(ch)
        if width is None:
            width = pdfmetrics.stringWidth(ch, self.font, self.size)
            self.cache[ch] = width
        return width


def wrap_words(text: str, width_of: Callable[[str], float], width: float) -> list[str]:
    """Greedy word wrap in one pass over the characters (time linear in the length).

    Words are separated by spaces; a word wider than the line (a URL, base64) is cut by
    characters. Each returned line fits `width` (a single character always fits a line).
    """
    lines: list[str] = []
    space = width_of(" ")
    current: list[str] = []  # words of the line being built
    used = 0.0
    for word in text.split():
        w = sum(width_of(ch) for ch in word)
        if current and used + space + w <= width:
            current.append(word)
            used += space + w
            continue
        if current:
            lines.append(" ".join(current))
            current, used = [], 0.0
        if w <= width:
            current, used = [word], w
            continue
        start, run = 0, 0.0  # cut the long word by characters
        for i, ch in enumerate(word):
            cw = width_of(ch)
            if run + cw > width and i > start:
                lines.append(word[start:i])
                start, run = i, 0.0
            run += cw
        current, used = [word[start:]], run
    if current:
        lines.append(" ".join(current))
    return lines


class TextPdf:
    """Writes pages as lines are added, so a long text never sits twice in memory."""

    def __init__(self, dest: Path, *, title: str = "", wide: bool = False,
                 mono: bool = False, size: float = 10.0) -> None:
        self.fonts = fonts()
        self.pagesize = landscape(letter) if wide else letter
        self.canvas = canvas.Canvas(str(dest), pagesize=self.pagesize, invariant=True)
        if title:
            self.canvas.setTitle(title)
        self.canvas.setCreator("Intake Desktop")
        self.size = size
        self.leading = size * 1.3
        self.body_font = self.fonts.mono if mono else self.fonts.regular
        self.width = self.pagesize[0] - 2 * MARGIN
        self.y = self.pagesize[1] - MARGIN - self.leading
        self.pages = 1
        self._dirty = False

    def _advance(self) -> None:
        """Move to the next line (the first line of the document is already in place)."""
        if not self._dirty:
            self._dirty = True
            return
        self.y -= self.leading
        if self.y < MARGIN:
            self.canvas.showPage()
            self.pages += 1
            self.y = self.pagesize[1] - MARGIN - self.leading

    def header(self, rows: Sequence[tuple[str, str]]) -> None:
        label_w = max((pdfmetrics.stringWidth(f"{k}:", self.fonts.bold, self.size)
                       for k, _ in rows), default=0) + 8
        for label, value in rows:
            lines = wrap_words(_encodable(value, self.fonts.regular),
                               _CharWidths(self.fonts.regular, self.size),
                               self.width - label_w) or [""]
            for n, line in enumerate(lines):
                self._advance()
                if n == 0:
                    self.canvas.setFont(self.fonts.bold, self.size)
                    self.canvas.drawString(MARGIN, self.y, _encodable(f"{label}:",
                                                                       self.fonts.bold))
                self.canvas.setFont(self.fonts.regular, self.size)
                self.canvas.drawString(MARGIN + label_w, self.y, line)
        self._advance()
        self.canvas.line(MARGIN, self.y + self.leading / 3, MARGIN + self.width,
                         self.y + self.leading / 3)

    def _wrap(self, raw: str, font: str) -> list[str]:
        if not raw.strip():
            return [""]
        if font == self.fonts.mono:
            # Hard wrap by character count so spaces (column alignment) survive.
            per_line = max(1, int(self.width / pdfmetrics.stringWidth("M", font, self.size)))
            return [raw[i:i + per_line] for i in range(0, len(raw), per_line)]
        return wrap_words(raw, _CharWidths(font, self.size), self.width)

    def lines(self, text_lines: Iterable[str], budget: Budget | None = None) -> None:
        """Add body lines; `budget.check()` is called every 200 drawn lines."""
        font = self.body_font
        drawn = 0
        for raw in text_lines:
            raw = _encodable(raw.rstrip("\r\n").expandtabs(4), font)
            for line in self._wrap(raw, font):
                self._advance()
                self.canvas.setFont(font, self.size)
                self.canvas.drawString(MARGIN, self.y, line)
                drawn += 1
                if budget is not None and drawn % 200 == 0:
                    budget.check()

    def close(self) -> int:
        self.canvas.showPage()
        self.canvas.save()
        return self.pages


def reportlab_version() -> str:
    return str(reportlab.Version)
