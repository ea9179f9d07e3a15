"""The AO 187 index and the chronology as a court would read them: every value intact in
the extracted text, fonts embedded, one page for five exhibits, caption from the spec,
Word columns sized to their content."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pypdf
import pytest
from docx import Document
from docx.shared import Pt
from reportlab.pdfbase import pdfmetrics

from intake_desktop.core.exhibits.build import BuildResult, build_set
from intake_desktop.core.exhibits.chronology import ChronologyRow, order_and_flag
from intake_desktop.core.exhibits.spec import load_spec
from tests.exhibit_pdfs import MemoryBates, text_pdf

DESCRIPTIONS = [
    "Emergency room record, County General Hospital, including triage notes and discharge "
    "instructions",
    "MRI report",
    "Physical therapy notes",
    "Bill of lading",
    "Email from dispatcher to driver re: route change",
]

SPEC = """\
[set]
name = "Reyes v. Acme Logistics - Plaintiff's trial exhibits"
label_prefix = "Pltf. Ex."

[caption]
district = "Central District of California"
case_number = "2:24-cv-01234-AR"
judge = "Hon. Ana Ruiz"
plaintiff = "Maria Reyes"
defendant = "Acme Logistics, Inc."
plaintiff_attorneys = "Jordan Park, Park & Lee LLP"
defendant_attorneys = "Rita Stone, Stone Hale LLP"
trial_dates = "March 3-7, 2025"

[bates]
prefix = "REYES-LONGPREFIX-"
digits = 7
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    root = tmp_path_factory.mktemp("index")
    text = SPEC
    for i, description in enumerate(DESCRIPTIONS):
        text_pdf(root / f"docs/d{i}.pdf", 2 + i, f"Doc{i}")
        provider = 'provider = "County General"\n' if i < 3 else ""
        text += (f'\n[[exhibit]]\nfile = "docs/d{i}.pdf"\ndescription = "{description}"\n'
                 f"date = 2024-0{i + 1}-0{i + 2}\n{provider}")
    (root / "set.toml").write_text(text, encoding="utf-8")
    return build_set(load_spec(root / "set.toml"), root / "out", MemoryBates())


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_index_and_chronology_text_holds_every_value_exactly(built: BuildResult) -> None:
    by_name = {p.name: p for p in built.index_files + built.chronology_files}
    file_copy = pdftotext(by_name["Exhibit index.pdf"])
    court_copy = pdftotext(by_name["Exhibit index - court copy.pdf"])
    chronology = pdftotext(by_name["Chronology.pdf"])
    assert "\u200b" not in file_copy + court_copy + chronology
    assert "REYES-LONGPREFIX-0000001 - REYES-LONGPREFIX-0000002" in court_copy
    for ex in built.exhibits:
        for text in (file_copy, court_copy):
            assert ex.bates_range in text
            assert ex.bates_first in text and ex.bates_last in text
        assert ex.source_sha256 in file_copy
        assert ex.source_sha256 not in court_copy
        assert ex.label in file_copy and ex.label in chronology
        assert ex.bates_range in chronology
    for value in ("UNITED STATES DISTRICT COURT", "CENTRAL DISTRICT OF CALIFORNIA",
                  "EXHIBIT AND WITNESS LIST", "Case Number: 2:24-cv-01234-AR", "Hon. Ana Ruiz",
                  "Maria Reyes", "Acme Logistics, Inc.", "Jordan Park, Park & Lee LLP",
                  "Rita Stone, Stone Hale LLP", "March 3-7, 2025", "Date Offered", "Marked",
                  "Admitted", "Witness"):
        assert value in court_copy, value


def test_index_and_chronology_fonts_are_all_embedded(built: BuildResult) -> None:
    for path in built.index_files + built.chronology_files:
        if path.suffix != ".pdf":
            continue
        rows = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                              text=True).stdout.splitlines()[2:]
        assert rows, path.name
        for row in rows:
            emb = row.split()[-5]
            assert emb == "yes", (path.name, row)


def test_five_exhibit_index_fits_one_page(built: BuildResult) -> None:
    for path in built.index_files:
        if path.suffix == ".pdf":
            assert len(pypdf.PdfReader(path).pages) == 1, path.name


def test_word_columns_are_sized_to_their_content(built: BuildResult) -> None:
    docx_path = next(p for p in built.index_files if p.name == "Exhibit index - court copy.docx")
    table = Document(str(docx_path)).tables[-1]
    header = [c.text for c in table.rows[0].cells]
    widths = [col.w for col in table._tbl.tblGrid.gridCol_lst]
    assert len(set(widths)) > 4  # not equal columns
    assert sum(widths) == pytest.approx(Pt(720), rel=0.01)  # the 10 inch text width
    bates = header.index("Bates range")
    longest = max(pdfmetrics.stringWidth(ex.bates_range, "Helvetica", 8)
                  for ex in built.exhibits)
    assert widths[bates] >= Pt(longest + 10.8)  # fits on one line inside Word's margins
    # the long description wraps (between words) to make room for the unbroken values
    described = header.index("Description of exhibits")
    natural = pdfmetrics.stringWidth(DESCRIPTIONS[0], "Helvetica", 8)
    assert Pt(pdfmetrics.stringWidth("instructions", "Helvetica", 8)) < widths[described]
    assert widths[described] < Pt(natural)
    assert "fixed" in table._tbl.tblPr.xml


def test_chronology_gaps_are_flagged_only_between_treatments() -> None:
    def row(date: str, kind: str, n: int) -> ChronologyRow:
        return ChronologyRow(dt.date.fromisoformat(date), f"row {n}", "", "Ex. 1", "", n,
                             kind=kind)

    rows = order_and_flag([
        row("2020-01-10", "event", 1),  # the accident report, years before treatment
        row("2024-02-17", "treatment", 2),
        row("2024-02-20", "event", 3),
        row("2024-03-01", "treatment", 4),
        row("2024-05-01", "treatment", 5),
        row("2024-09-01", "event", 6),
    ])
    assert [(r.description, r.gap_days) for r in rows] == [
        ("row 1", None), ("row 2", None), ("row 3", None), ("row 4", None),
        ("row 5", 61), ("row 6", None)]
    assert rows[4].gap_from == dt.date(2024, 3, 1)  # since the last treatment, not the event


def test_production_numbers_on_a_page_are_kept_visible_and_indexed(tmp_path: Path) -> None:
    """The reported case: the other side's ACME0000123 in the lower right of a produced page
    came out hidden under the white box. Now the stamp moves off it and the index records
    both numbers."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    from tests.exhibit_pdfs import render_gray

    produced = tmp_path / "docs" / "produced.pdf"
    produced.parent.mkdir()
    c = canvas.Canvas(str(produced), pagesize=letter)
    for n in range(2):
        c.setFont("Helvetica", 11)
        for k in range(40):
            c.drawString(72, 740 - 16 * k, f"Line {k} of a produced record that runs down")
        c.drawRightString(590, 14, f"ACME000012{3 + n}")
        c.showPage()
    c.save()
    (tmp_path / "set.toml").write_text(
        '[set]\nname = "Reyes"\nlabel_prefix = "Pltf. Ex."\nfirst_label = 6\n'
        '[bates]\nprefix = "REYES-"\nstart = 7\n'
        '[[exhibit]]\nfile = "docs/produced.pdf"\ndescription = "Acme production"\n',
        encoding="utf-8")
    result = build_set(load_spec(tmp_path / "set.toml"), tmp_path / "out", MemoryBates())
    (ex,) = result.exhibits
    assert ex.production_numbers == ["ACME0000123", "ACME0000124"]
    stamped = ex.parts[0].path
    w, h, before = render_gray(produced, 1, dpi=72)
    _, _, after = render_gray(stamped, 1, dpi=72)
    # the production number's corner (lower right, 130 x 20 pt) is untouched
    corner = [(x, y) for y in range(h - 20, h) for x in range(w - 130, w - 20)]
    assert all(before[y * w + x] == after[y * w + x] for x, y in corner)
    assert min(before[y * w + x] for x, y in corner) < 100
    text = pypdf.PdfReader(stamped).pages[0].extract_text()
    assert "ACME0000123" in text and "REYES-000007" in text and "Pltf. Ex. 6" in text
    court = pdftotext(next(p for p in result.index_files if p.name.endswith("copy.pdf")))
    assert "Produced as" in court and "ACME0000123 - ACME0000124" in court
    assert "REYES-000007 - REYES-000008" in court
    assert any("Pltf. Ex. 6" in w and "stamp went" in w for w in result.warnings)


def test_a_page_with_no_blank_place_is_refused_when_shrinking_is_off(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    from intake_desktop.core.exhibits.model import BuildError

    full = tmp_path / "full.pdf"
    c = canvas.Canvas(str(full), pagesize=letter)
    c.setFont("Helvetica", 9)
    for k in range(80):
        c.drawString(0, 2 + 10 * k, "word " * 40)
    c.showPage()
    c.save()
    (tmp_path / "set.toml").write_text(
        '[set]\nname = "Full"\nshrink_to_fit = false\nlabel_prefix = "Pltf. Ex."\n'
        '[bates]\nprefix = "FULL-"\n'
        '[[exhibit]]\nfile = "full.pdf"\ndescription = "Dense page"\n', encoding="utf-8")
    book = MemoryBates()
    with pytest.raises(BuildError) as err:
        build_set(load_spec(tmp_path / "set.toml"), tmp_path / "out", book)
    assert "Pltf. Ex. 1: page 1: the stamp would cover what is printed there" in str(err.value)
    assert "full.pdf" in str(err.value) and "shrink_to_fit = true" in str(err.value)
    assert not (tmp_path / "out").exists() and book.next_bates("FULL-") == 1
    # with shrinking (the default) the page is built, and the build says so
    (tmp_path / "set.toml").write_text(
        (tmp_path / "set.toml").read_text().replace("shrink_to_fit = false\n", ""))
    result = build_set(load_spec(tmp_path / "set.toml"), tmp_path / "out", book)
    assert list(result.exhibits[0].shrunk) == [1]
    assert any("page 1 had no blank place for the stamp" in w for w in result.warnings)
