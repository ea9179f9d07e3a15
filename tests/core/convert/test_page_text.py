"""The text of a PDF's pages is read by one helper (core/pdf/text.read_page_texts) for the
PDF checks (the rules' first page, the OCR probe) and for the search index: the words a
document is indexed under are the same whether they were read while filing it or read back
from the filed file later (`search reindex`)."""

from __future__ import annotations

from pathlib import Path

from intake_desktop.core.convert.pdfcheck import TEXT_CHARS, page_texts, pdf_facts
from intake_desktop.core.pipeline import PageText
from intake_desktop.core.search_text import MAX_CHARS, extract_text

from .samples import encrypted_pdf, pdf_text, write_pdf

PAGES = ["Invoice 2231\nFor records of March 2024", "Second page\nAmount due 1,200.00",
         "Third page\nPaid in full"]


def test_the_checks_and_the_search_index_read_the_same_words(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "invoice.pdf", PAGES)
    facts = pdf_facts(path)
    assert facts.page_texts == pdf_text(path)  # every page, as pypdf reads it
    assert "Amount due 1,200.00" in facts.page_texts[1]
    known = PageText(tuple(facts.page_texts), facts.page_count, every_page_has_text=True)
    read_at_filing = extract_text(path, {}, known)
    read_back = extract_text(path)
    assert read_at_filing == read_back
    assert read_back[1] == 3 and "Third page Paid in full" in read_back[0]


def test_both_stop_at_the_same_page_past_the_character_bound(tmp_path: Path) -> None:
    assert TEXT_CHARS == MAX_CHARS
    line = "word " * 20
    dense = ["\n".join([line] * 34) for _ in range(130)]  # 3,400 characters a page
    path = write_pdf(tmp_path / "dense.pdf", dense)
    per_page = len(pdf_text(path)[0])
    texts = page_texts(path)
    assert texts is not None
    wanted = TEXT_CHARS // per_page + 1  # the page that takes the total past the bound
    assert wanted < len(dense) and len(texts) == wanted
    body, pages = extract_text(path)
    assert pages == len(dense)
    assert body == extract_text(path, {}, PageText(tuple(texts), pages, True))[0]


def test_an_owner_locked_pdf_is_left_to_the_index_which_opens_it(tmp_path: Path) -> None:
    path = encrypted_pdf(tmp_path / "locked.pdf")
    assert page_texts(path) is None  # the checks leave it to the index
    body, pages = extract_text(path)
    assert pages == 1 and "Confidential settlement terms" in body
