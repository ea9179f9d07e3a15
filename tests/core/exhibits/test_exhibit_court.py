"""Exhibit sets under a court profile: parts within the size limit, the court's stamp place,
and the court preflight unlocking owner-password files (needs the court-fit modules)."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pypdf
import pytest

from intake_desktop.core.exhibits.build import build_set
from intake_desktop.core.exhibits.spec import load_spec
from tests.exhibit_pdfs import MemoryBates, render_gray, scan_pdf, text_pdf

pytest.importorskip("intake_desktop.core.courts")
pytest.importorskip("intake_desktop.core.pdf.split")

LIMIT = 100_000
COURT = f"""\
id = "tiny"
name = "A court with a tiny limit (tests)"
file_limit = "{LIMIT}B"
part_pattern = "{{stem}}, Part {{n}} of {{total}}.pdf"
stamp_position = "upper-right"

[sources]
file_limit = "test fixture"
"""
SPEC = """\
[set]
name = "Tiny court set"
label_scheme = "letters"
court = "tiny"
[bates]
prefix = "TC"
digits = 6
[[exhibit]]
file = "big.pdf"
description = "Scanned records"
[[exhibit]]
file = "small.pdf"
description = "Letter"
"""


@pytest.fixture
def court_set(tmp_path: Path) -> tuple[Path, Path]:
    courts = tmp_path / "courts"
    courts.mkdir()
    (courts / "tiny.toml").write_text(COURT, encoding="utf-8")
    scan_pdf(tmp_path / "big.pdf", 8)
    text_pdf(tmp_path / "small.pdf", 2, "Letter")
    (tmp_path / "set.toml").write_text(SPEC, encoding="utf-8")
    return tmp_path / "set.toml", courts


def test_oversize_exhibit_and_binder_are_split_within_the_limit(
    court_set: tuple[Path, Path], tmp_path: Path
) -> None:
    spec_path, courts = court_set
    assert (tmp_path / "big.pdf").stat().st_size > LIMIT
    result = build_set(load_spec(spec_path), tmp_path / "out", MemoryBates(), courts_dir=courts)
    big, small = result.exhibits
    assert len(big.parts) > 1 and len(small.parts) == 1
    total = len(big.parts)
    assert [p.path.name for p in big.parts] == [
        f"Exhibit A, Part {n} of {total}.pdf" for n in range(1, total + 1)]
    expected_first = 1
    for part in big.parts:
        assert part.bytes == part.path.stat().st_size <= LIMIT
        assert part.first_page == expected_first
        texts = [p.extract_text() for p in pypdf.PdfReader(part.path).pages]
        assert len(texts) == part.last_page - part.first_page + 1
        for offset, text in enumerate(texts):
            assert big.bates_at(part.first_page + offset) in text
        n = big.parts.index(part) + 1
        assert (f"Exhibit A, Part {n} of {total}, pages {part.first_page}-{part.last_page} "
                f"of 8") in texts[0]  # the part says which part it is
        assert "Part" not in "".join(texts[1:])
        expected_first = part.last_page + 1
    assert expected_first == big.pages + 1 == 9
    assert small.parts[0].path.name == "Exhibit B.pdf"
    # the binder (slip sheets + 10 pages) is over the limit too
    assert len(result.binder_parts) > 1
    assert all(p.bytes <= LIMIT for p in result.binder_parts)
    numbers = []
    slips = 0
    for part in result.binder_parts:
        for page in pypdf.PdfReader(part.path).pages:
            text = page.extract_text()
            if "Table of contents" in text:
                continue  # the binder's front contents page (issue 22)
            if "EXHIBIT A" in text or "EXHIBIT B" in text:
                slips += 1  # a slip sheet: the label large, the range as a cite
                continue
            (number,) = re.findall(r"TC\d{6}", text)
            numbers.append(number)
    assert slips == 2 and numbers == [f"TC{n:06d}" for n in range(1, 11)]
    assert result.as_json()["exhibits"][0]["parts"][0]["path"].endswith(f"Part 1 of {total}.pdf")


def test_court_stamp_position_is_used(court_set: tuple[Path, Path], tmp_path: Path) -> None:
    spec_path, courts = court_set
    result = build_set(load_spec(spec_path), tmp_path / "out", MemoryBates(), courts_dir=courts)
    small = result.exhibits[1].parts[0].path
    w, h, before = render_gray(tmp_path / "small.pdf", 2)
    _, _, after = render_gray(small, 2)
    changed = [i for i in range(w * h) if after[i] + 60 < before[i]]
    assert changed
    assert min(i % w for i in changed) > w / 2 and max(i // w for i in changed) < h * 0.2


def test_court_preflight_unlocks_owner_password_files(
    court_set: tuple[Path, Path], tmp_path: Path
) -> None:
    spec_path, courts = court_set
    small = tmp_path / "small.pdf"
    with pikepdf.open(small, allow_overwriting_input=True) as pdf:
        pdf.save(small, encryption=pikepdf.Encryption(owner="secret", user=""))
    book = MemoryBates()
    result = build_set(load_spec(spec_path), tmp_path / "out", book, courts_dir=courts)
    letter = result.exhibits[1]
    assert "decrypted" in letter.actions
    with pikepdf.open(letter.parts[0].path) as out:
        assert not out.is_encrypted
    stamped = [f for k, f in book.events if k == "stamped" and f["detail"]["label"] == "Exhibit B"]
    assert stamped[0]["detail"]["actions"] == letter.actions
