"""The compression ladder on generated scans: downsampling, bitonal G4, safety, bombs."""

from __future__ import annotations

import hashlib
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Name
from PIL import Image, ImageChops, ImageStat

from intake_desktop.core.pdf import compress
from intake_desktop.core.pdf.fit import fit_pdf
from tests import fitpdfs

REPO = Path(__file__).resolve().parents[3]
SIZE_IN = (4.0, 5.0)  # small pages keep the tests fast; 300 dpi = 1200 x 1500 pixels


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def images_of(path: Path) -> list[pikepdf.Object]:
    with pikepdf.open(path) as pdf:
        return [pikepdf.PdfImage(img) for page in pdf.pages for img in page.get_images().values()]


def first_image(path: Path) -> tuple[dict[str, object], Image.Image]:
    with pikepdf.open(path) as pdf:
        obj = next(iter(pdf.pages[0].get_images().values()))
        info = {
            "filter": str(obj.get(Name.Filter)),
            "w": int(obj.Width),
            "h": int(obj.Height),
            "bpc": int(obj.BitsPerComponent),
            "cs": str(obj.ColorSpace),
        }
        return info, pikepdf.PdfImage(obj).as_pil_image()


def psnr(a: Image.Image, b: Image.Image) -> float:
    diff = ImageChops.difference(a.convert("L"), b.convert("L").resize(a.size))
    rms = ImageStat.Stat(diff).rms[0]
    return 99.0 if rms == 0 else 20 * math.log10(255 / rms)


@pytest.mark.parametrize(("kind", "cs"), [("grey", "/DeviceGray"), ("colour", "/DeviceRGB")])
def test_scan_is_downsampled_only_as_far_as_the_limit_needs(
    tmp_path: Path, kind: str, cs: str
) -> None:
    src = fitpdfs.scan_pdf(tmp_path / f"{kind}.pdf", pages=4, kind=kind, size_in=SIZE_IN)
    before = sha(src)
    _, original = first_image(src)
    limit = int(src.stat().st_size * 0.7)
    result = fit_pdf(src, tmp_path / "out", limit_bytes=limit)
    assert result.ok, result.reason
    assert "downsampled" in result.actions
    assert "bitonal" not in result.actions and "split" not in result.actions
    assert len(result.parts) == 1 and result.parts[0].bytes <= limit
    info, image = first_image(result.parts[0].path)
    # 250 dpi on a 4 x 5 inch page: the highest step of the ladder (300, 250, 200) that
    # fits; 200 dpi would fit too but loses more (issue 22 item 7).
    assert (info["w"], info["h"]) == (1000, 1250)
    assert "pages 1-4: 300 to 250 dpi" in result.changes
    assert info["filter"] == "/DCTDecode" and info["cs"] == cs and info["bpc"] == 8
    assert psnr(original, image) > 25
    assert sha(src) == before
    with pikepdf.open(result.parts[0].path) as pdf:
        assert len(pdf.pages) == 4


def test_black_and_white_scan_becomes_ccitt_g4_at_300_dpi(tmp_path: Path) -> None:
    src = fitpdfs.scan_pdf(tmp_path / "bw.pdf", pages=3, kind="bw", size_in=SIZE_IN)
    _, original = first_image(src)
    limit = int(src.stat().st_size * 0.25)  # more than 200-dpi JPEG can give
    result = fit_pdf(src, tmp_path / "out", limit_bytes=limit)
    assert result.ok, result.reason
    assert "bitonal" in result.actions and "split" not in result.actions
    info, image = first_image(result.parts[0].path)
    assert info["filter"] == "/CCITTFaxDecode" and info["bpc"] == 1
    assert (info["w"], info["h"]) == (1200, 1500)  # never below 300 dpi for bitonal
    # Same picture: black text on white (not inverted), pixels agree with a threshold.
    threshold = original.convert("L").point(lambda v: 255 if v >= 128 else 0)
    agree = 1 - ImageStat.Stat(ImageChops.difference(threshold, image.convert("L"))).mean[0] / 255
    assert agree > 0.99
    assert ImageStat.Stat(image.convert("L")).mean[0] > 200


def test_one_bit_scan_g4_is_lossless_and_smaller(tmp_path: Path) -> None:
    src = fitpdfs.scan_pdf(tmp_path / "fax.pdf", pages=2, kind="bw", one_bit=True,
                           size_in=SIZE_IN)
    _, original = first_image(src)
    with pikepdf.open(src) as pdf:
        stats = compress.bitonal_images(pdf)
        out = tmp_path / "g4.pdf"
        compress.save_pdf(pdf, out)
    assert stats.replaced == 2 and stats.bytes_after < stats.bytes_before
    info, image = first_image(out)
    assert info["filter"] == "/CCITTFaxDecode"
    assert ImageChops.difference(original.convert("L"), image.convert("L")).getbbox() is None


def test_photo_page_is_not_made_bitonal(tmp_path: Path) -> None:
    src = fitpdfs.scan_pdf(tmp_path / "grey.pdf", pages=1, kind="grey", size_in=SIZE_IN)
    with pikepdf.open(src) as pdf:
        assert compress.bitonal_images(pdf).replaced == 0


def test_unsafe_images_are_left_alone(tmp_path: Path) -> None:
    """An image with a soft mask, and one already small, keep their exact bytes."""
    src = fitpdfs.scan_pdf(tmp_path / "masked.pdf", pages=2, kind="grey", size_in=SIZE_IN)
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        image = next(iter(pdf.pages[0].get_images().values()))
        image.SMask = pdf.make_stream(b"\xff" * 16, Type=Name.XObject, Subtype=Name.Image,
                                      Width=4, Height=4, ColorSpace=Name.DeviceGray,
                                      BitsPerComponent=8)
        pdf.save(src)
    with pikepdf.open(src) as pdf:
        raw = [bytes(next(iter(p.get_images().values())).read_raw_bytes()) for p in pdf.pages]
        stats = compress.downsample_images(pdf, target_dpi=200)
        after = [bytes(next(iter(p.get_images().values())).read_raw_bytes()) for p in pdf.pages]
    assert stats.replaced == 1
    assert after[0] == raw[0] and after[1] != raw[1]
    tiny = Image.new("L", (1200, 1500), 255)
    buf = io.BytesIO()
    tiny.save(buf, format="JPEG", quality=5)
    pdf = pikepdf.new()
    xobj = pdf.make_stream(buf.getvalue(), Type=Name.XObject, Subtype=Name.Image, Width=1200,
                           Height=1500, ColorSpace=Name.DeviceGray, BitsPerComponent=8,
                           Filter=Name.DCTDecode)
    fitpdfs._image_page(pdf, xobj, 288, 360)
    stats = compress.downsample_images(pdf, target_dpi=200)
    assert stats.replaced == 0 or stats.bytes_after < stats.bytes_before


def test_dpi_is_measured_from_the_drawn_size(tmp_path: Path) -> None:
    """The same 1200-pixel image drawn at 2 inches (600 dpi) and at 8 inches (150 dpi)."""
    pdf = pikepdf.new()
    im = fitpdfs.page_image("grey", 1200, 1200, 5)
    xobj = fitpdfs.image_xobject(pdf, im)
    fitpdfs._image_page(pdf, xobj, 144, 144)
    fitpdfs._image_page(pdf, xobj, 576, 576)
    infos = compress.collect_images(pdf)
    assert len(infos) == 1 and round(infos[0].dpi) == 600  # the finest use wins
    pdf2 = pikepdf.new()
    fitpdfs._image_page(pdf2, fitpdfs.image_xobject(pdf2, im), 576, 576)
    assert compress.downsample_images(pdf2, target_dpi=200).considered == 0


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("huge_image", "40000 x 40000 pixels on page 1"),
        ("image", "inflates beyond its declared 300 x 300 pixels"),
        ("content", "page content decodes to more than 64 MB"),
    ],
)
def test_decompression_bombs_stop_with_a_clear_error(
    tmp_path: Path, kind: str, message: str
) -> None:
    src = fitpdfs.bomb_pdf(tmp_path / f"{kind}.pdf", kind=kind, inflated=80 * 1024 * 1024)
    out = tmp_path / "out"
    result = fit_pdf(src, out, limit_bytes=10_000_000)
    assert not result.ok and result.parts == []
    assert message in result.reason and "decompression bomb" in result.reason
    assert list(out.iterdir()) == []


def test_bomb_memory_stays_bounded(tmp_path: Path) -> None:
    """A 1 MB file whose image data inflates to 1 GiB and one whose content inflates to
    300 MB: fit refuses both in a child process whose peak memory stays far below."""
    image = fitpdfs.bomb_pdf(tmp_path / "image.pdf", kind="image", inflated=1024**3)
    content = fitpdfs.bomb_pdf(tmp_path / "content.pdf", kind="content",
                               inflated=300 * 1024**2)
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from intake_desktop.core.pdf.fit import fit_pdf\n"
        "results = [fit_pdf(Path(p), Path(sys.argv[1]), limit_bytes=500_000).ok\n"
        "           for p in sys.argv[2:]]\n"
        # VmHWM is this process's own peak; ru_maxrss also counts the parent at fork.
        "status = Path('/proc/self/status').read_text()\n"
        "peak = int(status.split('VmHWM:')[1].split()[0]) // 1024\n"
        "print(json.dumps({'ok': results, 'peak_mb': peak}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "out"), str(image), str(content)],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=True,
    )
    report = json.loads(proc.stdout)
    assert report["ok"] == [False, False]
    assert report["peak_mb"] < 300, report  # 1 GiB would be decoded without the caps
