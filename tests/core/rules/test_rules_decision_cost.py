"""The rules decision made cheaper (issue 16) decides as before: accents are folded the same
way with a fast path for ASCII text, and a `keywords` condition (any of the words) is one
scan of the text by a literal alternation, with the words' own characters taken literally."""

from __future__ import annotations

import unicodedata
from pathlib import Path, PurePosixPath

from hypothesis import given
from hypothesis import strategies as st

from intake_desktop.core.pipeline import Candidate
from intake_desktop.core.rules import RulesRouter, parse_rules
from intake_desktop.core.rules.facts import extract_facts, without_accents


def folded_one_by_one(text: str) -> str:
    """The definition: each letter becomes the first character of its decomposition."""
    return "".join(unicodedata.normalize("NFKD", ch)[0] if ch.isalpha() else ch
                   for ch in text)


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_accents_are_folded_as_the_definition_says(text: str) -> None:
    assert without_accents(text) == folded_one_by_one(text)


def test_accents_folded_in_civil_documents() -> None:
    assert without_accents("Délivré à Besançon, née le 3 février") == (
        "Delivre a Besancon, nee le 3 fevrier")
    assert without_accents("ﬁle №5 Ⅻ ½") == folded_one_by_one("ﬁle №5 Ⅻ ½")


RULES = """
[settings]
name = "keywords"
filename = "{{ date }}_{{ code }}_{{ description }}"

[[rule]]
name = "plus"
category = "Code"
code = "C"
folder = "Code"
when = { keywords = ["c++", "(sic)", "a.b", "NAÏVE"] }

[[rule]]
name = "other"
category = "Other"
code = "DOC"
folder = "Other"
"""


def rule_for(text: str) -> str:
    router = RulesRouter(parse_rules(RULES), read_files=False)
    candidate = Candidate(
        source=Path("/nowhere/letter.pdf"), relative=PurePosixPath("letter.pdf"),
        matter_hint="2024-0001", detected_type="application/pdf", sha256="0" * 64, size=10,
        facts={"first_page_text": text})
    return router.route(candidate).rule


def test_keywords_match_any_word_as_written() -> None:
    assert rule_for("Written in C++ by the client") == "plus"
    assert rule_for("the witness said (sic) twice") == "plus"
    assert rule_for("see section a.b") == "plus"
    assert rule_for("a naïve reading") == "plus"  # case-folded like the text
    assert rule_for("section axb, sic, c+") == "other"  # no word is a pattern
    assert rule_for("") == "other"


def test_the_rules_read_a_large_pdf_without_holding_it_in_memory(tmp_path: Path) -> None:
    """A 40 MB PDF whose first page shows no text (a scan the checks found nothing on): the
    router reads its title, date and first page through the open file, not 40 MB read into
    the filing process's memory first."""
    import io
    import os
    import tracemalloc

    import pikepdf
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.setTitle("Scanned intake form")
    page.line(72, 72, 300, 300)  # no text on the page
    page.showPage()
    page.save()
    path = tmp_path / "scan.pdf"
    with pikepdf.open(io.BytesIO(buf.getvalue())) as pdf:
        pdf.docinfo["/CreationDate"] = "D:20240305120000"
        blob = pdf.make_stream(os.urandom(40 * 1024 * 1024))
        pdf.Root.PieceInfo = pikepdf.Dictionary(Scan=pikepdf.Dictionary(Private=blob))
        pdf.save(path, compress_streams=False)
    tracemalloc.start()
    try:
        facts = extract_facts(path, "application/pdf", {})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert facts == {"pdf_title": "Scanned intake form", "metadata_date": "2024-03-05"}
    assert peak < 8 * 1024 * 1024, peak
