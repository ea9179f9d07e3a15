"""detect_type's shortcut for PDFs agrees with libmagic (issue 16)."""

from __future__ import annotations

from pathlib import Path

import magic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake_desktop.core.mime import PDF_HEADER, detect_type

TAILS = st.one_of(
    st.binary(max_size=600),
    st.sampled_from([b"1.4\n%\xe2\xe3\xcf\xd3\n", b"1.7\n<html><body>x</body></html>",
                     b"1.4\n" + b"\0" * 248 + b"ustar\x0000" + b"\0" * 300,
                     b"1.5\nPK\x03\x04" + b"\0" * 40, b""]),
)


@settings(max_examples=300, deadline=None)
@given(TAILS)
def test_a_file_starting_like_a_pdf_is_what_libmagic_says(
        tmp_path_factory: pytest.TempPathFactory, tail: bytes) -> None:
    data = PDF_HEADER + tail
    assert magic.from_buffer(data, mime=True) == "application/pdf"
    path = tmp_path_factory.mktemp("m") / "x.bin"
    path.write_bytes(data)
    assert detect_type(path) == "application/pdf"


def test_other_files_still_go_to_libmagic(tmp_path: Path) -> None:
    cases = {"a.fdf": b"%FDF-1.2\n", "a.ps": b"%!PS-Adobe-3.0\n", "a.txt": b"hello\n",
             "b.pdf": b" %PDF-1.4\n"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        assert detect_type(tmp_path / name) == magic.from_buffer(data, mime=True), name
    assert detect_type(tmp_path / "missing.pdf") == "application/octet-stream"
    assert detect_type(tmp_path) == "application/octet-stream"  # as before: a folder
