"""Benchmark: 1,000 mixed uploads filed end to end through the converting preparer, and
image-to-PDF with img2pdf beside Pillow's own PDF writer on the same images.

    python bench/bench_convert.py [--files 1000] [--keep]

Mix: half images (JPEG photos with EXIF, some rotated, some PNG), a quarter PDFs, emails
with two attachments each, text/CSV, and a few Word files (real LibreOffice when installed).
Prints files/s for the whole run, for the conversion stage alone and the img2pdf/Pillow ratio.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import img2pdf
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake_desktop.app import build_filer, open_app
from intake_desktop.core.convert import ConvertingPreparer
from intake_desktop.core.convert.office import find_soffice
from intake_desktop.core.workspace import init_workspace
from tests.core.convert import samples as s

MATTER = "BENCH-1"


def photo_bytes(n: int, size: tuple[int, int] = (1600, 1200)) -> bytes:
    img = Image.new("RGB", size, ((n * 37) % 256, (n * 91) % 256, 120))
    for x in range(0, size[0], 16):  # some detail so JPEG sizes are realistic
        for y in range(n % 7, size[1], 40):
            img.putpixel((x, y), (255, 255, 255))
    exif = Image.Exif()
    exif[0x0112] = 6 if n % 5 == 0 else 1
    exif.get_ifd(0x8769)[0x9003] = f"2024:0{1 + n % 9}:1{n % 10} 10:00:00"
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85, exif=exif)
    return buf.getvalue()


def make_corpus(folder: Path, total: int) -> Counter[str]:
    kinds: Counter[str] = Counter()
    n_images = total // 2
    n_pdfs = total // 4
    n_office = max(1, total // 100) if find_soffice() else 0
    n_text = total // 10
    n_email = total - n_images - n_pdfs - n_office - n_text
    photo_cache = [photo_bytes(i) for i in range(20)]
    for i in range(n_images):
        if i % 10 == 9:
            s.photo(folder / f"screenshot {i:04d}.png", size=(800, 600), fmt="PNG",
                    color=f"#{i % 256:02x}{(i // 256) % 256:02x}80")
        else:
            (folder / f"IMG_{i:04d}.jpg").write_bytes(photo_cache[i % 20][:-2] + bytes(
                [i % 256, i // 256]) + photo_cache[i % 20][-2:])
        kinds["image"] += 1
    for i in range(n_pdfs):
        s.write_pdf(folder / f"record {i:04d} 2024-02-{1 + i % 28:02d}.pdf",
                    [f"Medical record {i}\nPatient: Doe\nPage {p}" for p in range(1, 4)])
        kinds["pdf"] += 1
    for i in range(n_email):
        msg = s.email_message(
            subject=f"Claim update {i}", body=f"Update number {i}.\n" * 20,
            attachments=[(f"bill {i}.pdf", s.pdf_bytes([f"Bill {i}"]), "application/pdf"),
                         (f"photo {i}.jpg", photo_cache[i % 20], "image/jpeg")])
        (folder / f"message {i:04d}.eml").write_bytes(bytes(msg))
        kinds["email"] += 1
    for i in range(n_text):
        if i % 2:
            (folder / f"ledger {i:04d}.csv").write_text(
                f"date,item,amount (ledger {i})\n" + "".join(
                    f"2024-01-{d:02d},visit,{d * 10}\n" for d in range(1, 29)))
        else:
            (folder / f"notes {i:04d}.txt").write_text(f"Call notes {i}\n" + "text line\n" * 80)
        kinds["text"] += 1
    for i in range(n_office):
        s.docx(folder / f"letter {i:04d}.docx", [f"Letter {i}", "Dear client,", "Regards."])
        kinds["office"] += 1
    return kinds


def bench_image_writers(images: list[Path]) -> tuple[float, float, int, int]:
    """Seconds for img2pdf and for Pillow's PDF writer on the same JPEGs; output bytes."""
    t0 = time.perf_counter()
    img2pdf_bytes = sum(len(img2pdf.convert(str(p), rotation=img2pdf.Rotation.ifvalid))
                        for p in images)
    t_img2pdf = time.perf_counter() - t0
    t0 = time.perf_counter()
    pillow_bytes = 0
    for p in images:
        buf = io.BytesIO()
        with Image.open(p) as im:
            im.save(buf, "PDF", resolution=72.0)
        pillow_bytes += len(buf.getvalue())
    t_pillow = time.perf_counter() - t0
    return t_img2pdf, t_pillow, img2pdf_bytes, pillow_bytes


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-convert-"))
    try:
        corpus = root / "upload"
        corpus.mkdir()
        t0 = time.perf_counter()
        kinds = make_corpus(corpus, args.files)
        print(f"corpus: {sum(kinds.values())} files {dict(kinds)} "
              f"in {time.perf_counter() - t0:.1f} s")

        # Conversion stage alone (detect, check, convert, extract), no filing.
        preparer = ConvertingPreparer()
        files = sorted(corpus.iterdir())
        work = root / "work"
        t0 = time.perf_counter()
        for n, path in enumerate(files):
            folder = work / str(n)
            folder.mkdir(parents=True)
            preparer.prepare(path, "", folder)
        t_prepare = time.perf_counter() - t0
        shutil.rmtree(work)
        print(f"conversion stage only: {len(files) / t_prepare:.1f} files/s "
              f"({t_prepare:.1f} s)")

        # End to end: ledger, originals, converted copies, children.
        ws = init_workspace(root / "ws")
        app = open_app(str(ws.root))
        try:
            filer = build_filer(app)
            t0 = time.perf_counter()
            results = filer.ingest([corpus], matter=MATTER)
            t_all = time.perf_counter() - t0
        finally:
            app.close()
        statuses = Counter(str(r.status) for r in results)
        children = sum(len(r.children) for r in results)
        print(f"end to end: {len(results)} files + {children} attachments in {t_all:.1f} s "
              f"= {len(results) / t_all:.1f} files/s "
              f"({(len(results) + children) / t_all:.1f} documents/s) {dict(statuses)}")

        jpegs = [p for p in files if p.suffix == ".jpg"]
        t_i, t_p, b_i, b_p = bench_image_writers(jpegs)
        print(f"image to PDF, {len(jpegs)} JPEGs 1600x1200: img2pdf {len(jpegs) / t_i:.0f} "
              f"images/s ({b_i / 1e6:.1f} MB, lossless), Pillow PDF writer "
              f"{len(jpegs) / t_p:.0f} images/s ({b_p / 1e6:.1f} MB, re-encoded); "
              f"img2pdf is {t_p / t_i:.1f}x faster")
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
