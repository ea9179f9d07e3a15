"""Find where a stamp can go without covering anything already on the page.

Each page is rendered (pdfium, greyscale, as the reader sees it: CropBox and /Rotate
applied) and a candidate stamp area counts as free only when every pixel in it, plus a
small clearance, is white: text, images, vector marks and earlier production numbers all
show up as ink, whatever drew them. The first free position in the preference list wins;
when none is free the page's content may be shrunk into the rest of the page to leave a
blank margin strip for the stamp (recorded); otherwise the page is refused with the reason.

Production numbers already on a page (``ACME0000123``, ``REYES-000007``) are read from its
text layer so the index can record them beside the new numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

Box = tuple[float, float, float, float]
Matrix = tuple[float, float, float, float, float, float]

# Letters (at least two), optional letters/digits, an optional separator, then 6-15 digits:
# ACME0000123, REYES-000007, ABC_00001234. Dates and phone numbers do not match.
PRODUCTION_NUMBER = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2,}[A-Z0-9]*[-_]?\d{6,15}(?![0-9])")

RENDER_DPI = 96.0
INK_THRESHOLD = 230  # a grey value below this is a visible mark (white paper is 255)


@dataclass(frozen=True)
class PlacementPolicy:
    """How stamps avoid content.

    `positions`: corners to try, in order, after each block's own corner (empty: the same
    edge first, then the opposite edge). `shrink`: when no corner is free, scale the
    page's content down (never below `min_scale`) to leave a blank strip for the stamp.
    `clearance`: points of white kept around the stamp. `keep_clear(page index, width,
    height)` gives areas (display points, origin bottom-left) no stamp may enter, such as
    a clerk's blank corner.
    """

    positions: tuple[str, ...] = ()
    shrink: bool = True
    min_scale: float = 0.8
    clearance: float = 3.0
    ink_threshold: int = INK_THRESHOLD
    dpi: float = RENDER_DPI
    keep_clear: Callable[[int, float, float], Sequence[Box]] | None = None


class PageInk:
    """One page rendered in display space (points, origin bottom-left as seen)."""

    def __init__(self, image: Image.Image, width: float, height: float,
                 threshold: int = INK_THRESHOLD) -> None:
        self.image = image
        self.width = width
        self.height = height
        self.threshold = threshold
        self.kx = image.width / width if width else 1.0
        self.ky = image.height / height if height else 1.0

    def pixel_box(self, box: Box) -> tuple[int, int, int, int]:
        x0, y0, x1, y1 = box
        left = max(int(x0 * self.kx), 0)
        right = min(int(x1 * self.kx + 0.999), self.image.width)
        top = max(int((self.height - y1) * self.ky), 0)
        bottom = min(int((self.height - y0) * self.ky + 0.999), self.image.height)
        return left, top, right, bottom

    def inked(self, box: Box) -> bool:
        """True when anything visible is drawn inside `box` (display points)."""
        left, top, right, bottom = self.pixel_box(box)
        if right <= left or bottom <= top:
            return False
        darkest = self.image.crop((left, top, right, bottom)).getextrema()[0]
        return bool(isinstance(darkest, int | float) and darkest < self.threshold)


def production_numbers(text: str) -> list[str]:
    """Bates-like numbers in a page's text, in reading order, each once."""
    seen: dict[str, None] = {}
    for match in PRODUCTION_NUMBER.finditer(text):
        seen.setdefault(match.group(0), None)
    return list(seen)


class InkReader:
    """Renders pages of one PDF (a path or the bytes of a prepared copy) on demand."""

    def __init__(self, source: Path | bytes, policy: PlacementPolicy) -> None:
        self._doc = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))
        self.policy = policy

    def __len__(self) -> int:
        return len(self._doc)

    def page(self, index: int) -> PageInk:
        page = self._doc[index]
        try:
            width, height = page.get_size()
            bitmap = page.render(scale=self.policy.dpi / 72.0, grayscale=True,
                                 may_draw_forms=True)
            image = bitmap.to_pil().convert("L")
        finally:
            page.close()
        return PageInk(image, float(width), float(height), self.policy.ink_threshold)

    def text(self, index: int) -> str:
        page = self._doc[index]
        try:
            textpage = page.get_textpage()
            try:
                return str(textpage.get_text_range())
            finally:
                textpage.close()
        finally:
            page.close()

    def close(self) -> None:
        self._doc.close()


@contextmanager
def ink_reader(source: Path | bytes, policy: PlacementPolicy) -> Iterator[InkReader]:
    reader = InkReader(source, policy)
    try:
        yield reader
    finally:
        reader.close()


def mul(a: Matrix, b: Matrix) -> Matrix:
    """`a` then `b` (PDF row-vector convention)."""
    return (
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    )


def inverse(m: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    det = a * d - b * c
    return (d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)


def shrink_matrix(width: float, height: float, strip: float, at_bottom: bool) -> Matrix:
    """Display-space scaling that leaves a blank strip `strip` points tall at one edge,
    keeping the aspect ratio and centring the content horizontally."""
    s = (height - strip) / height
    dx = (1 - s) * width / 2
    dy = (1 - s) * height if at_bottom else 0.0
    return (s, 0.0, 0.0, s, dx, dy)


def grow(box: Box, by: float) -> Box:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def union(boxes: Sequence[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes))
