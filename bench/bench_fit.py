"""Benchmark court fit against Ghostscript and qpdf on the same generated files, same run.

(a) 200-page 300-dpi grey scan to 150 dpi: size, PSNR and time vs `gs -dPDFSETTINGS=/ebook`.
(b) the same pages as a black-and-white (1-bit) scan: size vs gs /ebook.
(c) the ~230 MB grey scan split at 10, 25 and 35 MB vs `qpdf --split-pages` into as many parts.
(d) a 1,000-page letterhead PDF fitted to 1.5 MB: parts and sizes.
(e) peak memory fitting a ~1 GB scan (child process), unless --skip-1gb.

Ghostscript and qpdf are used here only, as peers; they are never runtime dependencies.
Run from the repository root:  python bench/bench_fit.py [--pages 200] [--skip-1gb]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
from PIL import Image, ImageChops, ImageDraw, ImageStat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from intake_desktop.core.pdf import compress  # noqa: E402
from intake_desktop.core.pdf.fit import fit_pdf  # noqa: E402
from intake_desktop.core.pdf.split import split_to_limit  # noqa: E402
from tests import fitpdfs  # noqa: E402

OUT = REPO / "bench" / "out"
MB = 1_000_000
DPI = 300
PAGE_IN = (8.5, 11.0)
DISTINCT = 12  # distinct page drawings; every page still gets its own bytes


def build_scan(path: Path, pages: int, kind: str, quality: int = 88) -> Path:
    """A letter-size 300-dpi scan: grey JPEG pages, or 1-bit Flate pages (kind='bw')."""
    if path.exists():
        return path
    w, h = round(PAGE_IN[0] * DPI), round(PAGE_IN[1] * DPI)
    bases = [fitpdfs.page_image("grey" if kind == "grey" else "bw", w, h, s)
             for s in range(DISTINCT)]
    pdf = pikepdf.new()
    rng = random.Random(5)
    for n in range(pages):
        im = bases[n % DISTINCT].copy()
        ImageDraw.Draw(im).text((w - 400, h - 150), f"page {n + 1} {rng.random():.6f}", fill=0)
        if kind == "bw":
            im = im.convert("1", dither=Image.Dither.NONE)
        xobj = fitpdfs.image_xobject(pdf, im, jpeg_quality=quality)
        fitpdfs._image_page(pdf, xobj, PAGE_IN[0] * 72, PAGE_IN[1] * 72)
    pdf.save(path)
    return path


def gs(src: Path, dst: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        ["gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-sDEVICE=pdfwrite",
         "-dPDFSETTINGS=/ebook", f"-sOutputFile={dst}", str(src)],
        check=True,
    )
    return time.perf_counter() - start


def page_images(path: Path, pages: list[int]) -> list[Image.Image]:
    with pikepdf.open(path) as pdf:
        out = []
        for i in pages:
            img = next(iter(pdf.pages[i].get_images().values()))
            out.append(pikepdf.PdfImage(img).as_pil_image().convert("L"))
        return out


def psnr(reference: list[Image.Image], other: list[Image.Image]) -> float:
    values = []
    for a, b in zip(reference, other, strict=True):
        diff = ImageChops.difference(a, b.resize(a.size, Image.Resampling.BICUBIC))
        rms = ImageStat.Stat(diff).rms[0]
        values.append(99.0 if rms == 0 else 20 * math.log10(255 / rms))
    return sum(values) / len(values)


def ours_downsample(src: Path, dst: Path, dpi: int) -> float:
    start = time.perf_counter()
    with pikepdf.open(src) as pdf:
        compress.downsample_images(pdf, target_dpi=dpi, min_dpi=dpi)
        compress.save_pdf(pdf, dst)
    return time.perf_counter() - start


def ours_bitonal(src: Path, dst: Path) -> float:
    start = time.perf_counter()
    with pikepdf.open(src) as pdf:
        compress.bitonal_images(pdf)
        compress.save_pdf(pdf, dst)
    return time.perf_counter() - start


def line(label: str, ours: float, peer: float, unit: str, better: str) -> None:
    ratio = ours / peer if peer else float("inf")
    print(f"  {label:<28} ours {ours:10.2f} {unit:<3} peer {peer:10.2f} {unit:<3} "
          f"ratio {ratio:6.3f} ({better})")


def bench_grey(grey: Path) -> None:
    print(f"(a) grey scan {grey.stat().st_size / MB:.1f} MB -> 150 dpi vs gs /ebook")
    ours_path, gs_path = OUT / "a-ours.pdf", OUT / "a-gs.pdf"
    t_ours = ours_downsample(grey, ours_path, 150)
    t_gs = gs(grey, gs_path)
    with pikepdf.open(grey) as pdf:
        count = len(pdf.pages)
    sample = sorted({0, count // 3, count // 2, count - 1})
    ref = page_images(grey, sample)
    p_ours = psnr(ref, page_images(ours_path, sample))
    p_gs = psnr(ref, page_images(gs_path, sample))
    line("size", ours_path.stat().st_size / MB, gs_path.stat().st_size / MB, "MB", "<= 1 wanted")
    line("PSNR vs original", p_ours, p_gs, "dB", ">= 1 wanted")
    line("time", t_ours, t_gs, "s", "<= 0.5 wanted")


def bench_bw(bw: Path) -> None:
    print(f"(b) black-and-white scan {bw.stat().st_size / MB:.1f} MB vs gs /ebook")
    ours_path, gs_path = OUT / "b-ours.pdf", OUT / "b-gs.pdf"
    t_ours = ours_bitonal(bw, ours_path)
    t_gs = gs(bw, gs_path)
    line("size", ours_path.stat().st_size / MB, gs_path.stat().st_size / MB, "MB", "<= 1 wanted")
    line("time", t_ours, t_gs, "s", "info")
    with pikepdf.open(bw) as pdf:
        count = len(pdf.pages)
    sample = [0, count - 1]
    ref = page_images(bw, sample)
    same = all(
        ImageChops.difference(a, b).getbbox() is None
        for a, b in zip(ref, page_images(ours_path, sample), strict=True)
    )
    print(f"  ours pixel-identical to the 1-bit input: {same}")


def bench_split(scan: Path) -> None:
    size = scan.stat().st_size
    with pikepdf.open(scan) as pdf:
        pages = len(pdf.pages)
    print(f"(c) split a {size / MB:.1f} MB, {pages}-page scan vs qpdf --split-pages")
    for limit_mb in (10, 25, 35):
        limit = limit_mb * MB
        folder = OUT / f"c-{limit_mb}"
        shutil.rmtree(folder, ignore_errors=True)
        start = time.perf_counter()
        parts = split_to_limit(scan, folder / "ours", limit)
        t_ours = time.perf_counter() - start
        per = math.ceil(pages / len(parts))
        (folder / "qpdf").mkdir(parents=True)
        start = time.perf_counter()
        subprocess.run(["qpdf", f"--split-pages={per}", str(scan), str(folder / "qpdf" / "p.pdf")],
                       check=True)
        t_qpdf = time.perf_counter() - start
        q_sizes = [p.stat().st_size for p in (folder / "qpdf").iterdir()]
        bound = math.ceil(size / limit) + 1
        largest = max(p.bytes for p in parts)
        print(f"  {limit_mb} MB: ours {len(parts)} parts (bound {bound}), largest "
              f"{largest / MB:.2f} MB, all under: {all(p.bytes <= limit for p in parts)}; "
              f"qpdf {len(q_sizes)} parts, largest {max(q_sizes) / MB:.2f} MB, "
              f"over the limit: {sum(s > limit for s in q_sizes)}")
        line(f"time at {limit_mb} MB", t_ours, t_qpdf, "s", "<= 1 wanted")
        shutil.rmtree(folder, ignore_errors=True)


def bench_letterhead() -> None:
    src = OUT / "letterhead.pdf"
    if not src.exists():
        fitpdfs.text_pdf(src, pages=1000, letterhead_kb=350, words_per_page=1300)
    size = src.stat().st_size
    folder = OUT / "d"
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    result = fit_pdf(src, folder, limit_bytes=int(1.5 * MB))
    elapsed = time.perf_counter() - start
    start = time.perf_counter()
    parts = split_to_limit(src, folder / "split-only", int(1.5 * MB))
    t_split = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run(["qpdf", f"--split-pages={math.ceil(1000 / len(parts))}", str(src),
                    str(folder / "q.pdf")], check=True)
    t_qpdf = time.perf_counter() - start
    sizes = [p.bytes / MB for p in result.parts]
    print(f"(d) 1,000-page letterhead {size / MB:.2f} MB at 1.5 MB: {len(result.parts)} parts "
          f"(at most 3 wanted), sizes {', '.join(f'{s:.3f}' for s in sizes)} MB, all under: "
          f"{all(p.bytes <= 1.5 * MB for p in result.parts)}; fit incl. verify {elapsed:.2f} s")
    line("split time", t_split, t_qpdf, "s", "info")
    shutil.rmtree(folder, ignore_errors=True)


def bench_memory(big: Path) -> None:
    script = (
        "import json, sys, time\n"
        "from pathlib import Path\n"
        "sys.path.insert(0, sys.argv[3])\n"
        "from intake_desktop.core.pdf.fit import fit_pdf\n"
        "t = time.perf_counter()\n"
        "r = fit_pdf(Path(sys.argv[1]), Path(sys.argv[2]), limit_bytes=35_000_000)\n"
        "status = Path('/proc/self/status').read_text()\n"  # own peak, not the parent's
        "peak = int(status.split('VmHWM:')[1].split()[0]) / 1024\n"
        "print(json.dumps({'ok': r.ok, 'parts': len(r.parts), 'actions': r.actions,\n"
        "                  'peak_mb': peak, 'seconds': time.perf_counter() - t}))\n"
    )
    folder = OUT / "e"
    shutil.rmtree(folder, ignore_errors=True)
    proc = subprocess.run([sys.executable, "-c", script, str(big), str(folder), str(REPO)],
                          capture_output=True, text=True, check=True)
    report = json.loads(proc.stdout)
    print(f"(e) fit a {big.stat().st_size / MB:.0f} MB scan at 35 MB: ok {report['ok']}, "
          f"{report['parts']} parts, actions {report['actions']}, peak memory "
          f"{report['peak_mb']:.0f} MB (at most 600 wanted), {report['seconds']:.1f} s")
    shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--skip-1gb", action="store_true")
    args = parser.parse_args()
    for tool in ("gs", "qpdf"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (apt-get install ghostscript qpdf)")
            return 1
    OUT.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    grey = build_scan(OUT / f"grey-{args.pages}.pdf", args.pages, "grey")
    bw = build_scan(OUT / f"bw-{args.pages}.pdf", args.pages, "bw")
    print(f"generated inputs in {time.perf_counter() - t:.0f} s")
    bench_grey(grey)
    bench_bw(bw)
    bench_split(grey)
    bench_letterhead()
    if not args.skip_1gb:
        big = build_scan(OUT / "grey-1gb.pdf", 880, "grey")
        bench_memory(big)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

