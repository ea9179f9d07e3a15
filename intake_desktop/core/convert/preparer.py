"""`ConvertingPreparer`: detect by content, convert to PDF, extract facts and children.

Policy (the same for every format; nothing is ever lost):
- The original bytes are never changed; the filer keeps them in `_Originals/` (or Review/).
- Converted: the PDF becomes the filed copy and each conversion is a `converted` event.
- We could not make a PDF, but nothing says the file is bad (LibreOffice missing or
  failing, text too large, a format we do not convert, content we do not recognize under
  a known extension): the original is filed as it came, with a flag (`needs_conversion`,
  `conversion_failed`, `too_large_to_convert`, `extension_mismatch`) and a note saying why
  and what to do (IngestResult.notes, the `filed` event).
- The content is a format we recognize but it is damaged (`corrupt`), locked with a user
  password (`password_protected`), hostile (`unsafe_archive`) or over a limit
  (`over_limit`): `ConversionError`; the filer sends it to Review/ unchanged with the
  reason, because a person has to act before it can be used.
- A known format under the wrong extension is handled as what it is, flagged
  `extension_mismatch`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from intake_desktop.core.convert import kinds
from intake_desktop.core.convert.archive import extract_zip
from intake_desktop.core.convert.base import (
    FLAG_EXTENSION_MISMATCH,
    FLAG_REPAIRED,
    ConversionError,
    Converted,
    ConvertLimits,
)
from intake_desktop.core.convert.facts import choose_document_date, date_from_name, put
from intake_desktop.core.convert.kinds import Detection, detect
from intake_desktop.core.convert.office import LibreOffice, office_to_pdf
from intake_desktop.core.convert.pdfcheck import (
    DamagedPdf,
    Repair,
    pdf_facts,
    pikepdf_version,
    repair_pdf,
)
from intake_desktop.core.pipeline import PageText, Prepared

# The e-mail, image and text converters load when first needed (reportlab and its fonts,
# Pillow's HEIF support, img2pdf: 0.1 s of the start of a preparation process that meets
# only PDFs); `load_converters` loads them all, before workers fork.


@functools.cache
def _image_converter() -> Callable[..., Converted]:
    from intake_desktop.core.convert.images import image_to_pdf, register_formats

    register_formats()
    return image_to_pdf


@functools.cache
def _email_converter() -> Callable[..., Converted]:
    from intake_desktop.core.convert.email import email_to_pdf

    return email_to_pdf


@functools.cache
def _text_converter() -> Callable[..., Converted]:
    from intake_desktop.core.convert.text import text_to_pdf

    return text_to_pdf


def load_converters() -> None:
    """Load every converter now (a process about to fork workers: each inherits them)."""
    _image_converter()
    _email_converter()
    _text_converter()


class ConvertingPreparer:
    """The conversion stage of filing (implements `intake_desktop.core.pipeline.Preparer`)."""

    def __init__(
        self,
        *,
        limits: ConvertLimits | None = None,
        office: LibreOffice | None = None,
        day_first: bool = False,
    ) -> None:
        self.limits = limits or ConvertLimits()
        self.office = office or LibreOffice.discover(
            self.limits.office_timeout, memory=self.limits.office_memory,
            address_space=self.limits.office_address_space)
        self.day_first = day_first

    def before_fork(self) -> None:
        """Called before preparation workers fork (core/filing/pool.py): they inherit every
        converter instead of each loading its own."""
        load_converters()

    def prepare(self, source: Path, sha256: str, workdir: Path) -> Prepared:
        found = detect(source)
        try:
            converted = self._convert(source, found, workdir)
        except ConversionError as exc:
            if found.extension_mismatch:
                exc.flags = (*exc.flags, FLAG_EXTENSION_MISMATCH)
            if exc.detected_type == "application/octet-stream":
                exc.detected_type = found.mime
            raise
        facts = self._facts(source, found, converted)
        flags = list(converted.flags)
        if found.extension_mismatch:
            flags.insert(0, FLAG_EXTENSION_MISMATCH)
        return Prepared(
            detected_type=found.mime,
            filed_from=converted.pdf or source,
            facts=facts,
            flags=tuple(dict.fromkeys(flags)),
            conversions=tuple(converted.conversions),
            children=tuple(converted.children),
            text=converted.text if converted.pdf is None else None,
        )

    def _convert(self, source: Path, found: Detection, workdir: Path) -> Converted:
        kind, mime = found.kind, found.mime
        if kind == kinds.PDF:
            repaired: Repair | None = None
            try:
                info = pdf_facts(source, scan_pages=self.limits.scan_pages)
            except DamagedPdf:
                workdir.mkdir(parents=True, exist_ok=True)
                repaired = repair_pdf(source, workdir / "repaired.pdf",
                                      scan_pages=self.limits.scan_pages)
                if repaired is None:
                    raise
                info = pdf_facts(repaired.path, scan_pages=self.limits.scan_pages)
                info.flags.insert(0, FLAG_REPAIRED)
            result = Converted(flags=list(info.flags))
            if repaired is not None:
                result.pdf = repaired.path
                result.conversions.append({
                    "tool": "qpdf", "tool_version": pikepdf_version(),
                    "from_type": mime, "to_type": "application/pdf",
                    "pages": repaired.pages, "method": "repaired",
                    "damage": repaired.damage,
                    "verified": "page count and the text of every page agree between "
                                "qpdf and pypdf",
                })
                result.notes.append(
                    f"the PDF was damaged ({repaired.damage}); a repaired copy whose "
                    f"{repaired.pages} pages two readers agree on is the working copy, the "
                    "file as received is kept unchanged with the original")
            put(result.facts, "page_count", info.page_count)
            put(result.facts, "pdf_title", info.title)
            put(result.facts, "_pdf_date", info.date)
            put(result.facts, "first_page_text", info.first_page_text)
            if info.image_only_pages:
                result.facts["image_only_pages"] = info.image_only_pages
            if info.page_texts is not None and repaired is None:
                result.text = PageText(
                    tuple(info.page_texts), info.page_count,
                    every_page_has_text=info.pages_with_text == info.page_count)
            return result
        if kind in kinds.WRITING_KINDS:
            # The filer hands over a work folder that does not exist yet.
            workdir.mkdir(parents=True, exist_ok=True)
        if kind == kinds.IMAGE:
            return _image_converter()(source, mime, workdir, self.limits)
        if kind in (kinds.EMAIL, kinds.MSG):
            return _email_converter()(source, mime, kind, workdir, self.limits)
        if kind == kinds.OFFICE:
            return office_to_pdf(source, mime, workdir, self.office, self.limits)
        if kind in (kinds.TEXT, kinds.CSV, kinds.HTML):
            return _text_converter()(source, mime, kind, workdir, self.limits)
        if kind == kinds.ZIP:
            return extract_zip(source, mime, workdir, self.limits)
        result = Converted()  # a format we do not convert: filed as it came
        if found.claimed == kinds.MSG:
            result.notes.append(
                "not an Outlook message: a .msg must be an OLE compound file and this one is "
                f"not (content reads as {mime}); filed as received. Ask the sender to forward "
                "the email again or to save it as .eml")
        elif found.claimed is not None:
            result.notes.append(
                f"the name says {source.suffix.lower()} but the content is not a format we "
                f"recognize ({mime}); filed as received, not converted. If it does not open, "
                "ask the sender for the file again")
        return result

    def _facts(self, source: Path, found: Detection, converted: Converted) -> dict[str, Any]:
        facts: dict[str, Any] = dict(converted.facts)
        email_day = facts.pop("_email_day", None)
        pdf_date = facts.pop("_pdf_date", None)
        facts["original_name"] = source.name
        facts["extension_mismatch"] = found.extension_mismatch
        facts["content_kind"] = found.kind
        if converted.notes:
            facts["notes"] = list(converted.notes)
        date, origin = choose_document_date({
            "email_date": email_day,
            "filename": date_from_name(source.name, day_first=self.day_first),
            "capture_date": facts.get("capture_date"),
            "pdf_metadata": pdf_date,
        })
        if date:
            facts["document_date"] = date
            facts["document_date_source"] = origin
        return facts
