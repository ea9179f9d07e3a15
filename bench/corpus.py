"""Benchmark inputs: valid text PDFs whose size is in a stream, and the rules the
users' pipeline runs with (the litigation preset plus a catch-all rule)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pikepdf

CATCH_ALL = """
[[rule]]
name = "other"
category = "Other"
code = "DOC"
folder = "Other"
"""

WORDS = ("letter", "invoice", "records", "notes", "statement", "memo", "agreement")


def text_pdf(path: Path, n: int, size: int) -> None:
    """A one-page text PDF of about `size` bytes: a page of text plus an embedded stream of
    incompressible bytes (as scanners and producers embed fonts, thumbnails, XMP...)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    lines = [f"Record {n} concerning the {WORDS[n % len(WORDS)]} of the client",
             "Dated March 4, 2024", "Page 1 of 1"]
    body = b"BT /F1 12 Tf 72 720 Td 14 TL " + b" ".join(
        b"(" + line.encode() + b") '" for line in lines) + b" ET"
    page = pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=pdf.make_stream(body)))
    pdf.pages.append(page)
    blob = pdf.make_stream(os.urandom(max(size - 1500, 0)))
    pdf.Root.PieceInfo = pikepdf.Dictionary(Bench=pikepdf.Dictionary(Private=blob))
    pdf.save(path, compress_streams=False)


def make_text_pdfs(folder: Path, count: int, rng: random.Random,
                   low: int = 100_000, high: int = 2_000_000) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(count):
        path = folder / f"record {i:05}.pdf"
        text_pdf(path, i, rng.randrange(low, high))
        total += path.stat().st_size
    return total


def add_catch_all(rules_path: Path) -> None:
    """Append the catch-all rule (no conditions: everything else is filed under Other/)."""
    with open(rules_path, "a", encoding="utf-8") as fh:
        fh.write(CATCH_ALL)
