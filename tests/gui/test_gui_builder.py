"""The exhibit builder tab: picks become a spec, reordered, built."""

from __future__ import annotations

from pypdf import PdfReader

from intake_desktop.app import build_filer
from intake_desktop.core.desks.exhibit_builder import (
    BuildOptions,
    Pick,
    spec_text,
)


def test_spec_text_lists_picks_in_order():
    text = spec_text(BuildOptions("Smith trial", label_scheme="letters", bates_prefix="SM"),
                     [Pick(7, "ER record"), Pick(3, 'Letter "A"')])
    assert text.index("document = 7") < text.index("document = 3")
    assert 'first_label = "A"' in text and 'prefix = "SM"' in text
    assert 'description = "Letter \\"A\\""' in text


def test_pick_reorder_build(make_window, app, make_pdf, qtmodeltester):
    from intake_desktop.qt.builder_page import BuilderPage

    filer = build_filer(app)
    filer.ingest([make_pdf("ER record.pdf", 3), make_pdf("Letter.pdf", 2)], matter="M-1")
    window = make_window("paralegal")
    assert window.open_page("builder")
    page = window.pages["builder"]
    assert isinstance(page, BuilderPage)
    assert page.documents.rowCount() == 2
    page.add_document(0)
    page.add_document(1)
    qtmodeltester.check(page.model)
    assert [p.title for p in page.model.picks] == ["ER record.pdf", "Letter.pdf"]
    # drag the second exhibit above the first
    mime = page.model.mimeData([page.model.index(1, 0)])
    page.model.dropMimeData(mime, page.model.supportedDropActions(), 0, 0,
                            page.model.index(-1, -1))
    assert [p.title for p in page.model.picks] == ["Letter.pdf", "ER record.pdf"]
    assert page.model.data(page.model.index(0, 0)) == "Exhibit 1"
    page.model.setData(page.model.index(1, 1), "Emergency room record, 2024-03-01")
    page.bates_prefix.setText("SMITH")
    page.set_name.setText("Smith trial exhibits")
    page.start_build()
    assert page.last is not None, page.result.text()
    exhibits = page.last.summary["exhibits"]
    assert [e["description"] for e in exhibits] == ["Letter", "Emergency room record, 2024-03-01"]
    assert [(e["bates_first"], e["bates_last"]) for e in exhibits] == [
        ("SMITH000001", "SMITH000002"), ("SMITH000003", "SMITH000005")]
    pdfs = [p for p in page.last.files if p.suffix == ".pdf" and "Exhibit 2" in p.name]
    assert pdfs and len(PdfReader(pdfs[0]).pages) == 3
    assert page.last.spec_file.read_text(encoding="utf-8").count("[[exhibit]]") == 2
