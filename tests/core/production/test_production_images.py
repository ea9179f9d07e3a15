"""Productions as images (issue 19 item 1): `image_format = "tiff"` gives one single-page
image per Bates number, CCITT Group 4 TIFF for black-and-white pages and JPEG for colour
(or continuous-tone) pages, one text file per document, and an OPT line pointing at each
page's image. Read back with Pillow, Tesseract and a parser written here."""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path
from typing import Any

from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from intake_desktop.core.production.build import produce
from intake_desktop.core.production.spec import parse_production_spec
from tests.core.production.test_production import (  # noqa: F401  (fixture)
    MATTER,
    PREFIX,
    Desk,
    desk,
    local,
    pdftotext,
    read_dat,
    read_opt,
    words,
)


def colour_photo_pdf() -> bytes:
    """A page with a colour photograph (a gradient sky over green grass) and a caption."""
    photo = Image.new("RGB", (600, 400))
    px = photo.load()
    assert px is not None
    for y in range(400):
        for x in range(600):
            px[x, y] = (40 + x // 6, 120 + y // 4, 230) if y < 250 else (30, 140 + x // 10, 40)
    buf = io.BytesIO()
    photo.save(buf, "PNG")
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(72, 760, "Photo of the loading dock, March 2024")
    c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 72, 300, 450, 300)
    c.showPage()
    c.save()
    return out.getvalue()


def build_tiff(desk: dict[str, Any], tmp_path: Path) -> Path:  # noqa: F811
    app = desk["app"]
    photo = Desk(app).file("Dock photo.pdf", colour_photo_pdf(), "Photos", date="2024-03-02")
    spec_path = tmp_path / "tiff.toml"
    spec_path.write_text(f'''
[production]
volume = "IMG001"
matter = "{MATTER}"
image_format = "tiff"
confidentiality = "CONFIDENTIAL"

[bates]
prefix = "{PREFIX}"

[[documents]]
document = {desk["letter"].id}

[[documents]]
document = {photo.id}

[[documents]]
document = {desk["native"].id}

[[withhold]]
document = {desk["privileged"].id}
privilege = "attorney-client"
description = "Memo from counsel to client giving legal advice."
''', encoding="utf-8")
    spec = parse_production_spec(spec_path.read_text(encoding="utf-8"), spec_path)
    produce(spec, tmp_path / "out", app.ledger, workspace_root=app.workspace.root,
            scratch_dir=app.workspace.work)
    return tmp_path / "out"


def test_each_page_is_one_image_g4_for_black_and_white_jpeg_for_colour(
    desk: dict[str, Any], tmp_path: Path  # noqa: F811
) -> None:
    out = build_tiff(desk, tmp_path)
    opt = read_opt(out / "IMG001" / "DATA" / "IMG001.opt")
    rows = read_dat(out / "IMG001" / "DATA" / "IMG001.dat")
    # Letter 3 pages, photo 1, spreadsheet slip sheet 1, withheld slip sheet 1.
    assert [line.bates for line in opt] == [f"{PREFIX}{n:06d}" for n in range(1, 7)]
    assert [(line.break_flag, line.pages) for line in opt] == [
        ("Y", "3"), ("", ""), ("", ""), ("Y", "1"), ("Y", "1"), ("Y", "1")]
    kinds = []
    for line in opt:
        image = local(out, line.image)
        assert image.is_file(), line.image
        assert image.stem == line.bates  # each page's image is named by its Bates number
        with Image.open(image) as im:
            assert getattr(im, "n_frames", 1) == 1
            kinds.append((im.format, im.mode, im.info.get("compression")))
            assert round(im.info["dpi"][0]) == 300
    g4 = ("TIFF", "1", "group4")
    assert kinds == [g4, g4, g4, ("JPEG", "RGB", None), g4, g4]
    assert not list((out / "IMG001" / "IMAGES").rglob("*.pdf"))
    # One text file per document, the document's own text (not per page).
    texts = sorted(p.name for p in (out / "IMG001" / "TEXT").iterdir())
    assert texts == [f"{r['BEGBATES']}.txt" for r in rows]
    letter_text = (out / "IMG001" / "TEXT" / f"{PREFIX}000001.txt").read_text(encoding="utf-8")
    assert words(letter_text) == words(pdftotext(desk["letter"].filed))
    assert rows[0]["TEXTLINK"] == f"IMG001\\TEXT\\{PREFIX}000001.txt"
    # The ledger names each produced document's first page image, by its hash.
    from intake_desktop.core import custody
    from intake_desktop.core.production.build import PRODUCED

    ledger = desk["app"].ledger
    [letter] = [e for e in ledger.chain.kind_events(PRODUCED)
                if e.document_id == desk["letter"].id]
    first_page = out / "IMG001" / "IMAGES" / f"{PREFIX}000001.tif"
    assert letter.sha256_after == hashlib.sha256(first_page.read_bytes()).hexdigest()
    report = custody.verify(ledger, desk["root"])
    assert report.ok, report.problems


def test_the_bates_number_and_endorsement_are_burned_into_the_image(
    desk: dict[str, Any], tmp_path: Path  # noqa: F811
) -> None:
    out = build_tiff(desk, tmp_path)
    page = out / "IMG001" / "IMAGES" / f"{PREFIX}000002.tif"
    with Image.open(page) as im:
        w, h = im.size
        bottom = im.convert("L").crop((0, int(h * 0.9), w, h))
        crop = tmp_path / "bottom.png"
        bottom.save(crop)
        # Black-and-white: nothing but pure black and white pixels.
        levels = im.convert("L").histogram()
        assert sum(levels[1:255]) == 0 and levels[0] > 0 and levels[255] > 0
    said = subprocess.run(["tesseract", str(crop), "-", "--psm", "6"], check=True,
                          capture_output=True, text=True).stdout
    assert f"{PREFIX}000002" in said.replace(" ", "")
    assert "CONFIDENTIAL" in said
    with Image.open(out / "IMG001" / "IMAGES" / f"{PREFIX}000004.jpg") as photo:
        r, _g, b = photo.convert("RGB").resize((60, 80)).getpixel((30, 30))
    assert b > r + 40  # the sky is still blue


def test_page_kind_keeps_greys_and_colours_off_bitonal() -> None:
    """A grey photograph would be ruined as G4: it is JPEG (greyscale) like colour pages."""
    from PIL import ImageDraw

    from intake_desktop.core.production.images import page_kind

    text = Image.new("RGB", (850, 1100), "white")
    draw = ImageDraw.Draw(text)
    for y in range(80, 1000, 24):
        draw.text((60, y), "The quick brown fox jumps over the lazy dog 0123456789", fill="black")
    assert page_kind(text) == "bw"
    grey = Image.linear_gradient("L").resize((850, 1100)).convert("RGB")
    assert page_kind(grey) == "tone"
    coloured = text.copy()
    ImageDraw.Draw(coloured).rectangle((100, 100, 300, 260), fill=(200, 30, 30))
    assert page_kind(coloured) == "colour"
