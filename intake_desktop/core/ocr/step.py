"""The OCR step that normalization (the preparer) and court-fit call on a PDF.

`text_layer_step` decides whether a PDF needs OCR (it has image-only pages), runs it when
the engine is there, and says what happened as data: the PDF to carry on with, flags,
facts for the naming rules and search (`ocr_text`, `first_page_text`) and the detail of
the ledger's `ocr` event. It never raises for OCR trouble and never blocks filing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pikepdf

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ocr.engine import (
    OcrAvailability,
    OcrResult,
    add_text_layer,
    ocr_available,
)
from intake_desktop.core.ocr.pages import image_only_pages, is_signed
from intake_desktop.core.ocr.settings import OcrSettings
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress
from intake_desktop.core.ranges import ranges

if TYPE_CHECKING:
    from intake_desktop.core.ocr.cache import OcrCache

FLAG_NOT_TEXT_SEARCHABLE = "not_text_searchable"
FLAG_OCR_FAILED = "ocr_failed"
# The `step` value that marks a conversion dict as the ledger's `ocr` event.
OCR_STEP = "ocr"
MAX_OCR_TEXT = 200_000  # characters kept in facts (rules and search); the PDF has it all
FIRST_PAGE_CHARS = 8_000


class OcrEngine:
    """OCR for one app: checks the programs once, and says once when they are missing."""

    def __init__(self, settings: OcrSettings | None = None) -> None:
        self.settings = settings or OcrSettings()
        self._availability: OcrAvailability | None = None
        self._told = False
        self._lock = threading.Lock()
        # One OCR run at a time per app (each uses `jobs` processes): filing workers that
        # OCR at once would otherwise start jobs x workers Tesseract processes.
        self._slot = threading.BoundedSemaphore(1)
        # Earlier output for the same bytes (the demo's own documents only: core/ocr/cache.py).
        self.cache: OcrCache | None = None

    def availability(self) -> OcrAvailability:
        with self._lock:
            if self._availability is None:
                if not self.settings.enabled:
                    self._availability = OcrAvailability(
                        False, "OCR is turned off in the settings; scanned pages are filed "
                        "without a text layer and flagged \"not text-searchable\"")
                else:
                    self._availability = ocr_available(
                        self.settings.search_path, self.settings.language)
            return self._availability

    def notice_once(self) -> str | None:
        """The "OCR is not available" message the first time it applies, then None."""
        avail = self.availability()
        with self._lock:
            if avail.ok or self._told:
                return None
            self._told = True
            return avail.message

    @property
    def notice_given(self) -> str | None:
        """The "not available" message if this app has said it (for a command's summary)."""
        with self._lock:
            if self._told and self._availability is not None:
                return self._availability.message
            return None

    def add_text_layer(
        self,
        src: Path,
        dst: Path,
        *,
        pages: list[int] | None = None,
        on_progress: ProgressCallback = no_progress,
        cancel: CancelFlag | None = None,
    ) -> OcrResult:
        s = self.settings
        avail = self.availability()
        key = None
        if self.cache is not None and avail.ok:
            started = time.monotonic()
            key = self.cache.key(src, pages, s.language, dict(avail.versions))
            hit = self.cache.fetch(key, src, dst)
            if hit is not None:
                return replace(hit, seconds=time.monotonic() - started)
        acquired = self._slot.acquire(blocking=False)
        if not acquired:
            on_progress(0, len(pages or ()), f"OCR {src.name}: waiting for another OCR run")
        while not acquired:
            if cancel is not None and cancel.is_set():
                return OcrResult(False, "OCR was cancelled", cancelled=True,
                                 engine_versions=dict(avail.versions))
            acquired = self._slot.acquire(timeout=0.2)
        try:
            result = add_text_layer(
                src, dst, pages=pages, timeout=s.timeout_s, jobs=s.jobs, language=s.language,
                on_progress=on_progress, cancel=cancel, search_path=s.search_path,
                availability=avail,
            )
        finally:
            self._slot.release()
        if self.cache is not None and key is not None:
            self.cache.store(key, dst, result)
        return result


@dataclass(frozen=True)
class TextLayer:
    """What the OCR step did to one PDF."""

    pdf: Path  # the PDF to carry on with: the OCRed copy, or the input unchanged
    changed: bool = False
    needed: bool = False  # the PDF had image-only pages
    flags: tuple[str, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)
    # Detail of the ledger's `ocr` event (None: nothing to record, no page needed OCR).
    event: dict[str, Any] | None = None
    notice: str | None = None  # say this to the person (once per app)
    note: str | None = None  # what a person should know about this document
    result: OcrResult | None = None


def page_ranges(pages: Iterable[int]) -> str:
    """1-based page numbers as compact ranges for the ledger: [1, 2, 3, 7] -> "1-3,7"."""
    return ranges(pages, sep=",")


def text_layer_step(
    pdf: Path,
    workdir: Path,
    *,
    engine: OcrEngine,
    sha256: str | None = None,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
) -> TextLayer:
    """Give the image-only pages of `pdf` an OCR text layer, writing a new PDF in `workdir`.

    `pdf` is never modified. `sha256`: its hash when the caller knows it.
    """
    try:
        pages = image_only_pages(pdf)
        signed = bool(pages) and is_signed(pdf)
    except (IntakeError, pikepdf.PdfError, OSError, ValueError):
        return TextLayer(pdf)  # unreadable or a bomb: the stage calling us decides
    if not pages:
        return TextLayer(pdf)
    before = sha256 or sha256_file(pdf)
    base: dict[str, Any] = {
        "step": OCR_STEP, "engine": "ocrmypdf+tesseract",
        "image_only_pages": page_ranges(pages),
        "sha256_before": before, "sha256_after": before,
    }
    not_searchable = {"text_searchable": False}
    if signed:
        reason = ("the PDF is digitally signed: adding a text layer would invalidate the "
                  "signature, so it was not OCRed")
        return TextLayer(
            pdf, needed=True, flags=(FLAG_NOT_TEXT_SEARCHABLE,),
            facts={**not_searchable, "ocr_skipped": reason},
            event={**base, "ok": False, "reason": reason},
            note=f"not text-searchable: {reason}",
        )
    avail = engine.availability()
    if not avail.ok:
        return TextLayer(
            pdf, needed=True, flags=(FLAG_NOT_TEXT_SEARCHABLE,),
            facts={**not_searchable, "ocr_skipped": "OCR is not available"},
            event={**base, "ok": False, "reason": avail.message,
                   "engine_versions": dict(avail.versions)},
            notice=engine.notice_once(),
        )
    out = workdir / f"{pdf.stem}.ocr.pdf"
    n = 1
    while out.exists():
        n += 1
        out = workdir / f"{pdf.stem}.ocr-{n}.pdf"
    result = engine.add_text_layer(pdf, out, pages=pages, on_progress=on_progress,
                                   cancel=cancel)
    failed = result.pages_failed
    gave_up = (f"Tesseract gave up on {'page' if len(failed) == 1 else 'pages'} "
               f"{page_ranges(failed)} at its time limit for a page") if failed else None
    if not result.ok or (gave_up and not result.pages_ocred):
        out.unlink(missing_ok=True)  # nothing read: the PDF carries on as it came
        reason = result.reason or gave_up or "OCR failed"
        return TextLayer(
            pdf, needed=True, flags=(FLAG_OCR_FAILED, FLAG_NOT_TEXT_SEARCHABLE),
            facts={**not_searchable, "ocr_failed_reason": reason},
            note=f"OCR failed, filed without a text layer: {reason}",
            event={**base, "ok": False, "reason": reason,
                   "engine_versions": result.engine_versions,
                   "seconds": round(result.seconds, 2)},
            result=result,
        )
    after = sha256_file(out)
    facts: dict[str, Any] = {
        "text_searchable": not gave_up,
        "ocr_text": result.text[:MAX_OCR_TEXT],
        "ocr_pages": list(result.pages_ocred),
    }
    flags: tuple[str, ...] = ()
    note = None
    if gave_up:  # the other pages keep the text OCR read on them
        facts["ocr_failed_pages"] = list(result.pages_failed)
        flags = (FLAG_OCR_FAILED, FLAG_NOT_TEXT_SEARCHABLE)
        note = (f"OCR read some pages only: {gave_up}; "
                f"{'it has' if len(failed) == 1 else 'they have'} no text layer")
    first = result.page_texts.get(1, "")
    if first:
        facts["ocr_first_page_text"] = first[:FIRST_PAGE_CHARS]
    event = {
        **base, "ok": True, "sha256_after": after,
        "engine_versions": result.engine_versions,
        "pages_ocred": page_ranges(result.pages_ocred),
        "pages_skipped": page_ranges(result.pages_skipped),
        "pages_failed": page_ranges(result.pages_failed),
        "language": engine.settings.language,
        "options": ["--skip-text", "--output-type pdf", "--optimize 0"],
        "images_unchanged": True,
        "seconds": round(result.seconds, 2),
    }
    if result.cached:
        event["cached"] = "the text layer an earlier run made for the same bytes"
    return TextLayer(out, changed=True, needed=True, flags=flags, facts=facts, event=event,
                     note=note, result=result)
