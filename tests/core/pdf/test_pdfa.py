"""PDF/A copies through OCRmyPDF: what a stopped conversion leaves behind."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from intake_desktop.core.ocr import OcrEngine
from intake_desktop.core.pdf import pdfa
from tests.core.ocr.test_ocr import needs_ocr
from tests.ocr_pdfs import scanned_pdf
from tests.watching import once_it_appears


@needs_ocr
def test_a_stopped_pdfa_conversion_leaves_no_page_images_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """OCRmyPDF works in a folder of its TMPDIR (the rendered pages) that it removes only
    when it ends by itself: a PDF/A copy stopped at its time limit left it in the system's
    temporary folder for good."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    monkeypatch.setattr(pdfa, "BASE_TIMEOUT_S", 2.0)
    monkeypatch.setattr(pdfa, "PER_PAGE_TIMEOUT_S", 0.0)
    src, _ = scanned_pdf(tmp_path / "scan.pdf", list(range(10)))  # OCR: 1 s a page or so
    with once_it_appears(temp, "ocrmypdf.io.*") as seen:
        result = pdfa.convert_pdfa(src, tmp_path / "out.pdf", OcrEngine(), ocr=True)
    assert not result.ok and "longer than 2 s" in result.reason
    assert seen, "OCRmyPDF made no working folder before it was stopped"
    assert list(temp.iterdir()) == []
    assert not (tmp_path / "out.pdf").exists()
