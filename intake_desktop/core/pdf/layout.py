"""Where ink is on a page: the court's blank areas (Florida's clerk corner) and margins.

Pages are rendered as readers see them (CropBox, /Rotate) by Ghostscript at a low
resolution, in grey; a pixel darker than `DARK` is ink. A band holds content when more
than `INK_SHARE` of its pixels are ink (scanner speckle stays below that).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from intake_desktop.core.courts import BlankArea

RENDER_DPI = 24
DARK = 128
INK_SHARE = 0.004
RENDER_TIMEOUT_S = 300


@dataclass(frozen=True)
class Gray:
    """One rendered page: width, height (pixels) and the 8-bit grey pixels, top row first."""

    width: int
    height: int
    pixels: bytes
    dpi: int

    def ink_share(self, x0_in: float, y0_in: float, x1_in: float, y1_in: float) -> float:
        """Share of ink pixels in a box given in inches from the top-left corner."""
        x0, x1 = max(0, int(x0_in * self.dpi)), min(self.width, round(x1_in * self.dpi))
        y0, y1 = max(0, int(y0_in * self.dpi)), min(self.height, round(y1_in * self.dpi))
        if x1 <= x0 or y1 <= y0:
            return 0.0
        dark = total = 0
        for y in range(y0, y1):
            row = self.pixels[y * self.width + x0 : y * self.width + x1]
            dark += sum(1 for v in row if v < DARK)
            total += len(row)
        return dark / total if total else 0.0


def _parse_pgm(data: bytes, dpi: int) -> Gray:
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        end = data.index(b"\n", pos)
        line = data[pos:end]
        pos = end + 1
        if not line.startswith(b"#"):
            fields += line.split()
    w, h = int(fields[1]), int(fields[2])
    return Gray(w, h, data[pos : pos + w * h], dpi)


def render_pages(pdf: Path, dpi: int = RENDER_DPI) -> list[Gray]:
    """Every page of `pdf`, rendered in grey (empty list when Ghostscript cannot)."""
    with tempfile.TemporaryDirectory(prefix="intake-layout-") as tmp:
        pattern = Path(tmp) / "p%05d.pgm"
        try:
            subprocess.run(
                ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pgmraw",
                 f"-r{dpi}", "-dUseCropBox", f"-sOutputFile={pattern}", str(pdf)],
                check=True, capture_output=True, timeout=RENDER_TIMEOUT_S,
            )
        except (OSError, subprocess.SubprocessError):
            return []
        return [_parse_pgm(p.read_bytes(), dpi) for p in sorted(Path(tmp).glob("p*.pgm"))]





def blank_area_ink(pages: list[Gray], areas: Iterable[BlankArea]) -> dict[BlankArea, list[int]]:
    """Per blank area, the 1-based pages with content in it."""
    found: dict[BlankArea, list[int]] = {}
    for area in areas:
        for number, page in enumerate(pages, 1):
            if not area.applies(number):
                continue
            w_in, h_in = page.width / page.dpi, page.height / page.dpi
            x0 = w_in - area.width_in if area.corner.endswith("right") else 0.0
            y0 = 0.0 if area.corner.startswith("upper") else h_in - area.height_in
            if page.ink_share(x0, y0, x0 + area.width_in, y0 + area.height_in) > INK_SHARE:
                found.setdefault(area, []).append(number)
    return found


def margin_ink(pages: list[Gray], margin_in: float) -> list[int]:
    """1-based pages with content inside a `margin_in` margin on any side."""
    bad = []
    for number, page in enumerate(pages, 1):
        w_in, h_in = page.width / page.dpi, page.height / page.dpi
        m = margin_in * 0.9  # a pixel or two of rounding is not a violation
        bands = [(0, 0, w_in, m), (0, h_in - m, w_in, h_in), (0, 0, m, h_in),
                 (w_in - m, 0, w_in, h_in)]
        if any(page.ink_share(*band) > INK_SHARE for band in bands):
            bad.append(number)
    return bad
