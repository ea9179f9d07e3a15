"""Benchmark: Bates-stamp a 1,000-page PDF (ours vs pypdf merge_page), then build a
50-exhibit, 5,000-page set with index and binder.

Run from the repository root: `python bench/bench_stamp.py [--pages 1000] [--exhibits 50]`.
Targets: at least 5x faster than merge_page, at most 5% size growth.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdf
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from intake_desktop.core.exhibits.build import build_set
from intake_desktop.core.exhibits.spec import load_spec
from intake_desktop.core.pdf.stamp import Corner, StampStyle, stamp_file
from tests.exhibit_pdfs import MemoryBates

SENTENCE = (
    "plaintiff reported lumbar pain radiating to the left leg after the collision; "
    "examination showed reduced range of motion and tenderness at L4-L5;"
)


def make_pdf(path: Path, pages: int, seed: int = 0) -> Path:
    """A text PDF like a typical records production: about 40 lines of prose per page."""
    c = canvas.Canvas(str(path), pagesize=letter)
    words_all = SENTENCE.split(" ")
    n = seed
    for p in range(pages):
        c.setFont("Times-Roman", 11)
        c.drawString(72, 740, f"Medical record {seed} - page {p + 1}")
        for line in range(44):
            words = [words_all[(n + k * 7) % len(words_all)] for k in range(14)]
            n += 3
            c.drawString(72, 720 - 14 * line, " ".join(words))
        c.showPage()
    c.save()
    return path


def merge_page_stamp(src: Path, dst: Path) -> None:
    """The peer: one reportlab overlay page per Bates number, merged with pypdf."""
    writer = pypdf.PdfWriter(clone_from=src)
    for i, page in enumerate(writer.pages):
        buf = io.BytesIO()
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        c = canvas.Canvas(buf, pagesize=(w, h))
        c.setFont("Helvetica", 10)
        c.drawRightString(w - 36, 22, f"BENCH{i + 1:06d}")
        c.save()
        buf.seek(0)
        page.merge_page(pypdf.PdfReader(buf).pages[0])
    with open(dst, "wb") as fh:
        writer.write(fh)


def bench_stamp(tmp: Path, pages: int) -> None:
    src = make_pdf(tmp / "source.pdf", pages)
    size0 = src.stat().st_size
    t0 = time.perf_counter()
    stamp_file(
        src,
        tmp / "ours.pdf",
        lambda i: {Corner.BOTTOM_RIGHT: [f"BENCH{i + 1:06d}"]},
        StampStyle(backing=True),
    )
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    merge_page_stamp(src, tmp / "peer.pdf")
    peer = time.perf_counter() - t0
    s_ours = (tmp / "ours.pdf").stat().st_size
    s_peer = (tmp / "peer.pdf").stat().st_size
    print(f"stamp {pages} pages, source {size0 / 1e6:.2f} MB")
    print(f"  intake-desktop stamp  {ours:7.2f} s  size {s_ours / 1e6:.2f} MB "
          f"({(s_ours / size0 - 1) * 100:+.1f}%)")
    print(f"  pypdf merge_page      {peer:7.2f} s  size {s_peer / 1e6:.2f} MB "
          f"({(s_peer / size0 - 1) * 100:+.1f}%)")
    print(f"  speed ratio (merge_page / ours): {peer / ours:.1f}x  (target >= 5x); "
          f"size growth {(s_ours / size0 - 1) * 100:+.1f}% (target <= 5%)")


def bench_set(tmp: Path, exhibits: int, pages_each: int) -> None:
    docs = tmp / "docs"
    docs.mkdir()
    source = make_pdf(tmp / "template.pdf", pages_each)
    lines = ['[set]', 'name = "Bench set"', 'label_scheme = "numbers"',
             'label_prefix = "Pltf. Ex."', 'slip_sheets = true', 'binder = true',
             'page_labels = true', '', '[bates]', 'prefix = "BENCH"', 'digits = 7', '']
    for n in range(exhibits):
        path = docs / f"record-{n:02d}.pdf"
        path.write_bytes(source.read_bytes())
        lines += ['[[exhibit]]', f'file = "docs/{path.name}"',
                  f'description = "Treatment record {n + 1}"',
                  f'date = "2024-{1 + n % 12:02d}-{1 + n % 27:02d}"', '']
    spec_path = tmp / "bench.toml"
    spec_path.write_text("\n".join(lines), encoding="utf-8")
    t0 = time.perf_counter()
    spec = load_spec(spec_path)
    result = build_set(spec, tmp / "out", MemoryBates())
    total = time.perf_counter() - t0
    pages = sum(e.pages for e in result.exhibits)
    print(f"build set: {len(result.exhibits)} exhibits, {pages} pages, index + chronology + "
          f"binder: {total:.2f} s ({pages / total:.0f} pages/s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--exhibits", type=int, default=50)
    parser.add_argument("--pages-each", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        bench_stamp(Path(d), args.pages)
    with tempfile.TemporaryDirectory() as d:
        bench_set(Path(d), args.exhibits, args.pages_each)


if __name__ == "__main__":
    main()
