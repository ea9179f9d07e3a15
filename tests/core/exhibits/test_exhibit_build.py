"""Building an exhibit set: every page of every output carries the right stamp, the Bates
numbering is continuous, and the index, chronology, binder and ledger agree with it."""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

import pikepdf
import pypdf
import pytest
from docx import Document

from intake_desktop.core.exhibits.build import BuildResult, build_set
from intake_desktop.core.exhibits.index import INDEX_COLUMNS
from intake_desktop.core.exhibits.model import BuildError
from intake_desktop.core.exhibits.spec import load_spec
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.progress import CancelFlag
from tests.exhibit_pdfs import MemoryBates, awkward_pdf, render_gray, text_pdf

BATES_RE = re.compile(r"SMITH-(\d{6})")

SPEC = """\
[set]
name = "Smith v. Jones - Plaintiff exhibits"
label_prefix = "Pltf. Ex."
page_labels = true
slip_sheets = true
binder = true

[bates]
prefix = "SMITH-"
digits = 6

[[exhibit]]
file = "docs/er.pdf"
description = "Emergency room record"
date = 2024-01-05
witness = "Dr. Lee"
provider = "County ER"

[[exhibit]]
file = "docs/mri.pdf"
description = "MRI report"
date = 2024-02-03
provider = "Valley Imaging"

[[exhibit]]
file = "docs/awkward.pdf"
description = "Physical therapy notes (rotated and cropped scans)"
date = 2024-03-20
[[exhibit.entry]]
date = 2024-03-20
description = "PT evaluation"
pages = "1-2"
amount = "$1,250.5"
[[exhibit.entry]]
date = 2024-05-02
description = "PT re-evaluation"
pages = 7
amount = 310
"""


def make_docs(folder: Path) -> dict[str, Path]:
    docs = folder / "docs"
    return {
        "er": text_pdf(docs / "er.pdf", 3, "ER"),
        "mri": text_pdf(docs / "mri.pdf", 2, "MRI"),
        "awkward": awkward_pdf(docs / "awkward.pdf"),
    }


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    led = Ledger.open(f"sqlite:///{tmp_path / 'ledger.sqlite'}", Actor("tester"))
    yield led  # type: ignore[misc]
    led.close()


@pytest.fixture
def built(tmp_path: Path, ledger: Ledger) -> BuildResult:
    make_docs(tmp_path)
    spec_path = tmp_path / "set.toml"
    spec_path.write_text(SPEC, encoding="utf-8")
    return build_set(load_spec(spec_path), tmp_path / "out", ledger)


def pdftotext(path: Path) -> str:
    """Text as poppler extracts it (an engine other than the one that wrote the PDF)."""
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def pdffonts(path: Path) -> list[list[str]]:
    """pdffonts rows: name, type, encoding, emb, sub, uni ... (the last 5 columns fixed)."""
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                         text=True).stdout.splitlines()[2:]
    return [line.split() for line in out]


def page_texts(path: Path) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(path).pages]


def test_every_exhibit_page_carries_its_bates_number_and_labels(built: BuildResult) -> None:
    seen: list[int] = []
    for ex in built.exhibits:
        (part,) = ex.parts
        texts = page_texts(part.path)
        assert len(texts) == ex.pages
        for page, text in enumerate(texts, start=1):
            numbers = [int(n) for n in BATES_RE.findall(text)]
            assert len(numbers) == 1, (ex.label, page, text)
            assert f"SMITH-{numbers[0]:06d}" == ex.bates_at(page)
            assert f"Ex. {ex.ident} - p. {page}" in text
            assert (ex.label in text) == (page == 1)
            seen.append(numbers[0])
    # continuous across the whole set: no gap, no duplicate
    assert seen == list(range(1, 16))
    assert [e.pages for e in built.exhibits] == [3, 2, 10]
    assert [(e.bates_first, e.bates_last) for e in built.exhibits] == [
        ("SMITH-000001", "SMITH-000003"),
        ("SMITH-000004", "SMITH-000005"),
        ("SMITH-000006", "SMITH-000015"),
    ]


def test_original_pages_survive_stamping(built: BuildResult) -> None:
    awkward = built.exhibits[2]
    texts = page_texts(awkward.parts[0].path)
    assert "BODY rotate90" in texts[1] and "BODY inherited" in texts[9]
    assert sha256_file(awkward.source.path) == awkward.source_sha256  # source untouched


def test_binder_has_contents_slip_sheets_and_one_bookmark_per_exhibit(
    built: BuildResult,
) -> None:
    (binder,) = built.binder_parts
    texts = page_texts(binder.path)
    assert len(texts) == 1 + 15 + 3 == binder.last_page  # contents page first (issue 22)
    numbers = []
    slip_pages = {ex.binder_page for ex in built.exhibits}
    assert slip_pages == {2, 6, 9}
    for page, text in enumerate(texts[1:], start=2):
        if page in slip_pages:
            ex = next(e for e in built.exhibits if e.binder_page == page)
            assert ex.label.upper() in text and ex.entry.description[:20] in text
        else:
            (n,) = BATES_RE.findall(text)
            numbers.append(int(n))
    assert numbers == list(range(1, 16))
    with pikepdf.open(binder.path) as pdf, pdf.open_outline() as outline:
        marks = [
            (item.title, pikepdf.Page(item.destination[0]).index)  # type: ignore[index]
            for item in outline.root
        ]
    assert marks == [("Table of contents", 0)] + [
        (f"{e.label} - {e.entry.description}", e.binder_page - 1)  # type: ignore[operator]
        for e in built.exhibits
    ]


def test_binder_contents_page_lists_and_links_every_exhibit(built: BuildResult) -> None:
    (binder,) = built.binder_parts
    contents = pdftotext(binder.path).split("\f")[0]
    assert contents.startswith("Table of contents")
    for ex in built.exhibits:
        assert ex.label in contents and ex.entry.description[:20] in contents
        assert ex.bates_first in contents and ex.bates_last in contents
    # the page numbers printed are the binder pages each exhibit starts on
    layout_text = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1",
                                  str(binder.path), "-"], capture_output=True, text=True,
                                 check=True).stdout
    for ex in built.exhibits:
        line = next(li for li in layout_text.splitlines() if ex.label in li)
        assert line.split()[-1] == str(ex.binder_page)
    with pikepdf.open(binder.path) as pdf:
        links = [a for a in pdf.pages[0].obj.Annots if a.Subtype == pikepdf.Name.Link]
        targets = [pikepdf.Page(a.Dest[0]).index + 1 for a in links]
    assert targets == [ex.binder_page for ex in built.exhibits]


def test_slip_sheets_are_separate_files(built: BuildResult) -> None:
    for ex in built.exhibits:
        assert ex.slip_sheet is not None
        (text,) = page_texts(ex.slip_sheet)
        assert ex.label.upper() in text
        assert f"{ex.bates_first} - {ex.bates_last}" in text


def test_index_rows_match_the_stamps_in_all_formats(built: BuildResult) -> None:
    # Issue 22: AO 187 columns (Plf./Def. No., Date Offered ...), and a court copy next to
    # the file copy; the file copy alone carries source paths and hashes.
    csv_path, docx_path, pdf_path, court_docx, court_pdf = built.index_files
    assert [p.name for p in built.index_files] == [
        "Exhibit index.csv", "Exhibit index.docx", "Exhibit index.pdf",
        "Exhibit index - court copy.docx", "Exhibit index - court copy.pdf"]
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == INDEX_COLUMNS
    body = rows[1:]
    assert len(body) == len(built.exhibits)
    for row, ex in zip(body, built.exhibits, strict=True):
        record = dict(zip(INDEX_COLUMNS, row, strict=True))
        texts = page_texts(ex.parts[0].path)
        assert record["Label"] == ex.label and ex.label in texts[0]
        assert (record["Plf. No."], record["Def. No."]) == (ex.ident, "")
        assert record["Bates begin"] in texts[0] and record["Bates end"] in texts[-1]
        assert record["Bates range"] == f"{record['Bates begin']} - {record['Bates end']}"
        assert int(record["Pages"]) == len(texts)
        assert record["SHA-256"] == sha256_file(ex.source.path)
        assert record["Source document"] == ex.source.path.relative_to(
            built.spec.path.parent
        ).as_posix()
        assert [record[c] for c in ("Date Offered", "Marked", "Admitted", "Objections")] == [
            ""] * 4
    assert body[0][INDEX_COLUMNS.index("Witness")] == "Dr. Lee"
    file_tables = Document(str(docx_path)).tables
    court_tables = Document(str(court_docx)).tables
    printed = [[c.text for c in r.cells] for r in file_tables[-2].rows]
    assert printed[0][:3] == ["Plf. No.", "Def. No.", "Date Offered"]
    assert [r[printed[0].index("Bates range")] for r in printed[1:]] == [
        r[INDEX_COLUMNS.index("Bates range")] for r in body]
    assert "w:tblHeader" in file_tables[-2].rows[0]._tr.xml  # header repeats on each page
    hashes = [[c.text for c in r.cells] for r in file_tables[-1].rows][1:]
    assert [h[2] for h in hashes] == [r[INDEX_COLUMNS.index("SHA-256")] for r in body]
    court_text = " ".join(c.text for t in court_tables for r in t.rows for c in r.cells)
    for row in body:
        assert row[INDEX_COLUMNS.index("SHA-256")] not in court_text
        assert row[INDEX_COLUMNS.index("Source document")] not in court_text
        assert row[INDEX_COLUMNS.index("Bates range")] in court_text
    file_text, court_pdf_text = pdftotext(pdf_path), pdftotext(court_pdf)
    for row in body:
        record = dict(zip(INDEX_COLUMNS, row, strict=True))
        for key in ("Bates range", "Bates begin", "Bates end", "SHA-256"):
            assert record[key] in file_text, key
        assert record["Bates range"] in court_pdf_text
        assert record["SHA-256"] not in court_pdf_text
        assert record["Source document"] not in court_pdf_text


def test_chronology_is_date_ordered_with_gaps_flagged(built: BuildResult) -> None:
    csv_path = built.chronology_files[0]
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["Date"], r["Exhibit"], r["Cite"]) for r in rows] == [
        ("2024-01-05", "Pltf. Ex. 1", "SMITH-000001 - SMITH-000003"),
        ("2024-02-03", "Pltf. Ex. 2", "SMITH-000004 - SMITH-000005"),
        ("2024-03-20", "Pltf. Ex. 3", "SMITH-000006 - SMITH-000007"),
        ("2024-05-02", "Pltf. Ex. 3", "SMITH-000012"),
    ]
    # 29 days (Jan 5 -> Feb 3) is not a gap; 46 (Feb 3 -> Mar 20) and 43 are
    assert [r["Gap"] for r in rows] == [
        "", "", "GAP: 46 days since 2024-02-03", "GAP: 43 days since 2024-03-20"
    ]
    assert rows[0]["Provider"] == "County ER"
    assert [r["Billed"] for r in rows] == ["", "", "1,250.50", "310.00"]
    docx_rows = [[c.text for c in r.cells] for r in Document(str(built.chronology_files[1]))
                 .tables[0].rows]
    assert docx_rows[0][-1] == "Gap" and docx_rows[3][-1] == "GAP: 46 days since 2024-02-03"
    table = Document(str(built.chronology_files[1])).tables[0]
    bold = [bool(row.cells[0].paragraphs[0].runs[0].bold) for row in table.rows[1:]]
    assert bold[:4] == [False, False, True, True]  # gap rows stand out
    last = [c.text for c in table.rows[-1].cells]
    assert last[2] == "Total billed" and last[3] == "1,560.50"  # Word and PDF only
    assert len(rows) == 4  # the CSV has no totals row
    assert "1,560.50" in "".join(page_texts(built.chronology_files[2]))
    assert "GAP: 43 days" in "".join(page_texts(built.chronology_files[2]))


def test_ledger_records_the_reservation_and_every_output(
    built: BuildResult, ledger: Ledger
) -> None:
    events = ledger.chain.events()
    reserved = [e for e in events if e.kind == "bates_reserved"]
    assert len(reserved) == 1
    assert (reserved[0].detail["first"], reserved[0].detail["last"]) == (1, 15)
    stamped = [e for e in events if e.kind == "stamped"]
    assert len(stamped) == 3
    for event, ex in zip(stamped, built.exhibits, strict=True):
        assert event.sha256_before == ex.source_sha256
        assert event.sha256_after == sha256_file(ex.parts[0].path)
        assert (event.detail["bates_first"], event.detail["bates_last"]) == (
            ex.bates_first, ex.bates_last)
        assert event.path_after == str(ex.parts[0].path.resolve())
    outputs = {(e.detail["output"], e.detail.get("format")) for e in events
               if e.kind == "exported"}
    assert outputs == {("slip_sheet", None), ("binder", None), ("index", "csv"),
                       ("index", "docx"), ("index", "pdf"), ("chronology", "csv"),
                       ("chronology", "docx"), ("chronology", "pdf")}
    assert ledger.chain.verify_chain().ok
    assert ledger.bates.next_bates("SMITH-") == 16


def test_second_set_continues_the_numbering(tmp_path: Path, built: BuildResult,
                                            ledger: Ledger) -> None:
    spec2 = tmp_path / "second.toml"
    spec2.write_text(
        '[set]\nname = "Supplemental"\nlabel_scheme = "letters"\nlabel_prefix = "Def. Ex."\n'
        'first_label = "Z"\nslip_sheets = false\nbinder = false\nfont = "embedded"\n'
        '[bates]\nprefix = "SMITH-"\n'
        '[[exhibit]]\nfile = "docs/mri.pdf"\ndescription = "MRI again"\n'
        '[[exhibit]]\nfile = "docs/er.pdf"\ndescription = "ER again"\n',
        encoding="utf-8",
    )
    result = build_set(load_spec(spec2), tmp_path / "out2", ledger)
    assert [e.label for e in result.exhibits] == ["Def. Ex. Z", "Def. Ex. AA"]
    assert [(e.bates_first, e.bates_last) for e in result.exhibits] == [
        ("SMITH-000016", "SMITH-000017"), ("SMITH-000018", "SMITH-000020")]
    texts = page_texts(result.exhibits[1].parts[0].path)
    assert "Def. Ex. AA" in texts[0] and "SMITH-000020" in texts[2]
    with pikepdf.open(result.exhibits[1].parts[0].path) as pdf:
        embedded = [f for f in pdf.pages[0].obj.Resources.Font.values()
                    if "/FontDescriptor" in f and "/FontFile2" in f.FontDescriptor]
    assert embedded  # the stamp font travels with the file
    assert result.binder_parts == []
    assert not (tmp_path / "out2" / "Slip sheets").exists()


def test_explicit_start_that_would_reuse_numbers_is_refused(
    tmp_path: Path, built: BuildResult, ledger: Ledger
) -> None:
    spec = tmp_path / "again.toml"
    spec.write_text(SPEC.replace('digits = 6', 'digits = 6\nstart = 10'), encoding="utf-8")
    # refused before anything is reserved, by the same check `exhibits check` runs
    with pytest.raises(BuildError, match="reuse numbers"):
        build_set(load_spec(spec), tmp_path / "out3", ledger)
    assert not (tmp_path / "out3").exists()
    assert ledger.bates.next_bates("SMITH-") == 16


def test_failed_build_leaves_no_files_and_no_gap(tmp_path: Path) -> None:
    make_docs(tmp_path)
    spec_path = tmp_path / "set.toml"
    spec_path.write_text(SPEC, encoding="utf-8")
    book = MemoryBates()
    book.counters["SMITH-"] = 100
    cancel = CancelFlag()

    def progress(done: int, total: int, message: str) -> None:
        if message.startswith("stamping Pltf. Ex. 2"):
            cancel.set()

    with pytest.raises(BuildError, match="cancelled"):
        build_set(load_spec(spec_path), tmp_path / "out", book, on_progress=progress,
                  cancel=cancel)
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs", "set.toml"]  # no scratch
    assert book.counters["SMITH-"] == 100  # the reservation was given back
    assert [k for k, _ in book.events] == ["bates_reserved", "bates_released"]


def test_non_empty_output_folder_is_refused(tmp_path: Path) -> None:
    make_docs(tmp_path)
    spec_path = tmp_path / "set.toml"
    spec_path.write_text(SPEC, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.pdf").write_bytes(b"earlier build")
    book = MemoryBates()
    with pytest.raises(BuildError, match="not empty"):
        build_set(load_spec(spec_path), out, book)
    assert (out / "earlier.pdf").read_bytes() == b"earlier build"
    assert book.events == []


def test_encrypted_exhibit_is_refused_before_numbers_are_taken(tmp_path: Path) -> None:
    docs = make_docs(tmp_path)
    with pikepdf.open(docs["mri"], allow_overwriting_input=True) as pdf:
        pdf.save(docs["mri"], encryption=pikepdf.Encryption(owner="o", user="u"))
    spec_path = tmp_path / "set.toml"
    spec_path.write_text(SPEC, encoding="utf-8")
    book = MemoryBates()
    with pytest.raises(Exception, match="password-protected") as info:
        build_set(load_spec(spec_path), tmp_path / "out", book)
    assert "mri.pdf" in str(info.value)
    assert book.events == []


def test_entry_pages_beyond_the_document_are_refused(tmp_path: Path) -> None:
    make_docs(tmp_path)
    spec_path = tmp_path / "set.toml"
    spec_path.write_text(SPEC.replace("pages = 7", "pages = 11"), encoding="utf-8")
    with pytest.raises(BuildError, match="beyond the document's 10 pages"):
        build_set(load_spec(spec_path), tmp_path / "out", MemoryBates())


def test_without_bates_the_cites_are_page_cites(tmp_path: Path) -> None:
    make_docs(tmp_path)
    spec_path = tmp_path / "set.toml"
    text = SPEC.replace('[bates]\nprefix = "SMITH-"\ndigits = 6\n', "")
    spec_path.write_text(text, encoding="utf-8")
    result = build_set(load_spec(spec_path), tmp_path / "out", MemoryBates())
    assert result.exhibits[0].bates_first is None
    assert [r.cite for r in result.chronology][2:] == ["Pltf. Ex. 3, pp. 1-2", "Pltf. Ex. 3, p. 7"]
    texts = page_texts(result.exhibits[1].parts[0].path)
    assert "Ex. 2 - p. 2" in texts[1] and not BATES_RE.search(texts[1])


def test_built_stamps_are_inside_the_visible_area_of_awkward_pages(built: BuildResult) -> None:
    """Rendered as a reader sees them (CropBox, /Rotate), the new ink is all bottom-right."""
    ex = built.exhibits[2]
    for page in range(1, ex.pages + 1):
        w, h, before = render_gray(ex.source.path, page)
        w2, h2, after = render_gray(ex.parts[0].path, page)
        assert (w, h) == (w2, h2)
        changed = [i for i in range(w * h) if after[i] + 60 < before[i]]
        assert changed, f"page {page}: no visible stamp"
        xs = [i % w for i in changed]
        ys = [i // w for i in changed]
        assert min(xs) > w / 2 and min(ys) > h * 0.7, (page, min(xs), min(ys), w, h)
        assert max(xs) < w - 1 and max(ys) < h - 1


def test_rebuild_of_the_same_set_with_start_reuses_its_own_numbers(
    tmp_path: Path, built: BuildResult, ledger: Ledger
) -> None:
    spec = tmp_path / "rebuild.toml"
    spec.write_text(SPEC.replace("digits = 6", "digits = 6\nstart = 1"), encoding="utf-8")
    result = build_set(load_spec(spec), tmp_path / "out-rebuild", ledger)
    assert [(e.bates_first, e.bates_last) for e in result.exhibits] == [
        ("SMITH-000001", "SMITH-000003"), ("SMITH-000004", "SMITH-000005"),
        ("SMITH-000006", "SMITH-000015")]
    assert any("reuses SMITH-000001 - SMITH-000015" in w for w in result.warnings)
    assert ledger.bates.next_bates("SMITH-") == 16
    kinds = [e.kind for e in ledger.chain.events() if e.kind.startswith("bates_")]
    assert kinds == ["bates_reserved", "bates_released", "bates_reserved"]
    # another set may not take those numbers
    other = tmp_path / "other.toml"
    other.write_text(SPEC.replace("digits = 6", "digits = 6\nstart = 1")
                     .replace("Plaintiff exhibits", "Other set"), encoding="utf-8")
    with pytest.raises(BuildError, match="reuse numbers"):
        build_set(load_spec(other), tmp_path / "out-other", ledger)


def test_source_changed_during_the_build_is_caught(tmp_path: Path) -> None:
    docs = make_docs(tmp_path)
    spec_path = tmp_path / "set.toml"
    spec_path.write_text(SPEC, encoding="utf-8")
    book = MemoryBates()

    def progress(done: int, total: int, message: str) -> None:
        if message == "stamping Pltf. Ex. 2":
            text_pdf(docs["mri"], 2, "MRI edited")  # someone saves a new version

    with pytest.raises(BuildError, match=r"Pltf\. Ex\. 2: the source changed"):
        build_set(load_spec(spec_path), tmp_path / "out", book, on_progress=progress)
    assert not (tmp_path / "out").exists()
    assert book.counters["SMITH-"] == 1


def test_numbers_longer_than_the_digits_are_refused(tmp_path: Path) -> None:
    make_docs(tmp_path)
    spec_path = tmp_path / "set.toml"
    spec_path.write_text(SPEC.replace("digits = 6", "digits = 6\nstart = 999990"),
                         encoding="utf-8")
    book = MemoryBates()
    with pytest.raises(BuildError, match="would reach 1000004, more than the 6 digits"):
        build_set(load_spec(spec_path), tmp_path / "out", book)
    assert book.next_bates("SMITH-") == 1  # refused before any number was reserved


def test_owner_password_file_without_a_court_points_to_the_court_option(tmp_path: Path) -> None:
    docs = make_docs(tmp_path)
    with pikepdf.open(docs["er"], allow_overwriting_input=True) as pdf:
        pdf.save(docs["er"], encryption=pikepdf.Encryption(owner="o", user=""))
    spec_path = tmp_path / "set.toml"
    spec_path.write_text(SPEC, encoding="utf-8")
    with pytest.raises(BuildError, match=r"exhibit 1 \(line 12\): this PDF is encrypted") as info:
        build_set(load_spec(spec_path), tmp_path / "out", MemoryBates())
    assert "Name the court in [set]" in str(info.value)


def test_a_chronology_without_providers_prints_no_empty_medical_columns(tmp_path: Path) -> None:
    """A litigation set's chronology printed Provider, Billed and Gap columns with nothing in
    them; the CSV keeps every column so its shape never changes."""
    import datetime as dt

    from intake_desktop.core.exhibits.chronology import (
        CHRONOLOGY_COLUMNS,
        ChronologyRow,
        chronology_table,
        order_and_flag,
    )
    from intake_desktop.core.exhibits.tables import write_all

    rows = order_and_flag([
        ChronologyRow(dt.date(2023, 9, 18), "Safety memo", "", "Pltf. Ex. 2", "REYES-000002", 2),
        ChronologyRow(dt.date(2019, 8, 1), "Employment agreement", "", "Pltf. Ex. 1",
                      "REYES-000001", 1),
    ])
    paths = write_all(chronology_table("Reyes", rows), tmp_path, "Chronology",
                      csv_table=chronology_table("Reyes", rows, printed=False))
    with open(paths[0], encoding="utf-8-sig", newline="") as fh:
        assert tuple(next(csv.reader(fh))) == CHRONOLOGY_COLUMNS
    header = [c.text for c in Document(str(paths[1])).tables[0].rows[0].cells]
    assert header == ["Date", "Description", "Exhibit", "Cite"]
    text = pdftotext(paths[2])
    assert "Safety memo" in text and "REYES-000001" in text
    assert "Oldest first. 2 entries." in text  # no treatment rows: no word of gaps
    for empty in ("Provider", "Billed", "Gap", "gaps"):
        assert empty not in text
