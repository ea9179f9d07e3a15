"""A court profile applied to an exhibit set, with the same court-fit as `fit`.

- Before stamping (`prepare_source`): the text layer the court requires (the OCR step `fit`
  uses) and PDF/A-2b where the court requires it (one OCRmyPDF pass does both), and the
  source's margins checked.
- After stamping (`fit_parts`): `fit`'s pipeline (clean-up, compression ladder, then
  size-targeted splitting), so an exhibit is as small as `fit` would make it.
- Split parts get a cover page (file n of N, page range, continuous pagination) where the
  profile says so (`add_cover_page`); stamps and part labels stay out of the court's
  blank areas, and finished files are checked for ink there (`layout_warnings`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from intake_desktop.core.courts import CourtProfile, load_profile
from intake_desktop.core.exhibits.model import BuildError
from intake_desktop.core.ocr.step import OcrEngine, text_layer_step
from intake_desktop.core.pdf.fit import fit_pdf, keep_attachments
from intake_desktop.core.pdf.layout import blank_area_ink, margin_ink, render_pages
from intake_desktop.core.pdf.pdfa import convert_pdfa, is_pdfa, pdfa_problems
from intake_desktop.core.pdf.preflight import attachments, fix_pdf
from intake_desktop.core.pdf.report import KeptFile
from intake_desktop.core.pdf.split import Part, part_name
from intake_desktop.core.pdf.stamp import Corner
from intake_desktop.core.pdf.stamp_fonts import bundled_ttf
from intake_desktop.core.pdf.text import image_only_pages
from intake_desktop.core.ranges import ranges

DEFAULT_PART_PATTERN = "{stem} (Part {n} of {total}).pdf"
COVER_FONT = "IntakeCoverVera"


@dataclass(frozen=True)
class CourtFit:
    limit_bytes: int | None = None
    part_pattern: str = DEFAULT_PART_PATTERN
    stamp_position: Corner | None = None
    filename_max: int | None = None
    pdfa: bool = False  # PDF/A preferred or required: stamps use an embedded font
    # The court's preflight fixes (unlock, remove active content, flatten forms), in memory.
    preflight: Callable[[pikepdf.Pdf], list[str]] | None = None
    profile: CourtProfile | None = None
    ocr: OcrEngine | None = field(default=None, compare=False)

    @property
    def cover_pages(self) -> bool:
        return self.profile is not None and self.profile.split_cover_page


def _corner(value: str) -> Corner | None:
    text = value.lower().replace("_", "-").replace("lower", "bottom").replace("upper", "top")
    try:
        return Corner(text)
    except ValueError:
        return None


def court_fit(
    court: str | None, spec_path: Path, courts_dir: Path | None = None,
    ocr: OcrEngine | None = None,
) -> CourtFit:
    """The court rules of the spec's `court` (an empty CourtFit when it names none)."""
    if not court:
        return CourtFit()
    profile = load_profile(court, courts_dir)
    pattern = profile.part_pattern
    if "{n}" not in pattern or "{total}" not in pattern:
        pattern = DEFAULT_PART_PATTERN

    def fixer(pdf: pikepdf.Pdf) -> list[str]:
        return list(fix_pdf(pdf, profile))

    needs_engine = profile.text_searchable or profile.pdfa_required
    return CourtFit(
        limit_bytes=profile.file_limit_bytes,
        part_pattern=pattern,
        stamp_position=_corner(profile.stamp_position),
        filename_max=profile.filename_max,
        pdfa=profile.pdfa_preferred,
        preflight=fixer,
        profile=profile,
        ocr=(ocr or OcrEngine()) if needs_engine else None,
    )


def check_stamp_corner(fit: CourtFit, corner: Corner, spec_path: Path) -> None:
    """Refuse a stamp position inside one of the court's blank areas."""
    if fit.profile is None:
        return
    for area in fit.profile.blank_areas:
        if _corner(area.corner) == corner:
            raise BuildError(
                f"the stamp position {corner.value} is inside the area {fit.profile.name} "
                f"keeps blank ({area.describe()})",
                path=spec_path,
                fix="set stamp_position in [set] to another corner, e.g. bottom-right",
            )


def label_corner(fit: CourtFit, corner: Corner) -> Corner:
    """Where part labels go: away from blank areas at the top of the page."""
    if fit.profile is None or corner != Corner.TOP_CENTER:
        return corner
    if any(a.corner.startswith("upper") for a in fit.profile.blank_areas):
        return Corner.BOTTOM_CENTER
    return corner


def court_name(fit: CourtFit, name: str) -> str:
    """A file name under the court's name rules (length with extension, characters)."""
    if fit.profile is None:
        return name
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    return part_name("{stem}.pdf", stem, 1, 1, fit.profile.filename_max,
                     fit.profile.filename_chars)


@dataclass
class Prepared:
    """The PDF to stamp (the source, or a copy with a text layer / as PDF/A)."""

    path: Path
    actions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ocr_event: dict[str, object] | None = None
    kept: list[KeptFile] = field(default_factory=list)


def _unlocked(src: Path, scratch: Path, out: Prepared) -> Path:
    """OCRmyPDF refuses encrypted files: an owner-password source is unlocked first."""
    try:
        with pikepdf.open(src) as pdf:
            if not pdf.is_encrypted:
                return src
            copy = scratch / f"{src.stem}.unlocked.pdf"
            pdf.save(copy)
    except pikepdf.PasswordError:
        return src  # the stamper reports it
    out.actions.append("decrypted")
    return copy


def prepare_source(
    fit: CourtFit, src: Path, scratch: Path, label: str, keep_dir: Path | None = None
) -> Prepared:
    """Text layer and PDF/A where the court requires them; margins checked. Attachments
    the court's clean-up will remove are first kept as files in `keep_dir/<label>/`."""
    out = Prepared(src)
    profile = fit.profile
    if profile is None:
        return out
    if keep_dir is not None and profile.remove_active_content:
        try:
            with pikepdf.open(src) as pdf:
                found = attachments(pdf)
        except pikepdf.PdfError:
            found = []
        for item in keep_attachments(found, keep_dir, label):
            out.kept.append(item)
            out.warnings.append(f"{label}: attachment {item.name} removed from the exhibit "
                                f"and kept as {item.path.name} (sha256 {item.sha256})")
    if profile.margins_in:
        pages = margin_ink(render_pages(src), profile.margins_in)
        if pages:
            out.warnings.append(
                f"{label}: content inside the court's {profile.margins_in:g} in. margins on "
                f"page(s) {ranges(pages)}; stamps may touch it")
    if not (profile.text_searchable or profile.pdfa_required) or fit.ocr is None:
        return out
    scratch.mkdir(parents=True, exist_ok=True)
    work = _unlocked(src, scratch, out)
    if profile.pdfa_required:
        dst = scratch / f"{src.stem}.pdfa.pdf"
        result = convert_pdfa(work, dst, fit.ocr, ocr=profile.text_searchable)
        if not result.ok:
            raise BuildError(
                f"{label}: {profile.name} requires PDF/A and the PDF/A copy could not be "
                f"made: {result.reason}", path=src,
                fix="install OCRmyPDF and Ghostscript (see `intake-desktop doctor`), or ask "
                "the sender for a PDF/A copy")
        out.path = dst
        out.actions.append("pdfa")
        if result.ocr:
            out.actions.append("ocr")
    else:
        step = text_layer_step(work, scratch, engine=fit.ocr)
        if step.event is not None:
            out.ocr_event = dict(step.event)
        if step.changed:
            out.path = step.pdf
            out.actions.append("ocr")
        elif step.needed:
            out.warnings.append(f"{label}: not text-searchable, which {profile.name} requires: "
                                f"{step.note or step.notice or 'OCR is not available'}")
            return out
        else:
            out.path = work
    if profile.text_searchable:
        left = image_only_pages(out.path)
        if left:
            out.warnings.append(f"{label}: page(s) {ranges(left)} still have no text layer, "
                                f"which {profile.name} requires")
    return out


def fit_parts(fit: CourtFit, whole: Path, folder: Path, actions: list[str]) -> list[Part]:
    """`fit`'s pipeline on a stamped exhibit: clean-up, compression ladder, then split.

    Adds what it did to `actions` ("downsampled", "bitonal", "split", ...).
    """
    assert fit.profile is not None and fit.limit_bytes is not None
    profile = fit.profile
    result = fit_pdf(whole, folder, limit_bytes=fit.limit_bytes, profile=profile)
    if not result.ok:
        raise BuildError(f"{whole.stem}: {result.reason}", path=whole,
                         fix="see the reason; the sources were not changed")
    actions += [a for a in result.actions if a not in actions]
    return result.parts


def _cover_font() -> str:
    if COVER_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(COVER_FONT, str(bundled_ttf())))
    return COVER_FONT


def add_cover_page(
    path: Path, title: str, n: int, total: int, first: int, last: int, pages: int,
    court: str,
) -> None:
    """Put a cover page in front of split part `path` (Cal. Rules of Court 8.74: the file
    number, the total number of files and the page range; pages keep their numbers, so
    pagination continues across the files). The font is embedded (PDF/A-safe)."""
    font = _cover_font()
    cover = path.with_name(f".cover-{path.name}")
    joined = path.with_name(f".covered-{path.name}")
    try:
        c = canvas.Canvas(str(cover), pagesize=letter)
        w, h = letter
        c.setTitle(f"{title} - file {n} of {total}")
        c.setFont(font, 22)
        y = h - 200
        for line in simpleSplit(title, font, 22, w - 144)[:4]:
            c.drawCentredString(w / 2, y, line)
            y -= 28
        c.setFont(font, 16)
        c.drawCentredString(w / 2, y - 30, f"File {n} of {total}")
        c.drawCentredString(w / 2, y - 56, f"Pages {first}-{last} of {pages}")
        c.setFont(font, 10)
        c.drawCentredString(w / 2, 96, f"Filed in {total} files under the rules of {court}; "
                                       "page numbers continue across the files.")
        c.showPage()
        c.save()
        with pikepdf.open(path) as pdf, pikepdf.open(cover) as front:
            pdf.pages.insert(0, front.pages[0])
            try:
                with pdf.open_outline() as outline:
                    outline.root.insert(0, pikepdf.OutlineItem(f"Cover: file {n} of {total}", 0))
            except (pikepdf.OutlineStructureError, pikepdf.PdfError):
                pass
            pdf.save(joined)
        joined.replace(path)
    finally:
        cover.unlink(missing_ok=True)
        joined.unlink(missing_ok=True)


def ensure_bookmark(path: Path, title: str) -> bool:
    """Give a file without bookmarks one to its first page (courts that require them)."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        with pdf.open_outline() as outline:
            if outline.root:
                return False
            outline.root.append(pikepdf.OutlineItem(title, 0))
        pdf.Root.PageMode = pikepdf.Name.UseOutlines
        pdf.save(path)
    return True


def layout_warnings(fit: CourtFit, path: Path, before: Path | None = None) -> list[str]:
    """Ink in the court's blank areas of a finished file. With `before` (the file before
    the build stamped it), ink the build itself put there is an error."""
    if fit.profile is None or not fit.profile.blank_areas:
        return []
    after = blank_area_ink(render_pages(path), fit.profile.blank_areas)
    if not after:
        return []
    original = blank_area_ink(render_pages(before), fit.profile.blank_areas) if before else {}
    warnings = []
    for area, pages in after.items():
        ours = sorted(set(pages) - set(original.get(area, [])))
        if before is not None and ours:
            raise BuildError(
                f"{path.name}: the build put ink in the area {fit.profile.name} keeps blank "
                f"({area.describe()}) on page(s) {ranges(ours)}",
                path=path, fix="move the stamp (stamp_position in [set]) away from that corner")
        warnings.append(f"{path.name}: content in the area {fit.profile.name} keeps blank "
                        f"({area.describe()}) on page(s) {ranges(pages)}; the clerk's stamp "
                        "may cover it")
    return warnings


def ensure_pdfa(fit: CourtFit, path: Path) -> Path:
    """A PDF/A copy of `path` (in its folder, same name) where the court requires PDF/A and
    it is not PDF/A yet (the binder, assembled from PDF/A exhibits and slip sheets)."""
    if fit.profile is None or not fit.profile.pdfa_required:
        return path
    with pikepdf.open(path) as pdf:
        if is_pdfa(pdf):
            return path
    engine = fit.ocr or OcrEngine()
    dst = path.with_name(f".pdfa-{path.name}")
    result = convert_pdfa(path, dst, engine, ocr=False)
    if not result.ok:
        raise BuildError(f"{path.name}: {fit.profile.name} requires PDF/A and the PDF/A copy "
                         f"could not be made: {result.reason}", path=path,
                         fix="install OCRmyPDF and Ghostscript (see `intake-desktop doctor`)")
    dst.replace(path)
    return path


def finish_output(fit: CourtFit, path: Path, title: str, before: Path | None) -> list[str]:
    """Bookmarks where the court requires them, the PDF/A check, blank areas; warnings."""
    if fit.profile is None:
        return []
    if fit.profile.bookmarks_required:
        ensure_bookmark(path, title)
    if fit.profile.pdfa_required:
        problems = pdfa_problems(path)
        if problems:
            raise BuildError(f"{path.name} is not PDF/A: " + "; ".join(problems), path=path,
                             fix="report this; the sources were not changed")
    return layout_warnings(fit, path, before)


__all__ = [
    "CourtFit",
    "Prepared",
    "add_cover_page",
    "check_stamp_corner",
    "check_warnings",
    "court_fit",
    "court_name",
    "ensure_bookmark",
    "ensure_pdfa",
    "finish_output",
    "fit_parts",
    "label_corner",
    "layout_warnings",
    "prepare_source",
]


def check_warnings(fit: CourtFit, sources: list[tuple[str, Path]]) -> list[str]:
    """What `exhibits check` should say about the court's rules before a build: pages
    without text where text is required (and whether the build can add it), PDF/A that
    cannot be made here, and content inside the court's margins. Reads only."""
    profile = fit.profile
    if profile is None:
        return []
    warnings = []
    engine_ok = fit.ocr is not None and fit.ocr.availability().ok
    if profile.pdfa_required and not engine_ok:
        warnings.append(f"{profile.name} requires PDF/A, which needs OCRmyPDF and Ghostscript: "
                        "the build will stop; install them (see `intake-desktop doctor`)")
    for label, path in sources:
        if profile.text_searchable:
            try:
                pages = image_only_pages(path)
            except Exception:  # unreadable files are reported by the planner
                pages = []
            if pages:
                what = ("the build adds an OCR text layer" if engine_ok else
                        "OCR is not available here, so the build cannot add one")
                warnings.append(f"{label}: page(s) {ranges(pages)} have no text layer, which "
                                f"{profile.name} requires; {what}")
        if profile.margins_in:
            bad = margin_ink(render_pages(path), profile.margins_in)
            if bad:
                warnings.append(f"{label}: content inside the court's {profile.margins_in:g} "
                                f"in. margins on page(s) {ranges(bad)}")
    return warnings
