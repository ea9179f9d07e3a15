"""Size-targeted splitting: parts under the limit, few parts, bookmarks, labels, names."""

from __future__ import annotations

import hashlib
import itertools
import math
from pathlib import Path

import pikepdf
import pypdf
import pytest

from intake_desktop.core.courts import load_profile
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.pdf.fit import fit_pdf
from intake_desktop.core.pdf.split import PageTooLargeError, part_name, split_to_limit
from tests import fitpdfs


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def markers(path: Path) -> list[int]:
    """The `PageNmarker` word on each page: which input page it was."""
    found = []
    for page in pypdf.PdfReader(path).pages:
        text = page.extract_text()
        word = next(w for w in text.split() if w.startswith("Page") and w.endswith("marker"))
        found.append(int(word[4:-6]))
    return found


@pytest.fixture(scope="module")
def letterhead(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lh") / "Letterhead brief.pdf"
    return fitpdfs.text_pdf(path, pages=240, letterhead_kb=120, words_per_page=300)


def test_letterhead_split_counts_shared_objects_once(letterhead: Path, tmp_path: Path) -> None:
    size = letterhead.stat().st_size
    limit = int(size * 0.45)
    before = sha(letterhead)
    parts = split_to_limit(letterhead, tmp_path, limit)
    assert all(p.bytes <= limit and p.path.stat().st_size == p.bytes for p in parts)
    # The logo is repeated in every part, so the bound is one more than size/limit.
    assert len(parts) <= math.ceil(size / limit) + 1
    assert [p.path.name for p in parts] == [
        f"Letterhead brief (Part {n} of {len(parts)}).pdf" for n in range(1, len(parts) + 1)
    ]
    assert parts[0].first_page == 1 and parts[-1].last_page == 240
    for a, b in itertools.pairwise(parts):
        assert b.first_page == a.last_page + 1
    seen: list[int] = []
    for part in parts:
        pages = markers(part.path)
        assert pages == list(range(part.first_page, part.last_page + 1))
        seen += pages
        with pikepdf.open(part.path) as pdf:
            logos = {img.objgen for page in pdf.pages for img in page.get_images().values()}
            assert len(logos) == 1  # one shared letterhead image per part
    assert seen == list(range(1, 241))
    assert sha(letterhead) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_bookmarks_and_page_labels_follow_their_pages(tmp_path: Path) -> None:
    src = fitpdfs.text_pdf(tmp_path / "exhibits.pdf", pages=60, letterhead_kb=60,
                           words_per_page=200, outline_every=10, page_labels=True)
    parts = split_to_limit(src, tmp_path / "out", int(src.stat().st_size * 0.7))
    assert len(parts) >= 2
    for part in parts:
        with pikepdf.open(part.path) as pdf:
            with pdf.open_outline() as outline:
                titles = [item.title for item in outline.root]
                targets = []
                for item in outline.root:
                    dest = item.destination
                    page_obj = dest[0]
                    targets.append(
                        next(i for i, p in enumerate(pdf.pages) if p.obj.objgen == page_obj.objgen)
                    )
            expected = [n for n in range(part.first_page, part.last_page + 1) if (n - 1) % 10 == 0]
            assert titles == [f"Exhibit {(n - 1) // 10 + 1}" for n in expected]
            assert targets == [n - part.first_page for n in expected]
            labels = [p.label for p in pdf.pages]
        # The input labels pages i, ii, then 1, 2, ...: each part continues that numbering.
        want = ["i", "ii"] + [str(n) for n in range(1, 59)]
        assert labels == want[part.first_page - 1 : part.last_page]


def test_split_at_bookmarks_starts_parts_at_exhibits(tmp_path: Path) -> None:
    src = fitpdfs.text_pdf(tmp_path / "exhibits.pdf", pages=60, letterhead_kb=60,
                           words_per_page=200, outline_every=10)
    limit = int(src.stat().st_size * 0.75)
    by_page = split_to_limit(src, tmp_path / "pages", limit)
    assert not all((p.first_page - 1) % 10 == 0 for p in by_page)
    parts = split_to_limit(src, tmp_path / "out", limit, at_bookmarks=True)
    assert len(parts) >= 2 and all(p.bytes <= limit for p in parts)
    assert all((p.first_page - 1) % 10 == 0 for p in parts)
    assert parts[-1].last_page == 60


def test_a_page_over_the_limit_is_reported_not_written(tmp_path: Path) -> None:
    src = fitpdfs.scan_pdf(tmp_path / "scan.pdf", pages=3, kind="colour", size_in=(4, 5))
    limit = 100_000  # one 300-dpi colour page is larger even after compression
    with pytest.raises(PageTooLargeError) as info:
        split_to_limit(src, tmp_path / "parts", limit)
    assert "page 1 alone is" in str(info.value) and "100 KB limit" in str(info.value)
    result = fit_pdf(src, tmp_path / "out", limit_bytes=limit)
    assert not result.ok and "page 1 alone is" in result.reason
    assert result.parts == [] and list((tmp_path / "out").iterdir()) == []


def test_existing_parts_are_never_overwritten(letterhead: Path, tmp_path: Path) -> None:
    limit = int(letterhead.stat().st_size * 0.6)
    first = split_to_limit(letterhead, tmp_path, limit)
    hashes = {p.path: sha(p.path) for p in first}
    with pytest.raises(IntakeError, match="already exists"):
        split_to_limit(letterhead, tmp_path, limit)
    assert {p: sha(p) for p in hashes} == hashes
    assert sorted(tmp_path.iterdir()) == sorted(hashes)


def test_court_part_pattern_and_name_length(letterhead: Path, tmp_path: Path) -> None:
    assert part_name("{stem}_Part{n}.pdf", "Brief", 2, 3, None) == "Brief_Part2.pdf"
    long_stem = "2026-11-26_Smith-v-Jones_Plaintiffs-Motion-for-Summary-Judgment_Exhibits"
    name = part_name("{stem} Part {n} of {total}.pdf", long_stem, 1, 3, 50)
    assert len(name) <= 50 and name.endswith(" Part 1 of 3.pdf")
    profile = load_profile("eoir-ecas")
    result = fit_pdf(letterhead, tmp_path, limit_bytes=int(letterhead.stat().st_size * 0.6),
                     profile=profile)
    assert result.ok, result.reason
    assert [p.path.name for p in result.parts] == [
        f"Letterhead brief_Part{n}.pdf" for n in range(1, len(result.parts) + 1)
    ]
