"""Images to PDF: lossless where the PDF format allows (img2pdf), EXIF orientation honoured,
one page per image or frame (multi-page TIFF, animated GIF, HEIC sequences)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import img2pdf
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from intake_desktop.core.convert.base import (
    FLAG_CORRUPT,
    FLAG_OVER_LIMIT,
    ConversionError,
    Converted,
    ConvertLimits,
    CpuBudget,
)
from intake_desktop.core.convert.facts import date_from_exif, put

# Formats img2pdf embeds without decoding (JPEG bytes are copied as they are).
IMG2PDF_NATIVE = frozenset({"JPEG", "PNG", "TIFF", "GIF", "JPEG2000", "MPO"})
# Orientations img2pdf can express as a page /Rotate (no mirroring).
ROTATE_ONLY = frozenset({1, 3, 6, 8})
# Formats a PDF cannot hold: re-encoded as high-quality JPEG (photos) or PNG.
PHOTO_FORMATS = frozenset({"HEIF", "HEIC", "AVIF"})
JPEG_QUALITY = 95
CORRUPT_FIX = "ask the sender for the picture again; the file as received is kept in Review/"

EXIF_ORIENTATION = 0x0112
EXIF_DATETIME = 0x0132
EXIF_IFD = 0x8769
EXIF_DATETIME_ORIGINAL = 0x9003


@dataclass(frozen=True)
class ImageInfo:
    format: str
    frames: int
    orientation: int
    capture_date: str | None


def register_formats() -> None:
    """Let Pillow open HEIC/HEIF (phone photos). Idempotent; the preparer calls it once."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:  # pragma: no cover - declared dependency
        return
    register_heif_opener()


def _open(path: Path, mime: str) -> Image.Image:
    """Open lazily (header only); our own pixel cap is checked before any decoding."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ConversionError(
            f"the image is too large to open safely ({exc})", path=path,
            flags=(FLAG_OVER_LIMIT,), detected_type=mime,
            fix="check the file by hand; kept in Review/",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ConversionError(
            f"damaged or unreadable image ({exc.__class__.__name__}: {exc})",
            path=path, flags=(FLAG_CORRUPT,), detected_type=mime, fix=CORRUPT_FIX,
        ) from None


def _check_frames(frames: int, path: Path, mime: str, limits: ConvertLimits) -> None:
    if frames > limits.max_frames:
        raise ConversionError(
            f"the image has {frames} frames, more than the limit of {limits.max_frames}",
            path=path, flags=(FLAG_OVER_LIMIT,), detected_type=mime,
            fix="split it with an image tool or raise the limit; kept in Review/",
        )


def _check_pixels(size: tuple[int, int], path: Path, mime: str, limits: ConvertLimits) -> None:
    w, h = size
    if w * h > limits.max_image_pixels:
        raise ConversionError(
            f"the image is {w}x{h} pixels, more than the limit of "
            f"{limits.max_image_pixels:,} (possible decompression bomb)",
            path=path, flags=(FLAG_OVER_LIMIT,), detected_type=mime,
            fix="check the file by hand; kept in Review/",
        )


def check_header(path: Path, mime: str, limits: ConvertLimits) -> None:
    """Frame count and every frame's pixel size, from the headers (nothing decoded)."""
    im = _open(path, mime)
    with im:
        frames = int(getattr(im, "n_frames", 1) or 1)
        _check_frames(frames, path, mime, limits)
        try:
            for index in range(frames):
                im.seek(index)
                _check_pixels(im.size, path, mime, limits)
        except (OSError, EOFError, ValueError, SyntaxError):
            return  # damage is reported by the full inspection


def inspect_image(path: Path, mime: str, limits: ConvertLimits,
                  budget: CpuBudget | None = None) -> ImageInfo:
    """Check every frame decodes (JPEG at 1/8 scale), within the pixel and frame caps
    and the processor-time budget (checked after each frame)."""
    im = _open(path, mime)
    with im:
        fmt = (im.format or "").upper()
        frames = int(getattr(im, "n_frames", 1) or 1)
        _check_frames(frames, path, mime, limits)
        exif = im.getexif()
        orientation = int(exif.get(EXIF_ORIENTATION, 1) or 1)
        taken = exif.get_ifd(EXIF_IFD).get(EXIF_DATETIME_ORIGINAL) or exif.get(EXIF_DATETIME)
        try:
            for frame in ImageSequence.Iterator(im):
                _check_pixels(frame.size, path, mime, limits)
                w, h = frame.size
                if fmt == "JPEG" or fmt == "MPO":
                    frame.draft("RGB", (max(1, w // 8), max(1, h // 8)))
                frame.load()
                if budget is not None:
                    budget.check()
        except ConversionError:
            raise
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
            raise ConversionError(
                f"damaged image, the picture data cannot be decoded ({exc})",
                path=path, flags=(FLAG_CORRUPT,), detected_type=mime, fix=CORRUPT_FIX,
            ) from None
    return ImageInfo(
        format=fmt, frames=frames, orientation=orientation if 1 <= orientation <= 8 else 1,
        capture_date=date_from_exif(str(taken) if taken else None),
    )


def _reencode(path: Path, info: ImageInfo, workdir: Path,
              budget: CpuBudget) -> tuple[list[Path], bool]:
    """Decode, apply EXIF orientation, write each frame as PNG (or JPEG for camera formats).
    Returns (frame files, lossy)."""
    lossy = info.format in PHOTO_FORMATS
    out: list[Path] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        im = Image.open(path)  # within the pixel cap: checked by inspect_image
    with im:
        for n, frame in enumerate(ImageSequence.Iterator(im)):
            page = ImageOps.exif_transpose(frame)
            if page.mode not in ("RGB", "L", "1"):
                if "A" in page.getbands() or page.mode == "P":
                    rgba = page.convert("RGBA")
                    flat = Image.new("RGB", rgba.size, "white")
                    flat.paste(rgba, mask=rgba.getchannel("A"))
                    page = flat
                else:
                    page = page.convert("RGB")
            if lossy:
                target = workdir / f"frame-{n:04d}.jpg"
                page.save(target, "JPEG", quality=JPEG_QUALITY, subsampling=0)
            else:
                target = workdir / f"frame-{n:04d}.png"
                page.save(target, "PNG", compress_level=1)
            out.append(target)
            budget.check()
    return out, lossy


def _pdf_pages(data: bytes) -> int:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def image_to_pdf(
    path: Path, mime: str, workdir: Path, limits: ConvertLimits
) -> Converted:
    """Convert in a child process under the processor-time and memory limits (the
    header checks run here first, so a refused image costs no process)."""
    from intake_desktop.core.convert.limited import run_limited

    check_header(path, mime, limits)

    return run_limited(_image_to_pdf, (path, mime, workdir, limits),
                       cpu_seconds=limits.cpu_seconds,
                       address_space=limits.convert_address_space,
                       what="converting the image", path=path, mime=mime)


def _image_to_pdf(
    path: Path, mime: str, workdir: Path, limits: ConvertLimits
) -> Converted:
    budget = CpuBudget(limits.cpu_seconds, path=path, mime=mime,
                       what="converting the image")
    info = inspect_image(path, mime, limits, budget)
    if info.frames > 1:
        # Converting costs at least decoding again plus encoding: stop before starting
        # work that cannot be interrupted and would overrun the budget.
        budget.check(projected=3.0)
    dest = workdir / "converted.pdf"
    method = "embedded"
    lossy = False
    native = info.format in IMG2PDF_NATIVE and info.orientation in ROTATE_ONLY
    data: bytes | None = None
    if native:
        try:
            data = img2pdf.convert(str(path), rotation=img2pdf.Rotation.ifvalid)
        except (img2pdf.AlphaChannelError, img2pdf.ImageOpenError, ValueError, OSError):
            data = None  # e.g. an alpha channel or a palette img2pdf refuses: decode
        if data is not None and _pdf_pages(data) != info.frames:
            data = None  # img2pdf took only the first frame (e.g. an animated GIF)
    if data is None:
        frames_dir = workdir / "frames"
        frames_dir.mkdir(exist_ok=True)
        frames, lossy = _reencode(path, info, frames_dir, budget)
        data = img2pdf.convert([str(f) for f in frames])
        method = "decoded, oriented and re-encoded as " + ("JPEG q95" if lossy else "PNG")
    dest.write_bytes(data)
    del data
    from intake_desktop.core.convert.pdfcheck import page_count

    pages = page_count(dest)
    result = Converted(pdf=dest)
    conversion: dict[str, Any] = {
        "tool": "img2pdf",
        "tool_version": img2pdf.__version__,
        "from_type": mime,
        "to_type": "application/pdf",
        "pages": pages,
        "method": method,
        "lossless": not lossy,
        "exif_orientation": info.orientation,
    }
    result.conversions.append(conversion)
    put(result.facts, "page_count", pages)
    put(result.facts, "capture_date", info.capture_date)
    return result
