"""fit_pdf as a whole: progress, cancel, never touching the input, verify after writing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from intake_desktop.core.pdf.compress import Cancelled
from intake_desktop.core.pdf.fit import fit_pdf
from intake_desktop.core.progress import CancelFlag
from tests import fitpdfs


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_progress_is_reported_and_cancel_leaves_nothing(tmp_path: Path) -> None:
    src = fitpdfs.text_pdf(tmp_path / "brief.pdf", pages=80, letterhead_kb=60)
    seen: list[tuple[int, int, str]] = []
    result = fit_pdf(src, tmp_path / "out", limit_bytes=src.stat().st_size // 2,
                     on_progress=lambda d, t, m: seen.append((d, t, m)))
    assert result.ok and len(result.parts) >= 2
    assert seen[-1][0] == seen[-1][1] and any("splitting" in m for _d, _t, m in seen)
    assert all(0 <= d <= t for d, t, _m in seen)

    flag = CancelFlag()

    def cancel_when_splitting(done: int, total: int, message: str) -> None:
        if "splitting" in message:
            flag.set()

    out = tmp_path / "cancelled"
    with pytest.raises(Cancelled):
        fit_pdf(src, out, limit_bytes=src.stat().st_size // 2,
                on_progress=cancel_when_splitting, cancel=flag)
    assert list(out.iterdir()) == []


def test_output_folder_of_the_input_is_refused(tmp_path: Path) -> None:
    src = fitpdfs.text_pdf(tmp_path / "brief.pdf", pages=3)
    before = sha(src)
    result = fit_pdf(src, tmp_path, limit_bytes=10_000_000)
    assert not result.ok and "never replaces its input" in result.reason
    assert sha(src) == before and sorted(p.name for p in tmp_path.iterdir()) == ["brief.pdf"]


def test_fitting_input_is_copied_byte_for_byte(tmp_path: Path) -> None:
    src = fitpdfs.text_pdf(tmp_path / "short.pdf", pages=3)
    result = fit_pdf(src, tmp_path / "out", limit_bytes=10_000_000)
    assert result.ok and result.actions == [] and len(result.parts) == 1
    assert sha(result.parts[0].path) == sha(src)
    assert (result.parts[0].first_page, result.parts[0].last_page) == (1, 3)


def test_damaged_pdf_is_a_clear_failure(tmp_path: Path) -> None:
    src = tmp_path / "broken.pdf"
    src.write_bytes(b"%PDF-1.7\nthis is not really a pdf")
    result = fit_pdf(src, tmp_path / "out", limit_bytes=1_000_000)
    assert not result.ok and str(src) in result.reason
    assert "cannot read the pdf" in result.reason.lower()
