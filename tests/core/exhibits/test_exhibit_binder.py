"""A split binder: every part has its own bookmarks, and contents links stay inside it."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from intake_desktop.core.exhibits.build import build_set
from intake_desktop.core.exhibits.spec import load_spec
from tests.exhibit_pdfs import MemoryBates

pytest.importorskip("intake_desktop.core.courts")
pytest.importorskip("intake_desktop.core.pdf.split")

from tests.core.exhibits.test_exhibit_court import court_set  # noqa: F401


def test_every_part_of_a_split_binder_has_bookmarks(
    court_set: tuple[Path, Path], tmp_path: Path  # noqa: F811
) -> None:
    spec_path, courts = court_set
    result = build_set(load_spec(spec_path), tmp_path / "out", MemoryBates(), courts_dir=courts)
    parts = result.binder_parts
    assert len(parts) > 2
    seen: dict[str, list[int]] = {}
    for n, part in enumerate(parts):
        with pikepdf.open(part.path) as pdf:
            assert pdf.Root.PageMode == pikepdf.Name.UseOutlines
            with pdf.open_outline() as outline:
                marks = [(item.title, pikepdf.Page(item.destination[0]).index)
                         for item in outline.root]
            assert marks, f"part {n + 1} has no bookmarks"
            for title, index in marks:
                assert 0 <= index < len(pdf.pages)
                seen.setdefault(title, []).append(part.first_page + index)
            for page in pdf.pages:  # every contents link leads to a page of this part
                for annot in page.obj.get("/Annots", []):
                    if annot.get("/Subtype") == pikepdf.Name.Link:
                        target = pikepdf.Page(annot.Dest[0])
                        assert any(target.obj.objgen == p.obj.objgen for p in pdf.pages)
    assert seen["Table of contents"] == [1]
    for ex in result.exhibits:
        title = f"{ex.label} - {ex.entry.description}"
        assert seen[title] == [ex.binder_page]  # where the exhibit starts
    # parts that begin inside an exhibit say so
    continued = [t for t in seen if t.endswith("(continued)")]
    assert continued and all(t.startswith("Exhibit A") for t in continued)
