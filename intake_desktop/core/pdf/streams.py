"""Bounded stream decoding and content-stream walking (what is drawn where, at what scale).

Untrusted PDFs can hold a small stream that inflates to gigabytes. Everything here that
decodes a stream goes through `bounded_decode`, which inflates at most `cap` bytes and
raises `DecodeCapError` beyond that, so memory stays bounded.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pikepdf
from pikepdf import Name
from pypdf._codecs._codecs import LzwCodec
from pypdf.errors import LimitReachedError, PdfStreamError

from intake_desktop.core.errors import IntakeError

# Largest decoded stream or image we accept (bytes). Callers may pass their own.
DEFAULT_DECODE_CAP = 256 * 1024 * 1024
# Page content and forms are text and vector drawing: far smaller than images.
CONTENT_DECODE_CAP = 64 * 1024 * 1024
MAX_FORM_DEPTH = 12
INFLATE_STEP = 1024 * 1024
# Read files with plain reads, not a memory map: mapped pages of a 1 GB input would all
# count as resident memory once touched.
STREAM = pikepdf.AccessMode.stream

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
Parm = pikepdf.Dictionary | None  # one filter's /DecodeParms


class DecodeCapError(IntakeError):
    """A stream or image would decode to more than the cap (a decompression bomb)."""


def filters_of(stream: pikepdf.Object) -> list[str]:
    """The stream's filter names, in order ([] when unfiltered)."""
    value = stream.get(Name.Filter)
    if value is None:
        return []
    if isinstance(value, pikepdf.Array):
        return [str(v) for v in value]
    return [str(value)]


def _mb(size: int) -> str:
    return f"{size / 1024**2:.0f} MB" if size >= 1024**2 else f"{size / 1024:.0f} KB"


def bomb_error(what: str, cap: int, page: int | None = None) -> DecodeCapError:
    where = f" on page {page}" if page else ""
    return DecodeCapError(
        f"{what}{where} decodes to more than {_mb(cap)} "
        "(a decompression bomb or a damaged file); nothing was written for it",
        fix="ask the sender for a clean copy, or re-scan the paper original",
    )


def bounded_decode(
    stream: pikepdf.Object, cap: int = DEFAULT_DECODE_CAP, *, what: str = "a stream"
) -> bytes:
    """The decoded bytes of `stream`, refusing to inflate more than `cap` bytes.

    Every stage of a filter chain is bounded: Flate, LZW, RunLength, ASCIIHex and ASCII85
    are decoded here with a hard output limit, one stage at a time (a predictor is undone
    by qpdf only after the stage's inflated size was checked). Image codecs (DCT, JPX,
    CCITT, JBIG2), which qpdf passes through undecoded, end the chain as they are.
    """
    filters = filters_of(stream)
    data = bytes(stream.read_raw_bytes())
    if not filters:
        if len(data) > cap:
            raise bomb_error(what, cap)
        return data
    parms = _parms_of(stream, len(filters))
    for index, name in enumerate(filters):
        decoder = _DECODERS.get(name)
        if decoder is None:
            # Not a general-purpose filter: qpdf leaves image codecs encoded, so what it
            # returns is no larger than its input (checked all the same).
            data = _qpdf_decode(data, filters[index:], parms[index:])
            if len(data) > cap:
                raise bomb_error(what, cap)
            return data
        try:
            decoded = decoder(data, cap, what)
        except (zlib.error, ValueError, PdfStreamError):
            # damaged data: qpdf's tolerant decoder may recover it, bounded the same way
            decoded = _qpdf_stage(data, name, None, cap, what)
        parm = parms[index]
        if parm is not None and name in _PREDICTED and int(parm.get(Name.Predictor, 1)) > 1:
            # A predictor never makes data larger, and the inflated size was checked.
            decoded = _qpdf_stage(data, name, parm, cap, what)
        data = decoded
    return data


def _parms_of(stream: pikepdf.Object, count: int) -> list[Parm]:
    value = stream.get(Name.DecodeParms)
    if value is None:
        return [None] * count
    if isinstance(value, pikepdf.Array):
        out: list[Parm] = [
            v if isinstance(v, pikepdf.Dictionary) else None for v in value]
        return (out + [None] * count)[:count]
    return [value if isinstance(value, pikepdf.Dictionary) else None] + [None] * (count - 1)


def _qpdf_decode(data: bytes, filters: list[str],
                 parms: list[Parm]) -> bytes:
    """`data` decoded through `filters` by qpdf (in a scratch PDF of its own)."""
    with pikepdf.new() as scratch:
        holder = pikepdf.Stream(scratch, data)
        holder[Name.Filter] = pikepdf.Array([Name(f) for f in filters])
        if any(p is not None for p in parms):
            holder[Name.DecodeParms] = pikepdf.Array(
                [pikepdf.Dictionary(dict(p.items())) if p is not None else None
                 for p in parms])
        return bytes(holder.read_bytes())


def _qpdf_stage(data: bytes, name: str, parm: Parm, cap: int,
                what: str) -> bytes:
    """One stage decoded by qpdf, for data whose output was bounded another way (or a
    damaged stream: refused unless qpdf gets it under the cap)."""
    if name not in _PREDICTED and len(data) * _MAX_RATIO.get(name, 1) > cap:
        raise bomb_error(what, cap)
    if parm is None and len(data) * 1032 > cap:
        # Damaged Flate/LZW data that our decoder refused: qpdf's decode is unbounded,
        # so only input whose worst-case inflation fits the cap is handed to it.
        raise bomb_error(what, cap)
    out = _qpdf_decode(data, [name], [parm])
    if len(out) > cap:
        raise bomb_error(what, cap)
    return out


def _lzw(data: bytes, cap: int, what: str) -> bytes:
    try:
        return bytes(LzwCodec(max_output_length=cap).decode(data))
    except LimitReachedError:
        raise bomb_error(what, cap) from None


def _run_length(data: bytes, cap: int, what: str) -> bytes:
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        length = data[i]
        if length == 128:
            break
        if length < 128:
            out += data[i + 1:i + 2 + length]
            i += length + 2
        else:
            out += data[i + 1:i + 2] * (257 - length)
            i += 2
        if len(out) > cap:
            raise bomb_error(what, cap)
    return bytes(out)


def _ascii_hex(data: bytes, cap: int, what: str) -> bytes:
    text = b"".join(data.split()).split(b">", 1)[0]
    if len(text) % 2:
        text += b"0"
    return bytes.fromhex(text.decode("ascii"))


def _ascii85(data: bytes, cap: int, what: str) -> bytes:
    text = b"".join(data.split())
    text = text.removeprefix(b"<~").split(b"~>", 1)[0]
    if text.count(b"z") * 4 > cap:
        raise bomb_error(what, cap)
    out = base64.a85decode(text)
    if len(out) > cap:
        raise bomb_error(what, cap)
    return out


_DECODERS: dict[str, Callable[[bytes, int, str], bytes]] = {
    "/FlateDecode": lambda d, c, w: _inflate(d, c, w),
    "/Fl": lambda d, c, w: _inflate(d, c, w),
    "/LZWDecode": _lzw,
    "/LZW": _lzw,
    "/RunLengthDecode": _run_length,
    "/RL": _run_length,
    "/ASCIIHexDecode": _ascii_hex,
    "/AHx": _ascii_hex,
    "/ASCII85Decode": _ascii85,
    "/A85": _ascii85,
}
_PREDICTED = frozenset({"/FlateDecode", "/Fl", "/LZWDecode", "/LZW"})
# Largest output per input byte of the filters decoded by qpdf after a failed own decode.
_MAX_RATIO = {"/RunLengthDecode": 64, "/RL": 64, "/ASCIIHexDecode": 1, "/AHx": 1,
              "/ASCII85Decode": 4, "/A85": 4}


def _inflate(raw: bytes, cap: int, what: str) -> bytes:
    """Inflate in 1 MB steps, stopping as soon as the output passes `cap`."""
    inflater = zlib.decompressobj()
    chunks: list[bytes] = []
    total = 0
    data = raw
    while True:
        chunk = inflater.decompress(data, INFLATE_STEP)
        total += len(chunk)
        if total > cap:
            chunks.clear()
            raise bomb_error(what, cap)
        chunks.append(chunk)
        data = inflater.unconsumed_tail
        if not data and len(chunk) < INFLATE_STEP:
            break  # a full step may leave output buffered inside zlib: ask again
    return b"".join(chunks)


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m x n for PDF row-vector matrices (apply m, then n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


@dataclass
class ImageUse:
    """An image XObject drawn on a page, with the transform it was drawn with."""

    image: pikepdf.Object
    ctm: Matrix


@dataclass
class PageScan:
    """What one page draws: whether it shows text, and its images with their transforms."""

    shows_text: bool
    images: list[ImageUse]
    inline_images: int


_OPS = "q Q cm Do Tj TJ ' \" BI ID EI"


def _content_bytes(page: pikepdf.Object, cap: int) -> bytes:
    contents = page.get(Name.Contents)
    if contents is None:
        return b""
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    parts = []
    total = 0
    for stream in streams:
        if not isinstance(stream, pikepdf.Stream):
            continue
        data = bounded_decode(stream, cap, what="the page content")
        total += len(data)
        if total > cap:
            raise bomb_error("the page content", cap)
        parts.append(data)
    return b"\n".join(parts)


def _resources(obj: pikepdf.Object) -> pikepdf.Object | None:
    node: pikepdf.Object | None = obj
    for _ in range(64):
        if node is None:
            return None
        res = node.get(Name.Resources)
        if res is not None:
            return res
        node = node.get(Name.Parent)
    return None


def scan_page(
    pdf: pikepdf.Pdf, page: pikepdf.Object, cap: int = DEFAULT_DECODE_CAP
) -> PageScan:
    """Walk the page's content (and its Form XObjects) tracking the transform matrix."""
    scan = PageScan(shows_text=False, images=[], inline_images=0)
    content_cap = min(cap, CONTENT_DECODE_CAP)
    data = _content_bytes(page, content_cap)
    _walk(pdf, data, _resources(page), IDENTITY, scan, content_cap, depth=0, seen=set())
    return scan


def _walk(
    pdf: pikepdf.Pdf,
    data: bytes,
    resources: pikepdf.Object | None,
    base: Matrix,
    scan: PageScan,
    cap: int,
    depth: int,
    seen: set[tuple[int, int]],
) -> None:
    if not data.strip():
        return
    holder = pikepdf.Stream(pdf, data)
    try:
        instructions = pikepdf.parse_content_stream(holder, _OPS)
    except pikepdf.PdfError:
        return  # unparsable content draws nothing we can measure
    xobjects = resources.get(Name.XObject) if resources is not None else None
    ctm = base
    stack: list[Matrix] = []
    for item in instructions:
        op = str(item.operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            if stack:
                ctm = stack.pop()
        elif op == "cm":
            try:
                m = tuple(float(x) for x in item.operands)
            except (TypeError, ValueError):
                continue
            if len(m) == 6:
                ctm = multiply(m, ctm)  # type: ignore[arg-type,unused-ignore]
        elif op in ("Tj", "TJ", "'", '"'):
            scan.shows_text = True
        elif op == "INLINE IMAGE":
            scan.inline_images += 1
        elif op == "Do" and xobjects is not None and item.operands:
            xobj = xobjects.get(str(item.operands[0]))
            if not isinstance(xobj, pikepdf.Stream):
                continue
            subtype = xobj.get(Name.Subtype)
            if subtype == Name.Image:
                scan.images.append(ImageUse(xobj, ctm))
            elif subtype == Name.Form and depth < MAX_FORM_DEPTH:
                key = xobj.objgen
                if key != (0, 0) and key in seen:
                    continue
                matrix = xobj.get(Name.Matrix)
                form_m: Matrix = IDENTITY
                if matrix is not None and len(matrix) == 6:
                    form_m = tuple(float(x) for x in matrix)  # type: ignore[assignment]
                sub = bounded_decode(xobj, cap, what="a form on the page")
                res = xobj.get(Name.Resources) or resources
                _walk(pdf, sub, res, multiply(form_m, ctm), scan, cap, depth + 1, seen | {key})


def effective_dpi(width_px: int, height_px: int, ctm: Matrix) -> float:
    """Resolution at which an image is drawn (the finer axis), in dots per inch."""
    a, b, c, d, _e, _f = ctm
    w_in = (a * a + b * b) ** 0.5 / 72.0
    h_in = (c * c + d * d) ** 0.5 / 72.0
    dpis = []
    if w_in > 1e-6:
        dpis.append(width_px / w_in)
    if h_in > 1e-6:
        dpis.append(height_px / h_in)
    return max(dpis) if dpis else 0.0


def iter_pages(pdf: pikepdf.Pdf) -> Iterator[tuple[int, pikepdf.Object]]:
    """(1-based page number, page dictionary)."""
    for index, page in enumerate(pdf.pages, 1):
        yield index, page.obj
