"""Real scanned-looking PDFs for the OCR tests and benchmark: known words rendered into
page images (Pillow, 300 dpi), embedded losslessly (PNG -> Flate) or as a phone photo
(JPEG, skewed a few degrees -> DCT) with img2pdf; plus a PDF whose page already has text
(reportlab). Nothing here calls OCR."""

from __future__ import annotations

import io
import random
from pathlib import Path

import img2pdf
import pikepdf
import reportlab
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

DPI = 300
FONT = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"

# Ordinary legal-intake vocabulary; distinct words so accuracy is measurable.
_VOCABULARY = (
    "plaintiff defendant exhibit deposition hearing settlement invoice medical records "
    "insurance claim accident report witness statement contract agreement payment "
    "amount receipt signature notary affidavit summons complaint motion discovery "
    "subpoena judgment appeal counsel client matter evidence photograph letter notice "
    "demand property damage injury treatment hospital clinic doctor employer wages "
    "lease landlord tenant rent deposit repair warranty vehicle collision police"
)
WORDS = _VOCABULARY.split()


def text_lines(seed: int, lines: int = 6, per_line: int = 5) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(per_line)) for _ in range(lines)]


def render_page(
    lines: list[str],
    *,
    width_in: float = 5.0,
    height_in: float = 3.0,
    skew_degrees: float = 0.0,
    font_pt: float = 12.0,
    noise: bool = False,
) -> Image.Image:
    """A grayscale page image at 300 dpi with `lines` of black text on white."""
    size = (int(width_in * DPI), int(height_in * DPI))
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONT), int(font_pt * DPI / 72))
    y = int(0.3 * DPI)
    for line in lines:
        draw.text((int(0.4 * DPI), y), line, fill=0, font=font)
        y += int(font_pt * 1.6 * DPI / 72)
    if skew_degrees:
        img = img.rotate(skew_degrees, resample=Image.Resampling.BICUBIC, expand=True,
                         fillcolor=235)
    if noise:
        rng = random.Random(len(lines))
        px = img.load()
        assert px is not None
        for _ in range(img.width * img.height // 400):
            x, yy = rng.randrange(img.width), rng.randrange(img.height)
            px[x, yy] = rng.randrange(120, 256)
    return img


def _encode(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.save(buf, "JPEG", quality=85, dpi=(DPI, DPI))
    else:
        img.save(buf, "PNG", dpi=(DPI, DPI))
    return buf.getvalue()


def image_pdf(path: Path, pages: list[Image.Image], *, fmt: str = "PNG") -> Path:
    """An image-only PDF: each image becomes one page at its 300-dpi size."""
    layout = img2pdf.get_fixed_dpi_layout_fun((DPI, DPI))
    data = img2pdf.convert([_encode(p, fmt) for p in pages], layout_fun=layout)
    assert data is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def scanned_pdf(path: Path, seeds: list[int], *, skew_degrees: float = 0.0,
                fmt: str = "PNG", **kwargs: float) -> tuple[Path, list[list[str]]]:
    """Image-only PDF with one rendered page per seed; returns the words on each page."""
    texts = [text_lines(s) for s in seeds]
    images = [render_page(t, skew_degrees=skew_degrees, **kwargs) for t in texts]  # type: ignore[arg-type]
    return image_pdf(path, images, fmt=fmt), texts


def text_pdf(path: Path, lines: list[str]) -> Path:
    """A born-digital page: real text drawn with a font (needs no OCR)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=letter)
    y = 720.0
    for line in lines:
        c.drawString(72, y, line)
        y -= 18
    c.showPage()
    c.save()
    return path


def mixed_pdf(path: Path, text_page: Path, scanned: Path) -> Path:
    """Page 1 from `text_page` (has text), then the pages of `scanned` (image-only)."""
    with pikepdf.new() as out, pikepdf.open(text_page) as a, pikepdf.open(scanned) as b:
        out.pages.extend(a.pages)
        out.pages.extend(b.pages)
        out.save(path)
    return path


def image_streams(path: Path) -> list[bytes]:
    """Raw (still encoded) bytes of every image XObject in each page's resources, in order."""
    found: list[bytes] = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            xobjects = page.obj.Resources.get("/XObject", {})
            for name in sorted(xobjects.keys()):
                xobj = xobjects[name]
                if xobj.get("/Subtype") == "/Image":
                    found.append(bytes(xobj.read_raw_bytes()))
    return found


def first_image(pdf: pikepdf.Pdf, index: int) -> pikepdf.Stream:
    xobjects = pdf.pages[index].obj.Resources.XObject
    return next(xobjects[k] for k in sorted(xobjects.keys())
                if xobjects[k].get("/Subtype") == "/Image")


def page_content(path: Path, index: int) -> bytes:
    """The decoded content stream(s) of one page."""
    with pikepdf.open(path) as pdf:
        page = pdf.pages[index]
        contents = page.obj.get("/Contents")
        if isinstance(contents, pikepdf.Array):
            return b"".join(bytes(s.read_bytes()) for s in contents)
        assert isinstance(contents, pikepdf.Stream)
        return bytes(contents.read_bytes())
