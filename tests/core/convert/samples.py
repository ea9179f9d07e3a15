"""Real sample files for the conversion tests, generated with the tools a client would use."""

from __future__ import annotations

import io
import struct
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pikepdf
from PIL import Image
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

EXIF_ORIENTATION = 0x0112
EXIF_IFD = 0x8769
EXIF_DATETIME_ORIGINAL = 0x9003


def pdf_text(path: Path) -> list[str]:
    """The text of every page (pypdf), to assert on what a converted PDF shows."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def pdf_pages(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def pdf_bytes(pages: list[str], *, title: str = "", created: str = "") -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=True)
    if title:
        c.setTitle(title)
    for text in pages:
        c.setFont("Helvetica", 14)
        y = 700.0
        for line in text.splitlines():
            c.drawString(72, y, line)
            y -= 18
        c.showPage()
    c.save()
    data = buf.getvalue()
    if created:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            pdf.docinfo["/CreationDate"] = created
            out = io.BytesIO()
            pdf.save(out)
            data = out.getvalue()
    return data


def write_pdf(path: Path, pages: list[str], **kw: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf_bytes(pages, **kw))
    return path


def scanned_pdf(path: Path, pages: int = 2) -> Path:
    """Pages that are only a picture (a scan without OCR)."""
    img = Image.new("L", (300, 400), 255)
    for x in range(40, 260):
        img.putpixel((x, 100), 0)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    from reportlab.lib.utils import ImageReader

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=letter, invariant=True)
    for _ in range(pages):
        c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, 612, 792)
        c.showPage()
    c.save()
    path.write_bytes(out.getvalue())
    return path


def encrypted_pdf(path: Path, *, user: str = "", owner: str = "owner-secret") -> Path:
    with pikepdf.open(io.BytesIO(pdf_bytes(["Confidential settlement terms"]))) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user=user, owner=owner))
    return path


def photo(
    path: Path, *, size: tuple[int, int] = (320, 200), orientation: int = 1,
    taken: str | None = "2024:03:05 14:22:01", fmt: str = "JPEG", color: str = "navy",
) -> Path:
    """A landscape picture with a red marker in its top-left corner, plus EXIF tags."""
    img = Image.new("RGB", size, color)
    for x in range(0, 40):
        for y in range(0, 20):
            img.putpixel((x, y), (255, 0, 0))
    exif = Image.Exif()
    if orientation != 1:
        exif[EXIF_ORIENTATION] = orientation
    if taken:
        exif.get_ifd(EXIF_IFD)[EXIF_DATETIME_ORIGINAL] = taken
    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, object] = {}
    if fmt in ("JPEG", "PNG", "WEBP", "TIFF", "HEIF"):
        kwargs["exif"] = exif
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    img.save(path, fmt, **kwargs)
    return path


def multipage_tiff(path: Path, frames: int = 3) -> Path:
    colors = ["red", "green", "blue", "yellow", "white"]
    imgs = [Image.new("RGB", (120, 160), colors[i % len(colors)]) for i in range(frames)]
    imgs[0].save(path, "TIFF", save_all=True, append_images=imgs[1:], compression="tiff_lzw")
    return path


def animated_gif(path: Path, frames: int = 3) -> Path:
    colors = ["red", "green", "blue", "yellow", "white"]
    imgs = [Image.new("RGB", (60, 40), colors[i % len(colors)]) for i in range(frames)]
    imgs[0].save(path, "GIF", save_all=True, append_images=imgs[1:], duration=100)
    return path


def corrupt_jpeg(path: Path) -> Path:
    photo(path, size=(640, 480))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # cut mid-scan: the bottom half is missing
    return path


def truncated_pdf(path: Path, pages: int = 20) -> Path:
    data = pdf_bytes([f"Page {i + 1} of the contract" for i in range(pages)])
    path.write_bytes(data[: int(len(data) * 0.6)])
    return path


def email_message(
    *, subject: str = "Accident photos and bill", body: str = "Please find attached.",
    html: str | None = None, attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
    nested: EmailMessage | None = None, sender: str = "Maria López <maria@example.com>",
    to: str = "intake@firm.example", date: str = "Tue, 05 Mar 2024 09:30:00 -0500",
    cc: str | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Date"] = date
    msg["Subject"] = subject
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if nested is not None:
        msg.add_attachment(nested)
    return msg


def docx(path: Path, paragraphs: list[str], *, page_break: bool = False) -> Path:
    import docx as python_docx

    document = python_docx.Document()
    document.add_heading(paragraphs[0], level=1)
    for n, text in enumerate(paragraphs[1:]):
        if page_break and n:
            document.add_page_break()
        document.add_paragraph(text)
    document.save(str(path))
    return path


def zip_with(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data)
    return path


def zip_bomb(path: Path, inflated: int = 64 * 1024 * 1024) -> Path:
    chunk = b"\0" * (1024 * 1024)
    with (zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
          zf.open("zeros.txt", "w", force_zip64=True) as fh):
        for _ in range(inflated // len(chunk)):
            fh.write(chunk)
    return path


def zip_declaring(path: Path, declared: int = 1 << 30) -> Path:
    """A tiny member whose headers claim `declared` uncompressed bytes."""
    zip_with(path, {"huge.bin": b"x" * 1000})
    data = bytearray(path.read_bytes())
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, declared)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)
    path.write_bytes(bytes(data))
    return path


def zip_with_symlink(path: Path) -> Path:
    info = zipfile.ZipInfo("link-to-passwd")
    info.create_system = 3
    info.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(info, "/etc/passwd")
        zf.writestr("fine.txt", "fine")
    return path


def deflate_repeated(block: bytes, count: int) -> bytes:
    """zlib data for `block` repeated `count` times, made without compressing it all:
    after a full flush the compressor forgets the past, so each block compresses to the
    same bytes (a bomb of gigabytes is built in a second)."""
    import zlib

    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush(zlib.Z_FINISH)
    checksum = 1
    for _ in range(count):
        checksum = zlib.adler32(block, checksum)
    body = first + again * (count - 1) + tail
    return b"\x78\xda" + body + struct.pack(">I", checksum)


def multi_filter_pdf(path: Path, *, inflated: int = 4 << 30, stages: int = 2) -> Path:
    """One page whose content stream is `inflated` bytes of spaces behind `stages`
    FlateDecode filters (`/Filter [/FlateDecode /FlateDecode]`): a few KB on disk."""
    import zlib

    data = deflate_repeated(b" " * (1 << 20), max(1, inflated >> 20))
    for _ in range(stages - 1):
        data = zlib.compress(data, 9)
    pdf = pikepdf.new()
    pdf.add_blank_page()
    stream = pikepdf.Stream(pdf, data)
    stream[pikepdf.Name.Filter] = pikepdf.Array([pikepdf.Name.FlateDecode] * stages)
    pdf.pages[0].obj[pikepdf.Name.Contents] = pdf.make_indirect(stream)
    pdf.save(path, compress_streams=False)
    return path


def docx_bomb(path: Path, inflated: int = 300 << 20) -> Path:
    """A real .docx (python-docx) whose word/document.xml is `inflated` bytes of
    repeated paragraphs: a few hundred KB on disk."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        plain = docx(Path(tmp) / "plain.docx", ["Statement", "One paragraph."])
        with zipfile.ZipFile(plain) as src, zipfile.ZipFile(
                path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
            for info in src.infolist():
                if info.filename != "word/document.xml":
                    dst.writestr(info, src.read(info))
                    continue
                xml = src.read(info).decode()
                head, _, tail = xml.partition("<w:body>")
                para = b"<w:p><w:r><w:t>" + b"A" * 4000 + b"</w:t></w:r></w:p>"
                with dst.open("word/document.xml", "w", force_zip64=True) as fh:
                    fh.write((head + "<w:body>").encode())
                    block = para * 256
                    for _ in range(inflated // len(block)):
                        fh.write(block)
                    fh.write(tail.encode())
        shutil.rmtree(tmp, ignore_errors=True)
    return path
