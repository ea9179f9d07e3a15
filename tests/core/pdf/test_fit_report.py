"""Court-fit reports what it changed in words (issue 22 item 7), aims compression at the
limit, keeps removed attachments as evidence, cleans active content without a court, and
refuses limits it cannot trust (issue 24 item 10, issue 21)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pikepdf
import pypdf
import pytest

from intake_desktop.app import open_app
from intake_desktop.core.courts import generic_profile, load_profile, parse_limit
from intake_desktop.core.pdf.compress import collect_images
from intake_desktop.core.pdf.fit import fit_pdf
from tests import fitpdfs
from tests.conftest import run_cli
from tests.core.ocr.test_ocr import needs_ocr

NO_WORKSPACE = {"INTAKE_WORKSPACE": ""}


def max_dpi(path: Path) -> float:
    with pikepdf.open(path) as pdf:
        return max(i.dpi for i in collect_images(pdf))


def test_a_photo_keeps_the_highest_resolution_that_fits(tmp_path: Path) -> None:
    """A 400-dpi colour photo and a 2 MB limit: 300 dpi fits, so it is not taken to 200."""
    src = fitpdfs.scan_pdf(tmp_path / "photo.pdf", pages=1, kind="colour", dpi=400,
                           jpeg_quality=92)
    limit = 2_000_000
    assert src.stat().st_size > limit
    result = fit_pdf(src, tmp_path / "out", limit_bytes=limit, profile=generic_profile(limit))
    assert result.ok, result.reason
    [part] = result.parts
    assert part.bytes <= limit
    assert 295 <= max_dpi(part.path) <= 305
    assert "page 1: 400 to 300 dpi" in result.changes


def test_texas_colour_images_stay_at_600_dpi(tmp_path: Path) -> None:
    src = fitpdfs.scan_pdf(tmp_path / "photo.pdf", pages=1, kind="colour", dpi=800,
                           size_in=(4.0, 5.0), jpeg_quality=92)
    tx = load_profile("tx-efile")
    limit = int(src.stat().st_size * 0.8)
    result = fit_pdf(src, tmp_path / "out", limit_bytes=limit, profile=tx)
    assert result.ok, result.reason
    assert 595 <= max_dpi(result.parts[0].path) <= 605
    assert "page 1: 800 to 600 dpi" in result.changes


def test_black_and_white_pages_are_named_in_words(tmp_path: Path) -> None:
    src = fitpdfs.scan_pdf(tmp_path / "scan.pdf", pages=4, kind="bw", jpeg_quality=85)
    limit = 1_000_000
    result = fit_pdf(src, tmp_path / "out", limit_bytes=limit, profile=load_profile("kyeb"))
    assert result.ok, result.reason
    assert "bitonal" in result.actions
    assert "pages 1-4: converted to black and white, 300 dpi" in result.changes


def test_attachments_are_kept_as_evidence_and_reported(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert run_cli("init", "--workspace", str(root)).returncode == 0
    src = fitpdfs.active_content_pdf(tmp_path / "Client upload.pdf")
    out = root / "Exports" / "fit"
    r = run_cli("fit", str(src), "--limit", "25MB", "--out", str(out), "--json",
                "--workspace", str(root))
    assert r.returncode == 0, r.stderr
    record = json.loads(r.stdout)
    # Without a court, active content is removed as the court profiles do.
    assert {"removed_javascript", "removed_open_action", "removed_launch_action",
            "removed_embedded_files"} <= set(record["actions"])
    kept = out / "removed" / "Client upload" / "evidence.txt"
    assert kept.read_bytes() == b"secret attachment"
    digest = hashlib.sha256(b"secret attachment").hexdigest()
    assert record["kept"] == [{"name": "evidence.txt", "path": str(kept), "sha256": digest,
                               "bytes": 17}]
    assert f"removed attachment evidence.txt (kept as {kept}, sha256 {digest})" in (
        record["changes"])
    assert "removed JavaScript" in record["changes"]
    with pikepdf.open(record["parts"][0]["path"]) as pdf:
        assert not pdf.attachments and "/OpenAction" not in pdf.Root
    app = open_app(str(root))
    try:
        [event] = [e for e in app.ledger.chain.events() if e.detail.get("operation") == "fit"]
    finally:
        app.close()
    assert event.detail["changes"] == record["changes"]
    assert event.detail["kept"][0]["sha256"] == digest
    human = run_cli("fit", str(src), "--limit", "25MB", "--out", str(tmp_path / "o2"),
                    env=NO_WORKSPACE)
    assert human.returncode == 0, human.stderr
    assert "changed: removed attachment evidence.txt (kept as" in human.stdout


@pytest.mark.parametrize("limit", ["10", "25", "10KB", "0.01MB", "1B"])
def test_limits_without_a_unit_or_below_the_floor_are_refused(tmp_path: Path,
                                                              limit: str) -> None:
    src = fitpdfs.text_pdf(tmp_path / "brief.pdf", pages=1)
    r = run_cli("fit", str(src), "--limit", limit, "--out", str(tmp_path / "o"),
                env=NO_WORKSPACE)
    assert r.returncode == 2
    assert "25MB" in r.stderr and "500KB" in r.stderr
    assert not (tmp_path / "o").exists()


def test_parse_limit_accepts_units() -> None:
    assert parse_limit("25MB") == 25_000_000
    assert parse_limit("1.5 mb") == 1_500_000
    assert parse_limit("24MiB") == 24 * 1024 * 1024
    assert parse_limit("3000000B") == 3_000_000


def test_failure_messages_name_the_input_not_a_temporary_file(tmp_path: Path) -> None:
    src = fitpdfs.scan_pdf(tmp_path / "Big scan.pdf", pages=2, kind="colour", dpi=200,
                           jpeg_quality=95)
    r = run_cli("fit", str(src), "--limit", "100KB", "--out", str(tmp_path / "o"), "--json",
                env=NO_WORKSPACE)
    assert r.returncode == 1
    record = json.loads(r.stdout)
    assert record["ok"] is False and "Big scan.pdf" in record["reason"]
    assert ".intake-fit-" not in record["reason"] and ".tmp" not in r.stderr


@needs_ocr
def test_fit_for_nyscef_makes_pdfa(tmp_path: Path) -> None:
    from intake_desktop.core.pdf.pdfa import pdfa_problems
    from intake_desktop.core.pdf.text import unembedded_fonts
    from tests.exhibit_pdfs import text_pdf as helvetica_pdf

    src = helvetica_pdf(tmp_path / "Affirmation.pdf", 2, "Affirmation")
    with pikepdf.open(src) as pdf:
        assert unembedded_fonts(pdf)
    r = run_cli("fit", str(src), "--court", "nyscef", "--out", str(tmp_path / "o"), "--json",
                env=NO_WORKSPACE)
    assert r.returncode == 0, r.stderr
    record = json.loads(r.stdout)
    assert record["actions"][0] == "pdfa" and "converted to PDF/A-2b" in record["changes"]
    [part] = record["parts"]
    assert pdfa_problems(Path(part["path"])) == []
    assert record["warnings"] == []
    assert "Affirmation body page 2" in " ".join(
        p.extract_text() for p in pypdf.PdfReader(part["path"]).pages)
