"""The court-fit plan (shown before running) agrees with what fit then does."""

from __future__ import annotations

import hashlib
from pathlib import Path

from intake_desktop.core.pdf.fit import fit_pdf
from intake_desktop.core.pdf.fit_plan import plan_fit
from intake_desktop.core.pdf.report import ACTION_WORDS
from tests.fitpdfs import active_content_pdf, encrypted_pdf, scan_pdf, text_pdf


def test_plan_names_the_clean_up_fit_then_does(tmp_path: Path) -> None:
    src = active_content_pdf(tmp_path / "active.pdf")
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    plan = plan_fit(src, 5_000_000)
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before  # only read
    assert plan.ok and plan.pages == 2 and plan.expected_parts == 1
    done = fit_pdf(src, tmp_path / "out", limit_bytes=5_000_000)
    cleaned = [ACTION_WORDS[a] for a in done.actions if a in ACTION_WORDS
               and a.startswith("removed_") and a != "removed_duplicate_objects"]
    assert cleaned and set(cleaned) <= set(plan.changes)
    assert any("kept as a file" in c for c in plan.changes)  # the attachment


def test_plan_for_a_scan_over_the_limit(tmp_path: Path) -> None:
    src = scan_pdf(tmp_path / "scan.pdf", pages=4, kind="grey", dpi=300, size_in=(5.5, 8.5))
    plan = plan_fit(src, 500_000)
    assert plan.image_dpi == 300 and plan.target_dpi == 200
    assert plan.expected_parts > 1
    done = fit_pdf(src, tmp_path / "out", limit_bytes=500_000)
    assert done.ok and abs(len(done.parts) - plan.expected_parts) <= 1


def test_plan_for_a_small_letter_is_one_unchanged_file(tmp_path: Path) -> None:
    plan = plan_fit(text_pdf(tmp_path / "letter.pdf", pages=2), 5_000_000)
    assert plan.ok and plan.fits_now and plan.expected_parts == 1 and plan.changes == []
    assert plan.target_dpi is None


def test_plan_says_why_a_locked_pdf_cannot_be_fitted(tmp_path: Path) -> None:
    plan = plan_fit(encrypted_pdf(tmp_path / "locked.pdf", user="open-me"), 5_000_000)
    assert not plan.ok and "password" in plan.problem and "locked.pdf" in plan.problem
