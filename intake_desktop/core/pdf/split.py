"""Size-targeted splitting at page (or bookmark) boundaries, every part under the limit.

How: the objects each page reaches are collected (not following /Parent, /P, /Dest,
/StructParent, so one page does not drag in the others); pages are packed greedily,
counting objects shared between pages once per part; the estimate is calibrated against
the real size of each written part, and a part that comes out over the target is packed
again with fewer pages. Bookmarks, page labels and in-part links are kept. A single page
larger than the limit is an error, never a part over the limit.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Name

from intake_desktop.core.courts import DEFAULT_PART_PATTERN, format_size
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.pdf.compress import check_cancel, save_pdf
from intake_desktop.core.pdf.streams import STREAM
from intake_desktop.core.pdf.text import open_pdf
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress

# Keys that point away from the page's own content.
SKIP_KEYS = frozenset(
    {"/Parent", "/P", "/Dest", "/D", "/StructParent", "/StructParents", "/B", "/Popup", "/Next"}
)
PART_OVERHEAD = 1200  # bytes: header, catalog, page tree, xref, trailer
OBJECT_OVERHEAD = 12  # bytes per object in an object stream or the xref
DICT_WEIGHT = 0.4  # non-stream objects are compressed in object streams
MIN_HEADROOM = 2 * 1024
HEADROOM_SHARE = 0.01
MAX_ATTEMPTS = 8
CLOSE_ENOUGH = 0.98  # a part this full is not worth another write to add a page or two
TEMP_PREFIX = ".intake-fit-"
_ALNUM = re.compile(r"[A-Za-z0-9]+")


class PageTooLargeError(IntakeError):
    """One page alone is larger than the limit; it cannot be split further."""

    def __init__(self, page: int, size: int, limit: int, path: Path) -> None:
        self.page = page
        self.size = size
        self.limit = limit
        super().__init__(
            f"page {page} alone is {format_size(size)}, over the {format_size(limit)} limit",
            path=path,
            fix="compress or re-scan that page at a lower resolution, or ask the court about "
            "filing it on paper",
        )


@dataclass(frozen=True)
class Part:
    """One output file: its path, size and the input's pages it holds (1-based, inclusive)."""

    path: Path
    bytes: int
    first_page: int
    last_page: int


def target_size(limit_bytes: int) -> int:
    """The size parts aim for: the limit less a small headroom."""
    return limit_bytes - max(MIN_HEADROOM, int(limit_bytes * HEADROOM_SHARE))


def letters_digits(name: str) -> str:
    """`name` with only ASCII letters and digits before its extension (Texas e-filing):
    words run together, each starting upper-case ("Exhibit A, Part 1.pdf" ->
    "ExhibitAPart1.pdf"); accented letters lose their accents."""
    base, dot, ext = name.rpartition(".")
    if not dot or not ext.isalnum():
        base, ext = name, ""
    ascii_base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    words = _ALNUM.findall(ascii_base)
    joined = "".join(w[:1].upper() + w[1:] for w in words) or "Document"
    return f"{joined}.{ext}" if ext else joined


def part_name(
    pattern: str, stem: str, n: int, total: int, filename_max: int | None,
    chars: str = "any",
) -> str:
    """`pattern` filled in, with the court's character rule (`chars`: "any" or
    "letters-digits"); when the court caps the name's length (extension included) the stem
    is shortened at a word boundary, never inside a word or number ("... Center.pdf",
    not "... Center 202.pdf")."""

    def fill(part_stem: str) -> str:
        name = pattern.format(stem=part_stem, n=n, total=total)
        return letters_digits(name) if chars == "letters-digits" else name

    name = fill(stem)
    if not filename_max or len(name) <= filename_max:
        return name
    for word in reversed(list(_ALNUM.finditer(stem))):
        short = stem[: word.end()].rstrip(" ._-,;")
        name = fill(short)
        if len(name) <= filename_max:
            return name
    # Not even the first word fits: cut it (the only case where a word is cut).
    keep = max(1, len(stem) - (len(fill(stem)) - filename_max))
    short = stem[:keep].rstrip(" ._-") or stem[:1]
    return fill(short)


class _Sizer:
    """Estimated bytes of each indirect object and the objects each page reaches."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.sizes: dict[tuple[int, int], float] = {}
        self.page_objs: list[frozenset[tuple[int, int]]] = []
        self.has_annotations = False
        for page in pdf.pages:
            self.page_objs.append(frozenset(self._closure(page.obj)))
            if Name.Annots in page.obj:
                self.has_annotations = True

    def _size(self, obj: pikepdf.Object) -> float:
        if isinstance(obj, pikepdf.Stream):
            try:
                length = int(obj.stream_dict.get(Name.Length, 0))
            except (TypeError, ValueError):
                length = 0
            if length <= 0:
                length = len(obj.read_raw_bytes())
            head = len(obj.stream_dict.unparse())
            return length + head + OBJECT_OVERHEAD + 20
        return len(obj.unparse()) * DICT_WEIGHT + OBJECT_OVERHEAD

    def _closure(self, page: pikepdf.Object) -> set[tuple[int, int]]:
        found: set[tuple[int, int]] = {page.objgen}
        self.sizes.setdefault(page.objgen, len(page.unparse()) * DICT_WEIGHT + OBJECT_OVERHEAD)
        stack: list[pikepdf.Object] = [page]
        res = page.get(Name.Resources)
        node = page
        while res is None and node.get(Name.Parent) is not None:
            node = node.Parent
            res = node.get(Name.Resources)
            if res is not None:
                stack.append(res)
        while stack:
            obj = stack.pop()
            if isinstance(obj, pikepdf.Stream):
                items: Iterable[tuple[str, pikepdf.Object]] = obj.stream_dict.items()
            elif isinstance(obj, pikepdf.Dictionary):
                items = obj.items()
            elif isinstance(obj, pikepdf.Array):
                items = (("", v) for v in obj)
            else:
                continue
            for key, value in items:
                if key in SKIP_KEYS or not isinstance(value, pikepdf.Object):
                    continue
                if value.is_indirect:
                    og = value.objgen
                    if og in found:
                        continue
                    if isinstance(value, pikepdf.Dictionary) and value.get(Name.Type) == Name.Page:
                        continue  # another page (e.g. through an annotation)
                    found.add(og)
                    if og not in self.sizes:
                        self.sizes[og] = self._size(value)
                    stack.append(value)
                elif isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream):
                    stack.append(value)
        return found

    def pack(self, start: int, budget: float, cuts: set[int] | None) -> tuple[int, float]:
        """Greedy: the largest end (exclusive) whose estimate fits `budget`; at least one page.

        With `cuts`, parts end only where a bookmark starts (unless no cut fits).
        """
        objs: set[tuple[int, int]] = set()
        size = float(PART_OVERHEAD)
        best_end, best_size = start + 1, 0.0
        cut_end, cut_size = 0, 0.0
        for i in range(start, len(self.page_objs)):
            new = self.page_objs[i] - objs
            add = sum(self.sizes[o] for o in new)
            if i > start and size + add > budget:
                break
            objs |= new
            size += add
            best_end, best_size = i + 1, size
            if cuts is not None and (i + 1 in cuts or i + 1 == len(self.page_objs)):
                cut_end, cut_size = i + 1, size
        if cuts is not None and cut_end > start:
            return cut_end, cut_size
        return best_end, best_size

    def estimate(self, start: int, end: int) -> float:
        objs: set[tuple[int, int]] = set()
        for i in range(start, end):
            objs |= self.page_objs[i]
        return PART_OVERHEAD + sum(self.sizes[o] for o in objs)


@dataclass
class _Outline:
    title: str
    page: int | None  # 0-based page index in the source
    children: list[_Outline]


def _page_index_map(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: i for i, page in enumerate(pdf.pages)}


def _dest_page(pdf: pikepdf.Pdf, dest: object, index: dict[tuple[int, int], int]) -> int | None:
    if isinstance(dest, pikepdf.Dictionary) and Name.D in dest:  # a GoTo action
        dest = dest.D
    if isinstance(dest, pikepdf.String | pikepdf.Name):
        key = str(dest).lstrip("/")
        names = pdf.Root.get(Name.Names)
        resolved = None
        if isinstance(names, pikepdf.Dictionary) and Name.Dests in names:
            tree = pikepdf.NameTree(names.Dests)
            resolved = tree.get(key)
        elif Name.Dests in pdf.Root:
            resolved = pdf.Root.Dests.get("/" + key)
        if isinstance(resolved, pikepdf.Dictionary):
            resolved = resolved.get(Name.D)
        dest = resolved
    if isinstance(dest, pikepdf.Array) and len(dest) > 0:
        target = dest[0]
        if isinstance(target, pikepdf.Dictionary) and target.is_indirect:
            return index.get(target.objgen)
        if isinstance(target, int):
            return int(target)
    return None


def read_outline(pdf: pikepdf.Pdf) -> list[_Outline]:
    """The bookmark tree with each item's source page index (None when it points nowhere)."""
    index = _page_index_map(pdf)
    result: list[_Outline] = []
    try:
        with pdf.open_outline() as outline:

            def convert(items: list[pikepdf.OutlineItem]) -> list[_Outline]:
                out = []
                for item in items:
                    dest = item.destination if item.destination is not None else item.action
                    page = _dest_page(pdf, dest, index)
                    out.append(_Outline(item.title, page, convert(item.children)))
                return out

            result = convert(outline.root)
    except (pikepdf.OutlineStructureError, pikepdf.PdfError, RecursionError):
        return []
    return result


def bookmark_starts(pdf: pikepdf.Pdf) -> set[int]:
    """0-based page indexes where a top-level bookmark (an exhibit, a section) begins."""
    return {item.page for item in read_outline(pdf) if item.page is not None}


def _part_outline(items: list[_Outline], start: int, end: int) -> list[pikepdf.OutlineItem]:
    out = []
    for item in items:
        children = _part_outline(item.children, start, end)
        if item.page is not None and start <= item.page < end:
            page = item.page - start
        elif children:
            page = _first_page(item, start, end)
        else:
            continue
        node = pikepdf.OutlineItem(item.title, page)
        node.children.extend(children)
        out.append(node)
    return out


def _first_page(item: _Outline, start: int, end: int) -> int:
    for child in item.children:
        if child.page is not None and start <= child.page < end:
            return child.page - start
        inner = _first_page(child, start, end)
        if inner >= 0:
            return inner
    return -1


def _label_entries(pdf: pikepdf.Pdf) -> list[tuple[int, pikepdf.Dictionary]]:
    labels = pdf.Root.get(Name.PageLabels)
    if labels is None:
        return []
    try:
        tree = pikepdf.NumberTree(labels)
        return sorted((int(k), v) for k, v in tree.items())  # type: ignore[misc]
    except (pikepdf.PdfError, TypeError, ValueError):
        return []


def _part_labels(
    pdf: pikepdf.Pdf, entries: list[tuple[int, pikepdf.Dictionary]], start: int, end: int
) -> pikepdf.Dictionary:
    """Page labels for pages [start, end): the source's, or the source page numbers."""
    nums: list[object] = []
    if not entries:
        nums = [0, pikepdf.Dictionary(S=Name.D, St=start + 1)]
    else:
        covering = [e for e in entries if e[0] <= start]
        if covering:
            s, d = covering[-1]
            first = pikepdf.Dictionary({k: v for k, v in d.items()})
            first.St = int(d.get(Name.St, 1)) + (start - s)
            nums += [0, first]
        for s, d in entries:
            if start < s < end:
                nums += [s - start, pikepdf.Dictionary({k: v for k, v in d.items()})]
    return pikepdf.Dictionary(Nums=pikepdf.Array(nums))


def _detach_annotations(src: pikepdf.Pdf, start: int, end: int) -> None:
    """In this (throwaway) copy, cut annotation links that lead outside pages [start, end)."""
    inside = {src.pages[i].obj.objgen for i in range(start, end)}
    has_form = Name.AcroForm in src.Root
    pages = range(len(src.pages)) if has_form else range(start, end)
    for i in pages:
        annots = src.pages[i].obj.get(Name.Annots)
        if not isinstance(annots, pikepdf.Array):
            continue
        for annot in annots:
            if not isinstance(annot, pikepdf.Dictionary):
                continue
            if Name.P in annot:
                del annot[Name.P]
            if not start <= i < end:
                continue
            for key in (Name.Dest, Name.A):
                value = annot.get(key)
                target = value.get(Name.D) if isinstance(value, pikepdf.Dictionary) else value
                if isinstance(target, pikepdf.Array) and len(target) > 0:
                    first = target[0]
                    if isinstance(first, pikepdf.Dictionary) and first.objgen not in inside:
                        del annot[key]


def write_range(src_path: Path, start: int, end: int, dest: Path,
                outline: list[_Outline], labels: list[tuple[int, pikepdf.Dictionary]],
                annotations: bool = True) -> int:
    """Write pages [start, end) of the file to `dest`; returns its size."""
    with pikepdf.open(src_path, access_mode=STREAM) as src, pikepdf.new() as part:
        if annotations:
            _detach_annotations(src, start, end)
        part.pages.extend(src.pages[start:end])
        info = src.trailer.get(Name.Info)
        if isinstance(info, pikepdf.Dictionary):
            part.trailer.Info = part.make_indirect(pikepdf.Dictionary(
                {k: pikepdf.String(str(v)) for k, v in info.items()
                 if isinstance(v, pikepdf.String)}
            ))
        for key in (Name.Lang, Name.MarkInfo, Name.OutputIntents, Name.Metadata):
            value = src.Root.get(key)  # language, PDF/A output intent and XMP metadata
            if isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream):
                held = value if value.is_indirect else src.make_indirect(value)
                part.Root[key] = part.copy_foreign(held)
            elif value is not None:
                part.Root[key] = value
        part.Root.PageLabels = _part_labels(src, labels, start, end)
        items = _part_outline(outline, start, end)
        if items:
            with part.open_outline() as part_outline:
                part_outline.root.extend(items)
        return save_pdf(part, dest)


def split_to_limit(
    src: Path,
    out_dir: Path,
    limit_bytes: int,
    name_pattern: str = DEFAULT_PART_PATTERN,
    *,
    stem: str | None = None,
    filename_max: int | None = None,
    filename_chars: str = "any",
    at_bookmarks: bool = False,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
) -> list[Part]:
    """Split `src` into as few parts as fit `limit_bytes` (less a small headroom).

    Parts are written to temporary names in `out_dir` and renamed once all of them are
    written and checked, so a failure leaves no partial set. Existing files are never
    replaced: a name collision is an error before anything is renamed.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    target = target_size(limit_bytes)
    stem = stem if stem is not None else src.stem
    with open_pdf(src) as pdf:
        total_pages = len(pdf.pages)
        if total_pages == 0:
            raise IntakeError("the PDF has no pages", path=src, fix="check the file")
        sizer = _Sizer(pdf)
        outline = read_outline(pdf)
        labels = _label_entries(pdf)
        cuts = {i.page for i in outline if i.page is not None} if at_bookmarks else None
    written: list[tuple[Path, int, int, int]] = []  # temp path, size, start, end
    ratio = 1.0
    start = 0
    scratch = out_dir / f"{TEMP_PREFIX}{os.getpid()}-try.pdf.tmp"
    try:
        while start < total_pages:
            check_cancel(cancel)
            on_progress(start, total_pages, f"splitting: part {len(written) + 1}")
            keep = out_dir / f"{TEMP_PREFIX}{os.getpid()}-{len(written) + 1}.pdf.tmp"
            end, ratio = _fit_part(
                src, sizer, start, target, limit_bytes, ratio, cuts, scratch, keep,
                outline, labels,
            )
            written.append((keep, keep.stat().st_size, start, end))
            start = end
        on_progress(total_pages, total_pages, f"split into {len(written)} parts")
        return _finish(written, out_dir, name_pattern, stem, filename_max, filename_chars)
    finally:
        for leftover in out_dir.glob(f"{TEMP_PREFIX}{os.getpid()}-*"):
            leftover.unlink(missing_ok=True)


def _fit_part(
    src: Path,
    sizer: _Sizer,
    start: int,
    target: int,
    limit: int,
    ratio: float,
    cuts: set[int] | None,
    scratch: Path,
    keep: Path,
    outline: list[_Outline],
    labels: list[tuple[int, pikepdf.Dictionary]],
) -> tuple[int, float]:
    """Write the largest part starting at `start` that fits to `keep`; (its end, ratio)."""
    total = len(sizer.page_objs)
    end, _est = sizer.pack(start, target / ratio, cuts)
    best_end = 0
    tried: set[int] = set()
    for _attempt in range(MAX_ATTEMPTS):
        tried.add(end)
        size = write_range(src, start, end, scratch, outline, labels, sizer.has_annotations)
        ratio = max(0.05, size / sizer.estimate(start, end))
        if size <= target or (end - start == 1 and size <= limit):
            if end > best_end:
                best_end = end
                scratch.replace(keep)
            if end == total or size >= target * CLOSE_ENOUGH:
                break
            grow, _ = sizer.pack(start, target / ratio, cuts)
            if grow <= end or grow in tried:
                break
            end = grow  # the calibrated estimate says more pages fit
            continue
        if end - start == 1:
            raise PageTooLargeError(start + 1, size, limit, src)
        shrink, _ = sizer.pack(start, target / (ratio * 1.02), cuts)
        if shrink >= end:
            shrink = _smaller_end(start, end, cuts)
        while shrink in tried and shrink > start + 1:
            shrink = _smaller_end(start, shrink, cuts)
        if shrink <= best_end or shrink in tried:
            break
        end = shrink
    if best_end == 0:
        # The estimate kept missing: fall back to one page at a time from the start.
        end = start + 1
        size = write_range(src, start, end, keep, outline, labels, sizer.has_annotations)
        if size > limit:
            raise PageTooLargeError(start + 1, size, limit, src)
        best_end = end
    return best_end, ratio


def _smaller_end(start: int, end: int, cuts: set[int] | None) -> int:
    """The next smaller place to end a part: a bookmark start if there is one, else a page."""
    if cuts:
        allowed = [c for c in cuts if start < c < end]
        if allowed:
            return max(allowed)
    return end - 1


def _finish(
    written: list[tuple[Path, int, int, int]],
    out_dir: Path,
    pattern: str,
    stem: str,
    filename_max: int | None,
    chars: str = "any",
) -> list[Part]:
    total = len(written)
    names = [part_name(pattern, stem, n, total, filename_max, chars)
             for n in range(1, total + 1)]
    for name in names:
        if (out_dir / name).exists():
            raise IntakeError(
                "an output file of that name already exists",
                path=out_dir / name,
                fix="choose an empty --out folder or move the old parts away",
            )
    parts = []
    for (tmp, size, start, end), name in zip(written, names, strict=True):
        final = out_dir / name
        place_new(tmp, final)
        parts.append(Part(final, size, start + 1, end))
    return parts


def place_new(tmp: Path, final: Path) -> None:
    """Move a finished temp file to its name, refusing to replace an existing file."""
    try:
        os.link(tmp, final)  # fails if `final` exists: no silent overwrite
    except FileExistsError as exc:
        raise IntakeError(
            "an output file of that name already exists",
            path=final,
            fix="choose an empty --out folder or move the old file away",
        ) from exc
    except OSError:
        if final.exists():
            raise IntakeError(
                "an output file of that name already exists", path=final,
                fix="choose an empty --out folder or move the old file away",
            ) from None
        os.replace(tmp, final)
        return
    tmp.unlink()
