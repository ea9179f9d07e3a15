"""Stamps never cover content: a corpus of awkward pages, each rendered with and without
its stamp (Ghostscript, an engine independent of the one the stamper uses)."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name
from PIL import Image

from intake_desktop.core.pdf.stamp import (
    Corner,
    PageStamp,
    StampError,
    display_matrix,
    display_size,
    page_rotation,
    stamp_pages,
    visible_box,
)
from intake_desktop.core.pdf.stamp_place import PlacementPolicy, production_numbers
from tests.exhibit_pdfs import render_gray

LINES = {Corner.BOTTOM_RIGHT: ["Pltf. Ex. 6", "REYES-000007"]}
NUMBERS = ("ACME0000120", "ACME0000121", "ACME0000122", "ACME0000123")


def _fmt(m: tuple[float, ...]) -> str:
    return " ".join(f"{v:.4f}" for v in m)


class Corpus:
    """Builds pages whose content is drawn in display space (as the reader sees the page),
    whatever the page's MediaBox, CropBox and /Rotate."""

    def __init__(self) -> None:
        self.pdf = pikepdf.new()
        self.font = self.pdf.make_indirect(
            Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                       Encoding=Name.WinAnsiEncoding))
        self.names: list[str] = []
        # Where each production number was drawn: (page name, text, display box)
        self.marks: list[tuple[str, str, tuple[float, float, float, float]]] = []

    def page(self, name: str, draw: bytes, *, media: tuple[float, ...] = (0, 0, 612, 792),
             crop: tuple[float, ...] | None = None, rotate: int = 0,
             image: bytes | None = None, outside: bytes = b"") -> None:
        page = Dictionary(Type=Name.Page, MediaBox=Array(list(media)),
                          Resources=Dictionary(Font=Dictionary(F1=self.font)))
        if crop is not None:
            page.CropBox = Array(list(crop))
        if rotate:
            page.Rotate = rotate
        if image is not None:
            page.Resources.XObject = Dictionary(Im1=self.pdf.make_stream(
                image, Type=Name.XObject, Subtype=Name.Image, Width=64, Height=64,
                ColorSpace=Name.DeviceGray, BitsPerComponent=8, Filter=Name.DCTDecode))
        m = display_matrix(visible_box(page), page_rotation(page))
        body = outside + f"q {_fmt(m)} cm\n".encode() + draw + b"\nQ\n"
        page.Contents = self.pdf.make_stream(body)
        self.pdf.pages.append(pikepdf.Page(page))
        self.names.append(name)

    def size(self, index: int) -> tuple[float, float]:
        obj = self.pdf.pages[index].obj
        return display_size(visible_box(obj), page_rotation(obj))


def _text(x: float, y: float, text: str, size: float = 9) -> bytes:
    return f"BT /F1 {size} Tf {x:.2f} {y:.2f} Td ({text}) Tj ET\n".encode()


def _fill(width: float, height: float) -> bytes:
    """Text from edge to edge: 9-point lines every 10 points, wider than the page."""
    out, y = [], 1.0
    while y < height:
        out.append(_text(-2, y, "word " * int(width / 20)))
        y += 10
    return b"".join(out)


def _corners(width: float, height: float, texts: tuple[str, ...]) -> tuple[bytes, list]:
    """A production number in each corner, where stamps usually go; body in the middle."""
    w = 9 * 0.556 * 11  # about the width of ACME0000123 at 9 pt
    spots = [(width - 20 - w, 14), (20, 14), (width - 20 - w, height - 22), (20, height - 22)]
    out = [_text(100, height / 2 + 12 * k, f"Body line {k} of the produced record")
           for k in range(5)]
    boxes = []
    for (x, y), text in zip(spots, texts, strict=True):
        out.append(_text(x, y, text))
        boxes.append((text, (x, y - 3, x + w, y + 8)))
    return b"".join(out), boxes


def _jpeg() -> bytes:
    rng = random.Random(7)
    img = Image.frombytes("L", (64, 64), bytes(rng.randrange(40, 200) for _ in range(64 * 64)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def build_corpus(path: Path) -> Corpus:
    c = Corpus()
    c.page("edges", _fill(612, 792))
    body, boxes = _corners(612, 792, NUMBERS)
    c.page("corners", body)
    c.marks += [("corners", t, b) for t, b in boxes]
    c.page("bleed", b"q 612 0 0 792 0 0 cm /Im1 Do Q\n", image=_jpeg())
    c.page("rotated-edges", _fill(792, 612), rotate=90)
    body, boxes = _corners(792, 612, NUMBERS)
    c.page("rotated-corners", body, rotate=270)
    c.marks += [("rotated-corners", t, b) for t, b in boxes]
    # A cropped page: numbers in the crop box's corners and ink just outside it, which a
    # naive shrink would pull into view under the stamp.
    body, boxes = _corners(400, 500, NUMBERS)
    c.page("cropped", body, crop=(100, 150, 500, 650),
           outside=b"0 g 100 100 400 49 re f 501 150 100 500 re f\n")
    c.marks += [("cropped", t, b) for t, b in boxes]
    c.page("cropped-rotated-bleed", b"q 400 0 0 500 0 0 cm /Im1 Do Q\n",
           media=(0, 0, 700, 900), crop=(150, 200, 650, 600), rotate=90, image=_jpeg())
    c.pdf.save(path)
    return c


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Corpus, Path, Path,
                                                                    list[PageStamp]]]:
    folder = tmp_path_factory.mktemp("corpus")
    src = folder / "corpus.pdf"
    c = build_corpus(src)
    dst = folder / "stamped.pdf"
    pages = stamp_pages(src, dst, lambda i: LINES)
    yield c, src, dst, pages


def _without_stamp(stamped: Path, out: Path) -> Path:
    """The stamped file with each page's stamp stream (the last content stream) removed:
    the page as the stamper left it, minus the stamp's own marks."""
    with pikepdf.open(stamped) as pdf:
        for page in pdf.pages:
            contents = page.obj.Contents
            page.obj.Contents = Array(list(contents)[:-1])
        pdf.save(out)
    return out


def _outside(px: tuple[int, int], boxes: list[tuple[float, float, float, float]],
             height: float, pad: float = 1.5) -> bool:
    x, y = px[0] + 0.5, height - (px[1] + 0.5)
    return not any(b[0] - pad <= x <= b[2] + pad and b[1] - pad <= y <= b[3] + pad
                   for b in boxes)


def _check_page(c: Corpus, index: int, before: Path, after: Path,
                stamp: PageStamp) -> None:
    width, height = c.size(index)
    w, h, ref = render_gray(before, index + 1, dpi=72)
    w2, h2, got = render_gray(after, index + 1, dpi=72)
    assert (w, h) == (w2, h2) == (round(width), round(height))
    boxes = [line.display_box for line in stamp.lines]
    assert boxes, c.names[index]
    changed_outside = 0
    ink_under_stamp = 0
    for y in range(h):
        for x in range(w):
            i = y * w + x
            if _outside((x, y), boxes, height):
                changed_outside += ref[i] != got[i]
            elif _outside((x, y), boxes, height, pad=-1.0) is False and ref[i] < 200:
                ink_under_stamp += 1
    assert changed_outside == 0, f"{c.names[index]}: {changed_outside} pixels changed"
    assert ink_under_stamp == 0, f"{c.names[index]}: the stamp covers {ink_under_stamp} px"
    # the stamp itself is there
    assert any(got[y * w + x] < 128 for y in range(h) for x in range(w)
               if not _outside((x, y), boxes, height, pad=-1.0))


def test_every_corpus_page_is_stamped_without_covering_anything(
    corpus: tuple[Corpus, Path, Path, list[PageStamp]], tmp_path: Path
) -> None:
    c, src, dst, pages = corpus
    reference = _without_stamp(dst, tmp_path / "reference.pdf")
    shrunk = {c.names[i] for i, p in enumerate(pages) if p.scale is not None}
    # Pages with a free corner keep their content untouched (compared with the source);
    # full pages are shrunk, and compared with themselves minus the stamp.
    assert shrunk == {"edges", "bleed", "rotated-edges", "cropped-rotated-bleed"}
    for i, stamp in enumerate(pages):
        before = reference if stamp.scale is not None else src
        _check_page(c, i, before, dst, stamp)
        if stamp.scale is not None:
            assert 0.8 <= stamp.scale < 1.0
            assert stamp.moved == {}  # the strip is on the edge asked for


def test_shrunk_pages_keep_all_their_content_and_hide_what_was_outside(
    corpus: tuple[Corpus, Path, Path, list[PageStamp]], tmp_path: Path
) -> None:
    c, src, dst, pages = corpus
    edges = c.names.index("edges")
    with pikepdf.open(src) as a, pikepdf.open(dst) as b:
        for i in range(len(a.pages)):  # the page keeps its size and geometry
            assert visible_box(a.pages[i].obj) == visible_box(b.pages[i].obj)
    import pypdfium2 as pdfium

    def words(path: Path, i: int) -> int:
        doc = pdfium.PdfDocument(str(path))
        try:
            return str(doc[i].get_textpage().get_text_range()).count("word")
        finally:
            doc.close()

    assert words(dst, edges) == words(src, edges) > 1000
    # Shrunk content is clipped to its own visible box: the ink drawn outside the crop box
    # of the cropped page never slides into view.
    cropped = c.names.index("cropped")
    w, h, got = render_gray(dst, cropped + 1, dpi=72)
    assert pages[cropped].scale is None
    assert min(got[(h - 2) * w + x] for x in range(w // 4, 3 * w // 4)) > 200


def test_production_numbers_stay_visible_and_are_reported(
    corpus: tuple[Corpus, Path, Path, list[PageStamp]]
) -> None:
    c, _src, dst, pages = corpus
    for name, text, box in c.marks:
        i = c.names.index(name)
        stamp = pages[i]
        assert text in stamp.numbers
        for line in stamp.lines:
            b = line.display_box
            assert not (b[0] < box[2] and box[0] < b[2] and b[1] < box[3] and box[1] < b[3]), (
                f"{name}: stamp over {text}")
        w, _h, got = render_gray(dst, i + 1, dpi=72)
        height = c.size(i)[1]
        inked = [got[y * w + x] for y in range(int(height - box[3]), int(height - box[1]))
                 for x in range(int(box[0]), int(box[2]))]
        assert min(inked) < 100, f"{name}: {text} is no longer visible"
    corners = pages[c.names.index("corners")]
    # bottom-right and bottom-left hold numbers: the stamp moved to the bottom centre
    assert corners.moved == {Corner.BOTTOM_RIGHT: Corner.BOTTOM_CENTER}
    assert corners.scale is None


def test_page_is_refused_with_a_reason_when_shrinking_is_off(tmp_path: Path) -> None:
    src = tmp_path / "corpus.pdf"
    build_corpus(src)
    with pytest.raises(StampError) as err:
        stamp_pages(src, tmp_path / "out.pdf", lambda i: LINES,
                    policy=PlacementPolicy(shrink=False))
    message = str(err.value)
    assert "page 1" in message and "cover" in message and "shrink" in message
    assert not (tmp_path / "out.pdf").exists()


def test_page_is_refused_when_room_would_need_too_much_shrinking(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(300, 60))
    font = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    pdf.pages[0].obj.Resources = Dictionary(Font=Dictionary(F1=font))
    pdf.pages[0].obj.Contents = pdf.make_stream(_fill(300, 60))
    src = tmp_path / "short.pdf"
    pdf.save(src)
    with pytest.raises(StampError, match="shrink the page to"):
        stamp_pages(src, tmp_path / "out.pdf", lambda i: LINES)


def test_explicit_positions_are_tried_in_order(tmp_path: Path) -> None:
    src = tmp_path / "corpus.pdf"
    c = build_corpus(src)
    pages = stamp_pages(src, tmp_path / "o.pdf", lambda i: {Corner.TOP_RIGHT: ["X-000001"]},
                        policy=PlacementPolicy(positions=("top-left", "bottom-center")))
    corners = pages[c.names.index("corners")]
    assert corners.moved == {Corner.TOP_RIGHT: Corner.BOTTOM_CENTER}


def test_production_number_pattern() -> None:
    text = "Produced ACME0000123 and REYES-000007; dated 2024-03-01, call 555-123-4567, AB12345"
    assert production_numbers(text) == ["ACME0000123", "REYES-000007"]


def test_areas_kept_clear_for_the_court_are_never_stamped(tmp_path: Path) -> None:
    """A profile's blank corner (Florida: top right, 3 x 3 in. on page 1, 1 x 3 in. after)
    is never used, even when it is blank and first in the preference list."""
    c = Corpus()
    c.page("middle", _text(100, 400, "Body text in the middle of the page"))
    c.page("middle-2", _text(100, 400, "Body text in the middle of the page"))
    src = tmp_path / "plain.pdf"
    c.pdf.save(src)

    def florida(index: int, width: float, height: float) -> list[tuple[float, ...]]:
        side = 216.0 if index == 0 else 72.0
        return [(width - 216.0, height - side, width, height)]

    lines = {Corner.TOP_RIGHT: ["Pltf. Ex. 1", "X-000001"]}
    free = stamp_pages(src, tmp_path / "free.pdf", lambda i: lines,
                       policy=PlacementPolicy(positions=("top-right", "top-center")))
    assert [p.moved for p in free] == [{}, {}]  # blank: top right is used without the rule
    pages = stamp_pages(src, tmp_path / "o.pdf", lambda i: lines,
                        policy=PlacementPolicy(positions=("top-right", "top-center"),
                                               keep_clear=florida))
    for n, page in enumerate(pages):
        (clear,) = florida(n, 612, 792)
        assert page.moved == {Corner.TOP_RIGHT: Corner.TOP_CENTER}
        for line in page.lines:
            b = line.display_box
            assert b[2] <= clear[0] or b[3] <= clear[1]
    edges = tmp_path / "edges.pdf"
    full = Corpus()
    full.page("edges", _fill(612, 792))
    full.pdf.save(edges)
    with pytest.raises(StampError, match="kept blank for the court"):
        stamp_pages(edges, tmp_path / "o2.pdf", lambda i: lines,
                    policy=PlacementPolicy(positions=("top-right", "top-center"),
                                           keep_clear=florida))
