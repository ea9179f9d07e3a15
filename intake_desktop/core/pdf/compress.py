"""Compression steps for court fitting: lossless clean-up, image downsampling, bitonal CCITT G4.

Image-by-image safety (see engineering.md): the effective dpi comes from the content-stream
transform (the finest use wins); images with soft masks, masks, /Decode arrays, indexed,
CMYK, Lab or 16-bit data, and JBIG2/CCITT/JPX streams are left alone; an image is replaced
only when the new stream is smaller. Never lossy JBIG2. Decoded sizes are capped.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Name
from PIL import Image, ImageChops, ImageStat

from intake_desktop.core.pdf.streams import (
    DEFAULT_DECODE_CAP,
    DecodeCapError,
    bomb_error,
    bounded_decode,
    effective_dpi,
    filters_of,
    scan_page,
)
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress

MIN_DPI_COLOUR = 200  # never downsample grey or colour below this
MIN_DPI_BITONAL = 300  # courts ask for 300 dpi black and white
# Measured in bench/bench_fit.py on a 300-dpi grey scan taken to 150 dpi: quality 64 with
# optimized (baseline) Huffman tables is smaller than gs /ebook at a higher PSNR, in under
# half its time. Progressive JPEG (quality 65) is another 7% smaller but twice as slow.
JPEG_QUALITY = 64
PROGRESSIVE = False
JPEG_QUALITY_FLOOR = 50
DOWNSAMPLE_THRESHOLD = 1.15  # only touch images above target x this
# A pure black-and-white scan: few mid-tone pixels overall and no area dense with them.
MIDTONE_SHARE = 0.12
MIDTONE_TILE_SHARE = 0.25
_INVERT_LUT = [255 - v for v in range(256)]
_MIDTONE_LUT = [255 if 96 <= v < 160 else 0 for v in range(256)]
MIN_IMAGE_PIXELS = 64 * 64


class Cancelled(Exception):
    """The user cancelled; nothing was written."""


def check_cancel(cancel: CancelFlag | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled


@dataclass
class ImageInfo:
    """One image XObject with the highest dpi it is drawn at and the first page using it."""

    obj: pikepdf.Object
    dpi: float
    page: int
    pages: set[int] = field(default_factory=set)  # every page that draws it (1-based)


@dataclass(frozen=True)
class ImageChange:
    """One image re-encoded: the pages that show it, its dpi before and after, and how
    ("jpeg": downsampled grey/colour JPEG; "g4": black and white CCITT G4)."""

    pages: frozenset[int]
    dpi_before: float
    dpi_after: float
    kind: str
    colour: bool = False


@dataclass
class ImageStats:
    considered: int = 0
    replaced: int = 0
    bytes_before: int = 0
    bytes_after: int = 0
    changes: list[ImageChange] = field(default_factory=list)


def save_options() -> dict[str, object]:
    """How every output is written: object streams, compressed, filtered streams untouched.

    Filtered streams are never decoded on save (decode level none), so a decompression
    bomb cannot be inflated by the writer.
    """
    return {
        "object_stream_mode": pikepdf.ObjectStreamMode.generate,
        "compress_streams": True,
        "stream_decode_level": pikepdf.StreamDecodeLevel.none,
        "recompress_flate": False,
    }


def save_pdf(pdf: pikepdf.Pdf, path: Path) -> int:
    """Save with the standard options; returns the size in bytes."""
    pdf.save(path, **save_options())  # type: ignore[arg-type]
    return path.stat().st_size


def dedupe_streams(pdf: pikepdf.Pdf) -> int:
    """Point references to byte-identical streams at one copy; returns copies dropped.

    Typical win: a letterhead image embedded again on every page.
    """
    first: dict[bytes, pikepdf.Object] = {}
    replace: dict[tuple[int, int], pikepdf.Object] = {}
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        if obj.get(Name.Type) in (Name.XRef, Name.ObjStm) or obj.get(Name.Type) == Name.Metadata:
            continue
        digest = hashlib.sha256()
        digest.update(
            pikepdf.Dictionary({k: v for k, v in obj.stream_dict.items() if k != "/Length"})
            .unparse(resolved=True)
        )
        digest.update(obj.read_raw_bytes())
        key = digest.digest()
        keeper = first.setdefault(key, obj)
        if keeper.objgen != obj.objgen:
            replace[obj.objgen] = keeper
    if not replace:
        return 0
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            _relink(obj.stream_dict, replace, 0)
        elif isinstance(obj, pikepdf.Dictionary | pikepdf.Array):
            _relink(obj, replace, 0)
    return len(replace)


def _relink(
    container: pikepdf.Object, replace: dict[tuple[int, int], pikepdf.Object], depth: int
) -> None:
    if depth > 32:
        return
    keys: list[Any]
    if isinstance(container, pikepdf.Array):
        keys = list(range(len(container)))
    elif isinstance(container, pikepdf.Dictionary):
        keys = list(container.keys())
    else:
        return
    for key in keys:
        item = container[key]
        if not isinstance(item, pikepdf.Object):
            continue
        if item.is_indirect:
            if item.objgen in replace:
                container[key] = replace[item.objgen]
        elif isinstance(item, pikepdf.Dictionary | pikepdf.Array):
            _relink(item, replace, depth + 1)


def lossless(pdf: pikepdf.Pdf) -> list[str]:
    """Drop duplicate streams and unused resources (object streams are added on save)."""
    actions = []
    if dedupe_streams(pdf):
        actions.append("removed_duplicate_objects")
    pdf.remove_unreferenced_resources()
    return actions


def collect_images(pdf: pikepdf.Pdf, cap: int = DEFAULT_DECODE_CAP) -> list[ImageInfo]:
    """Every image XObject drawn on a page, with its highest effective dpi."""
    found: dict[tuple[int, int], ImageInfo] = {}
    for number, page in enumerate(pdf.pages, 1):
        for use in scan_page(pdf, page.obj, cap).images:
            w = int(use.image.get(Name.Width, 0))
            h = int(use.image.get(Name.Height, 0))
            dpi = effective_dpi(w, h, use.ctm)
            key = use.image.objgen
            info = found.get(key)
            if info is None:
                info = found[key] = ImageInfo(use.image, dpi, number)
            elif dpi > info.dpi:
                info.dpi = dpi
            info.pages.add(number)
    return list(found.values())


def find_image_bombs(
    pdf: pikepdf.Pdf, cap: int = DEFAULT_DECODE_CAP, images: list[ImageInfo] | None = None
) -> list[str]:
    """Images whose declared or actual decoded size is over the cap (memory stays bounded).

    Deflate expands at most about 1032:1, so only streams that could hold more than their
    declared pixels are inflated, and never beyond the declared size.
    """
    problems = []
    for info in images if images is not None else collect_images(pdf, cap):
        w, h = _dims(info.obj)
        bpc = int(info.obj.get(Name.BitsPerComponent, 8) or 8)
        mode = _colour_mode(info.obj)
        bands = 3 if mode == "RGB" else (4 if info.obj.get(Name.ColorSpace) == Name.DeviceCMYK
                                         else 1)
        expected = (w * bpc * bands + 7) // 8 * h
        try:
            if expected > cap:
                raise bomb_error(f"an image of {w} x {h} pixels", cap, info.page)
            if filters_of(info.obj) == ["/FlateDecode"]:
                raw_len = len(info.obj.read_raw_bytes())
                if raw_len * 1032 > expected + 4096:
                    try:
                        bounded_decode(info.obj, expected + 4096, what="an image")
                    except DecodeCapError:
                        raise DecodeCapError(
                            f"the image data on page {info.page} inflates beyond its declared "
                            f"{w} x {h} pixels (a decompression bomb or a damaged file)"
                        ) from None
        except DecodeCapError as exc:
            problems.append(exc.what)
    return problems


def _colour_mode(image: pikepdf.Object) -> str | None:
    """PIL mode for an 8-bit grey/RGB image we may rewrite, or None to leave it alone."""
    cs = image.get(Name.ColorSpace)
    if cs == Name.DeviceGray:
        return "L"
    if cs == Name.DeviceRGB:
        return "RGB"
    if isinstance(cs, pikepdf.Array) and len(cs) == 2 and cs[0] == Name.ICCBased:
        n = int(cs[1].get(Name.N, 0))
        return {1: "L", 3: "RGB"}.get(n)
    return None


def _safe_kind(image: pikepdf.Object) -> str | None:
    """'dct', 'flate' or 'raw' for images we know how to rewrite safely; None to skip."""
    for key in (Name.SMask, Name.Mask, Name.Decode, Name.SMaskInData, Name.Alternates):
        if key in image:
            return None
    if image.get(Name.ImageMask, False):
        return None
    filters = filters_of(image)
    if filters == ["/DCTDecode"]:
        return "dct"
    if filters == ["/FlateDecode"]:
        return "flate"
    if not filters:
        return "raw"
    return None


def _dims(image: pikepdf.Object) -> tuple[int, int]:
    return int(image.get(Name.Width, 0)), int(image.get(Name.Height, 0))


def _write_jpeg(im: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=quality, optimize=True, progressive=PROGRESSIVE)
    return buf.getvalue()


def _replace(image: pikepdf.Object, data: bytes, *, filt: pikepdf.Name,
             parms: pikepdf.Dictionary | None, size: tuple[int, int], bpc: int,
             colour_space: pikepdf.Object) -> None:
    """Swap in new image data and reset every key that describes it."""
    image.write(data, filter=filt, decode_parms=parms)
    image.Width = size[0]
    image.Height = size[1]
    image.BitsPerComponent = bpc
    image.ColorSpace = colour_space
    for key in (Name.Decode, Name.Interpolate):
        if key in image:
            del image[key]


@dataclass
class _Job:
    """One image to re-encode: what the worker thread needs, read here (pikepdf is not
    thread-safe), and where the result goes."""

    info: ImageInfo
    mode: str
    kind: str
    data: bytes  # JPEG bytes for "dct", decoded pixels otherwise
    size: tuple[int, int]  # target pixels
    old: int  # current stream length


def _fetch(info: ImageInfo, mode: str, kind: str, size: tuple[int, int], cap: int) -> _Job:
    """Read an image's data within the cap (declared pixels, then actual inflated bytes)."""
    image = info.obj
    w, h = _dims(image)
    bands = 1 if mode in ("L", "1") else 3
    bits = 1 if mode == "1" else 8
    expected = (w * bits + 7) // 8 * h * bands
    if w <= 0 or h <= 0 or expected > cap:
        raise bomb_error(f"an image of {w} x {h} pixels", cap, info.page)
    raw = bytes(image.read_raw_bytes())
    if kind == "dct":
        return _Job(info, mode, kind, raw, size, len(raw))
    data = bounded_decode(image, expected + 4096, what="an image")
    if len(data) < expected:
        raise ValueError("image data shorter than its dimensions")
    return _Job(info, mode, kind, data[:expected], size, len(raw))


def _open(job: _Job, cap: int) -> Image.Image:
    """Pixels of a job (JPEG decoded at reduced scale when the target is smaller)."""
    w, h = _dims(job.info.obj)
    if job.kind != "dct":
        return Image.frombytes(job.mode, (w, h), job.data)
    im = Image.open(io.BytesIO(job.data))
    if im.size[0] * im.size[1] * len(im.getbands()) > cap:
        raise bomb_error(f"an image of {im.size[0]} x {im.size[1]} pixels", cap, job.info.page)
    if im.mode == "CMYK":
        raise ValueError("CMYK JPEG")
    im.draft(job.mode, job.size)
    return im.convert(job.mode) if im.mode != job.mode else im


def _in_threads(
    candidates: list[tuple[ImageInfo, str, str, tuple[int, int]]],
    work: Callable[[_Job], object],
    apply: Callable[[_Job, Any], None],
    cap: int,
    label: str,
    on_progress: ProgressCallback,
    cancel: CancelFlag | None,
) -> None:
    """Run `work` on each image in a small thread pool (Pillow releases the GIL while it
    decodes, resizes and encodes); reading and writing the PDF stays on this thread. At
    most a few images are held in memory at once."""
    workers = max(1, min(4, os.cpu_count() or 1))
    window = workers * 2
    queue: deque[tuple[_Job, Future[object]]] = deque()
    items = iter(candidates)
    done = 0

    def submit_one(pool: ThreadPoolExecutor) -> bool:
        for info, mode, kind, size in items:
            try:
                job = _fetch(info, mode, kind, size, cap)
            except (ValueError, OSError):
                continue  # damaged image data: leave the image as it is
            queue.append((job, pool.submit(work, job)))
            return True
        return False

    with ThreadPoolExecutor(max_workers=workers) as pool:
        while len(queue) < window and submit_one(pool):
            pass
        while queue:
            check_cancel(cancel)
            job, future = queue.popleft()
            result = future.result()
            if result is not None:
                apply(job, result)
            done += 1
            on_progress(done, len(candidates), label)
            submit_one(pool)


def downsample_images(
    pdf: pikepdf.Pdf,
    *,
    target_dpi: int,
    quality: int = JPEG_QUALITY,
    min_dpi: int = MIN_DPI_COLOUR,
    colour_min_dpi: int | None = None,
    cap: int = DEFAULT_DECODE_CAP,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
) -> ImageStats:
    """Re-encode grey and colour images drawn above `target_dpi` as JPEG at `target_dpi`.

    `target_dpi` is raised to `min_dpi` and `quality` to the floor; callers that know what
    they are doing (a benchmark at 150 dpi) may lower `min_dpi` explicitly. Colour images
    are never taken below `colour_min_dpi` (a court's colour resolution, Texas 600).
    """
    base_target = max(target_dpi, min_dpi)
    quality = max(quality, JPEG_QUALITY_FLOOR)
    stats = ImageStats()
    candidates = []
    for info in collect_images(pdf, cap):
        mode = _colour_mode(info.obj)
        kind = _safe_kind(info.obj)
        if mode is None or kind is None or int(info.obj.get(Name.BitsPerComponent, 0)) != 8:
            continue
        target = base_target
        if mode == "RGB" and colour_min_dpi:
            target = max(target, colour_min_dpi)
        w, h = _dims(info.obj)
        if w * h < MIN_IMAGE_PIXELS or info.dpi <= target * DOWNSAMPLE_THRESHOLD:
            continue
        scale = target / info.dpi
        candidates.append((info, mode, kind, (max(1, round(w * scale)), max(1, round(h * scale)))))
    stats.considered = len(candidates)

    def work(job: _Job) -> bytes | None:
        try:
            im = _open(job, cap)
            if im.size != job.size:
                im = im.resize(job.size, Image.Resampling.LANCZOS, reducing_gap=3.0)
            return _write_jpeg(im, quality)
        except (ValueError, OSError, Image.DecompressionBombError):
            return None

    def apply(job: _Job, data: bytes) -> None:
        stats.bytes_before += job.old
        if len(data) >= job.old:  # keep the original when the new one is not smaller
            stats.bytes_after += job.old
            return
        stats.bytes_after += len(data)
        w, _h = _dims(job.info.obj)
        stats.changes.append(ImageChange(
            frozenset(job.info.pages), job.info.dpi, job.info.dpi * job.size[0] / max(1, w),
            "jpeg", colour=job.mode == "RGB"))
        _replace(job.info.obj, data, filt=Name.DCTDecode, parms=None, size=job.size, bpc=8,
                 colour_space=job.info.obj.ColorSpace)
        stats.replaced += 1

    _in_threads(candidates, work, apply, cap, "downsampling images", on_progress, cancel)
    return stats


def _is_bitonal(im: Image.Image) -> bool:
    """True when a grey/colour scan is pure black and white (text, no photos, no colour)."""
    if im.mode == "RGB":
        r, g, b = im.split()
        chroma = max(
            ImageStat.Stat(ImageChops.difference(r, g)).mean[0],
            ImageStat.Stat(ImageChops.difference(g, b)).mean[0],
        )
        if chroma > 6:
            return False
        im = im.convert("L")
    mid = im.point(_MIDTONE_LUT)
    if ImageStat.Stat(mid).mean[0] / 255 > MIDTONE_SHARE:
        return False
    # Text edges spread mid-tones thinly; a photo or a grey fill concentrates them.
    tiles = mid.resize((16, 16), Image.Resampling.BOX)
    peak = tiles.getextrema()[1]
    return isinstance(peak, int | float) and peak <= MIDTONE_TILE_SHARE * 255


def encode_g4(im: Image.Image) -> tuple[bytes, bool]:
    """CCITT Group 4 bytes of a 1-bit image, and the /BlackIs1 flag that renders it right.

    The G4 code tables favour long white runs: the encoder codes 0 bits as white, so the
    paper must be the 0 bits. Pillow stores white as 1, hence the inversion.
    """
    inverted = im.convert("L").point(_INVERT_LUT).convert("1", dither=Image.Dither.NONE)
    buf = io.BytesIO()
    inverted.save(buf, format="TIFF", compression="group4", tiffinfo={278: im.size[1]})
    buf.seek(0)
    with Image.open(buf) as tif:
        tags = tif.tag_v2  # type: ignore[attr-defined]
        offsets = tags[273]
        counts = tags[279]
        photometric = int(tags.get(262, 0))
    if isinstance(offsets, tuple | list):
        if len(offsets) != 1:
            raise ValueError("TIFF written in several strips")
        offsets, counts = offsets[0], counts[0]
    raw = buf.getvalue()[int(offsets) : int(offsets) + int(counts)]
    # Ink is now the 1 bits: with MinIsBlack (Pillow's choice) the data says 1 = white,
    # so the PDF reader must be told that the coded black runs are ink (BlackIs1 false).
    return raw, photometric != 1


def bitonal_images(
    pdf: pikepdf.Pdf,
    *,
    target_dpi: int = MIN_DPI_BITONAL,
    min_dpi: int = MIN_DPI_BITONAL,
    cap: int = DEFAULT_DECODE_CAP,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
) -> ImageStats:
    """Re-encode black-and-white scans as CCITT G4 (lossless for 1-bit images).

    1-bit images are re-encoded as they are (downsampled only above `target_dpi`); grey or
    colour images whose pixels are almost all black or white are thresholded. Never JBIG2.
    """
    target = max(target_dpi, min_dpi)
    stats = ImageStats()
    candidates = []
    for info in collect_images(pdf, cap):
        kind = _safe_kind(info.obj)
        bpc = int(info.obj.get(Name.BitsPerComponent, 0))
        w, h = _dims(info.obj)
        if kind is None or w * h < MIN_IMAGE_PIXELS:
            continue
        if bpc == 1 and info.obj.get(Name.ColorSpace) == Name.DeviceGray:
            mode = "1"
        elif bpc == 8 and _colour_mode(info.obj) is not None:
            mode = str(_colour_mode(info.obj))
        else:
            continue
        scale = min(1.0, target / info.dpi) if info.dpi > target * DOWNSAMPLE_THRESHOLD else 1.0
        candidates.append((info, mode, kind, (max(1, round(w * scale)), max(1, round(h * scale)))))
    stats.considered = len(candidates)

    def work(job: _Job) -> tuple[bytes, bool, tuple[int, int]] | None:
        try:
            if job.mode != "1":
                # A quarter-scale look first: most grey pages are rejected without a full decode.
                w, h = _dims(job.info.obj)
                probe = _open(replace(job, size=(max(1, w // 4), max(1, h // 4))), cap)
                if not _is_bitonal(probe):
                    return None
            im = _open(job, cap)
            if job.mode != "1" and not _is_bitonal(im):
                return None
            if im.size != job.size:
                im = im.convert("L").resize(job.size, Image.Resampling.LANCZOS, reducing_gap=3.0)
            if im.mode != "1":
                im = im.convert("L").convert("1", dither=Image.Dither.NONE)
            data, black_is_1 = encode_g4(im)
            return data, black_is_1, im.size
        except (ValueError, OSError, Image.DecompressionBombError):
            return None

    def apply(job: _Job, result: tuple[bytes, bool, tuple[int, int]]) -> None:
        data, black_is_1, size = result
        stats.bytes_before += job.old
        if len(data) >= job.old:
            stats.bytes_after += job.old
            return
        stats.bytes_after += len(data)
        w, _h = _dims(job.info.obj)
        stats.changes.append(ImageChange(
            frozenset(job.info.pages), job.info.dpi, job.info.dpi * size[0] / max(1, w),
            "g4" if job.mode != "1" else "g4-recoded", colour=job.mode == "RGB"))
        parms = pikepdf.Dictionary(K=-1, Columns=size[0], Rows=size[1], BlackIs1=black_is_1)
        _replace(job.info.obj, data, filt=Name.CCITTFaxDecode, parms=parms, size=size, bpc=1,
                 colour_space=Name.DeviceGray)
        stats.replaced += 1

    _in_threads(candidates, work, apply, cap, "converting black-and-white scans", on_progress,
                cancel)
    return stats
