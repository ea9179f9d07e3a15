"""Preflight: find what courts reject in a PDF, and remove or flatten it where the profile asks.

Checks: encryption, JavaScript, OpenAction and Launch actions, embedded files, multimedia,
interactive forms, annotations, page sizes, image-only pages and fonts not embedded.
`preflight()` only reports; `fix_pdf()` changes an open Pdf in memory and returns the
actions taken (never the file on disk).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Name

from intake_desktop.core.courts import CourtProfile
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.pdf.compress import collect_images, find_image_bombs
from intake_desktop.core.pdf.streams import (
    DEFAULT_DECODE_CAP,
    STREAM,
    DecodeCapError,
    bounded_decode,
)
from intake_desktop.core.pdf.text import image_only_pdf_pages, unembedded_fonts

# Action type -> the action recorded when it is removed.
BAD_ACTIONS = {
    "/JavaScript": "removed_javascript",
    "/Launch": "removed_launch_action",
    "/Rendition": "removed_multimedia",
    "/Movie": "removed_multimedia",
    "/Sound": "removed_multimedia",
    "/GoToE": "removed_embedded_files",
    "/ImportData": "removed_form_actions",
    "/SubmitForm": "removed_form_actions",
    "/ResetForm": "removed_form_actions",
}
MULTIMEDIA_ANNOTS = {"/Movie", "/Sound", "/Screen", "/RichMedia", "/3D"}
KEEP_ANNOTS = {"/Link", "/Widget"}
PAGE_SIZE_TOLERANCE = 3.0  # points


@dataclass(frozen=True)
class Finding:
    """One thing a court may reject: a code, a sentence, the pages, and whether fit can fix it."""

    code: str
    message: str
    pages: tuple[int, ...] = ()
    fixable: bool = False


@dataclass
class PreflightReport:
    path: Path
    pages: int
    findings: list[Finding] = field(default_factory=list)
    images: int = 0  # image XObjects drawn on the pages

    @property
    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    def finding(self, code: str) -> Finding | None:
        return next((f for f in self.findings if f.code == code), None)


class _Tally:
    """Counts what was found (and, when fixing, removed), with the pages involved."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.pages: dict[str, set[int]] = {}

    def add(self, code: str, page: int | None = None) -> None:
        self.counts[code] = self.counts.get(code, 0) + 1
        if page:
            self.pages.setdefault(code, set()).add(page)


def _bad_in_action(action: pikepdf.Object, depth: int = 0) -> list[str]:
    """Codes of the bad actions in an action dictionary and its /Next chain."""
    if depth > 16 or not isinstance(action, pikepdf.Dictionary):
        return []
    found = []
    kind = action.get(Name.S)
    if kind is not None and str(kind) in BAD_ACTIONS:
        found.append(BAD_ACTIONS[str(kind)])
    nxt = action.get(Name.Next)
    if isinstance(nxt, pikepdf.Array):
        for item in nxt:
            found += _bad_in_action(item, depth + 1)
    elif nxt is not None:
        found += _bad_in_action(nxt, depth + 1)
    return found


def _scrub_dict(obj: pikepdf.Dictionary, tally: _Tally, fix: bool, page: int | None) -> None:
    """Find (and with fix, delete) bad /A actions and all /AA triggers in one dictionary."""
    action = obj.get(Name.A)
    if action is not None:
        bad = _bad_in_action(action)
        for code in bad:
            tally.add(code, page)
        if bad and fix:
            del obj[Name.A]
    aa = obj.get(Name.AA)
    if isinstance(aa, pikepdf.Dictionary):
        codes = []
        for _trigger, trig_action in aa.items():
            codes += _bad_in_action(trig_action)
        for code in codes or ["removed_javascript"]:
            tally.add(code, page)
        if fix:
            del obj[Name.AA]


def _walk_active_content(pdf: pikepdf.Pdf, tally: _Tally, fix: bool) -> None:
    root = pdf.Root
    if Name.OpenAction in root:
        tally.add("removed_open_action")
        for code in _bad_in_action(root.OpenAction):
            tally.add(code)
        if fix:
            del root[Name.OpenAction]
    _scrub_dict(root, tally, fix, None)  # type: ignore[arg-type]
    names = root.get(Name.Names)
    if isinstance(names, pikepdf.Dictionary):
        if Name.JavaScript in names:
            tally.add("removed_javascript")
            if fix:
                del names[Name.JavaScript]
        if Name.EmbeddedFiles in names:
            tally.add("removed_embedded_files")
            if fix:
                del names[Name.EmbeddedFiles]
    acroform = root.get(Name.AcroForm)
    if isinstance(acroform, pikepdf.Dictionary) and Name.XFA in acroform:
        tally.add("removed_xfa")
        if fix:
            del acroform[Name.XFA]
    for number, page in enumerate(pdf.pages, 1):
        _scrub_dict(page.obj, tally, fix, number)
        annots = page.obj.get(Name.Annots)
        if not isinstance(annots, pikepdf.Array):
            continue
        keep = []
        changed = False
        for annot in annots:
            if not isinstance(annot, pikepdf.Dictionary):
                changed = True
                continue
            subtype = str(annot.get(Name.Subtype, ""))
            if subtype in MULTIMEDIA_ANNOTS:
                tally.add("removed_multimedia", number)
                changed = True
                continue
            if subtype == "/FileAttachment":
                tally.add("removed_embedded_files", number)
                changed = True
                continue
            _scrub_dict(annot, tally, fix, number)
            keep.append(annot)
        if fix and changed:
            page.obj[Name.Annots] = pikepdf.Array(keep)
    # Form fields and outline items carry actions too; they are indirect objects.
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and (Name.A in obj or Name.AA in obj):
            if obj.get(Name.Type) == Name.Page or obj.get(Name.Subtype) is not None:
                continue  # pages and annotations were handled above with their page number
            _scrub_dict(obj, tally, fix, None)


def _has_fields(pdf: pikepdf.Pdf) -> bool:
    acroform = pdf.Root.get(Name.AcroForm)
    if not isinstance(acroform, pikepdf.Dictionary):
        return False
    fields = acroform.get(Name.Fields)
    return isinstance(fields, pikepdf.Array) and len(fields) > 0


def _annotation_pages(pdf: pikepdf.Pdf, subtypes_skip: set[str]) -> list[int]:
    pages = []
    for number, page in enumerate(pdf.pages, 1):
        annots = page.obj.get(Name.Annots)
        if isinstance(annots, pikepdf.Array) and any(
            isinstance(a, pikepdf.Dictionary) and str(a.get(Name.Subtype, "")) not in subtypes_skip
            for a in annots
        ):
            pages.append(number)
    return pages


def _flatten(pdf: pikepdf.Pdf, *, widgets: bool, others: bool) -> None:
    """Burn appearance streams of the chosen annotations into the page content."""
    stashed: dict[int, list[pikepdf.Object]] = {}
    for index, page in enumerate(pdf.pages):
        annots = page.obj.get(Name.Annots)
        if not isinstance(annots, pikepdf.Array):
            continue
        chosen, kept = [], []
        for annot in annots:
            is_dict = isinstance(annot, pikepdf.Dictionary)
            subtype = str(annot.get(Name.Subtype, "")) if is_dict else ""
            is_widget = subtype == "/Widget"
            if subtype == "/Link" or (is_widget and not widgets) or (not is_widget and not others):
                kept.append(annot)
            else:
                chosen.append(annot)
        page.obj[Name.Annots] = pikepdf.Array(chosen)
        stashed[index] = kept
    if widgets and _has_fields(pdf):
        pdf.generate_appearance_streams()
    pdf.flatten_annotations("all")
    for index, page in enumerate(pdf.pages):
        kept = stashed.get(index, [])
        remaining = page.obj.get(Name.Annots)
        leftover = []
        if isinstance(remaining, pikepdf.Array):
            # Annotations without an appearance cannot be flattened: drop them (popups, notes).
            leftover = [a for a in remaining if str(a.get(Name.Subtype, "")) == "/Link"]
        merged = kept + leftover
        if merged:
            page.obj[Name.Annots] = pikepdf.Array(merged)
        elif Name.Annots in page.obj:
            del page.obj[Name.Annots]
    if widgets and Name.AcroForm in pdf.Root:
        del pdf.Root[Name.AcroForm]


def _remove_annotations(pdf: pikepdf.Pdf) -> int:
    removed = 0
    for page in pdf.pages:
        annots = page.obj.get(Name.Annots)
        if not isinstance(annots, pikepdf.Array):
            continue
        keep = [
            a
            for a in annots
            if isinstance(a, pikepdf.Dictionary) and str(a.get(Name.Subtype, "")) in KEEP_ANNOTS
        ]
        removed += len(annots) - len(keep)
        page.obj[Name.Annots] = pikepdf.Array(keep)
    return removed


def _page_size_problems(pdf: pikepdf.Pdf, profile: CourtProfile) -> list[int]:
    wanted = profile.page_points
    if wanted is None:
        return []
    bad = []
    for number, page in enumerate(pdf.pages, 1):
        box = page.cropbox
        w = abs(float(box[2]) - float(box[0]))
        h = abs(float(box[3]) - float(box[1]))
        fits = any(
            abs(w - a) <= PAGE_SIZE_TOLERANCE and abs(h - b) <= PAGE_SIZE_TOLERANCE
            for a, b in (wanted, wanted[::-1])
        )
        if not fits:
            bad.append(number)
    return bad


_MESSAGES = {
    "removed_javascript": "JavaScript",
    "removed_open_action": "an action run on opening (OpenAction)",
    "removed_launch_action": "Launch actions (start other programs)",
    "removed_embedded_files": "embedded files (attachments)",
    "removed_multimedia": "audio, video or 3D content",
    "removed_form_actions": "form submit/import actions",
    "removed_xfa": "an XFA form",
}


def _pages_text(pages: list[int] | set[int] | tuple[int, ...]) -> str:
    ordered = sorted(pages)
    if not ordered:
        return ""
    shown = ", ".join(str(p) for p in ordered[:12])
    more = f" and {len(ordered) - 12} more" if len(ordered) > 12 else ""
    return f" (page{'s' if len(ordered) > 1 else ''} {shown}{more})"


def court_findings(
    pdf: pikepdf.Pdf, path: Path, profile: CourtProfile | None, cap: int = DEFAULT_DECODE_CAP
) -> PreflightReport:
    """Everything a court might reject in an open Pdf; changes nothing."""
    report = PreflightReport(path=path, pages=len(pdf.pages))
    add = report.findings.append
    if pdf.is_encrypted:
        add(Finding("encrypted", "encrypted with an owner password (restrictions)", fixable=True))
    tally = _Tally()
    _walk_active_content(pdf, tally, fix=False)
    for code, _count in tally.counts.items():
        add(
            Finding(
                code.removeprefix("removed_"),
                f"contains {_MESSAGES[code]}{_pages_text(tally.pages.get(code, set()))}",
                tuple(sorted(tally.pages.get(code, ()))),
                fixable=True,
            )
        )
    if _has_fields(pdf):
        add(Finding("forms", "has fillable form fields", fixable=True))
    annot_pages = _annotation_pages(pdf, KEEP_ANNOTS)
    if annot_pages:
        add(
            Finding(
                "annotations",
                f"has comments or other annotations{_pages_text(annot_pages)}",
                tuple(annot_pages),
                fixable=True,
            )
        )
    if profile is not None:
        off = _page_size_problems(pdf, profile)
        if off:
            add(
                Finding(
                    "page_size",
                    f"pages not {profile.page_size} size{_pages_text(off)}",
                    tuple(off),
                )
            )
    try:
        image_only = image_only_pdf_pages(pdf, cap)
    except DecodeCapError as exc:
        add(Finding("decode_cap", exc.what))
        image_only = []
    if image_only:
        need = profile is not None and profile.text_searchable
        add(
            Finding(
                "image_only",
                f"pages with no text layer{_pages_text(image_only)}"
                + ("; this court requires text-searchable PDFs: run OCR" if need else ""),
                tuple(image_only),
            )
        )
    if "decode_cap" not in report.codes:
        images = collect_images(pdf, cap)
        report.images = len(images)
        for problem in find_image_bombs(pdf, cap, images):
            add(Finding("decode_cap", problem))
    fonts = unembedded_fonts(pdf)
    if fonts:
        names = ", ".join(sorted(fonts)[:8])
        pages = sorted({p for ps in fonts.values() for p in ps})
        add(Finding("fonts_not_embedded", f"fonts not embedded: {names}", tuple(pages)))
    return report


def preflight(src: Path, profile: CourtProfile | None) -> PreflightReport:
    """Report what a court may reject in `src` (the file is only read)."""
    try:
        pdf = pikepdf.open(src, access_mode=STREAM)
    except pikepdf.PasswordError:
        report = PreflightReport(path=src, pages=0)
        report.findings.append(
            Finding(
                "user_password",
                "protected by a user (open) password; ask the sender for an unlocked copy",
            )
        )
        return report
    except (pikepdf.PdfError, OSError) as exc:
        raise IntakeError(
            f"cannot read the PDF ({exc})", path=src, fix="ask the sender for a complete copy"
        ) from exc
    with pdf:
        return court_findings(pdf, src, profile)


def _file_name(spec: object) -> str:
    if not isinstance(spec, pikepdf.Dictionary):
        return ""
    for key in (Name.UF, Name.F):
        value = spec.get(key)
        if isinstance(value, pikepdf.String):
            return str(value).replace("\\", "/").rsplit("/", 1)[-1]
    return ""


def _file_data(spec: object, cap: int) -> bytes | None:
    if not isinstance(spec, pikepdf.Dictionary):
        return None
    ef = spec.get(Name.EF)
    if not isinstance(ef, pikepdf.Dictionary):
        return None
    stream = ef.get(Name.UF) or ef.get(Name.F)
    if not isinstance(stream, pikepdf.Stream):
        return None
    try:
        return bounded_decode(stream, cap, what="an attachment")
    except (DecodeCapError, pikepdf.PdfError):
        return None


def attachments(pdf: pikepdf.Pdf, cap: int = DEFAULT_DECODE_CAP) -> list[tuple[str, bytes]]:
    """Every embedded file (document-level and file-attachment annotations): its name and
    bytes, so that removing them never discards evidence. Unreadable ones are skipped."""
    specs: list[tuple[str, object]] = []
    seen: set[tuple[int, int]] = set()

    def walk(node: object, depth: int) -> None:
        if depth > 16 or not isinstance(node, pikepdf.Dictionary):
            return
        names = node.get(Name.Names)
        if isinstance(names, pikepdf.Array):
            for i in range(0, len(names) - 1, 2):
                specs.append((str(names[i]), names[i + 1]))
        kids = node.get(Name.Kids)
        if isinstance(kids, pikepdf.Array):
            for kid in kids:
                walk(kid, depth + 1)

    names = pdf.Root.get(Name.Names)
    if isinstance(names, pikepdf.Dictionary):
        walk(names.get(Name.EmbeddedFiles), 0)
    for page in pdf.pages:
        annots = page.obj.get(Name.Annots)
        if isinstance(annots, pikepdf.Array):
            for annot in annots:
                if (isinstance(annot, pikepdf.Dictionary)
                        and annot.get(Name.Subtype) == Name.FileAttachment):
                    specs.append(("", annot.get(Name.FS)))
    found = []
    for key, spec in specs:
        if isinstance(spec, pikepdf.Dictionary) and spec.is_indirect:
            if spec.objgen in seen:
                continue
            seen.add(spec.objgen)
        data = _file_data(spec, cap)
        if data is not None:
            found.append((_file_name(spec) or key or "attachment", data))
    return found


def fix_pdf(pdf: pikepdf.Pdf, profile: CourtProfile) -> list[str]:
    """Remove or flatten what the profile asks for, in memory; returns the actions taken.

    An owner-password file is decrypted by saving (recorded as `decrypted`).
    """
    actions: list[str] = []
    if pdf.is_encrypted:
        actions.append("decrypted")
    if profile.remove_active_content:
        tally = _Tally()
        _walk_active_content(pdf, tally, fix=True)
        actions += sorted(tally.counts)
    flatten_widgets = profile.forms == "flatten" and _has_fields(pdf)
    flatten_others = profile.annotations == "flatten" and bool(
        _annotation_pages(pdf, KEEP_ANNOTS)
    )
    if flatten_widgets or flatten_others:
        _flatten(pdf, widgets=flatten_widgets, others=flatten_others)
        if flatten_widgets:
            actions.append("flattened_forms")
        if flatten_others:
            actions.append("flattened_annotations")
    if profile.annotations == "remove" and _remove_annotations(pdf):
        actions.append("removed_annotations")
    return actions


def fix_file(src: Path, dst: Path, profile: CourtProfile) -> list[str]:
    """Write a fixed copy of `src` to `dst` (a new file; `src` is never changed)."""
    if dst.exists() or dst.resolve() == src.resolve():
        raise IntakeError(
            "the output already exists", path=dst, fix="choose a new name or folder"
        )
    tmp = dst.with_name(f".{dst.name}.tmp")
    try:
        with pikepdf.open(src, access_mode=STREAM) as pdf:
            actions = fix_pdf(pdf, profile)
            pdf.save(tmp, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        tmp.replace(dst)
    finally:
        tmp.unlink(missing_ok=True)
    return actions
