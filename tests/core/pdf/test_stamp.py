"""Stamps are burned into page content where the reader sees them, on awkward pages too."""

from __future__ import annotations

import zlib
from pathlib import Path

import pikepdf
import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake_desktop.core.pdf.stamp import (
    Corner,
    Stamper,
    StampError,
    StampStyle,
    page_rotation,
    stamp_file,
    text_width,
    visible_box,
)
from tests.exhibit_pdfs import AWKWARD_NAMES, awkward_pdf, render_gray, text_pdf


def _dark_bbox(before: bytes, after: bytes, w: int, h: int) -> tuple[int, int, int, int] | None:
    """Bounding box (x0, y0, x1, y1; y down) of pixels that got darker."""
    xs, ys = [], []
    for i in range(w * h):
        if after[i] + 60 < before[i]:
            xs.append(i % w)
            ys.append(i // w)
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


@pytest.fixture(scope="module", params=["helvetica", "embedded"])
def stamped(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, list]:
    """The awkward pages stamped with each font (standard Helvetica, embedded subset)."""
    tmp = tmp_path_factory.mktemp("stamp")
    src = awkward_pdf(tmp / "awkward.pdf")
    dst = tmp / "stamped.pdf"
    placements = stamp_file(
        src, dst, lambda i: {Corner.BOTTOM_RIGHT: [f"SMITH{i + 1:06d}"]},
        StampStyle(backing=False, font=request.param),
    )
    return src, dst, placements


def test_every_awkward_page_carries_its_number(stamped: tuple[Path, Path, list]) -> None:
    _src, dst, _ = stamped
    reader = pypdf.PdfReader(dst)
    assert len(reader.pages) == len(AWKWARD_NAMES)
    for i, page in enumerate(reader.pages):
        text = page.extract_text()
        assert f"SMITH{i + 1:06d}" in text, (AWKWARD_NAMES[i], text)
        assert f"BODY {AWKWARD_NAMES[i]}" in text  # the page's own content is still there
        assert "/Annots" not in page  # burned into content, not an annotation


def test_stamp_lies_inside_visible_area(stamped: tuple[Path, Path, list]) -> None:
    _, dst, placements = stamped
    with pikepdf.open(dst) as pdf:
        for page, placed in zip(pdf.pages, placements, strict=True):
            vx0, vy0, vx1, vy1 = visible_box(page.obj)
            (line,) = placed
            x0, y0, x1, y1 = line.user_box
            assert vx0 <= x0 < x1 <= vx1 and vy0 <= y0 < y1 <= vy1


@pytest.mark.parametrize("index", range(len(AWKWARD_NAMES)), ids=AWKWARD_NAMES)
def test_rendered_stamp_is_bottom_right_as_seen(
    stamped: tuple[Path, Path, list], index: int
) -> None:
    """Ghostscript renders the page as a reader sees it; the new ink must be bottom-right."""
    src, dst, _ = stamped
    w, h, before = render_gray(src, index + 1)
    w2, h2, after = render_gray(dst, index + 1)
    assert (w, h) == (w2, h2)
    box = _dark_bbox(before, after, w, h)
    assert box is not None, "no visible stamp"
    x0, y0, x1, y1 = box
    assert x0 > w / 2 and y0 > h * 0.8, (AWKWARD_NAMES[index], box, (w, h))
    assert x1 < w and y1 < h


def test_geometry_helpers_read_inherited_values(tmp_path: Path) -> None:
    src = awkward_pdf(tmp_path / "a.pdf")
    with pikepdf.open(src) as pdf:
        rotations = [page_rotation(p.obj) for p in pdf.pages]
        assert rotations == [0, 90, 270, 180, 0, 0, 90, 0, 0, 90]
        assert visible_box(pdf.pages[4].obj) == (100, 150, 500, 650)
        assert visible_box(pdf.pages[9].obj) == (0, 0, 792, 612)


def test_backing_box_and_font_metrics(tmp_path: Path) -> None:
    src = text_pdf(tmp_path / "t.pdf", 1)
    dst = tmp_path / "s.pdf"
    (placed,) = stamp_file(src, dst, lambda i: {Corner.BOTTOM_LEFT: ["Ex. 3 - p. 1", "WIDE TEXT"]},
                           StampStyle(backing=True))  # the white box is opt-in since issue 22
    first, second = placed
    assert first.user_box[1] > second.user_box[3]  # first line above the second
    assert first.user_box[0] == second.user_box[0] == 36.0  # left aligned at the margin
    width = first.user_box[2] - first.user_box[0]
    assert width == pytest.approx(text_width("Ex. 3 - p. 1", 10) + 4)
    with pikepdf.open(dst) as pdf:
        data = b"".join(
            s.read_bytes() for s in pdf.pages[0].obj.Contents  # type: ignore[union-attr]
        )
    assert b"re f" in data and b"(Ex. 3 - p. 1) Tj" in data


def test_long_text_shrinks_to_fit_small_page(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(144, 144))
    src = tmp_path / "small.pdf"
    pdf.save(src)
    (placed,) = stamp_file(src, tmp_path / "o.pdf", lambda i: {Corner.BOTTOM_RIGHT: ["X" * 40]})
    assert placed[0].font_size < 10
    x0, y0, x1, y1 = placed[0].user_box
    assert 0 <= x0 < x1 <= 144 and 0 <= y0 < y1 <= 144


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    src = text_pdf(tmp_path / "plain.pdf", 1)
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(src) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="own", user="usr"))
    with pytest.raises(StampError, match="password-protected"):
        stamp_file(locked, tmp_path / "o.pdf", lambda i: {Corner.BOTTOM_RIGHT: ["A"]})
    owner_only = tmp_path / "owner.pdf"
    with pikepdf.open(src) as pdf:
        pdf.save(owner_only, encryption=pikepdf.Encryption(owner="own", user=""))
    with pytest.raises(StampError, match="encrypted"):
        stamp_file(owner_only, tmp_path / "o2.pdf", lambda i: {Corner.BOTTOM_RIGHT: ["A"]})
    assert not (tmp_path / "o.pdf").exists() and not (tmp_path / "o2.pdf").exists()


def test_existing_output_is_never_overwritten(tmp_path: Path) -> None:
    src = text_pdf(tmp_path / "plain.pdf", 1)
    dst = tmp_path / "out.pdf"
    dst.write_bytes(b"keep me")
    with pytest.raises(StampError, match="already exists"):
        stamp_file(src, dst, lambda i: {Corner.BOTTOM_RIGHT: ["A"]})
    assert dst.read_bytes() == b"keep me"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".stamp-")] == []


def test_embedded_font_is_a_subset_inside_the_file(tmp_path: Path) -> None:
    src = text_pdf(tmp_path / "t.pdf", 3)
    dst = tmp_path / "e.pdf"
    stamp_file(src, dst, lambda i: {Corner.BOTTOM_RIGHT: [f"Ex. 3 - p. {i + 1}", "DOE\u2603"]},
               StampStyle(font="embedded"))
    with pikepdf.open(dst) as pdf:
        fonts = [f for p in pdf.pages for f in p.obj.Resources.Font.values()
                 if str(f.get("/BaseFont", "")).endswith("BitstreamVeraSans-Roman")]
        assert fonts and len({f.objgen for f in fonts}) == 1  # one subset for the file
        font = fonts[0]
        assert font.Subtype == "/TrueType" and "/FontFile2" in font.FontDescriptor
        assert len(font.FontDescriptor.FontFile2.read_bytes()) < 30_000  # a subset
    texts = [p.extract_text() for p in pypdf.PdfReader(dst).pages]
    for i, text in enumerate(texts, start=1):
        assert f"Ex. 3 - p. {i}" in text and "DOE?" in text  # no snowman in the font
    growth = dst.stat().st_size - src.stat().st_size
    assert growth < 40_000


@settings(max_examples=150, deadline=None)
@given(
    x0=st.integers(-500, 500), y0=st.integers(-500, 500),
    w=st.integers(150, 1500), h=st.integers(150, 1500),
    crop=st.tuples(st.floats(0, 0.25), st.floats(0, 0.25), st.floats(0, 0.25),
                   st.floats(0, 0.25)),
    rotate=st.sampled_from([0, 90, 180, 270, -90, 450]),
    corner=st.sampled_from(list(Corner)),
)
def test_any_geometry_keeps_the_stamp_in_the_visible_box(
    x0: int, y0: int, w: int, h: int, crop: tuple[float, float, float, float], rotate: int,
    corner: Corner,
) -> None:
    """Whatever the MediaBox, CropBox and /Rotate, every line lands inside the visible box
    (down to 75 points a side), in the corner asked for as the reader sees the page."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(w, h))
    page.obj.MediaBox = pikepdf.Array([x0, y0, x0 + w, y0 + h])
    cl, cb, cr, ct = crop
    page.obj.CropBox = pikepdf.Array(
        [x0 + cl * w, y0 + cb * h, x0 + w - cr * w, y0 + h - ct * h])
    page.obj.Rotate = rotate
    placed = Stamper(pdf).stamp_page(page, {corner: ["SMITH000001", "Ex. 12 - p. 345"]})
    vx0, vy0, vx1, vy1 = visible_box(page.obj)
    dw, dh = (vy1 - vy0, vx1 - vx0) if page_rotation(page.obj) in (90, 270) else (
        vx1 - vx0, vy1 - vy0)
    for line in placed:
        ux0, uy0, ux1, uy1 = line.user_box
        assert vx0 - 1e-6 <= ux0 < ux1 <= vx1 + 1e-6 and vy0 - 1e-6 <= uy0 < uy1 <= vy1 + 1e-6
        if min(dw, dh) < 200:
            continue  # on a tiny page the text may fill it: only "inside" is promised
        bx0, by0, bx1, by1 = line.display_box
        cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
        if corner.value.startswith("top"):
            assert cy > dh / 2
        else:
            assert cy < dh / 2
        if corner.value.endswith("right"):
            assert cx > dw / 2
        elif corner.value.endswith("left"):
            assert cx < dw / 2


def test_content_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    page = pdf.add_blank_page()
    body = b"BT /F1 1 Tf (x) Tj ET\n" + b" " * 3_000_000  # 3 MB from a few KB
    page.obj.Contents = pdf.make_stream(zlib.compress(body, 9))
    page.obj.Contents.Filter = pikepdf.Name.FlateDecode
    src = tmp_path / "bomb.pdf"
    pdf.save(src, compress_streams=False)
    assert src.stat().st_size < 50_000
    with pytest.raises(StampError, match=r"bomb.pdf: page 1: its content inflates beyond 1 MB"):
        stamp_file(src, tmp_path / "o.pdf", lambda i: {Corner.BOTTOM_RIGHT: ["A"]},
                   content_cap=1024 * 1024)
    assert not (tmp_path / "o.pdf").exists()
    stamp_file(src, tmp_path / "ok.pdf", lambda i: {Corner.BOTTOM_RIGHT: ["A"]})  # under 64 MB
