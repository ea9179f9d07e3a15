"""Render the exhibit outputs a court sees into docs/screenshots/:

    python tools/exhibit_screenshots.py

Builds a five-exhibit set (AO 187 caption, one produced document carrying the other side's
numbers) through the real builder in a throwaway folder, then renders with poppler's
pdftoppm: the AO 187 index (court copy and file copy), the binder's table of contents, and
a produced page whose stamp moved off the production number.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from intake_desktop.core.exhibits.build import build_set  # noqa: E402
from intake_desktop.core.exhibits.spec import load_spec  # noqa: E402
from tests.exhibit_pdfs import MemoryBates, text_pdf  # noqa: E402

OUT = ROOT / "docs" / "screenshots"

SPEC = """\
[set]
name = "Reyes v. Acme Logistics - Plaintiff's trial exhibits"
label_prefix = "Pltf. Ex."

[caption]
district = "Central District of California"
case_number = "2:24-cv-01234-AR"
judge = "Hon. Ana Ruiz"
plaintiff = "Maria Reyes"
defendant = "Acme Logistics, Inc."
plaintiff_attorneys = "Jordan Park, Park & Lee LLP"
defendant_attorneys = "Rita Stone, Stone Hale LLP"
trial_dates = "March 3-7, 2025"

[bates]
prefix = "REYES-"

[[exhibit]]
file = "docs/er.pdf"
description = "Emergency room record, County General Hospital, triage and discharge notes"
date = 2024-01-05
witness = "Dr. Lee"

[[exhibit]]
file = "docs/mri.pdf"
description = "MRI report, lumbar spine"
date = 2024-02-03
witness = "Dr. Lee"

[[exhibit]]
file = "docs/pt.pdf"
description = "Physical therapy notes"
date = 2024-03-20
witness = "Sam Ortiz, PT"

[[exhibit]]
file = "docs/lading.pdf"
description = "Bill of lading (produced by Acme)"
date = 2023-11-02

[[exhibit]]
file = "docs/email.pdf"
description = "Email from dispatcher to driver re: route change"
date = 2023-11-01
witness = "K. Wong"
"""


def produced_pdf(path: Path, pages: int) -> Path:
    """Pages as the other side produced them: text to the bottom, their number lower right."""
    c = canvas.Canvas(str(path), pagesize=letter)
    for n in range(pages):
        c.setFont("Helvetica-Bold", 14)
        c.drawString(72, 730, "BILL OF LADING - Acme Logistics, Inc.")
        c.setFont("Helvetica", 11)
        for k in range(44):
            c.drawString(72, 700 - 15 * k, f"Item {k + 1}: pallet {1000 + k}, origin Ontario CA, "
                                           "destination Phoenix AZ, weight 412 lb")
        c.setFont("Helvetica", 9)
        c.drawRightString(590, 14, f"ACME{123 + n:07d}")
        c.showPage()
    c.save()
    return path


def render(pdf: Path, page: int, name: str, dpi: int = 80) -> Path:
    prefix = OUT / name
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png",
                    "-singlefile", str(pdf), str(prefix)], check=True)
    return prefix.with_suffix(".png")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        docs = root / "docs"
        text_pdf(docs / "er.pdf", 3, "ER")
        text_pdf(docs / "mri.pdf", 2, "MRI")
        text_pdf(docs / "pt.pdf", 4, "PT")
        produced_pdf(docs / "lading.pdf", 2)
        text_pdf(docs / "email.pdf", 1, "Email")
        (root / "set.toml").write_text(SPEC, encoding="utf-8")
        result = build_set(load_spec(root / "set.toml"), root / "out", MemoryBates())
        index = {p.name: p for p in result.index_files}
        made = [
            render(index["Exhibit index - court copy.pdf"], 1, "exhibit-index-ao187"),
            render(index["Exhibit index.pdf"], 1, "exhibit-index-file-copy"),
            render(result.binder_parts[0].path, 1, "binder-contents"),
            render(result.exhibits[3].parts[0].path, 1, "stamp-beside-production-number"),
        ]
        for warning in result.warnings:
            print(f"warning: {warning}")
    for path in made:
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    if not shutil.which("pdftoppm"):
        sys.exit("pdftoppm (poppler-utils) is needed to render the pages")
    main()
