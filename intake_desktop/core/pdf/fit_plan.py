"""What court-fit will do to a PDF, worked out before it runs (nothing is written).

`plan_fit(src, limit_bytes, profile)` opens the file read-only, applies the profile's
clean-up to the copy in memory to learn what would be removed or flattened, looks at the
images (the highest dpi drawn and the lowest dpi the compression ladder may go to) and
estimates how many parts the output will have. The numbers are estimates: `fit_pdf` stops
at the first compression step that fits, so it may do less than planned, never more.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from intake_desktop.core.courts import CourtProfile, format_size, generic_profile
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.pdf.compress import (
    DOWNSAMPLE_THRESHOLD,
    MIN_DPI_COLOUR,
    ImageInfo,
    collect_images,
)
from intake_desktop.core.pdf.fit import WARN_CODES, dpi_ladder
from intake_desktop.core.pdf.preflight import court_findings, fix_pdf
from intake_desktop.core.pdf.report import ACTION_WORDS, page_ranges
from intake_desktop.core.pdf.split import target_size
from intake_desktop.core.pdf.streams import DEFAULT_DECODE_CAP, DecodeCapError
from intake_desktop.core.pdf.text import image_only_pdf_pages, open_pdf

# What the removal of embedded files means for the person (they are kept, not lost).
EMBEDDED_NOTE = "removed attached files (each kept as a file beside the outputs)"


@dataclass
class FitPlan:
    """One input: its size and pages, what will change, and the expected parts."""

    path: Path
    bytes: int = 0
    pages: int = 0
    limit_bytes: int = 0
    changes: list[str] = field(default_factory=list)  # removed or flattened content, OCR
    warnings: list[str] = field(default_factory=list)  # what fit cannot fix
    image_dpi: int | None = None  # the highest dpi an image is drawn at
    target_dpi: int | None = None  # the lowest dpi images may be brought down to
    expected_parts: int = 1
    problem: str = ""  # why this file cannot be fitted (nothing will be written for it)

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def fits_now(self) -> bool:
        return self.bytes <= target_size(self.limit_bytes)

    def outcome(self) -> str:
        """What to expect: "about 2 parts, images 600 dpi down to 300 dpi at most"."""
        if self.problem:
            return self.problem
        text = "1 file" if self.expected_parts == 1 else f"about {self.expected_parts} parts"
        if self.target_dpi and self.image_dpi:
            text += f", images {self.image_dpi} dpi down to {self.target_dpi} dpi at most"
        return text

    def summary(self) -> str:
        """One line: "12 pages, 31.2 MB: about 2 parts, images 600 dpi down to 300 dpi"."""
        if self.problem:
            return self.problem
        now = f"{self.pages} page{'s' if self.pages != 1 else ''}, {format_size(self.bytes)}"
        return f"{now}: {self.outcome()}"


def _image_bytes(images: list[ImageInfo]) -> tuple[int, int]:
    """(stored bytes of distinct images, bytes of repeats lossless compression stores once)."""
    seen: set[bytes] = set()
    unique = repeats = 0
    for info in images:
        raw = bytes(info.obj.read_raw_bytes())
        key = hashlib.sha256(raw).digest()
        if key in seen:
            repeats += len(raw)
        else:
            seen.add(key)
            unique += len(raw)
    return unique, repeats


def plan_fit(
    src: Path,
    limit_bytes: int,
    profile: CourtProfile | None = None,
    *,
    cap: int = DEFAULT_DECODE_CAP,
) -> FitPlan:
    """What `fit_pdf(src, ..., limit_bytes, profile)` is expected to do (read-only)."""
    src = Path(src)
    profile = profile or generic_profile(limit_bytes)
    plan = FitPlan(path=src, limit_bytes=limit_bytes)
    try:
        if not src.is_file():
            raise IntakeError("no such file", path=src, fix="check the path")
        plan.bytes = src.stat().st_size
        with open_pdf(src) as pdf:
            _plan_open(pdf, src, profile, plan, cap)
    except DecodeCapError as exc:
        plan.problem = exc.message
    except IntakeError as exc:
        plan.problem = exc.message
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        plan.problem = IntakeError(f"the PDF cannot be read ({exc})", path=src,
                                   fix="ask the sender for a clean copy").message
    return plan


def _plan_open(pdf: pikepdf.Pdf, src: Path, profile: CourtProfile, plan: FitPlan,
               cap: int) -> None:
    plan.pages = len(pdf.pages)
    if plan.pages == 0:
        raise IntakeError("the PDF has no pages", path=src, fix="check the file")
    report = court_findings(pdf, src, profile, cap)
    bomb = report.finding("decode_cap")
    if bomb is not None:
        raise DecodeCapError(bomb.message, path=src, fix="ask the sender for a clean copy")
    plan.warnings = [f.message for f in report.findings if f.code in WARN_CODES]
    if profile.text_searchable or profile.pdfa_required:
        scanned = image_only_pdf_pages(pdf, cap)
        if scanned:
            plan.changes.append(f"adds an OCR text layer ({page_ranges(scanned)})")
    actions = fix_pdf(pdf, profile)  # on the copy in memory only
    for action in actions:
        words = EMBEDDED_NOTE if action == "removed_embedded_files" else ACTION_WORDS.get(action)
        if words:
            plan.changes.append(words)
    if profile.pdfa_required:
        plan.changes.append(ACTION_WORDS["pdfa"])
    target = target_size(plan.limit_bytes)
    images = collect_images(pdf, cap)
    if images:
        plan.image_dpi = round(max(i.dpi for i in images))
    if plan.bytes <= target:
        return
    _unique, repeats = _image_bytes(images)
    estimate = float(plan.bytes - repeats)  # repeated images are stored once (lossless)
    floor = max(profile.scan_dpi, MIN_DPI_COLOUR)
    ladder = dpi_ladder(images, floor)
    if estimate > target and ladder and plan.image_dpi:
        plan.target_dpi = ladder[-1]
        # Only images above the threshold are touched; bytes scale with the square of dpi.
        big = [i for i in images if i.dpi > plan.target_dpi * DOWNSAMPLE_THRESHOLD]
        shrink_bytes = min(_image_bytes(big)[0], int(estimate))
        ratio = (plan.target_dpi / max(i.dpi for i in big)) ** 2 if big else 1.0
        estimate = estimate - shrink_bytes + shrink_bytes * ratio
    plan.expected_parts = max(1, math.ceil(estimate / target))
