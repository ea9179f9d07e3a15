"""Real PDFs for the stamping and exhibit tests: plain text pages and awkward geometry."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas


def text_pdf(path: Path, pages: int, title: str = "Document") -> Path:
    """A reportlab PDF with `pages` letter pages, each saying which page it is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=letter)
    for i in range(pages):
        c.setFont("Times-Roman", 12)
        c.drawString(72, 720, f"{title} body page {i + 1}")
        for line in range(20):
            c.drawString(72, 690 - 14 * line, f"Line {line} of the record, {title}.")
        c.showPage()
    c.save()
    return path


def _content(pdf: pikepdf.Pdf, text: str, prefix: bytes = b"") -> pikepdf.Object:
    body = prefix + f"BT /F1 14 Tf 120 400 Td ({text}) Tj ET\n".encode()
    return pdf.make_stream(body)


def awkward_pdf(path: Path) -> Path:
    """Pages whose geometry trips naive stampers (one case per page, described in BODIES)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Courier)
    )
    res = Dictionary(Font=Dictionary(F1=font))
    letter_box = Array([0, 0, 612, 792])
    specs: list[dict[str, object]] = [
        {"name": "plain"},
        {"name": "rotate90", "Rotate": 90},
        {"name": "rotate270", "Rotate": 270},
        {"name": "rotate180", "Rotate": 180},
        {"name": "cropoffset", "CropBox": [100, 150, 500, 650]},
        {"name": "mediaoffset", "MediaBox": [200, 300, 812, 1092]},
        {"name": "rotate90crop", "Rotate": 90, "CropBox": [50, 80, 450, 700]},
        {"name": "unbalancedq", "prefix": b"q 0.5 0 0 0.5 300 300 cm q 2 0 0 2 0 0 cm\n"},
        {"name": "extraQ", "prefix": b"Q Q 1 0 0 1 10 10 cm\n"},
    ]
    for spec in specs:
        page = Dictionary(
            Type=Name.Page,
            MediaBox=Array(spec.get("MediaBox", letter_box)),  # type: ignore[arg-type]
            Resources=res,
            Contents=_content(pdf, f"BODY {spec['name']}", spec.get("prefix", b"")),  # type: ignore[arg-type]
        )
        if "Rotate" in spec:
            page.Rotate = spec["Rotate"]
        if "CropBox" in spec:
            page.CropBox = Array(spec["CropBox"])  # type: ignore[arg-type]
        if spec["name"] == "mediaoffset":
            page.Contents = pdf.make_stream(b"BT /F1 14 Tf 320 700 Td (BODY mediaoffset) Tj ET\n")
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return inherit_tail(path, path)


def inherit_tail(src: Path, dst: Path) -> Path:
    """Append a page whose Resources, MediaBox and Rotate live on an intermediate Pages node."""
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        font = pdf.make_indirect(
            Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Courier)
        )
        root_pages = pdf.Root.Pages
        kid = pdf.make_indirect(
            Dictionary(
                Type=Name.Page,
                Contents=_content(pdf, "BODY inherited"),
            )
        )
        node = pdf.make_indirect(
            Dictionary(
                Type=Name.Pages,
                Parent=root_pages,
                Kids=Array([kid]),
                Count=1,
                Resources=Dictionary(Font=Dictionary(F1=font)),
                MediaBox=Array([0, 0, 792, 612]),
                Rotate=90,
            )
        )
        kid.Parent = node
        root_pages.Kids.append(node)
        root_pages.Count = int(root_pages.Count) + 1
        pdf.save(dst)
    return dst


AWKWARD_NAMES = [
    "plain", "rotate90", "rotate270", "rotate180", "cropoffset", "mediaoffset",
    "rotate90crop", "unbalancedq", "extraQ", "inherited",
]


def render_gray(pdf: Path, page: int, dpi: int = 36) -> tuple[int, int, bytes]:
    """Render one page (1-based) as seen by a reader (CropBox, /Rotate) with Ghostscript."""
    out = pdf.with_name(f"{pdf.stem}-p{page}.pgm")
    subprocess.run(
        ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pgmraw", f"-r{dpi}",
         "-dUseCropBox", f"-dFirstPage={page}", f"-dLastPage={page}",
         f"-sOutputFile={out}", str(pdf)],
        check=True, capture_output=True, timeout=60,
    )
    data = out.read_bytes()
    out.unlink()
    # P5 <w> <h> 255 <data>, header lines may carry # comments
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        end = data.index(b"\n", pos)
        line = data[pos:end]
        pos = end + 1
        if not line.startswith(b"#"):
            fields += line.split()
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos : pos + w * h]


class MemoryBates:
    """An in-memory stand-in for the ledger's Bates counter and event log."""

    def __init__(self) -> None:
        self.counters: dict[str, int] = {}
        self.events: list[tuple[str, dict[str, Any]]] = []

    @property
    def bates(self) -> MemoryBates:  # the ledger's `bates` store
        return self

    @property
    def chain(self) -> MemoryBates:  # the ledger's `chain` store (record)
        return self

    def next_bates(self, prefix: str) -> int:
        return self.counters.get(prefix, 1)

    def reserve_bates(
        self, prefix: str, count: int, start: int | None = None, *,
        detail: dict[str, Any] | None = None,
    ) -> int:
        free = self.counters.get(prefix, 1)
        first = free if start is None else start
        if prefix in self.counters and first < free:
            raise ValueError("overlap")
        self.counters[prefix] = first + count
        self.events.append(("bates_reserved", {**(detail or {}), "prefix": prefix,
                                               "first": first, "last": first + count - 1,
                                               "count": count}))
        return first

    def bates_reservations(self, prefix: str) -> list[dict[str, Any]]:
        kept: list[dict[str, Any]] = []
        released: list[int] = []
        for kind, detail in reversed(self.events):
            if detail.get("prefix") != prefix:
                continue
            if kind == "bates_released":
                released.append(detail["first"])
            elif kind == "bates_reserved":
                if detail["first"] in released:
                    released.remove(detail["first"])
                else:
                    kept.append({**detail, "at": "earlier"})
        return kept[::-1]

    def latest_bates_reservation(self, prefix: str) -> dict[str, Any] | None:
        for kind, detail in reversed(self.events):
            if detail.get("prefix") == prefix:
                return detail if kind == "bates_reserved" else None
        return None

    def release_bates(self, prefix: str, first: int, count: int, *, reason: str = "") -> bool:
        if self.counters.get(prefix) != first + count:
            return False
        self.counters[prefix] = first
        self.events.append(("bates_released", {"prefix": prefix, "first": first}))
        return True

    def record(self, kind: str, **fields: Any) -> int:
        self.events.append((kind, fields))
        return len(self.events)


def scan_pdf(path: Path, pages: int, seed: int = 1, side: int = 260) -> Path:
    """A scan-like PDF: one distinct noisy greyscale JPEG per page (img2pdf, letter size)."""
    import io
    import random

    import img2pdf
    from PIL import Image

    rng = random.Random(seed)
    images = []
    for _ in range(pages):
        img = Image.frombytes("L", (side, side), rng.randbytes(side * side))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=70)
        images.append(buf.getvalue())
    layout = img2pdf.get_layout_fun((img2pdf.in_to_pt(8.5), img2pdf.in_to_pt(11)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(img2pdf.convert(images, layout_fun=layout))
    return path
