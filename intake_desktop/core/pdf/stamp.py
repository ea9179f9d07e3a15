"""Burn text stamps (Bates numbers, exhibit labels) into page content with pikepdf.

The page's own content is wrapped in balanced ``q ... Q`` and the stamp is appended as a
new content stream drawn in *display* coordinates: a ``cm`` maps the visible page as the
reader sees it (CropBox within MediaBox, turned by /Rotate) onto user space, so a stamp
placed "bottom-right" lands bottom-right on screen whatever the page's geometry.
Text is Helvetica (a standard font, nothing embedded) or an embedded TrueType subset
(`stamp_fonts`), measured with the font's real metrics.

Stamps never cover what is on the page: `stamp_place` renders each page and the stamp goes
to the first free position of the preference list, or into a blank strip made by
shrinking the page's content (recorded), or the page is refused with the reason.
"""

from __future__ import annotations

import enum
import io
import os
import tempfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, Unpack

import pikepdf
from pikepdf import Array, Dictionary, Name

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.pdf.stamp_fonts import EMBEDDED, EmbeddedSubset, Helvetica
from intake_desktop.core.pdf.stamp_place import (
    InkReader,
    PageInk,
    PlacementPolicy,
    grow,
    inverse,
    mul,
    production_numbers,
    shrink_matrix,
    union,
)
from intake_desktop.core.pdf.streams import DecodeCapError, bounded_decode
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress

StampFont = Helvetica | EmbeddedSubset

FONT_RESOURCE = "/IDStamp"
# A page's content streams may not inflate beyond this (a decompression bomb is refused
# before anything parses it).
CONTENT_CAP = 64 * 1024 * 1024
MIN_FONT_SIZE = 4.0

Box = tuple[float, float, float, float]
Matrix = tuple[float, float, float, float, float, float]


class Corner(enum.StrEnum):
    """Where on the visible page a stamp goes (as the reader sees the page)."""

    BOTTOM_RIGHT = "bottom-right"
    BOTTOM_CENTER = "bottom-center"
    BOTTOM_LEFT = "bottom-left"
    TOP_RIGHT = "top-right"
    TOP_CENTER = "top-center"
    TOP_LEFT = "top-left"


class StampError(IntakeError):
    """A PDF could not be stamped (encrypted, damaged, not a PDF)."""


@dataclass(frozen=True)
class StampStyle:
    """Font size, distance from the visible edges, and the optional white backing box."""

    font_size: float = 10.0
    margin_x: float = 36.0
    margin_y: float = 18.0
    backing: bool = False  # opaque white box: only on request, and only where the area is free
    padding: float = 2.0
    line_gap: float = 1.0
    font: str = "helvetica"  # or "embedded": a TrueType subset, for PDF/A and strict courts


# Lines to burn on one page, by corner, in reading order (top line first).
PageLines = Mapping[Corner, Sequence[str]]


@dataclass(frozen=True)
class PlacedLine:
    """Where one line went: its box in display space and in the page's user space."""

    text: str
    corner: Corner
    display_box: Box
    user_box: Box
    font_size: float


@dataclass(frozen=True)
class PageStamp:
    """What stamping did to one page: where each line went, whether a block moved from
    the corner asked for, whether the content was shrunk (and to what scale), and the
    production numbers already on the page."""

    lines: list[PlacedLine]
    moved: dict[Corner, Corner]  # corner asked for -> corner used, only where they differ
    scale: float | None = None
    numbers: tuple[str, ...] = ()


def candidate_corners(wanted: Corner, preferred: Sequence[str] = ()) -> list[Corner]:
    """Corners to try for a block that asks for `wanted`: `preferred` when given (after
    `wanted`), otherwise the same edge first (same side, other side, centre), then the
    opposite edge in the same order."""
    if preferred:
        order = [wanted, *(Corner(p) for p in preferred)]
    else:
        edge, _, side = wanted.value.partition("-")
        other_edge = "top" if edge == "bottom" else "bottom"
        sides = [side] + [s for s in ("right", "left", "center") if s != side]
        order = [Corner(f"{e}-{s}") for e in (edge, other_edge) for s in sides]
    return list(dict.fromkeys(order))


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _on_edge(corner: Corner, bottom: bool) -> Corner:
    side = corner.value.partition("-")[2]
    return Corner(f"{'bottom' if bottom else 'top'}-{side}")


def _inherited(page: pikepdf.Dictionary, key: str) -> pikepdf.Object | None:
    node: pikepdf.Object | None = page
    seen = 0
    while node is not None and seen < 64:
        if key in node:
            return node[key]
        node = node.get("/Parent")
        seen += 1
    return None


def _rect(value: pikepdf.Object | None) -> Box | None:
    if not isinstance(value, Array) or len(value) != 4:
        return None
    try:
        a, b, c, d = (float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return (min(a, c), min(b, d), max(a, c), max(b, d))


def visible_box(page: pikepdf.Dictionary) -> Box:
    """The CropBox clipped to the MediaBox (both may be inherited), in user space."""
    media = _rect(_inherited(page, "/MediaBox")) or (0.0, 0.0, 612.0, 792.0)
    crop = _rect(_inherited(page, "/CropBox")) or media
    box = (max(media[0], crop[0]), max(media[1], crop[1]), min(media[2], crop[2]),
           min(media[3], crop[3]))
    if box[2] - box[0] <= 1 or box[3] - box[1] <= 1:
        return media  # a CropBox outside the MediaBox: viewers fall back to the MediaBox
    return box


def page_rotation(page: pikepdf.Dictionary) -> int:
    """/Rotate (possibly inherited) as 0, 90, 180 or 270."""
    value = _inherited(page, "/Rotate")
    try:
        angle = int(value) if value is not None else 0
    except (TypeError, ValueError):
        return 0
    return angle % 360 if angle % 90 == 0 else 0


def display_size(box: Box, rotate: int) -> tuple[float, float]:
    w, h = box[2] - box[0], box[3] - box[1]
    return (h, w) if rotate in (90, 270) else (w, h)


def display_matrix(box: Box, rotate: int) -> Matrix:
    """The ``cm`` that maps display coordinates (origin bottom-left as seen) to user space."""
    x0, y0, x1, y1 = box
    if rotate == 90:
        return (0.0, 1.0, -1.0, 0.0, x1, y0)
    if rotate == 180:
        return (-1.0, 0.0, 0.0, -1.0, x1, y1)
    if rotate == 270:
        return (0.0, -1.0, 1.0, 0.0, x0, y1)
    return (1.0, 0.0, 0.0, 1.0, x0, y0)


def to_user(m: Matrix, box: Box) -> Box:
    """A display-space box mapped to user space (as an axis-aligned box)."""
    xs, ys = [], []
    for u, v in ((box[0], box[1]), (box[2], box[3]), (box[0], box[3]), (box[2], box[1])):
        xs.append(m[0] * u + m[2] * v + m[4])
        ys.append(m[1] * u + m[3] * v + m[5])
    return (min(xs), min(ys), max(xs), max(ys))


def text_width(text: str, size: float, font: StampFont | None = None) -> float:
    """Width of `text` in points, from the font's real metrics (Helvetica by default)."""
    return (font or Helvetica()).width(text, size)


def _fmt(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _block_height(n: int, size: float, font: StampFont, style: StampStyle) -> float:
    line = (font.ascent - font.descent) * size / 1000 + 2 * style.padding
    return n * line + (n - 1) * style.line_gap


def layout(
    lines: PageLines, width: float, height: float, style: StampStyle, font: StampFont
) -> list[tuple[str, Corner, float, float, float, Box]]:
    """Place every line in display space: (text, corner, x, baseline, size, backing box)."""
    placed = []
    for corner, texts in lines.items():
        texts = [font.printable(t) for t in texts if t]
        if not texts:
            continue
        size = style.font_size
        room = max(width - 2 * style.margin_x, 1.0)
        widest = max(font.width(t, size) for t in texts) + 2 * style.padding
        margin_x = style.margin_x
        if widest > room:
            size = max(MIN_FONT_SIZE, size * room / widest)
            widest = max(font.width(t, size) for t in texts) + 2 * style.padding
            margin_x = min(margin_x, max((width - widest) / 2, 0.0))
        n = len(texts)
        margin_y = style.margin_y
        block_h = _block_height(n, size, font, style)
        if block_h > height - 2 * margin_y:  # a short page: less margin first, then smaller text
            fixed = 2 * n * style.padding + (n - 1) * style.line_gap
            if block_h > height > fixed:
                size = max(MIN_FONT_SIZE, size * (height - fixed) / (block_h - fixed))
                block_h = _block_height(n, size, font, style)
            margin_y = max((height - block_h) / 2, 0.0)
        ascent, descent = font.ascent * size / 1000, font.descent * size / 1000
        line_h = ascent - descent + 2 * style.padding
        top = (height - margin_y) if corner.value.startswith("top") else (margin_y + block_h)
        for i, text in enumerate(texts):
            w = font.width(text, size)
            box_top = top - i * (line_h + style.line_gap)
            baseline = box_top - style.padding - ascent
            if corner.value.endswith("right"):
                x = width - margin_x - style.padding - w
            elif corner.value.endswith("left"):
                x = margin_x + style.padding
            else:
                x = (width - w) / 2
            box = (x - style.padding, box_top - line_h, x + w + style.padding, box_top)
            placed.append((text, corner, x, baseline, size, box))
    return placed


def _content_streams(page: pikepdf.Page) -> list[pikepdf.Object]:
    contents = page.obj.get("/Contents")
    if contents is None:
        return []
    return list(contents) if isinstance(contents, Array) else [contents]


def check_content_size(page: pikepdf.Page, cap: int = CONTENT_CAP) -> None:
    """Refuse content streams that inflate beyond `cap` bytes (Flate is checked in bounded
    steps; other filters are rare in content streams and left to the parser)."""
    total = 0
    for stream in _content_streams(page):
        if not isinstance(stream, pikepdf.Stream):
            continue
        filters = stream.get("/Filter")
        names = [str(f) for f in filters] if isinstance(filters, Array) else (
            [str(filters)] if filters is not None else [])
        if names == ["/FlateDecode"]:
            inflater = zlib.decompressobj()
            raw = stream.read_raw_bytes()
            try:
                total += len(inflater.decompress(raw, cap - total + 1))
            except zlib.error:
                continue  # damaged: the parser reports it (and the page is left unbalanced)
            if inflater.unconsumed_tail or total > cap:
                raise StampError(
                    f"page {page.index + 1}: its content inflates beyond "
                    f"{cap // (1024 * 1024)} MB (a decompression bomb?)",
                    fix="do not open this file further; ask the sender for a clean copy",
                )
        elif not names:
            total += len(stream.read_raw_bytes())
        else:  # filter chains: every stage bounded (streams.bounded_decode)
            try:
                total += len(bounded_decode(stream, cap - total, what="the page content"))
            except DecodeCapError:
                total = cap + 1
            except pikepdf.PdfError:
                continue  # an image codec or damage: the parser reports it
            if total > cap:
                raise StampError(
                    f"page {page.index + 1}: its content inflates beyond "
                    f"{cap // (1024 * 1024)} MB (a decompression bomb?)",
                    fix="do not open this file further; ask the sender for a clean copy",
                )


def _q_balance(page: pikepdf.Page) -> tuple[int, int]:
    """(unclosed q at the end, deepest excess of Q) of the page's content streams."""
    depth = low = 0
    try:
        for instruction in pikepdf.parse_content_stream(page, "q Q"):
            op = getattr(instruction, "operator", None)
            depth += 1 if str(op) == "q" else -1
            low = min(low, depth)
    except pikepdf.PdfError:
        return 0, 0
    return max(depth - low, 0), -low


class Stamper:
    """Stamps pages of one open PDF; shares one font object and one ``q`` stream."""

    def __init__(
        self,
        pdf: pikepdf.Pdf,
        style: StampStyle | None = None,
        font: StampFont | None = None,
        content_cap: int = CONTENT_CAP,
        policy: PlacementPolicy | None = None,
    ) -> None:
        self.pdf = pdf
        self.content_cap = content_cap
        self.policy = policy or PlacementPolicy()
        self.style = style or StampStyle()
        self.font: StampFont = font or Helvetica()
        self._font = self.font.resource(pdf)
        self._open_q: dict[int, pikepdf.Object] = {}

    def _opening(self, count: int) -> pikepdf.Object:
        if count not in self._open_q:
            self._open_q[count] = self.pdf.make_stream(b"q\n" * count)
        return self._open_q[count]

    def _font_name(self, page: pikepdf.Page) -> Name:
        obj = page.obj
        if "/Resources" not in obj:
            inherited = _inherited(obj, "/Resources")
            copy = Dictionary()
            if isinstance(inherited, Dictionary):
                for key in inherited.keys():  # noqa: SIM118 (pikepdf Dictionary)
                    copy[key] = inherited[key]
            obj.Resources = copy
        resources = obj.Resources
        fonts = resources.get("/Font")
        if not isinstance(fonts, Dictionary):
            resources.Font = Dictionary()
            fonts = resources.Font
        name = FONT_RESOURCE
        n = 0
        while name in fonts and fonts[name].objgen != self._font.objgen:
            n += 1
            name = f"{FONT_RESOURCE}{n}"
        if name not in fonts:
            fonts[name] = self._font
        return Name(name)

    def _choose(
        self, page_no: int, lines: PageLines, width: float, height: float, ink: PageInk | None
    ) -> tuple[dict[Corner, list[str]], dict[Corner, Corner], Matrix | None, float | None]:
        """Corners for every block, and the shrink (display matrix, scale) if one is needed."""
        blocks = [(c, [t for t in ts if t]) for c, ts in lines.items()]
        blocks = [(c, ts) for c, ts in blocks if ts]
        chosen: dict[Corner, list[str]] = {}
        if ink is None:
            return {c: list(ts) for c, ts in blocks}, {}, None, None
        policy, style, font = self.policy, self.style, self.font
        taken: list[Box] = []
        if policy.keep_clear is not None:
            taken += list(policy.keep_clear(page_no - 1, width, height))
        moved: dict[Corner, Corner] = {}
        tried: list[Corner] = []
        for wanted, texts in blocks:
            for corner in candidate_corners(wanted, policy.positions):
                if corner in chosen:
                    continue
                placed = layout({corner: texts}, width, height, style, font)
                if not placed:
                    break
                block = grow(union([p[5] for p in placed]), policy.clearance)
                if not ink.inked(block) and not any(_overlaps(block, t) for t in taken):
                    chosen[corner] = texts
                    taken.append(block)
                    if corner != wanted:
                        moved[wanted] = corner
                    break
                tried.append(corner)
            else:
                break
        else:
            return chosen, moved, None, None
        names = ", ".join(dict.fromkeys(c.value for c in tried))
        if not policy.shrink:
            raise StampError(
                f"page {page_no}: the stamp would cover what is printed there in every "
                f"position allowed ({names}), and shrinking the page is off",
                fix="allow shrinking (shrink_to_fit = true in [set]) or list other "
                "stamp_positions",
            )
        # Shrink: every block goes to the first block's edge, into a strip left blank.
        bottom = blocks[0][0].value.startswith("bottom")
        merged: dict[Corner, list[str]] = {}
        for wanted, texts in blocks:
            merged.setdefault(_on_edge(wanted, bottom), []).extend(texts)
        placed = layout(merged, width, height, style, font)
        boxes = [p[5] for p in placed]
        clear = list(policy.keep_clear(page_no - 1, width, height)) if policy.keep_clear else []
        if any(_overlaps(grow(b, policy.clearance), c) for b in boxes for c in clear):
            raise StampError(
                f"page {page_no}: the stamp would cover what is printed there in every "
                f"position allowed ({names}), and the edge left for it is kept blank for "
                "the court",
                fix="list other stamp_positions in [set]",
            )
        reach = (max(b[3] for b in boxes) if bottom else height - min(b[1] for b in boxes))
        strip = reach + policy.clearance
        scale = (height - strip) / height
        if scale < policy.min_scale:
            raise StampError(
                f"page {page_no}: the stamp would cover what is printed there in every "
                f"position allowed ({names}), and making room would shrink the page to "
                f"{scale:.0%} (the least allowed is {policy.min_scale:.0%})",
                fix="use a smaller font_size or margin_y in [set], or list other "
                "stamp_positions",
            )
        moved = {w: c for w, c in ((w, _on_edge(w, bottom)) for w, _ in blocks) if w != c}
        return merged, moved, shrink_matrix(width, height, strip, bottom), scale

    def stamp_page(self, page: pikepdf.Page, lines: PageLines) -> list[PlacedLine]:
        """Burn `lines` into the page where asked, without checking what lies beneath."""
        return self.place(page, lines, None).lines

    def place(
        self, page: pikepdf.Page, lines: PageLines, ink: PageInk | None,
        numbers: Sequence[str] = (),
    ) -> PageStamp:
        """Burn `lines` into the page, clear of the ink seen in `ink` (its rendering)."""
        obj = page.obj
        box = visible_box(obj)
        rotate = page_rotation(obj)
        width, height = display_size(box, rotate)
        chosen, moved, shrink, scale = self._choose(page.index + 1, lines, width, height, ink)
        placed = layout(chosen, width, height, self.style, self.font)
        if not placed:
            return PageStamp([], {}, None, tuple(numbers))
        check_content_size(page, self.content_cap)
        font = self._font_name(page)
        unclosed, excess = _q_balance(page)
        m = display_matrix(box, rotate)
        out = [b"Q\n" * (unclosed + 1), b"q\n"]
        if m != (1.0, 0.0, 0.0, 1.0, 0.0, 0.0):
            out.append(" ".join(_fmt(v) for v in m).encode() + b" cm\n")
        result = []
        for text, corner, x, baseline, size, bbox in placed:
            if self.style.backing:
                out.append(
                    f"1 g {_fmt(bbox[0])} {_fmt(bbox[1])} {_fmt(bbox[2] - bbox[0])} "
                    f"{_fmt(bbox[3] - bbox[1])} re f\n".encode()
                )
            out.append(
                f"0 g BT {font} {_fmt(size)} Tf {_fmt(x)} {_fmt(baseline)} Td ".encode()
                + self.font.encode(text)
                + b" Tj ET\n"
            )
            result.append(PlacedLine(text, corner, bbox, to_user(m, bbox), size))
        out.append(b"Q\n")
        parts = _content_streams(page)
        if shrink is None:
            opening = self._opening(excess + 1)
        else:
            # The content keeps to its own visible box, scaled into the rest of the page.
            content = mul(mul(inverse(m), shrink), m)
            clip = f"{_fmt(box[0])} {_fmt(box[1])} {_fmt(box[2] - box[0])} " \
                   f"{_fmt(box[3] - box[1])} re W n\n"
            opening = self.pdf.make_stream(
                b"q\n" + " ".join(f"{v:.6f}" for v in content).encode() + b" cm\n"
                + clip.encode() + b"q\n" * excess
            )
        obj.Contents = Array([opening, *parts, self.pdf.make_stream(b"".join(out))])
        return PageStamp(result, moved, scale, tuple(numbers))


def open_for_stamping(path: Path, *, allow_owner_encrypted: bool = False) -> pikepdf.Pdf:
    """Open a PDF, refusing encrypted or unreadable files with a message saying what to do.

    `allow_owner_encrypted`: accept a file locked only by an owner password (it opens
    without one); the caller's preflight unlocks it and records that it did.
    """
    try:
        pdf = pikepdf.Pdf.open(path)
    except pikepdf.PasswordError as exc:
        raise StampError(
            "this PDF is password-protected and cannot be stamped",
            path=path,
            fix="unlock it first (`intake-desktop fit` preflight) or ask the sender for an "
            "unlocked copy",
        ) from exc
    except (pikepdf.PdfError, OSError) as exc:
        raise StampError(
            f"this file cannot be read as a PDF ({exc})",
            path=path,
            fix="convert it to PDF or replace it with an intact copy",
        ) from exc
    if pdf.is_encrypted and not allow_owner_encrypted:
        pdf.close()
        raise StampError(
            "this PDF is encrypted (owner password) and courts reject encrypted files",
            path=path,
            fix="unlock it first (`intake-desktop fit` preflight) or ask the sender for an "
            "unlocked copy",
        )
    return pdf


def save_pdf(pdf: pikepdf.Pdf, dst: Path) -> None:
    """Write to a temporary name beside `dst`, then move it into place (never overwrites)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists():
        raise StampError("an output file with this name already exists", path=dst,
                         fix="choose an empty output folder")
    fd, tmp = tempfile.mkstemp(prefix=".stamp-", suffix=".pdf", dir=dst.parent)
    os.close(fd)
    try:
        pdf.save(tmp, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if dst.exists():
            raise StampError("an output file with this name already exists", path=dst,
                             fix="choose an empty output folder")
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class StampOptions(TypedDict, total=False):
    """The keyword options of `stamp_pages` (and `stamp_file`, which passes them on)."""

    on_progress: ProgressCallback
    cancel: CancelFlag | None
    prepare: Callable[[pikepdf.Pdf], None] | None
    allow_owner_encrypted: bool
    content_cap: int
    policy: PlacementPolicy | None
    check_content: bool


def stamp_file(
    src: Path,
    dst: Path,
    lines_for_page: Callable[[int], PageLines],
    style: StampStyle | None = None,
    **options: Unpack[StampOptions],
) -> list[list[PlacedLine]]:
    """Stamp every page of `src` (page index from 0) into a new file `dst`; returns the
    placement of every line, page by page (see `stamp_pages` for the options)."""
    return [p.lines for p in stamp_pages(src, dst, lines_for_page, style, **options)]


def _ink_reader(pdf: pikepdf.Pdf, src: Path, policy: PlacementPolicy, *,
                changed: bool) -> InkReader:
    """A renderer for the pages as they are before stamping: the file itself, or (when the
    preflight changed it, it is encrypted, or pdfium cannot read what pikepdf repaired on
    opening) a copy written by pikepdf."""
    if not changed and not pdf.is_encrypted:
        try:
            return InkReader(src, policy)
        except Exception:
            pass
    buffer = io.BytesIO()
    pdf.save(buffer)
    try:
        return InkReader(buffer.getvalue(), policy)
    except Exception as exc:
        raise StampError(
            f"this PDF cannot be rendered to check where the stamp may go ({exc})",
            path=src, fix="repair it first (`intake-desktop fit`) or replace it",
        ) from exc


def stamp_pages(
    src: Path,
    dst: Path,
    lines_for_page: Callable[[int], PageLines],
    style: StampStyle | None = None,
    *,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
    prepare: Callable[[pikepdf.Pdf], None] | None = None,
    allow_owner_encrypted: bool = False,
    content_cap: int = CONTENT_CAP,
    policy: PlacementPolicy | None = None,
    check_content: bool = True,
) -> list[PageStamp]:
    """Stamp every page of `src` (page index from 0) into a new file `dst`.

    `prepare` runs on the open PDF before stamping (a court preflight: unlock, remove
    active content, flatten forms). With `check_content` each page is rendered first and
    the stamp kept off whatever is drawn there (`policy`). Returns what was done to every
    page. `src` is only read.
    """
    policy = policy or PlacementPolicy()
    with open_for_stamping(src, allow_owner_encrypted=allow_owner_encrypted) as pdf:
        if prepare is not None:
            prepare(pdf)
        style = style or StampStyle()
        total = len(pdf.pages)
        font: StampFont | None = None
        if style.font == EMBEDDED:
            every = [lines_for_page(i) for i in range(total)]
            font = EmbeddedSubset(t for page in every for ts in page.values() for t in ts)
            lines_for_page = every.__getitem__
        stamper = Stamper(pdf, style, font, content_cap, policy)
        reader: InkReader | None = None
        if check_content:
            reader = _ink_reader(pdf, src, policy, changed=prepare is not None)
        pages = []
        try:
            for i, page in enumerate(pdf.pages):
                if cancel is not None and cancel.is_set():
                    raise StampError("stamping was cancelled", path=src)
                lines = lines_for_page(i)
                try:
                    ink = numbers = None
                    if reader is not None and any(ts for ts in lines.values()):
                        check_content_size(page, content_cap)  # before anything renders it
                        ink = reader.page(i)
                        numbers = production_numbers(reader.text(i))
                    pages.append(stamper.place(page, lines, ink, numbers or ()))
                except StampError as exc:
                    if exc.path is not None:
                        raise
                    raise StampError(exc.what, path=src, fix=exc.fix) from exc
                if i % 50 == 0 or i + 1 == total:
                    on_progress(i + 1, total, f"stamping {src.name}")
        finally:
            if reader is not None:
                reader.close()
        save_pdf(pdf, dst)
    return pages
