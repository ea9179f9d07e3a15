"""Which PDFs must not be rewritten (a digital signature would break).

Which pages need OCR is court-fit's `intake_desktop.core.pdf.text.image_only_pages`
(images but no text; invisible OCR text counts as text), re-exported here.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
from pikepdf import Name

from intake_desktop.core.pdf.text import image_only_pages

__all__ = ["image_only_pages", "is_signed"]


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
