"""Dates and snippets for the naming rules."""

from __future__ import annotations

import pytest

from intake_desktop.core.convert.archive import unsafe_reason
from intake_desktop.core.convert.facts import (
    choose_document_date,
    date_from_exif,
    date_from_header,
    date_from_name,
    date_from_pdf,
)


@pytest.mark.parametrize("name,expected", [
    ("MRI report 2024-03-05.pdf", "2024-03-05"),
    ("2024_03_05 letter.docx", "2024-03-05"),
    ("scan20240305.pdf", "2024-03-05"),
    ("bill 03.05.24.pdf", "2024-03-05"),  # month first (US) by default
    ("bill 3-5-2024.pdf", "2024-03-05"),
    ("invoice 2024-13-45 then 2023-12-31.pdf", "2023-12-31"),  # invalid dates skipped
    ("IMG_4471.jpg", None),
    ("contract v2.pdf", None),
    ("2024-02-30.pdf", None),
])
def test_date_from_name(name: str, expected: str | None) -> None:
    assert date_from_name(name) == expected


def test_day_first_names() -> None:
    assert date_from_name("Rechnung 03.05.24.pdf", day_first=True) == "2024-05-03"


def test_metadata_dates() -> None:
    assert date_from_pdf("D:20230917103000+02'00'") == "2023-09-17"
    assert date_from_pdf("D:2023") is None
    assert date_from_exif("2024:03:05 14:22:01") == "2024-03-05"
    assert date_from_exif("0000:00:00 00:00:00") is None
    assert date_from_header("Tue, 05 Mar 2024 23:30:00 -0500") == (
        "2024-03-05T23:30:00-05:00", "2024-03-05")
    assert date_from_header("not a date") == (None, None)


def test_document_date_trust_order() -> None:
    assert choose_document_date({"email_date": "2024-01-02", "filename": "2023-01-01"}) == (
        "2024-01-02", "email_date")
    assert choose_document_date({"capture_date": "2024-01-02", "filename": "2023-01-01",
                                 "pdf_metadata": "2022-01-01"}) == ("2023-01-01", "filename")
    assert choose_document_date({"pdf_metadata": "2022-01-01"}) == (
        "2022-01-01", "pdf_metadata")
    assert choose_document_date({}) == (None, None)


@pytest.mark.parametrize("name", [
    "../x", "a/../../x", "/abs", "\\\\server\\share\\x", "C:evil", "c:/x", "dir/NUL",
    "LPT1.txt", "com9.log", "x\0y", "notes.txt:stream",
])
def test_unsafe_member_names(name: str) -> None:
    assert unsafe_reason(name) is not None


@pytest.mark.parametrize("name", ["a/b/c.txt", "Console.txt", "CONTRACT.pdf", "..notes.txt",
                                  "photos/IMG 1.jpg", "ñandú/ü.pdf"])
def test_safe_member_names(name: str) -> None:
    assert unsafe_reason(name) is None
