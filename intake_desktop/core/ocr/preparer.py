"""`OcrPreparer`: wraps any `Preparer` and adds the OCR step to what it prepared.

When the file about to be filed (`Prepared.filed_from`: the source PDF, or the PDF a
converter made from a scan or photo) has image-only pages, the OCRed copy becomes the
filed copy; the original stays untouched in `_Originals/`. The OCR text goes into the
facts (`ocr_text`; `first_page_text` when the page had none), for the naming rules'
keyword conditions and for search. Failure or a missing engine never blocks filing: the
file is filed as it was, flagged, and the `ocr` event records why.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intake_desktop.core.ocr.step import (
    FIRST_PAGE_CHARS,
    FLAG_NOT_TEXT_SEARCHABLE,
    OcrEngine,
    TextLayer,
    text_layer_step,
)
from intake_desktop.core.pipeline import PageText, Prepared, Preparer
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress
from intake_desktop.core.rules.facts import text_facts
from intake_desktop.core.search_text import MAX_PAGES

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

NOTE_FACT = "ocr_note"
# Languages a first OCR pass recognises a document to be in (core/rules/facts.text_facts),
# and their Tesseract codes (packages tesseract-ocr-fra, -spa, -por).
OCR_LANGUAGES = {"French": "fra", "Spanish": "spa", "Portuguese": "por"}
NOTES_FACT = "notes"  # what a person should know about the document (filer: IngestResult.notes)


def is_pdf(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return b"%PDF-" in fh.read(1024)
    except OSError:
        return False


def merge_text_layer(prepared: Prepared, step: TextLayer) -> Prepared:
    """`prepared` with the OCR step's output: filed copy, facts, flags, ledger event."""
    if step.event is None and not step.flags:
        return prepared
    facts: dict[str, Any] = dict(prepared.facts)
    first = step.facts.get("ocr_first_page_text")
    for key, value in step.facts.items():
        if key != "ocr_first_page_text":
            facts[key] = value
    if first and not str(facts.get("first_page_text") or "").strip():
        facts["first_page_text"] = str(first)[:FIRST_PAGE_CHARS]
    if step.notice:
        facts[NOTE_FACT] = step.notice
    new_notes = [n for n in (step.notice, step.note) if n]
    if new_notes:
        earlier = facts.get(NOTES_FACT) or []
        facts[NOTES_FACT] = [*(earlier if isinstance(earlier, list) else [earlier]), *new_notes]
    conversions: list[dict[str, Any]] = []
    before = step.event.get("sha256_before") if step.event else None
    for conversion in prepared.conversions:
        # Earlier conversions ended at the PDF the OCR step started from.
        if step.changed and before and "sha256_after" not in conversion:
            conversion = {**conversion, "sha256_after": before}
        conversions.append(conversion)
    if step.event is not None:
        conversions.append(step.event)
    earlier = prepared.flags
    if step.changed:  # an earlier stage may have flagged the scan; now it has text
        earlier = tuple(f for f in earlier if f != FLAG_NOT_TEXT_SEARCHABLE)
    flags = tuple(dict.fromkeys((*earlier, *step.flags)))
    return replace(
        prepared,
        filed_from=step.pdf if step.changed else prepared.filed_from,
        text=ocred_text(prepared.text, step) if step.changed else prepared.text,
        facts=facts,
        flags=flags,
        conversions=tuple(conversions),
    )


def ocred_text(before: PageText | None, step: TextLayer) -> PageText | None:
    """The text layer of the OCRed copy, page by page, from what OCR recognised on the pages
    it OCRed and what the checks read on the pages it left alone; None when a page's text is
    not known (the search index then reads the PDF). Reading it back with pypdf costs a
    second or more per OCRed file (Tesseract's font maps every 16-bit code)."""
    result = step.result
    if result is None or not result.ok:
        return None
    count = len(result.pages_ocred) + len(result.pages_skipped) + len(result.pages_failed)
    pages: list[str] = []
    for number in range(1, min(count, MAX_PAGES) + 1):
        if number in result.page_texts:
            pages.append(result.page_texts[number])
        elif before is not None and before.page_count == count and number <= len(before.pages):
            pages.append(before.pages[number - 1])
        else:
            return None
    return PageText(tuple(pages), count,
                    every_page_has_text=count == len(pages) and all(p.strip() for p in pages))


class OcrPreparer:
    """Decorates a `Preparer` with the OCR step (implements the `Preparer` protocol)."""

    def __init__(
        self,
        inner: Preparer,
        engine: OcrEngine,
        *,
        on_progress: ProgressCallback = no_progress,
        cancel: CancelFlag | None = None,
        on_notice: Callable[[str], None] | None = None,
    ) -> None:
        self.inner = inner
        self.engine = engine
        self.on_notice = on_notice  # told the "OCR is not available" message, once per app
        self.on_progress = on_progress
        self.cancel = cancel
        self._engines: dict[str, OcrEngine] = {}  # one per foreign language, made on demand
        # Set once the notice is said, shared with forked workers (`before_fork`).
        self._said: Synchronized[int] | None = None
        self._needed: Synchronized[int] | None = None  # a worker met a page to OCR

    def before_fork(self) -> None:
        """Called before worker processes are forked (core/filing/pool.py). Whether OCR can
        run is found out by the process that first meets a page needing it (a run of text
        PDFs never starts the OCR programs: half a second of a command's start); the "OCR is
        not available" notice is still said once for the run, whichever process says it
        first: they share the flag made here."""
        if self._said is None:
            self._said = multiprocessing.get_context("fork").Value("b", 0)
            self._needed = multiprocessing.get_context("fork").Value("b", 0)
        elif self._needed is not None and self._needed.value:
            # Workers of an earlier batch met pages to OCR (a watcher filing scans): check
            # here once, so these workers and the next inherit the answer.
            self.engine.availability()
        before = getattr(self.inner, "before_fork", None)
        if callable(before):
            before()

    def share_flags(self, said: Any, needed: Any) -> None:
        """Share the notice's flags (see `before_fork`) made before this preparer, by the
        process that started the workers it now works beside (core/filing/early.py)."""
        self._said, self._needed = said, needed

    def _tell(self, notice: str) -> None:
        """`on_notice`, once for this preparer and the workers forked from it."""
        if self.on_notice is None:
            return
        said = self._said
        if said is not None:
            with said.get_lock():
                if said.value:
                    return
                said.value = 1
        self.on_notice(notice)

    def prepare(self, source: Path, sha256: str, workdir: Path) -> Prepared:
        prepared = self.inner.prepare(source, sha256, workdir)
        target = prepared.filed_from
        if prepared.text is not None and prepared.text.every_page_has_text:
            return prepared  # the checks saw text on every page: no page needs OCR
        if not is_pdf(target):
            return prepared
        if self._needed is not None:
            self._needed.value = 1
        step = text_layer_step(
            target, workdir, engine=self.engine,
            sha256=sha256 if target == source else None,
            on_progress=self.on_progress, cancel=self.cancel,
        )
        if step.notice:
            self._tell(step.notice)
        step = self._in_its_language(step, target, workdir, sha256 if target == source else None)
        return merge_text_layer(prepared, step)

    def _in_its_language(
        self, step: TextLayer, target: Path, workdir: Path, sha256: str | None
    ) -> TextLayer:
        """A foreign-language document (a French birth certificate) OCRed again in its own
        language, when the first pass read it as such and the language data is installed:
        accents and words come out right, and the rules can read it."""
        if not step.changed:
            return step
        language = text_facts({"first_page_text": step.facts.get("ocr_text", "")}).get(
            "language")
        code = OCR_LANGUAGES.get(str(language or ""))
        if code is None or code in self.engine.settings.language.split("+"):
            return step
        engine = self._engines.get(code)
        if engine is None:
            settings = replace(self.engine.settings,
                               language=f"{code}+{self.engine.settings.language}")
            engine = self._engines[code] = OcrEngine(settings)
            engine.cache = self.engine.cache
        again = text_layer_step(target, workdir, engine=engine, sha256=sha256,
                                on_progress=self.on_progress, cancel=self.cancel)
        if not again.changed:
            return step  # the language data is missing or the run failed: keep the first
        return replace(again, facts={**again.facts, "ocr_language": engine.settings.language})
