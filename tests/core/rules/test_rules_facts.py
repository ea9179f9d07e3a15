"""Fact extraction from real generated files (pypdf, Pillow EXIF, stdlib email)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from intake_desktop.core.rules.facts import date_in_name, date_in_text, extract_facts
from tests.core.rules.samples import make_email, make_jpeg, make_pdf


def test_pdf_title_text_and_date(tmp_path: Path) -> None:
    pdf = make_pdf(
        tmp_path / "a.pdf",
        ["Valley Imaging Center", "Date of Service: February 3, 2024"],
        title="MRI Report",
    )
    facts = extract_facts(pdf, "application/pdf", {})
    assert facts["pdf_title"] == "MRI Report"
    assert "Valley Imaging Center" in facts["first_page_text"]
    assert facts["document_date"] == "2024-02-03"


def test_known_facts_win(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "a.pdf", ["March 1, 2024"], title="T")
    facts = extract_facts(pdf, "application/pdf", {"document_date": "2020-01-01"})
    assert facts["document_date"] == "2020-01-01" and facts["pdf_title"] == "T"


def test_exif_capture_date(tmp_path: Path) -> None:
    jpg = make_jpeg(tmp_path / "p.jpg", "2023:07:04 18:00:00")
    assert extract_facts(jpg, "image/jpeg", {}) == {"capture_date": "2023-07-04"}
    bare = make_jpeg(tmp_path / "q.jpg", None)
    assert extract_facts(bare, "image/jpeg", {}) == {}


def test_email_headers(tmp_path: Path) -> None:
    eml = make_email(
        tmp_path / "m.eml",
        subject="RE:  Smith v.   Acme",
        sender="A B <A@X.example>",
        date=dt.datetime(2024, 3, 5, 23, 30, tzinfo=dt.UTC),
        attachments=[],
    )
    facts = extract_facts(eml, "message/rfc822", {})
    assert facts == {
        "email_from": "a@x.example",
        "email_subject": "RE: Smith v. Acme",
        "document_date": "2024-03-05",
        "document_date_source": "email_date",
    }


def test_corrupt_files_give_no_facts(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n garbage")
    assert extract_facts(bad, "application/pdf", {}) == {}
    img = tmp_path / "bad.jpg"
    img.write_bytes(b"\xff\xd8\xff garbage")
    assert extract_facts(img, "image/jpeg", {}) == {}


def test_dates_in_names_and_text() -> None:
    assert date_in_name("2024-03-01 letter.pdf") == "2024-03-01"
    assert date_in_name("IMG_20240115_1042.jpg") == "2024-01-15"
    assert date_in_name("scan 03-01-2024.pdf") == "2024-03-01"
    assert date_in_name("2024-02-30 bad.pdf") is None
    # A pay period is not the document's date (the pay date is): never taken.
    assert date_in_text("Pay Period: 02/01/2024 - 02/15/2024") is None
    assert date_in_text("Pay Period: 02/01/2024 - 02/15/2024\nPay Date: 02/16/2024") == "2024-02-16"
    assert date_in_text("Dated 1 March 2024, signed March 9, 2024") == "2024-03-01"
    assert date_in_text("no date here 2024") is None
