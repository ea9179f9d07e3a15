"""OCR as a court-fit step: courts that require text-searchable PDFs get a text layer."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pypdf

from intake_desktop.app import App, open_app
from intake_desktop.core.courts import generic_profile, load_profile
from intake_desktop.core.ocr import INSTALL_COMMAND, OcrEngine, OcrSettings
from intake_desktop.core.pdf.fit import fit_pdf
from tests.conftest import run_cli
from tests.core.ocr.test_ocr import needs_ocr
from tests.ocr_pdfs import image_streams, scanned_pdf

LIMIT = 25 * 1024 * 1024


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def text_of(path: Path) -> str:
    return " ".join(p.extract_text() or "" for p in pypdf.PdfReader(path).pages)


@needs_ocr
def test_court_requiring_text_gets_an_ocr_layer(tmp_path: Path) -> None:
    src, texts = scanned_pdf(tmp_path / "Exhibit 4 scan.pdf", [70])
    data = src.read_bytes()
    profile = dataclasses.replace(generic_profile(LIMIT), text_searchable=True)
    result = fit_pdf(src, tmp_path / "out", limit_bytes=LIMIT, profile=profile,
                     ocr=OcrEngine())
    assert result.ok, result.reason
    assert result.actions[0] == "ocr"
    [part] = result.parts
    assert part.path.name == "Exhibit 4 scan.pdf"
    expected = words(" ".join(texts[0]))
    assert len(expected - words(text_of(part.path))) <= len(expected) // 10
    assert image_streams(part.path) == image_streams(src)
    assert not any("no text layer" in w for w in result.warnings)
    assert result.ocr is not None and result.ocr["ok"] is True
    assert src.read_bytes() == data  # fit never changes its input
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["Exhibit 4 scan.pdf"]


def test_court_without_the_requirement_is_not_ocred(tmp_path: Path) -> None:
    src, _ = scanned_pdf(tmp_path / "scan.pdf", [71])
    result = fit_pdf(src, tmp_path / "out", limit_bytes=LIMIT,
                     profile=generic_profile(LIMIT), ocr=OcrEngine())
    assert result.ok and "ocr" not in result.actions and result.ocr is None
    assert text_of(result.parts[0].path).strip() == ""


def test_without_tesseract_fit_still_works_and_says_why(tmp_path: Path) -> None:
    src, _ = scanned_pdf(tmp_path / "scan.pdf", [72])
    empty = tmp_path / "no-tools"
    empty.mkdir()
    engine = OcrEngine(OcrSettings(search_path=str(empty)))
    profile = dataclasses.replace(generic_profile(LIMIT), text_searchable=True)
    first = fit_pdf(src, tmp_path / "out1", limit_bytes=LIMIT, profile=profile, ocr=engine)
    second = fit_pdf(src, tmp_path / "out2", limit_bytes=LIMIT, profile=profile, ocr=engine)
    assert first.ok and second.ok and "ocr" not in first.actions
    assert any(INSTALL_COMMAND in w for w in first.warnings)  # said once, in words
    assert not any(INSTALL_COMMAND in w for w in second.warnings)
    assert "not text-searchable: OCR is not available" in second.warnings
    assert first.ocr is not None and first.ocr["ok"] is False


@needs_ocr
def test_fit_cli_for_nyscef_records_the_ocr_event(app: App, tmp_path: Path) -> None:
    assert load_profile("nyscef").text_searchable
    src, _ = scanned_pdf(tmp_path / "scan.pdf", [73])
    root = str(app.workspace.root)
    app.close()
    out = tmp_path / "court"
    done = run_cli("fit", str(src), "--court", "nyscef", "--out", str(out),
                   "--workspace", root, "--json")
    assert done.returncode == 0, done.stderr
    [record] = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    assert record["ok"] and record["actions"][0] == "ocr"
    reopened = open_app(root)
    try:
        events = reopened.ledger.chain.events()
    finally:
        reopened.close()
    ocr = [e for e in events if e.kind == "ocr"]
    assert len(ocr) == 1 and ocr[0].detail["court"] == "nyscef"
    assert ocr[0].sha256_before != ocr[0].sha256_after
    assert ocr[0].detail["engine_versions"]["tesseract"]
