"""OCR inside filing: the OCRed PDF is the filed copy, the original stays byte-identical,
the ledger records an `ocr` event, the text reaches the rules, nothing ever blocks."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pikepdf
import pypdf
import pytest

from intake_desktop.app import App, build_filer
from intake_desktop.core import custody
from intake_desktop.core.filing import Filer, Outcome
from intake_desktop.core.ocr import INSTALL_COMMAND, OcrEngine, OcrPreparer, OcrSettings
from intake_desktop.core.paths import naming_rules_dir
from intake_desktop.core.pipeline import BuiltinRouter, Candidate, Decision, PassThroughPreparer
from tests.conftest import run_cli
from tests.core.ocr.test_ocr import needs_ocr
from tests.ocr_pdfs import (
    image_pdf,
    image_streams,
    render_page,
    scanned_pdf,
    text_lines,
    text_pdf,
)

MATTER = "2024-0117 Reyes v. Acme"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


class RecordingRouter:
    """The built-in routing, remembering the facts each file arrived with."""

    def __init__(self) -> None:
        self.inner = BuiltinRouter()
        self.facts: list[dict[str, object]] = []
        self.rules_version = self.inner.rules_version

    def route(self, candidate: Candidate) -> Decision:
        self.facts.append(dict(candidate.facts))
        return self.inner.route(candidate)


def no_tools_engine(tmp_path: Path) -> OcrEngine:
    empty = tmp_path / "no-tools"
    empty.mkdir(exist_ok=True)
    return OcrEngine(OcrSettings(search_path=str(empty)))


@needs_ocr
def test_scan_is_filed_with_text_layer_and_ocr_event(app: App, tmp_path: Path) -> None:
    router = RecordingRouter()
    filer = Filer(app.workspace, app.ledger, router=router,
                  preparer=OcrPreparer(PassThroughPreparer(), app.ocr))
    src, texts = scanned_pdf(app.workspace.intake / MATTER / "police report scan.pdf", [21])
    source_bytes, source_sha = src.read_bytes(), sha(src)
    before_images = image_streams(src)

    [result] = filer.ingest([app.workspace.intake])

    assert result.status is Outcome.FILED, result.reason
    filed, original = Path(result.path or ""), Path(result.original or "")
    assert original.read_bytes() == source_bytes  # the original is untouched
    assert filed.read_bytes() != source_bytes
    assert image_streams(filed) == before_images  # the scan's pixels are the same bytes
    expected = words(" ".join(texts[0]))
    found = words(pypdf.PdfReader(filed).pages[0].extract_text() or "")
    assert len(expected - found) <= len(expected) // 10
    doc = app.ledger.docs.document(result.document_id or 0)
    assert doc is not None and doc.filed_sha256 == sha(filed)
    events = app.ledger.chain.events(document_id=doc.id)
    assert [e.kind for e in events] == [
        "received", "original_preserved", "ocr", "filed", "source_removed"]
    ocr = events[2]
    assert ocr.sha256_before == source_sha and ocr.sha256_after == sha(filed)
    assert ocr.detail["ok"] is True and ocr.detail["pages_ocred"] == "1"
    assert ocr.detail["engine_versions"]["tesseract"].startswith(("4", "5"))
    assert ocr.detail["engine_versions"]["ocrmypdf"]
    assert custody.verify(app.ledger, app.workspace.root).ok
    # The text feeds the naming rules (keyword conditions) and search.
    [facts] = router.facts
    assert len(expected - words(str(facts["ocr_text"]))) <= len(expected) // 10
    assert words(str(facts["first_page_text"])) >= (expected & found)
    assert facts["text_searchable"] is True


@needs_ocr
def test_born_digital_pdf_is_filed_unchanged(app: App) -> None:
    src = text_pdf(app.workspace.intake / MATTER / "typed letter.pdf", ["Dear counsel"])
    data = src.read_bytes()
    [result] = build_filer(app).ingest([app.workspace.intake])
    assert result.status is Outcome.FILED
    assert Path(result.path or "").read_bytes() == data
    kinds = [e.kind for e in app.ledger.chain.events(document_id=result.document_id)]
    assert "ocr" not in kinds


def test_missing_tesseract_files_everything_flagged_and_says_so_once(
    app: App, tmp_path: Path
) -> None:
    router = RecordingRouter()
    filer = Filer(app.workspace, app.ledger, router=router,
                  preparer=OcrPreparer(PassThroughPreparer(), no_tools_engine(tmp_path)))
    sources = [scanned_pdf(app.workspace.intake / MATTER / f"scan {i}.pdf", [30 + i])[0]
               for i in (1, 2)]
    data = [s.read_bytes() for s in sources]

    results = filer.ingest([app.workspace.intake])

    assert [r.status for r in results] == [Outcome.FILED, Outcome.FILED]
    for result, original in zip(results, data, strict=True):
        assert Path(result.path or "").read_bytes() == original  # filed as it came
        events = app.ledger.chain.events(document_id=result.document_id)
        filed = next(e for e in events if e.kind == "filed")
        assert "not_text_searchable" in filed.detail["flags"]
        ocr = next(e for e in events if e.kind == "ocr")
        assert ocr.detail["ok"] is False and "not installed" in ocr.detail["reason"]
        assert ocr.sha256_before == ocr.sha256_after == result.sha256
    notes = [f.get("ocr_note") for f in router.facts]
    assert notes[0] and INSTALL_COMMAND in str(notes[0]) and notes[1] is None  # once
    assert results[0].notes == [notes[0]] and results[1].notes == []


@needs_ocr
def test_ocr_failure_still_files_flagged_with_reason(app: App) -> None:
    plain, _ = scanned_pdf(app.workspace.work / "plain.pdf", [40])
    locked = app.workspace.intake / MATTER / "locked scan.pdf"
    locked.parent.mkdir(parents=True, exist_ok=True)
    with pikepdf.open(plain) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="firm", user="", R=6))
    data = locked.read_bytes()
    [result] = build_filer(app).ingest([app.workspace.intake])
    assert result.status is Outcome.FILED
    assert Path(result.path or "").read_bytes() == data
    events = app.ledger.chain.events(document_id=result.document_id)
    filed = next(e for e in events if e.kind == "filed")
    assert {"ocr_failed", "not_text_searchable"} <= set(filed.detail["flags"])
    ocr = next(e for e in events if e.kind == "ocr")
    assert ocr.detail["ok"] is False and "encrypted" in ocr.detail["reason"]
    assert any("OCR failed" in n and "encrypted" in n for n in result.notes)


@needs_ocr
def test_phone_photo_is_converted_then_ocred(app: App) -> None:
    """A JPEG photo of a page: conversion makes a PDF (the JPEG embedded as it is), OCR adds
    the text; the ledger chains original -> converted PDF -> OCRed PDF by hash."""
    img = render_page(text_lines(60), skew_degrees=2.5, noise=True)
    src = app.workspace.intake / MATTER / "IMG_2041.jpg"
    src.parent.mkdir(parents=True, exist_ok=True)
    img.save(src, "JPEG", quality=85, dpi=(300, 300))
    data = src.read_bytes()
    [result] = build_filer(app).ingest([app.workspace.intake])
    assert result.status is Outcome.FILED, result.reason
    filed = Path(result.path or "")
    assert filed.suffix == ".pdf" and Path(result.original or "").read_bytes() == data
    assert "not_text_searchable" not in result.flags
    expected = words(" ".join(text_lines(60)))
    found = words(pypdf.PdfReader(filed).pages[0].extract_text() or "")
    assert len(expected - found) <= len(expected) // 10
    events = app.ledger.chain.events(document_id=result.document_id)
    kinds = [e.kind for e in events]
    assert kinds.index("converted") < kinds.index("ocr") < kinds.index("filed")
    converted, ocr = events[kinds.index("converted")], events[kinds.index("ocr")]
    assert converted.sha256_before == result.sha256
    assert converted.sha256_after == ocr.sha256_before != ocr.sha256_after
    assert ocr.sha256_after == sha(filed)


def test_cli_ingest_without_tesseract_never_blocks(app: App, tmp_path: Path) -> None:
    """Real boundary: the CLI runs with a PATH that has no OCR programs at all (and is told
    not to look where installers put them, core/engines.py)."""
    scanned_pdf(app.workspace.intake / MATTER / "scan.pdf", [50])
    scanned_pdf(app.workspace.intake / MATTER / "scan 2.pdf", [51])
    empty = tmp_path / "empty-path"
    empty.mkdir()
    root = str(app.workspace.root)
    app.close()
    done = run_cli("ingest", "--workspace", root, "--json", str(Path(root) / "Intake"),
                   env={"PATH": str(empty), "INTAKE_ENGINES_PATH_ONLY": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("OCR is not available") == 1
    assert INSTALL_COMMAND in done.stderr
    lines = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    assert [x["status"] for x in lines] == ["filed", "filed"]
    line = lines[0]
    from intake_desktop.app import open_app

    reopened = open_app(root)
    try:
        events = reopened.ledger.chain.events(document_id=line["document_id"])
    finally:
        reopened.close()
    filed = next(e for e in events if e.kind == "filed")
    assert "not_text_searchable" in filed.detail["flags"]


def test_cli_ingest_with_workers_says_ocr_is_missing_once(app: App, tmp_path: Path) -> None:
    """GIVEN six scans and no OCR programs WHEN `ingest` prepares them in two forked workers
    THEN the "OCR is not available" notice is printed once for the run, not once per worker,
    and every scan is filed flagged."""
    for n in range(6):
        scanned_pdf(app.workspace.intake / MATTER / f"scan {n}.pdf", [60 + n])
    empty = tmp_path / "empty-path"
    empty.mkdir()
    root = str(app.workspace.root)
    app.close()
    done = run_cli("ingest", "--workspace", root, "--json", str(Path(root) / "Intake"),
                   env={"PATH": str(empty), "INTAKE_ENGINES_PATH_ONLY": "1",
                        "INTAKE_PREPARE_WORKERS": "2"})
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("OCR is not available") == 1, done.stderr
    lines = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    assert [x["status"] for x in lines] == ["filed"] * 6
    assert all("not_text_searchable" in x["flags"] for x in lines)


def test_ocr_runs_in_a_worker_take_the_workers_share_of_the_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two workers on two cores: each OCR run starts one Tesseract at a time (four would
    fight over two cores); outside the pool the configured jobs stand."""
    from intake_desktop.core.ocr.engine import OCR_JOBS_ENV, capped_jobs

    monkeypatch.delenv(OCR_JOBS_ENV, raising=False)
    assert capped_jobs(2) == 2
    monkeypatch.setenv(OCR_JOBS_ENV, "1")
    assert capped_jobs(2) == 1 and capped_jobs(1) == 1
    monkeypatch.setenv(OCR_JOBS_ENV, "4")
    assert capped_jobs(2) == 2


@pytest.fixture(autouse=True)
def _work_dir(app: App) -> None:
    app.workspace.work.mkdir(parents=True, exist_ok=True)


def test_merge_keeps_earlier_facts_and_clears_the_scan_flag(tmp_path: Path) -> None:
    """An earlier stage (conversion) flagged the scan and converted it: after OCR the flag
    goes, its `converted` event ends at the pre-OCR PDF, and existing text facts win."""
    from intake_desktop.core.ocr import TextLayer, merge_text_layer
    from intake_desktop.core.pipeline import Prepared

    converted, ocred = tmp_path / "photo.pdf", tmp_path / "photo.ocr.pdf"
    prepared = Prepared(
        detected_type="image/jpeg", filed_from=converted,
        facts={"first_page_text": "", "pdf_title": "Scan"},
        flags=("extension_mismatch", "not_text_searchable"),
        conversions=({"from": "image/jpeg", "to": "application/pdf"},),
    )
    step = TextLayer(
        ocred, changed=True, needed=True,
        facts={"text_searchable": True, "ocr_text": "lease deposit",
               "ocr_first_page_text": "lease deposit"},
        event={"step": "ocr", "ok": True, "sha256_before": "a" * 64, "sha256_after": "b" * 64},
    )
    merged = merge_text_layer(prepared, step)
    assert merged.filed_from == ocred
    assert merged.flags == ("extension_mismatch",)
    assert merged.facts["first_page_text"] == "lease deposit"
    assert merged.facts["pdf_title"] == "Scan" and "ocr_first_page_text" not in merged.facts
    assert merged.conversions[0]["sha256_after"] == "a" * 64
    assert merged.conversions[1]["step"] == "ocr"
    kept = merge_text_layer(
        Prepared("application/pdf", converted, facts={"first_page_text": "Typed words"}), step)
    assert kept.facts["first_page_text"] == "Typed words"
    assert merge_text_layer(prepared, TextLayer(converted)) is prepared


@needs_ocr
def test_ocr_text_drives_the_naming_rules(app: App) -> None:
    """A scanned court order: only its OCR text says what it is (litigation preset rules)."""
    lines = ["SUPERIOR COURT OF CALIFORNIA", "ORDER AFTER HEARING",
             "IT IS HEREBY ORDERED that the", "deposition shall proceed."]
    src = image_pdf(app.workspace.intake / MATTER / "scan0001.pdf", [render_page(lines)])
    shutil.copyfile(naming_rules_dir() / "litigation.toml", app.workspace.rules_path)
    [result] = build_filer(app).ingest([app.workspace.intake])
    assert result.status is Outcome.FILED, result.reason
    assert result.rule == "court-order" and result.category == "Order"
    orders = app.workspace.matter_dir(MATTER) / "Pleadings" / "Orders"
    assert Path(result.path or "").parent == orders
    assert not src.exists()


@needs_ocr
def test_the_search_index_takes_the_ocr_text_without_parsing_the_ocred_copy(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN two scans filed in one batch WHEN they are OCRed and indexed THEN the index holds
    the words OCR recognised, and pypdf never parses the OCRed copies again (Tesseract's font
    maps every 16-bit code: a second or more per file, most of the demo's filing time)."""
    filer = Filer(app.workspace, app.ledger, router=BuiltinRouter(),
                  preparer=OcrPreparer(PassThroughPreparer(), app.ocr))
    texts = [scanned_pdf(app.workspace.intake / MATTER / f"scan {n}.pdf", [31 + n])[1]
             for n in range(2)]
    parsed: list[str] = []
    real = pypdf.PdfReader

    def spy(stream: object, *args: object, **kwargs: object) -> pypdf.PdfReader:
        parsed.append(str(stream))
        return real(stream, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pypdf, "PdfReader", spy)
    results = filer.ingest([app.workspace.intake])

    assert [r.status for r in results] == [Outcome.FILED, Outcome.FILED]
    filed = {r.path for r in results}
    assert not filed & set(parsed), parsed
    bodies = app.ledger.docs.document_texts([r.document_id or 0 for r in results])
    for result, lines in zip(results, texts, strict=True):
        expected = words(" ".join(lines[0]))
        body = words(bodies[result.document_id or 0].body)
        assert len(expected - body) <= len(expected) // 10
        assert bodies[result.document_id or 0].pages == 1
