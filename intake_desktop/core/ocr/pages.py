"""Which pages need OCR (they draw images but show no text) and which PDFs must not be
rewritten (a digital signature would break).

TODO(fit): `intake_desktop.core.pdf.text.image_only_pages` (court-fit branch) does the same
with bounded decoding; when it lands, `image_only_pages` here becomes a thin re-export.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pikepdf
from pikepdf import Name

_TEXT_OPS = frozenset({"Tj", "TJ", "'", '"'})


def image_only_pages(pdf: Path) -> list[int]:
    """1-based numbers of the pages that draw images but show no text (candidates for OCR).

    Text drawn invisibly (an existing OCR layer) counts as text. Raises pikepdf errors for
    a PDF that cannot be read.
    """
    result = []
    with pikepdf.open(pdf) as doc:
        for number, page in enumerate(doc.pages, 1):
            shows_text, images = _scan(page.obj, page.obj.get(Name.Resources), set())
            if images and not shows_text:
                result.append(number)
    return result


def _scan(
    holder: pikepdf.Object, resources: object, seen: set[tuple[int, int]]
) -> tuple[bool, bool]:
    """(shows text, draws an image) for a page or form XObject's content."""
    try:
        instructions = pikepdf.parse_content_stream(holder)
    except (pikepdf.PdfError, TypeError, ValueError):
        return False, False
    xobjects = resources.get(Name.XObject) if isinstance(resources, pikepdf.Dictionary) else None
    shows_text = images = False
    for instruction in instructions:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            images = True
            continue
        op = str(instruction.operator)
        if op in _TEXT_OPS and _has_glyphs(instruction.operands):
            shows_text = True
        elif op == "Do" and isinstance(xobjects, pikepdf.Dictionary) and instruction.operands:
            xobj = xobjects.get(str(instruction.operands[0]))
            if not isinstance(xobj, pikepdf.Stream):
                continue
            subtype = xobj.get(Name.Subtype)
            if subtype == Name.Image:
                images = True
            elif subtype == Name.Form and xobj.objgen not in seen:
                if xobj.objgen != (0, 0):
                    seen.add(xobj.objgen)
                text, img = _scan(xobj, xobj.get(Name.Resources, resources), seen)
                shows_text, images = shows_text or text, images or img
        if shows_text and images:
            break
    return shows_text, images


def _has_glyphs(operands: Iterable[object]) -> bool:
    for operand in operands:
        if isinstance(operand, pikepdf.String) and len(bytes(operand)) > 0:
            return True
        if isinstance(operand, pikepdf.Array) and _has_glyphs(operand):
            return True
    return False


def is_signed(pdf: Path) -> bool:
    """True when the PDF carries a digital signature (rewriting it would invalidate it)."""
    with pikepdf.open(pdf) as doc:
        acroform = doc.Root.get(Name.AcroForm)
        if not isinstance(acroform, pikepdf.Dictionary):
            return False
        flags = acroform.get(Name.SigFlags)
        if flags is not None and int(flags) & 1:
            return True
        fields = acroform.get(Name.Fields)
        stack = list(fields) if isinstance(fields, pikepdf.Array) else []
        while stack:
            node = stack.pop()
            if not isinstance(node, pikepdf.Dictionary):
                continue
            if node.get(Name.FT) == Name.Sig and node.get(Name.V) is not None:
                return True
            kids = node.get(Name.Kids)
            if isinstance(kids, pikepdf.Array):
                stack.extend(kids)
    return False
