"""OCR: an invisible text layer for scanned (image-only) pages, via OCRmyPDF + Tesseract.

The names below load with their module when first used (core/lazy.py): `open_app` reads
the OCR settings without loading the PDF libraries, and the filing stage (preparer.py)
brings the naming rules with it, which the window's start-up does not need."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake_desktop.core.lazy import exports

if TYPE_CHECKING:
    from intake_desktop.core.ocr.engine import (
        INSTALL_COMMAND,
        OcrAvailability,
        OcrResult,
        add_text_layer,
        find_ocrmypdf,
        find_tesseract,
        ocr_available,
    )
    from intake_desktop.core.ocr.pages import image_only_pages
    from intake_desktop.core.ocr.preparer import OcrPreparer, merge_text_layer
    from intake_desktop.core.ocr.settings import OcrSettings
    from intake_desktop.core.ocr.standard import StandardPreparer
    from intake_desktop.core.ocr.step import (
        FLAG_NOT_TEXT_SEARCHABLE,
        FLAG_OCR_FAILED,
        OcrEngine,
        TextLayer,
        text_layer_step,
    )

# Each name and the module (core/ocr/<module>.py) it comes from.
_HOMES = {
    "INSTALL_COMMAND": "engine",
    "OcrAvailability": "engine",
    "OcrResult": "engine",
    "add_text_layer": "engine",
    "find_ocrmypdf": "engine",
    "find_tesseract": "engine",
    "ocr_available": "engine",
    "image_only_pages": "pages",
    "OcrPreparer": "preparer",
    "merge_text_layer": "preparer",
    "OcrSettings": "settings",
    "StandardPreparer": "standard",
    "FLAG_NOT_TEXT_SEARCHABLE": "step",
    "FLAG_OCR_FAILED": "step",
    "OcrEngine": "step",
    "TextLayer": "step",
    "text_layer_step": "step",
}

__getattr__ = exports(__name__, _HOMES)

__all__ = [
    "FLAG_NOT_TEXT_SEARCHABLE",
    "FLAG_OCR_FAILED",
    "INSTALL_COMMAND",
    "OcrAvailability",
    "OcrEngine",
    "OcrPreparer",
    "OcrResult",
    "OcrSettings",
    "StandardPreparer",
    "TextLayer",
    "add_text_layer",
    "find_ocrmypdf",
    "find_tesseract",
    "image_only_pages",
    "merge_text_layer",
    "ocr_available",
    "text_layer_step",
]
