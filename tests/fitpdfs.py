"""Real PDFs generated for the court-fit tests and benchmarks: scans, letterhead, forms, traps."""

from __future__ import annotations

import io
import random
import zlib
from pathlib import Path

import pikepdf
from pikepdf import Name
from PIL import Image, ImageDraw, ImageFilter, ImageFont

WORDS = [
    "plaintiff", "defendant", "motion", "exhibit", "deposition", "counsel", "court", "order",
    "hearing", "evidence", "witness", "record", "medical", "billing", "statement", "agreement",
    "contract", "invoice", "letter", "notice",
]


def page_image(kind: str, width: int, height: int, seed: int) -> Image.Image:
    """A scanned page: lines of dark text on paper with scanner noise.

    kind: "grey" (grey paper with noise and a photo box), "colour" (tinted paper, blue
    ink, a colour photo box), "bw" (pure black text on white, as from a text document).
    """
    rng = random.Random(seed)
    mode = "RGB" if kind == "colour" else "L"
    paper = (238, 232, 220) if kind == "colour" else 235
    im = Image.new(mode, (width, height), paper if kind != "bw" else 255)
    draw = ImageDraw.Draw(im)
    ink = (20, 30, 120) if kind == "colour" else 10
    line_h = max(12, height // 45)
    font = ImageFont.load_default(size=int(line_h * 0.7))
    y = line_h * 2
    while y < height - line_h * 2:
        words = []
        while len(" ".join(words)) < 60:
            words.append(rng.choice(WORDS))
        draw.text((width // 12, y), " ".join(words), fill=ink, font=font)
        y += line_h
    if kind == "bw":
        # scanner noise: ragged glyph edges and speckle after thresholding
        noise = Image.effect_noise((width, height), 40).convert("L")
        im = Image.blend(im.filter(ImageFilter.GaussianBlur(0.8)), noise, 0.35)
        im = im.point(lambda v: 250 if v > 150 else (8 if v < 100 else v))
    else:
        box = [width // 2, height // 3, width * 7 // 8, height // 2]
        grad = Image.linear_gradient("L").resize((box[2] - box[0], box[3] - box[1]))
        if mode == "RGB":
            flipped = grad.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            grad = Image.merge("RGB", (grad, grad.rotate(90), flipped))
        im.paste(grad, (box[0], box[1]))
        noise = Image.effect_noise((width, height), 18).convert(mode)
        im = Image.blend(im, noise, 0.08).filter(ImageFilter.GaussianBlur(0.6))
    return im


def _image_page(pdf: pikepdf.Pdf, xobj: pikepdf.Object, w_pt: float, h_pt: float) -> None:
    content = f"q {w_pt:.2f} 0 0 {h_pt:.2f} 0 0 cm /Im0 Do Q".encode()
    page = pikepdf.Dictionary(
        Type=Name.Page,
        MediaBox=[0, 0, w_pt, h_pt],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj)),
        Contents=pdf.make_stream(content),
    )
    pdf.pages.append(pikepdf.Page(page))


def image_xobject(pdf: pikepdf.Pdf, im: Image.Image, *, jpeg_quality: int = 85) -> pikepdf.Object:
    """Embed like a scanner: JPEG for grey/colour, Flate 1-bit for black and white."""
    if im.mode == "1":
        data = zlib.compress(im.tobytes(), 6)
        return pdf.make_stream(
            data, Type=Name.XObject, Subtype=Name.Image, Width=im.size[0], Height=im.size[1],
            ColorSpace=Name.DeviceGray, BitsPerComponent=1, Filter=Name.FlateDecode,
        )
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=jpeg_quality)
    return pdf.make_stream(
        buf.getvalue(), Type=Name.XObject, Subtype=Name.Image, Width=im.size[0],
        Height=im.size[1], BitsPerComponent=8, Filter=Name.DCTDecode,
        ColorSpace=Name.DeviceRGB if im.mode == "RGB" else Name.DeviceGray,
    )


def scan_pdf(
    path: Path,
    *,
    pages: int,
    kind: str = "grey",
    dpi: int = 300,
    size_in: tuple[float, float] = (8.5, 11.0),
    jpeg_quality: int = 85,
    one_bit: bool = False,
    seed: int = 1,
    distinct: int = 0,
) -> Path:
    """A scanned document; `distinct` > 0 reuses that many different page images (faster)."""
    width, height = round(size_in[0] * dpi), round(size_in[1] * dpi)
    pdf = pikepdf.new()
    images: dict[int, Image.Image] = {}
    for n in range(pages):
        key = n % distinct if distinct else n
        if key not in images:
            im = page_image(kind, width, height, seed + key)
            images[key] = im.convert("1", dither=Image.Dither.NONE) if one_bit else im
        xobj = image_xobject(pdf, images[key], jpeg_quality=jpeg_quality)
        _image_page(pdf, xobj, size_in[0] * 72, size_in[1] * 72)
    pdf.save(path)
    return path
