"""Court fit: preflight clean-up, then the compression ladder, then size-targeted splitting.

The ladder stops at the first step whose output fits the limit (less a small headroom):
1. lossless: object streams, compressed streams, duplicate and unused objects removed;
2. downsampling grey and colour images to the profile's dpi (never below 200 dpi);
3. black-and-white scans as CCITT G4 (never lossy JBIG2), with step 2 for the rest;
4. splitting at page (or bookmark) boundaries.
Every output is verified (reopens, page counts add up, text still extractable). Pure: no
ledger, no workspace; the input file is only read.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
import pypdf

from intake_desktop.core.courts import CourtProfile, format_size, generic_profile
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.mover import write_new_file
from intake_desktop.core.ocr.step import OcrEngine, page_ranges, text_layer_step
from intake_desktop.core.pdf.compress import (
    DOWNSAMPLE_THRESHOLD,
    MIN_DPI_BITONAL,
    MIN_DPI_COLOUR,
    Cancelled,
    ImageChange,
    ImageInfo,
    bitonal_images,
    check_cancel,
    collect_images,
    downsample_images,
    lossless,
    save_pdf,
)
from intake_desktop.core.pdf.pdfa import convert_pdfa, pdfa_problems
from intake_desktop.core.pdf.preflight import Finding, attachments, court_findings, fix_pdf
from intake_desktop.core.pdf.report import KeptFile, describe_changes
from intake_desktop.core.pdf.split import (
    TEMP_PREFIX,
    Part,
    part_name,
    place_new,
    split_to_limit,
    target_size,
)
from intake_desktop.core.pdf.streams import DEFAULT_DECODE_CAP, STREAM, DecodeCapError
from intake_desktop.core.pdf.text import image_only_pages, open_pdf
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress

STEPS = 6
TEXT_SAMPLE_PAGES = 12
WARN_CODES = ("page_size", "image_only", "fonts_not_embedded")
REMOVED_DIR = "removed"  # beside the outputs: attachments taken out of the PDFs
_WORD = re.compile(r"\w+")


@dataclass
class FitResult:
    """What `fit` made of one input (the JSON record of the `fit` command)."""

    input: Path
    parts: list[Part] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    ok: bool = False
    reason: str = ""
    pages: int = 0
    warnings: list[str] = field(default_factory=list)
    # Detail of the `ocr` ledger event when the court required a text layer (not in JSON).
    ocr: dict[str, Any] | None = None
    # What was done to the images of the output kept (for `changes`).
    image_changes: list[ImageChange] = field(default_factory=list)
    # Attachments removed from the PDF and kept as files beside the outputs.
    kept: list[KeptFile] = field(default_factory=list)

    @property
    def changes(self) -> list[str]:
        """What changed, in words, per page range (JSON `changes`, ledger, CLI)."""
        return describe_changes(self.actions, self.image_changes, self.kept)

    def to_record(self) -> dict[str, Any]:
        return {
            "input": str(self.input),
            "parts": [
                {
                    "path": str(p.path),
                    "bytes": p.bytes,
                    "first_page": p.first_page,
                    "last_page": p.last_page,
                }
                for p in self.parts
            ],
            "actions": list(self.actions),
            "ok": self.ok,
            "reason": self.reason,
            "pages": self.pages,
            "warnings": list(self.warnings),
            "changes": self.changes,
            "kept": [k.as_json() for k in self.kept],
        }


class _Steps:
    """Maps inner progress onto the fit's steps."""

    def __init__(self, on_progress: ProgressCallback, name: str) -> None:
        self.on_progress = on_progress
        self.name = name
        self.step = 0

    def next(self, message: str) -> ProgressCallback:
        self.step += 1
        step = self.step
        self.on_progress(step - 1, STEPS, f"{self.name}: {message}")
        return self._inner(step)

    def same(self, message: str) -> ProgressCallback:
        """Another try within the current step."""
        self.on_progress(self.step - 1, STEPS, f"{self.name}: {message}")
        return self._inner(self.step)

    def _inner(self, step: int) -> ProgressCallback:
        def inner(done: int, total: int, msg: str) -> None:
            self.on_progress(step - 1, STEPS, f"{self.name}: {msg} {done}/{total}")

        return inner

    def done(self) -> None:
        self.on_progress(STEPS, STEPS, f"{self.name}: done")


def _temp(out_dir: Path, step: str) -> Path:
    return out_dir / f"{TEMP_PREFIX}{os.getpid()}-{step}.pdf.tmp"


def fit_pdf(
    src: Path,
    out_dir: Path,
    *,
    limit_bytes: int,
    profile: CourtProfile | None = None,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
    at_bookmarks: bool = False,
    decode_cap: int = DEFAULT_DECODE_CAP,
    ocr: OcrEngine | None = None,
) -> FitResult:
    """Make `src` court-ready under `limit_bytes` per file, writing the result to `out_dir`.

    When the profile requires text-searchable PDFs and `ocr` is given, image-only pages
    first get an OCR text layer (page images untouched); when OCR cannot run, the output
    is made without it and a warning says why.

    Failures a person must act on (a user password, a page too large, a decompression
    bomb) come back as `ok=False` with the reason; nothing is written for them.
    Raises `Cancelled` when `cancel` is set (temporary files are removed).
    """
    src = Path(src)
    out_dir = Path(out_dir)
    result = FitResult(input=src)
    profile = profile or generic_profile(limit_bytes)
    steps = _Steps(on_progress, src.name)
    try:
        if not src.is_file():
            raise IntakeError("no such file", path=src, fix="check the path")
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="fit-ocr-") as scratch:
            work = src
            pdfa = False
            if ocr is not None and profile.pdfa_required:
                _refuse_own_folder(src, out_dir, profile)
                work, pdfa = _pdfa(src, Path(scratch), ocr, profile, result, on_progress)
            elif ocr is not None and profile.text_searchable:
                _refuse_own_folder(src, out_dir, profile)
                work = _text_layer(src, Path(scratch), ocr, result, on_progress, cancel)
            _run(_Job(work, out_dir, limit_bytes, profile, result, steps, cancel,
                      at_bookmarks, decode_cap))
            if pdfa:
                result.actions.insert(0, "pdfa")
                if result.ocr is not None:
                    result.actions.insert(0, "ocr")
                for part in result.parts:
                    problems = pdfa_problems(part.path)
                    if problems:
                        result.warnings.append(f"{part.path.name} is not PDF/A: "
                                               + "; ".join(problems))
            elif work != src:
                result.actions.insert(0, "ocr")
    except IntakeError as exc:
        if exc.path and TEMP_PREFIX in exc.path:
            exc.path = str(src)  # never a temporary file's name in a message
        for part in result.parts:
            part.path.unlink(missing_ok=True)  # only files this run created
        result.parts = []
        result.ok = False
        result.reason = exc.message
    finally:
        if out_dir.is_dir():
            for leftover in out_dir.glob(f"{TEMP_PREFIX}{os.getpid()}-*"):
                leftover.unlink(missing_ok=True)
    steps.done()
    return result


def keep_attachments(found: list[tuple[str, bytes]], folder: Path, stem: str) -> list[KeptFile]:
    """Write removed attachments beside the outputs (`removed/<input name>/`), through the
    mover: crash-safe, never replacing a file."""
    kept = []
    for name, data in found:
        path = write_new_file(folder / stem / (name or "attachment"), data)
        kept.append(KeptFile(name, path, hashlib.sha256(data).hexdigest(), len(data)))
    return kept


def _refuse_own_folder(src: Path, out_dir: Path, profile: CourtProfile) -> Path:
    """The single-file output name; an error when that is the input itself."""
    single = out_dir / part_name("{stem}.pdf", src.stem, 1, 1, profile.filename_max,
                                 profile.filename_chars)
    if single.resolve() == src.resolve():
        raise IntakeError(
            "the output folder is the input's folder; fit never replaces its input",
            path=src,
            fix="choose another --out folder",
        )
    return single


def _pdfa(
    src: Path,
    scratch: Path,
    ocr: OcrEngine,
    profile: CourtProfile,
    result: FitResult,
    on_progress: ProgressCallback,
) -> tuple[Path, bool]:
    """The court requires PDF/A: a PDF/A-2b copy of `src` in `scratch` (same file name),
    with the OCR text layer in the same pass when the court wants text-searchable PDFs.
    When it cannot be made, the output is made without it and a warning says why."""
    on_progress(0, STEPS, f"{src.name}: converting to PDF/A")
    work = src
    try:
        with pikepdf.open(src) as pdf:
            if pdf.is_encrypted:  # OCRmyPDF refuses encrypted files; fit decrypts anyway
                work = scratch / f"unlocked-{src.name}"
                pdf.save(work)
    except pikepdf.PdfError:
        return src, False  # the pipeline reports what is wrong with the file
    dst = scratch / src.name
    try:
        needed = image_only_pages(work) if profile.text_searchable else []
    except IntakeError:
        needed = []
    done = convert_pdfa(work, dst, ocr, ocr=bool(needed))
    if not done.ok:
        result.warnings.append(f"not PDF/A, which {profile.name} requires: {done.reason}")
        return src, False
    if done.ocr and needed:
        left = set(image_only_pages(dst))
        result.ocr = {
            "step": "ocr", "engine": "ocrmypdf+tesseract", "ok": True,
            "image_only_pages": page_ranges(needed),
            "pages_ocred": page_ranges(p for p in needed if p not in left),
            "sha256_before": sha256_file(src), "sha256_after": sha256_file(dst),
            "engine_versions": dict(done.versions), "language": ocr.settings.language,
            "options": ["--skip-text", "--output-type pdfa-2", "--optimize 0"],
            "seconds": round(done.seconds, 2),
        }
    return dst, True


def _text_layer(
    src: Path,
    scratch: Path,
    ocr: OcrEngine,
    result: FitResult,
    on_progress: ProgressCallback,
    cancel: CancelFlag | None,
) -> Path:
    """The court wants text-searchable PDFs: OCR the image-only pages of `src` into a
    copy in `scratch` (same file name, so the outputs are named after the input)."""

    def progress(done: int, total: int, message: str) -> None:
        on_progress(0, STEPS, f"{src.name}: {message}")

    step = text_layer_step(src, scratch / "ocr", engine=ocr, on_progress=progress,
                           cancel=cancel)
    check_cancel(cancel)
    if step.event is not None:
        result.ocr = step.event
    if not step.changed:
        if step.needed:
            result.warnings.append(
                step.note or step.notice or "not text-searchable: OCR is not available")
        return src
    work = scratch / src.name
    step.pdf.replace(work)
    return work


@dataclass(frozen=True)
class _Job:
    """One fit under way: what `_run` and `_split` share."""

    src: Path
    out_dir: Path
    limit: int
    profile: CourtProfile
    result: FitResult
    steps: _Steps
    cancel: CancelFlag | None
    at_bookmarks: bool
    cap: int


def _run(job: _Job) -> None:
    src, out_dir, limit, profile = job.src, job.out_dir, job.limit, job.profile
    result, steps, cancel, cap = job.result, job.steps, job.cancel, job.cap
    target = target_size(limit)
    single = _refuse_own_folder(src, out_dir, profile)
    steps.next("checking")
    with open_pdf(src) as pdf:
        result.pages = len(pdf.pages)
        if result.pages == 0:
            raise IntakeError("the PDF has no pages", path=src, fix="check the file")
        found = attachments(pdf, cap) if profile.remove_active_content else []
        result.actions += fix_pdf(pdf, profile)
        if found and "removed_embedded_files" in result.actions:
            result.kept = keep_attachments(found, out_dir / REMOVED_DIR, src.stem)
        report = court_findings(pdf, src, profile, cap)
        bomb = report.finding("decode_cap")
        if bomb is not None:
            raise DecodeCapError(bomb.message, path=src, fix="ask the sender for a clean copy")
        result.warnings += [f.message for f in report.findings if f.code in WARN_CODES]
        if not result.actions and src.stat().st_size <= target:
            tmp = _temp(out_dir, "copy")
            shutil.copyfile(src, tmp)
            _finish_single(result, tmp, single)
            _verify(src, src, result, cap)
            return
        check_cancel(cancel)
        steps.next("lossless compression")
        result.actions += lossless(pdf)
        lossless_path = _temp(out_dir, "lossless")
        size = save_pdf(pdf, lossless_path)
    best = lossless_path
    if size <= target or not report.images:
        if size > target:
            return _split(job, best, lossless_path)
        _finish_single(result, lossless_path, single)
        _verify(src, lossless_path if result.actions else src, result, cap)
        return
    floor = max(profile.scan_dpi, MIN_DPI_COLOUR)
    chosen: list[ImageChange] = []
    with pikepdf.open(lossless_path, access_mode=STREAM) as pdf:
        ladder = dpi_ladder(collect_images(pdf, cap), floor)
    # Highest quality first: the first resolution whose output fits is kept.
    tried: tuple[int, int, int] | None = None  # dpi, image bytes, other bytes of a try
    for number, dpi in enumerate(ladder, 1):
        check_cancel(cancel)
        if tried is not None and dpi != ladder[-1]:
            # Image bytes scale about with the square of the dpi: skip steps clearly too big.
            last_dpi, image_bytes, other = tried
            if other + image_bytes * (dpi / last_dpi) ** 2 > target * SKIP_MARGIN:
                continue
        progress = steps.next(f"downsampling images to {dpi} dpi") if number == 1 else (
            steps.same(f"downsampling images to {dpi} dpi"))
        with pikepdf.open(lossless_path, access_mode=STREAM) as pdf:
            stats = downsample_images(
                pdf, target_dpi=dpi, min_dpi=floor, colour_min_dpi=profile.colour_dpi,
                cap=cap, on_progress=progress, cancel=cancel,
            )
            if not stats.replaced:
                continue
            down_path = _temp(out_dir, f"downsampled-{dpi}")
            down_size = save_pdf(pdf, down_path)
            tried = (dpi, stats.bytes_after, max(0, down_size - stats.bytes_after))
        if down_size < size:
            if best != lossless_path:
                best.unlink(missing_ok=True)
            best, size, chosen = down_path, down_size, stats.changes
            if "downsampled" not in result.actions:
                result.actions.append("downsampled")
        else:
            down_path.unlink(missing_ok=True)
        if size <= target:
            break
    if size <= target:
        result.image_changes = chosen
        _finish_single(result, best, single)
        _verify(src, lossless_path, result, cap)
        return
    check_cancel(cancel)
    progress = steps.next("black-and-white scans")
    with pikepdf.open(lossless_path, access_mode=STREAM) as pdf:
        bw = bitonal_images(
            pdf,
            target_dpi=max(profile.scan_dpi, MIN_DPI_BITONAL),
            cap=cap,
            on_progress=progress,
            cancel=cancel,
        )
        if bw.replaced:
            rest = downsample_images(pdf, target_dpi=floor, colour_min_dpi=profile.colour_dpi,
                                     cap=cap, cancel=cancel)
            bw_path = _temp(out_dir, "bitonal")
            bw_size = save_pdf(pdf, bw_path)
            if bw_size < size:
                best, size = bw_path, bw_size
                chosen = bw.changes + rest.changes
                result.actions = [a for a in result.actions if a != "downsampled"]
                result.actions.append("bitonal")
                if rest.replaced:
                    result.actions.append("downsampled")
    result.image_changes = chosen
    if size <= target:
        _finish_single(result, best, single)
        _verify(src, lossless_path, result, cap)
        return
    _split(job, best, lossless_path)


LADDER_DPI = (600, 400, 300, 250, 200)
SKIP_MARGIN = 1.3  # a step predicted this far over the target is not tried


def dpi_ladder(images: list[ImageInfo], floor: int) -> list[int]:
    """Resolutions to try for grey and colour images, highest first, none below `floor`
    and none the images are not already above (by the downsampling threshold)."""
    highest = max((i.dpi for i in images), default=0.0)
    steps = [d for d in LADDER_DPI if d >= floor and highest > d * DOWNSAMPLE_THRESHOLD]
    if floor not in steps and highest > floor * DOWNSAMPLE_THRESHOLD:
        steps.append(floor)
    return steps


def _split(job: _Job, best: Path, lossless_path: Path) -> None:
    src, profile, result, steps, cancel = job.src, job.profile, job.result, job.steps, job.cancel
    check_cancel(cancel)
    progress = steps.next("splitting")
    result.parts = split_to_limit(
        best,
        job.out_dir,
        job.limit,
        profile.part_pattern,
        stem=src.stem,
        filename_max=profile.filename_max,
        filename_chars=profile.filename_chars,
        at_bookmarks=job.at_bookmarks,
        on_progress=progress,
        cancel=cancel,
    )
    result.actions.append("split")
    if profile.submission_limit_bytes:
        total = sum(p.bytes for p in result.parts)
        if total > profile.submission_limit_bytes:
            result.warnings.append(
                f"the parts total {format_size(total)}, over the "
                f"{format_size(profile.submission_limit_bytes)} per-submission limit: "
                "file them in separate submissions"
            )
    steps.next("verifying")
    _verify(src, lossless_path, result, job.cap)
    result.ok = True


def _finish_single(result: FitResult, tmp: Path, final: Path) -> None:
    size = tmp.stat().st_size
    place_new(tmp, final)
    result.parts = [Part(final, size, 1, result.pages)]
    result.ok = True


def _sample(pages: int) -> list[int]:
    if pages <= TEXT_SAMPLE_PAGES:
        return list(range(pages))
    step = pages / TEXT_SAMPLE_PAGES
    return sorted({int(i * step) for i in range(TEXT_SAMPLE_PAGES)} | {pages - 1})


def _words(reader: pypdf.PdfReader, index: int) -> set[str]:
    try:
        return set(_WORD.findall(reader.pages[index].extract_text() or ""))
    except Exception:  # pypdf raises many kinds on damaged pages
        return set()


def _reader(path: Path, files: ExitStack) -> pypdf.PdfReader | None:
    """A pypdf reader on an open file (given a path, pypdf reads the whole file into memory)."""
    try:
        handle = files.enter_context(open(path, "rb"))  # noqa: SIM115 - closed by the stack
        reader = pypdf.PdfReader(handle)
        if reader.is_encrypted and not reader.decrypt(""):
            return None
        return reader
    except Exception:
        return None


def _verify(src: Path, reference: Path, result: FitResult, cap: int) -> None:
    """Each part reopens, the page counts add up, sampled text is still extractable."""
    counted = 0
    for part in result.parts:
        try:
            with pikepdf.open(part.path, access_mode=STREAM) as pdf:
                pages = len(pdf.pages)
        except pikepdf.PdfError as exc:
            raise IntakeError(
                f"the written part does not reopen ({exc})",
                path=part.path,
                fix="report this; the input was not changed",
            ) from exc
        if pages != part.last_page - part.first_page + 1:
            raise IntakeError(
                f"the part has {pages} pages, expected {part.last_page - part.first_page + 1}",
                path=part.path,
                fix="report this; the input was not changed",
            )
        counted += pages
    if counted != result.pages:
        raise IntakeError(
            f"the parts hold {counted} pages but the input has {result.pages}",
            path=src,
            fix="report this; the input was not changed",
        )
    with ExitStack() as files:
        _check_text(src, reference, result, files)


def _check_text(src: Path, reference: Path, result: FitResult, files: ExitStack) -> None:
    before = _reader(src, files) or (_reader(reference, files) if reference.exists() else None)
    if before is None:
        return
    readers = {id(p): _reader(p.path, files) for p in result.parts}
    for index in _sample(result.pages):
        words = _words(before, index)
        if not words:
            continue
        part = next(p for p in result.parts if p.first_page <= index + 1 <= p.last_page)
        reader = readers[id(part)]
        after = _words(reader, index + 1 - part.first_page) if reader else set()
        missing = words - after
        if missing:
            raise IntakeError(
                f"text on page {index + 1} is no longer extractable after fitting "
                f"(e.g. {sorted(missing)[:3]})",
                path=src,
                fix="report this; the input was not changed",
            )


__all__ = ["Cancelled", "Finding", "FitResult", "Part", "fit_pdf"]
