"""The text of a PDF's pages is read by one helper (core/pdf/text.read_page_texts) for the
PDF checks (the rules' first page, the OCR probe) and for the search index: the words a
document is indexed under are the same whether they were read while filing it or read back
from the filed file later (`search reindex`)."""

from __future__ import annotations

import io
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from intake_desktop.app import build_filer, open_app
from intake_desktop.core.convert.pdfcheck import TEXT_CHARS, page_texts, pdf_facts
from intake_desktop.core.filing import Outcome
from intake_desktop.core.pipeline import PageText
from intake_desktop.core.search_text import MAX_CHARS, extract_text
from intake_desktop.core.workspace import init_workspace

from .samples import encrypted_pdf, pdf_bytes, pdf_text, write_pdf

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
    assert "Confidential settlement terms" in pdf_facts(path).first_page_text  # the rules
    body, pages = extract_text(path)
    assert pages == 1 and "Confidential settlement terms" in body


def test_a_text_pdf_is_parsed_once_in_the_whole_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN text PDFs, the litigation preset and a catch-all rule WHEN they are ingested
    THEN each file is opened once by pikepdf (the checks) and parsed once by pypdf (its
    text, shared by the rules, the OCR probe and the search index), and the words indexed
    are the words read back from the filed copy."""
    import pikepdf
    import pypdf

    ws = init_workspace(tmp_path / "ws", "litigation")
    with open(ws.rules_path, "a", encoding="utf-8") as fh:
        fh.write('\n[[rule]]\nname = "other"\ncategory = "Other"\ncode = "DOC"\n'
                 'folder = "Other"\n')
    names = [f"record {n}.pdf" for n in range(5)]
    for n, name in enumerate(names):
        write_pdf(ws.intake / "2024-0001 Bench" / name,
                  [f"Record {n} of the client\nDated March 4, 2024", f"Page two of {n}"])
    opened: Counter[str] = Counter()
    parsed: Counter[str] = Counter()
    real_open, real_init = pikepdf.open, pypdf.PdfReader.__init__

    def counting_open(source: Any, *args: Any, **kwargs: Any) -> Any:
        opened[Path(str(source)).name] += 1
        return real_open(source, *args, **kwargs)

    def counting_init(self: Any, stream: Any, *args: Any, **kwargs: Any) -> None:
        parsed[Path(str(getattr(stream, "name", stream))).name] += 1
        real_init(self, stream, *args, **kwargs)

    monkeypatch.setattr(pikepdf, "open", counting_open)
    monkeypatch.setattr(pypdf.PdfReader, "__init__", counting_init)
    monkeypatch.setenv("INTAKE_PREPARE_WORKERS", "0")  # in this process, where we count
    with open_app(str(ws.root)) as app:
        results = build_filer(app).ingest([ws.intake])
        assert [r.status for r in results] == [Outcome.FILED] * len(names)
        assert {r.rule for r in results} == {"other"}
        texts = app.ledger.docs.document_texts([r.document_id or 0 for r in results])
    assert opened == dict.fromkeys(names, 1)
    assert parsed == dict.fromkeys(names, 1)
    for result in results:
        body, pages = extract_text(Path(result.path or ""), {"first_page_text": ""})
        indexed = texts[result.document_id or 0]
        assert pages == indexed.pages == 2
        assert body in indexed.body and "Page two of" in body


def test_reading_the_text_does_not_hold_the_whole_file_in_memory(tmp_path: Path) -> None:
    """A PDF of 40 MB whose page is a line of text (the rest an embedded stream, as scanners
    embed thumbnails and fonts): its text is read without reading 40 MB into memory (pypdf
    given a path reads the whole file first; 1 GiB PDFs go through the pool workers)."""
    import tracemalloc

    import pikepdf

    path = tmp_path / "large.pdf"
    with pikepdf.open(io.BytesIO(pdf_bytes(["Deposition exhibit 12"]))) as pdf:
        blob = pdf.make_stream(os.urandom(40 * 1024 * 1024))
        pdf.Root.PieceInfo = pikepdf.Dictionary(Bench=pikepdf.Dictionary(Private=blob))
        pdf.save(path, compress_streams=False)
    assert path.stat().st_size > 40 * 1024 * 1024
    tracemalloc.start()
    try:
        texts = page_texts(path)
        body, pages = extract_text(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert texts is not None and "Deposition exhibit 12" in texts[0]
    assert pages == 1 and "Deposition exhibit 12" in body
    assert peak < 8 * 1024 * 1024, peak
