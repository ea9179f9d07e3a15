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


def _logo(kb: int, seed: int = 7) -> bytes:
    """A letterhead logo: a noisy colour JPEG of roughly `kb` kilobytes."""
    side = max(64, int((kb * 1024 / 0.9) ** 0.5))
    noise = Image.effect_noise((side, side), 60).convert("RGB")
    tint = Image.new("RGB", (side, side), (30, 60, 140))
    im = Image.blend(noise, tint, 0.5)
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def text_pdf(
    path: Path,
    *,
    pages: int,
    letterhead_kb: int = 0,
    words_per_page: int = 250,
    seed: int = 3,
    outline_every: int = 0,
    page_labels: bool = False,
) -> Path:
    """A typed letter/brief: a letterhead image and an embedded font shared by all pages."""
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))
    rng = random.Random(seed)
    c = canvas.Canvas(str(path), pagesize=letter)
    logo = ImageReader(io.BytesIO(_logo(letterhead_kb))) if letterhead_kb else None
    for n in range(1, pages + 1):
        if logo is not None:
            c.drawImage(logo, 72, 700, width=160, height=60)
            c.setFont("Vera", 9)
            c.drawString(250, 740, "Smith & Jones LLP - 100 Main Street - Springfield")
        c.setFont("Vera", 11)
        text = c.beginText(72, 660)
        words = [rng.choice(WORDS) for _ in range(words_per_page)]
        words[0] = f"Page{n}marker"
        for i in range(0, len(words), 12):
            text.textLine(" ".join(words[i : i + 12]))
        c.drawText(text)
        if outline_every and (n - 1) % outline_every == 0:
            key = f"ex{n}"
            c.bookmarkPage(key)
            c.addOutlineEntry(f"Exhibit {(n - 1) // outline_every + 1}", key, level=0)
        c.showPage()
    c.save()
    if page_labels:
        with pikepdf.open(path, allow_overwriting_input=True) as pdf:
            pdf.Root.PageLabels = pikepdf.Dictionary(
                Nums=[0, pikepdf.Dictionary(S=Name.r), 2, pikepdf.Dictionary(S=Name.D, St=1)]
            )
            pdf.save(path)
    return path


def form_pdf(path: Path) -> Path:
    """A fillable form with a filled-in text field and a checked box."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    c.setFont("Helvetica", 12)
    c.drawString(72, 720, "Client intake form")
    c.drawString(72, 680, "Name:")
    c.acroForm.textfield(name="client", value="Jane Q Doe", x=130, y=672, width=250, height=20)
    c.drawString(72, 640, "Signed:")
    c.acroForm.checkbox(name="signed", checked=True, x=130, y=636, size=16)
    c.showPage()
    c.save()
    return path


def active_content_pdf(path: Path) -> Path:
    """JavaScript (document, OpenAction, page trigger), a Launch link, an attachment, a movie."""
    text_pdf(path, pages=2, words_per_page=40)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        js = pikepdf.Dictionary(S=Name.JavaScript, JS=pikepdf.String("app.alert('hi');"))
        pdf.Root.OpenAction = pdf.make_indirect(js)
        tree = pikepdf.NameTree.new(pdf)
        tree["startup"] = pdf.make_indirect(
            pikepdf.Dictionary(S=Name.JavaScript, JS=pikepdf.String("this.print();"))
        )
        pdf.Root.Names = pikepdf.Dictionary(JavaScript=tree.obj)
        pdf.attachments["evidence.txt"] = pikepdf.AttachedFileSpec(pdf, b"secret attachment")
        page = pdf.pages[0]
        page.obj.AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=Name.JavaScript, JS="1"))
        launch = pikepdf.Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=[72, 72, 200, 90],
            A=pikepdf.Dictionary(S=Name.Launch, F=pikepdf.String("calc.exe")),
        )
        uri = pikepdf.Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=[72, 100, 200, 120],
            A=pikepdf.Dictionary(S=Name.URI, URI=pikepdf.String("https://example.com")),
        )
        movie = pikepdf.Dictionary(Type=Name.Annot, Subtype=Name.Screen, Rect=[0, 0, 10, 10])
        page.obj.Annots = pdf.make_indirect(pikepdf.Array([
            pdf.make_indirect(launch), pdf.make_indirect(uri), pdf.make_indirect(movie),
        ]))
        pdf.save(path)
    return path


def encrypted_pdf(path: Path, *, user: str = "", owner: str = "owner-secret") -> Path:
    plain = path.with_name(path.stem + "-plain.pdf")
    text_pdf(plain, pages=2, words_per_page=40)
    with pikepdf.open(plain) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user=user, owner=owner, R=6))
    plain.unlink()
    return path


def rotated_pdf(path: Path) -> Path:
    text_pdf(path, pages=4, words_per_page=40, letterhead_kb=30)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.pages[1].obj.Rotate = 90
        pdf.pages[2].obj.Rotate = 270
        pdf.save(path)
    return path


def _zeros_deflated(total: int) -> bytes:
    comp = zlib.compressobj(9)
    chunk = bytes(16 * 1024 * 1024)
    out = []
    left = total
    while left > 0:
        out.append(comp.compress(chunk[: min(left, len(chunk))]))
        left -= len(chunk)
    out.append(comp.flush())
    return b"".join(out)


def bomb_pdf(path: Path, *, kind: str, inflated: int = 1024**3) -> Path:
    """Decompression bombs: 'image' (a small image whose data inflates to `inflated` bytes),
    'huge_image' (declares 40000 x 40000 pixels), 'content' (page content that inflates)."""
    pdf = pikepdf.new()
    if kind == "content":
        data = _zeros_deflated(inflated)
        page = pikepdf.Dictionary(
            Type=Name.Page, MediaBox=[0, 0, 612, 792], Resources=pikepdf.Dictionary(),
            Contents=pdf.make_stream(data, Filter=Name.FlateDecode),
        )
        pdf.pages.append(pikepdf.Page(page))
    else:
        w = h = 40000 if kind == "huge_image" else 300
        data = _zeros_deflated(inflated if kind == "image" else 16 * 1024 * 1024)
        image = pdf.make_stream(
            data, Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h,
            ColorSpace=Name.DeviceGray, BitsPerComponent=8, Filter=Name.FlateDecode,
        )
        _image_page(pdf, image, 72, 72)  # drawn at one inch: far above any target dpi
    pdf.save(path)
    return path
