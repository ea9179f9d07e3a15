"""A court profile as the exhibit build uses it: size limit and part names for splitting,
stamp place, PDF/A preference and the preflight fixes.

The profiles, the splitter and the preflight belong to the court-fit modules
(`intake_desktop.core.courts`, `...pdf.split`, `...pdf.preflight`); they are imported when a
spec names a court, so a build without one never needs them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf

from intake_desktop.core.exhibits.model import BuildError
from intake_desktop.core.pdf.stamp import Corner

DEFAULT_PART_PATTERN = "{stem} (Part {n} of {total}).pdf"


@dataclass(frozen=True)
class CourtFit:
    limit_bytes: int | None = None
    part_pattern: str = DEFAULT_PART_PATTERN
    stamp_position: Corner | None = None
    filename_max: int | None = None
    pdfa: bool = False
    split: Callable[..., list[Any]] | None = None
    # The court's preflight fixes (unlock, remove active content, flatten forms), in memory.
    preflight: Callable[[pikepdf.Pdf], list[str]] | None = None


def court_fit(court: str | None, spec_path: Path, courts_dir: Path | None = None) -> CourtFit:
    """The size limit, part names, stamp place and preflight of the court in the spec.

    Court profiles, splitting and preflight come from the court-fit modules
    (`intake_desktop.core.courts`, `...pdf.split`, `...pdf.preflight`).
    """
    if not court:
        return CourtFit()
    try:
        courts = importlib.import_module("intake_desktop.core.courts")
        split = importlib.import_module("intake_desktop.core.pdf.split")
    except ImportError as exc:
        raise BuildError(
            f"court profile {court!r} cannot be applied: court profiles are not part of this "
            f"build ({exc})",
            path=spec_path,
            fix="remove `court` from [set] to build without splitting",
        ) from exc
    profile = courts.load_profile(court, courts_dir)
    pattern = getattr(profile, "part_pattern", None)
    if not isinstance(pattern, str) or "{n}" not in pattern or "{total}" not in pattern:
        pattern = DEFAULT_PART_PATTERN
    position = None
    raw_position = getattr(profile, "stamp_position", None)
    if raw_position:
        text = str(getattr(raw_position, "value", raw_position)).lower().replace("_", "-")
        text = text.replace("lower", "bottom").replace("upper", "top")
        try:
            position = Corner(text)
        except ValueError:
            position = None
    limit = getattr(profile, "file_limit_bytes", None)
    fixer = None
    try:
        fix_pdf = importlib.import_module("intake_desktop.core.pdf.preflight").fix_pdf
    except (ImportError, AttributeError):
        fix_pdf = None
    if fix_pdf is not None:

        def fixer(pdf: pikepdf.Pdf) -> list[str]:
            return list(fix_pdf(pdf, profile))

    filename_max = getattr(profile, "filename_max", None)
    return CourtFit(
        limit_bytes=int(limit) if limit else None,
        part_pattern=pattern,
        stamp_position=position,
        filename_max=int(filename_max) if filename_max else None,
        pdfa=bool(getattr(profile, "pdfa_preferred", False)),
        split=split.split_to_limit,
        preflight=fixer,
    )
