"""Page images for an image production: each stamped page rendered at 300 dpi and saved as
one single-page file named by its Bates number: CCITT Group 4 TIFF for a black-and-white
page, JPEG for a page in colour or with continuous tones (a photograph, a grey scan), which
a bitonal image would ruin. What review platforms load beside an OPT file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

DPI = 300
JPEG_QUALITY = 85
THRESHOLD = 160  # grey level below which a pixel is black in a bitonal page
# A page is in colour when more than this share of its pixels is clearly coloured
# (saturation above COLOUR_SATURATION); continuous-tone when more than TONE_SHARE of its
# pixels are mid-grey (text anti-aliasing stays well below it).
COLOUR_SATURATION = 60
COLOUR_SHARE = 0.002
TONE_SHARE = 0.06
SAMPLE = (425, 550)  # the page is judged on a reduced copy (same proportions as letter)


def page_kind(image: Image.Image) -> str:
    """"colour", "tone" (greyscale with continuous tones) or "bw" for a rendered page."""
    small = image.convert("RGB").resize(SAMPLE, Image.Resampling.BOX)
    total = SAMPLE[0] * SAMPLE[1]
    saturation = small.convert("HSV").getchannel("S").histogram()
    if sum(saturation[COLOUR_SATURATION:]) > total * COLOUR_SHARE:
        return "colour"
    grey = small.convert("L").histogram()
    if sum(grey[48:208]) > total * TONE_SHARE:
        return "tone"
    return "bw"


def save_page_image(image: Image.Image, dest_stem: Path, dpi: int = DPI) -> Path:
    """Save one rendered page as `<stem>.tif` (G4) or `<stem>.jpg`; the path written."""
    kind = page_kind(image)
    if kind == "bw":
        bitonal = image.convert("L").point(lambda v: 255 if v >= THRESHOLD else 0, mode="1")
        path = dest_stem.with_suffix(".tif")
        bitonal.save(path, format="TIFF", compression="group4", dpi=(dpi, dpi))
        return path
    path = dest_stem.with_suffix(".jpg")
    shown = image.convert("RGB" if kind == "colour" else "L")
    shown.save(path, format="JPEG", quality=JPEG_QUALITY, dpi=(dpi, dpi), optimize=True)
    return path


def render_page_images(pdf: Path, folder: Path, names: Sequence[str],
                       dpi: int = DPI) -> list[Path]:
    """Render each page of `pdf` (as a reader sees it: CropBox and /Rotate applied) into
    `folder`, page n named `names[n]`; the image paths in page order."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        if len(doc) != len(names):
            raise ValueError(f"{pdf} has {len(doc)} pages, {len(names)} names were given")
        out = []
        for index, name in enumerate(names):
            page = doc[index]
            try:
                bitmap = page.render(scale=dpi / 72, grayscale=False)
                try:
                    image = bitmap.to_pil()
                    out.append(save_page_image(image, folder / name, dpi))
                finally:
                    bitmap.close()
            finally:
                page.close()
        return out
    finally:
        doc.close()
