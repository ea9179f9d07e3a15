"""Court rules applied by the exhibit builder (issue 22 item 3, issue 15 item 4): the same
court-fit as `fit` (compression before splitting), the text layer and PDF/A the court
requires, cover pages on split parts, the clerk's blank corners kept clear, margins."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

from intake_desktop.core.exhibits.build import build_set
from intake_desktop.core.exhibits.model import BuildError
from intake_desktop.core.exhibits.spec import load_spec
from intake_desktop.core.ocr import OcrEngine
from intake_desktop.core.pdf.pdfa import pdfa_problems
from intake_desktop.core.pdf.text import unembedded_fonts
from tests.core.ocr.test_ocr import needs_ocr
from tests.exhibit_pdfs import MemoryBates, render_gray
from tests.exhibit_pdfs import text_pdf as plain_text_pdf
from tests.fitpdfs import scan_pdf
from tests.ocr_pdfs import scanned_pdf


def spec(tmp_path: Path, court: str, files: list[str], extra: str = "") -> Path:
    exhibits = "".join(
        f'[[exhibit]]\nfile = "{name}"\ndescription = "Records {n}"\n'
        for n, name in enumerate(files, 1))
    path = tmp_path / "set.toml"
    path.write_text(
        f'[set]\nname = "Court set"\nlabel_scheme = "letters"\ncourt = "{court}"\n'
        f'binder = false\n{extra}[bates]\nprefix = "CS"\ndigits = 6\n{exhibits}',
        encoding="utf-8")
    return path


def pdftotext_pages(path: Path) -> list[str]:
    with pikepdf.open(path) as pdf:
        pages = len(pdf.pages)
    out = []
    for n in range(1, pages + 1):
        done = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"],
                              capture_output=True, text=True, check=True)
        out.append(done.stdout)
    return out


def test_kyeb_set_of_a_large_scan_is_compressed_not_split(tmp_path: Path) -> None:
    """A 19.6 MB 20-page scan for a 3 MB court: one part, as `fit` makes (was 7 parts)."""
    src = scan_pdf(tmp_path / "scan.pdf", pages=20, kind="bw", jpeg_quality=75, seed=5)
    assert 18_000_000 < src.stat().st_size < 22_000_000
    result = build_set(load_spec(spec(tmp_path, "kyeb", ["scan.pdf"])), tmp_path / "out",
                       MemoryBates())
    [ex] = result.exhibits
    assert len(ex.parts) == 1
    [part] = ex.parts
    assert part.bytes == part.path.stat().st_size <= 3_000_000
    assert part.path.name == "Exhibit A.pdf"
    assert "bitonal" in ex.actions and "split" not in ex.actions
    texts = pdftotext_pages(part.path)
    assert len(texts) == 20
    assert [re.findall(r"CS\d{6}", t) for t in texts] == [[f"CS{n:06d}"] for n in range(1, 21)]


@needs_ocr
def test_cacd_set_from_an_image_only_scan_has_text_on_every_page(tmp_path: Path) -> None:
    _src, words = scanned_pdf(tmp_path / "scan.pdf", [11, 12])
    result = build_set(load_spec(spec(tmp_path, "cacd", ["scan.pdf"])), tmp_path / "out",
                       MemoryBates(), ocr=OcrEngine())
    [ex] = result.exhibits
    assert "ocr" in ex.actions
    [part] = ex.parts
    texts = pdftotext_pages(part.path)
    assert len(texts) == 2
    for n, text in enumerate(texts):
        found = set(re.findall(r"[a-z]+", text.lower()))
        expected = {w.lower() for line in words[n] for w in re.findall(r"[A-Za-z]+", line)}
        assert len(found & expected) >= 0.8 * len(expected), (n, text)
        assert f"CS{n + 1:06d}" in text


@needs_ocr
def test_nyscef_set_is_pdfa(tmp_path: Path) -> None:
    scanned_pdf(tmp_path / "scan.pdf", [21])
    plain_text_pdf(tmp_path / "letter.pdf", 2, "Letter")  # Helvetica, not embedded
    with pikepdf.open(tmp_path / "letter.pdf") as pdf:
        assert unembedded_fonts(pdf)
    result = build_set(load_spec(spec(tmp_path, "nyscef", ["scan.pdf", "letter.pdf"])),
                       tmp_path / "out", MemoryBates(), ocr=OcrEngine())
    for ex in result.exhibits:
        assert "pdfa" in ex.actions
        [part] = ex.parts
        assert pdfa_problems(part.path) == []
        with pikepdf.open(part.path) as pdf:
            meta = pdf.open_metadata()
            assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
            assert not unembedded_fonts(pdf)
        texts = pdftotext_pages(part.path)
        assert all(re.search(r"CS\d{6}", t) for t in texts)
        assert all(len(re.findall(r"[A-Za-z]{3,}", t)) > 5 for t in texts)


def test_pdfa_check_finds_what_is_missing(tmp_path: Path) -> None:
    plain = plain_text_pdf(tmp_path / "plain.pdf", 1, "Plain")
    problems = pdfa_problems(plain)
    assert any("identification" in p for p in problems)
    assert any("output intent" in p for p in problems)
    assert any("fonts not embedded" in p for p in problems)


COVER_COURT = """\
id = "covers"
name = "A court that wants covers (tests)"
file_limit = "150KB"
split_cover_page = true
bookmarks_required = true

[sources]
file_limit = "test fixture"
split_cover_page = "Cal. Rules of Court 8.74"
"""


def test_split_parts_get_cover_pages_and_bookmarks(tmp_path: Path) -> None:
    courts = tmp_path / "courts"
    courts.mkdir()
    (courts / "covers.toml").write_text(COVER_COURT, encoding="utf-8")
    from tests.exhibit_pdfs import scan_pdf as noisy_scan

    noisy_scan(tmp_path / "big.pdf", 8)  # random noise: compression cannot save it
    result = build_set(load_spec(spec(tmp_path, "covers", ["big.pdf"])), tmp_path / "out",
                       MemoryBates(), courts_dir=courts)
    [ex] = result.exhibits
    total = len(ex.parts)
    assert total > 1
    numbers = []
    for n, part in enumerate(ex.parts, 1):
        assert part.path.stat().st_size <= 150_000
        texts = pdftotext_pages(part.path)
        cover = " ".join(texts[0].split())
        assert f"File {n} of {total}" in cover
        assert f"Pages {part.first_page}-{part.last_page} of 8" in cover
        assert not re.findall(r"CS\d{6}", texts[0])
        assert len(texts) == part.last_page - part.first_page + 2
        numbers += [re.findall(r"CS\d{6}", t)[0] for t in texts[1:]]
        with pikepdf.open(part.path) as pdf, pdf.open_outline() as outline:
            assert outline.root and outline.root[0].title.startswith("Cover")
    assert numbers == [f"CS{n:06d}" for n in range(1, 9)]  # pagination continues


def test_florida_blank_corners_stay_clear_and_stamps_cannot_go_there(tmp_path: Path) -> None:
    plain_text_pdf(tmp_path / "letter.pdf", 2, "Letter")
    result = build_set(load_spec(spec(tmp_path, "fl-portal", ["letter.pdf"])),
                       tmp_path / "out", MemoryBates())
    [part] = result.exhibits[0].parts
    for page, (w_in, h_in) in ((1, (3, 3)), (2, (3, 1))):
        w, h, px = render_gray(part.path, page, dpi=36)
        x0, y1 = w - int(w_in * 36), int(h_in * 36)
        corner = [px[y * w + x] for y in range(y1) for x in range(x0, w)]
        assert min(corner) > 200  # nothing drawn in the clerk's corner
        bottom = [px[y * w + x] for y in range(h - 40, h) for x in range(w // 2, w)]
        assert min(bottom) < 100  # the stamp is there, lower right
    with pytest.raises(BuildError, match="keeps blank"):
        build_set(load_spec(spec(tmp_path, "fl-portal", ["letter.pdf"],
                                 'stamp_position = "top-right"\n')),
                  tmp_path / "out2", MemoryBates())


def test_margins_are_checked(tmp_path: Path) -> None:
    plain_text_pdf(tmp_path / "letter.pdf", 1, "Letter")
    # A page whose text runs into the 1 in. margin (drawn at 0.3 in. from the left).
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(612, 792))
    page = pdf.pages[0]
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(
        F1=pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                              BaseFont=pikepdf.Name.Helvetica)))
    page.obj.Contents = pdf.make_stream(
        b"BT /F1 14 Tf 22 400 Td (MARGIN MARGIN MARGIN MARGIN MARGIN) Tj ET")
    pdf.save(tmp_path / "edge.pdf")
    result = build_set(load_spec(spec(tmp_path, "fl-portal", ["letter.pdf", "edge.pdf"])),
                       tmp_path / "out", MemoryBates())
    margin = [w for w in result.warnings if "margins" in w]
    assert len(margin) == 1 and margin[0].startswith("Exhibit B") and "page(s) 1" in margin[0]


def test_attachments_removed_for_the_court_are_kept_beside_the_exhibits(tmp_path: Path) -> None:
    from tests.fitpdfs import active_content_pdf

    active_content_pdf(tmp_path / "upload.pdf")
    result = build_set(load_spec(spec(tmp_path, "kyeb", ["upload.pdf"])), tmp_path / "out",
                       MemoryBates())
    [ex] = result.exhibits
    assert "removed_embedded_files" in ex.actions
    kept = tmp_path / "out" / "Exhibits" / "removed" / "Exhibit A" / "evidence.txt"
    assert kept.read_bytes() == b"secret attachment"
    assert any("evidence.txt" in w for w in result.warnings)
    with pikepdf.open(ex.parts[0].path) as pdf:
        assert not pdf.attachments


def test_check_warns_about_image_only_pages_before_a_cacd_build(tmp_path: Path) -> None:
    from intake_desktop.core.exhibits.court import check_warnings, court_fit
    from intake_desktop.core.ocr import OcrSettings

    src, _words = scanned_pdf(tmp_path / "scan.pdf", [31])
    plain_text_pdf(tmp_path / "letter.pdf", 1, "Letter")
    fit = court_fit("cacd", tmp_path / "set.toml", ocr=OcrEngine(OcrSettings(enabled=False)))
    warnings = check_warnings(fit, [("Exhibit A", src), ("Exhibit B", tmp_path / "letter.pdf")])
    assert len(warnings) == 1
    assert warnings[0].startswith("Exhibit A: page(s) 1 have no text layer")
    assert "cannot add one" in warnings[0]
    assert check_warnings(court_fit(None, tmp_path / "set.toml"), [("Exhibit A", src)]) == []


BLANK_COURT = """\
id = "corners"
name = "A court with a clerk's corner and a small limit (tests)"
file_limit = "120KB"

[[blank_areas]]
pages = "first"
corner = "upper-right"
width_in = 3
height_in = 3

[[blank_areas]]
pages = "rest"
corner = "upper-right"
width_in = 3
height_in = 1

[sources]
file_limit = "test fixture"
blank_areas = "Fla. R. Gen. Prac. & Jud. Admin. 2.520"
"""


def test_part_labels_move_away_from_the_clerks_corner(tmp_path: Path) -> None:
    from tests.fitpdfs import text_pdf as letter_pdf

    courts = tmp_path / "courts"
    courts.mkdir()
    (courts / "corners.toml").write_text(BLANK_COURT, encoding="utf-8")
    letter_pdf(tmp_path / "brief.pdf", pages=150, words_per_page=400, seed=9)
    result = build_set(load_spec(spec(tmp_path, "corners", ["brief.pdf"])), tmp_path / "out",
                       MemoryBates(), courts_dir=courts)
    [ex] = result.exhibits
    assert len(ex.parts) > 1
    for n, part in enumerate(ex.parts, 1):
        first = " ".join(pdftotext_pages(part.path)[0].split())
        assert f"Exhibit A, Part {n} of {len(ex.parts)}" in first
        # The label is on the bottom edge; the clerk's corner shows only what the source has.
        w, h, px = render_gray(part.path, 1, dpi=36)
        _, _, source = render_gray(tmp_path / "brief.pdf", part.first_page, dpi=36)
        area = [y * w + x for y in range(3 * 36) for x in range(w - 3 * 36, w)]
        assert [px[i] for i in area] == [source[i] for i in area]
        bottom = range((h - 40) * w, h * w)
        assert sum(1 for i in bottom if px[i] < 100) > sum(1 for i in bottom if source[i] < 100)
