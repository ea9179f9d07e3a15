"""OCR: an invisible text layer for scanned (image-only) pages, via OCRmyPDF + Tesseract."""

from typing import TYPE_CHECKING, Any

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
from intake_desktop.core.ocr.step import (
    FLAG_NOT_TEXT_SEARCHABLE,
    FLAG_OCR_FAILED,
    OcrEngine,
    OcrSettings,
    TextLayer,
    text_layer_step,
)

if TYPE_CHECKING:
    from intake_desktop.core.ocr.preparer import OcrPreparer, merge_text_layer


def __getattr__(name: str) -> Any:
    """The filing stage loads when first used: it brings the naming rules with it, which
    the window's start-up and `open_app` do not need."""
    if name in ("OcrPreparer", "merge_text_layer"):
        from intake_desktop.core.ocr import preparer

        return getattr(preparer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FLAG_NOT_TEXT_SEARCHABLE",
    "FLAG_OCR_FAILED",
    "INSTALL_COMMAND",
    "OcrAvailability",
    "OcrEngine",
    "OcrPreparer",
    "OcrResult",
    "OcrSettings",
    "TextLayer",
    "add_text_layer",
    "find_ocrmypdf",
    "find_tesseract",
    "image_only_pages",
    "merge_text_layer",
    "ocr_available",
    "text_layer_step",
]
