"""Render each main screen of the window into docs/screenshots/ (offscreen or under xvfb-run).

    QT_QPA_PLATFORM=offscreen python tools/screenshots.py [--dark]

Builds a throwaway workspace, files generated sample documents through the real filer,
and grabs each page of the real window.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the package, and tests.fitpdfs (court-fit sample PDFs)

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from intake_desktop.app import build_filer, open_app  # noqa: E402
from intake_desktop.core.checklists import assign_checklist, shipped_checklists  # noqa: E402
from intake_desktop.core.ledger import Actor  # noqa: E402
from intake_desktop.core.workspace import init_workspace  # noqa: E402
from intake_desktop.qt.look import apply_theme  # noqa: E402
from intake_desktop.qt.main_window import MainWindow  # noqa: E402
from intake_desktop.qt.tasks import ImmediatePool  # noqa: E402

LETTER = ["Dear Ms. Smith,", "We write regarding the claim referenced above.",
          "Please find the enclosed documents for your file.", "Sincerely,", "Claims Department"]
SAMPLES = {
    "2024-017 Smith v. Harbor Freight": [
        ("Complaint.pdf", 12, ["SUPERIOR COURT OF CALIFORNIA", "VERIFIED COMPLAINT FOR DAMAGES",
                               "Plaintiff Jane Smith alleges as follows:"]),
        ("Answer.pdf", 8, ["DEFENDANT'S ANSWER TO COMPLAINT", "AFFIRMATIVE DEFENSES"]),
        ("Letter from insurer 2024-03-02.pdf", 2, ["March 2, 2024", *LETTER]),
        ("MRI lumbar spine.pdf", 4, ["St. Mary's Hospital", "RADIOLOGY REPORT",
                                     "Date of service: 2024-02-11", "FINDINGS: disc bulge L4-L5",
                                     "IMPRESSION: mild degenerative change"]),
        ("Smith deposition.pdf", 46, ["ORAL DEPOSITION OF JANE SMITH", "Taken before a Certified",
                                      "Shorthand Reporter; certified transcript of proceedings"]),
        ("Motion to compel.pdf", 9, ["NOTICE OF MOTION AND MOTION TO COMPEL",
                                     "TO ALL PARTIES AND THEIR ATTORNEYS OF RECORD"]),
    ],
    "2024-021 Estate of Alvarez": [
        ("Exhibit 4 - Will.pdf", 6, ["LAST WILL AND TESTAMENT OF MARIA ALVAREZ"]),
        ("Exhibit 7 - Bank statement March.pdf", 3, ["Statement period March 1-31, 2024"]),
        ("Appraisal letter.pdf", 9, ["April 4, 2024", *LETTER]),
    ],
    "2023-114 Nguyen": [
        ("Exhibit A - Birth certificate (translation).pdf", 2, ["CERTIFIED TRANSLATION"]),
        ("Interrogatories set one.pdf", 31, ["SPECIAL INTERROGATORIES, SET ONE",
                                             "PROPOUNDING PARTY: Defendant"]),
    ],
}


def pdf(path: Path, pages: int, title: str, lines: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=letter)
    for n in range(1, pages + 1):
        y = 700
        for line in (lines or [title]) if n == 1 else [title]:
            c.setFont("Helvetica-Bold" if y == 700 else "Helvetica", 14 if y == 700 else 11)
            c.drawString(72, y, line)
            y -= 22
        c.setFont("Helvetica", 10)
        for i in range(22):
            c.drawString(72, y - 10 - i * 16, "Lorem ipsum dolor sit amet, consectetur adipiscing "
                         "elit, sed do eiusmod tempor incididunt ut labore.")
        c.drawString(500, 40, f"Page {n} of {pages}")
        c.showPage()
    c.save()
    return path


def photo(path: Path) -> Path:
    img = Image.new("RGB", (800, 600), (200, 210, 220))
    ImageDraw.Draw(img).rectangle((100, 100, 700, 500), outline=(40, 60, 90), width=8)
    img.save(path)
    return path


def settle(qapp: QApplication) -> None:
    """Let Qt finish painting (QPdfView renders pages on a worker thread)."""
    for _ in range(30):
        qapp.processEvents()
        time.sleep(0.03)


def shoot(window: MainWindow, qapp: QApplication, target: Path) -> None:
    settle(qapp)
    window.grab().save(str(target))
    print(target)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--dark", action="store_true", help="dark palette; files get -dark")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    qapp = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(qapp, QApplication)
    apply_theme(qapp, dark=True if args.dark else None)
    suffix = "-dark" if args.dark else ""

    def name(stem: str) -> Path:
        return out / f"{stem}{suffix}.png"

    with tempfile.TemporaryDirectory() as tmp:
        ws = init_workspace(Path(tmp) / "Smith & Lee LLP")
        app = open_app(str(ws.root), create=False)
        window = MainWindow(app, actor=Actor("dana", "admin"), pool=ImmediatePool(),
                            tray=False)
        window.resize(1280, 800)
        window.show()
        shoot(window, qapp, name("empty"))  # the empty workspace offers the demo

        filer = build_filer(app)
        src = Path(tmp) / "incoming"
        for matter, docs in SAMPLES.items():
            filer.ingest([pdf(src / matter / n, p, Path(n).stem, lines) for n, p, lines in docs],
                         matter=matter)
        filer.ingest([pdf(src / "fax_0412.pdf", 3, "Fax"), photo(src / "IMG_2231.jpg")])
        window.refresh()

        # A drop in progress: grab the window while the second of three files is filed.
        intake: Any = window.pages["intake"]
        intake.reload_matters()
        intake.select_matter("2024-017 Smith v. Harbor Freight")
        real_progress = intake._progress

        def progress(done: int, total: int, message: str) -> None:
            real_progress(done, total, message)
            if done == 1 and message != "done":
                intake.drop_zone._set_hover(True)
                shoot(window, qapp, name("intake"))
                intake.drop_zone._set_hover(False)

        intake._progress = progress
        intake.file_paths([
            pdf(src / "new" / "Expert report.pdf", 14, "Expert report", ["May 1, 2024", *LETTER]),
            pdf(src / "new" / "Order granting motion.pdf", 2, "Order",
                ["ORDER GRANTING MOTION TO COMPEL", "IT IS SO ORDERED."]),
            pdf(src / "new" / "Invoice 889.pdf", 1, "Invoice"),
        ])

        window.open_page("review")  # a review item with its reason
        window.pages["review"].select_row(0)  # type: ignore[attr-defined]
        shoot(window, qapp, name("review"))

        window.open_page("browser")  # a search hit highlighted in the list and the preview
        browser: Any = window.pages["browser"]
        browser.search.setText("disc bulge")
        browser.apply_filter()
        browser.select_row(0)
        for _ in range(40):
            if browser.preview.hit_count():
                break
            settle(qapp)
        shoot(window, qapp, name("browser"))
        browser.tabs.setCurrentIndex(1)
        shoot(window, qapp, name("custody"))
        browser.tabs.setCurrentIndex(0)

        window.open_page("builder")  # the builder's stamp preview
        builder: Any = window.pages["builder"]
        builder.refresh()
        for row in (4, 3, 0, 5):
            builder.add_document(row)
        builder.set_name.setText("Smith v. Harbor Freight - Pltf. trial exhibits")
        builder.prefix.setCurrentText("Pltf. Ex.")
        builder.bates_prefix.setText("SMITH")
        builder.table.selectRow(0)
        settle(qapp)
        builder.update_stamp_preview()
        shoot(window, qapp, name("builder"))

        window.open_page("settings")  # the rules editor with an error
        rules: Any = window.pages["settings"].rules  # type: ignore[attr-defined]
        broken = rules.text().replace('folder = "Correspondence"\n',
                                      'folder = "Correspondence\n', 1)
        rules.set_text(broken)
        shoot(window, qapp, name("settings"))

        window.open_page("checklists")  # a matter's checklist and the desk overview
        checklists: Any = window.pages["checklists"]
        plaintiff = next(c for c in shipped_checklists()
                         if c.id == "litigation-commercial-plaintiff")
        for matter in SAMPLES:
            assign_checklist(app.ledger, matter, plaintiff)
        checklists.reload_matters()
        checklists.matter.setCurrentText("2024-017 Smith v. Harbor Freight")
        shoot(window, qapp, name("checklist"))
        checklists.tabs.setCurrentIndex(1)
        shoot(window, qapp, name("checklist-overview"))
        checklists.tabs.setCurrentIndex(0)

        # The browser's thumbnails, and a document's details being edited.
        window.open_page("browser")
        browser.search.setText("")
        browser.apply_filter()
        browser.set_view(thumbnails=True)
        browser.select_row(0)
        for _ in range(20):
            settle(qapp)
            if browser.thumbnails.image(browser.model.record(0)) is not None:
                break
        shoot(window, qapp, name("browser-thumbnails"))
        browser.set_view(thumbnails=False)
        browser.select_row(2)
        browser.edit_details()
        dialog = browser.details_dialog
        dialog.title.setText("Letter from insurer re claim 2024-117")
        dialog.custodian.setText("Jane Smith (client)")
        settle(qapp)
        dialog.grab().save(str(name("details")))
        print(name("details"))
        dialog.reject()

        # Naming rules: the versions with the diff a rollback would make, and the picker.
        window.open_page("settings")
        rules.revert()
        rules.set_text(rules.text().replace('folder = "Correspondence"', 'folder = "Letters"', 1))
        rules.save()
        rules.tabs.setCurrentWidget(rules.history_box)
        rules.history_table.selectRow(1)
        rules.picker.setCurrentRow(4)
        shoot(window, qapp, name("rules-versions"))
        rules.tabs.setCurrentIndex(0)

        # Court fit: what will change, then what was made.
        from tests.fitpdfs import active_content_pdf, scan_pdf

        window.open_page("fit")
        fit: Any = window.pages["fit"]
        to_court = Path(tmp) / "to court"
        to_court.mkdir()
        active_content_pdf(to_court / "Client intake form.pdf")
        scan_pdf(to_court / "Medical records scan.pdf", pages=4, kind="grey", dpi=300,
                 size_in=(5.5, 8.5))
        fit.add_paths([to_court])
        fit.size_limit.setText("500KB")
        fit.check()
        shoot(window, qapp, name("fit-plan"))
        fit.run()
        shoot(window, qapp, name("fit-done"))

        # A production: every category of the first matter, its dry run, then the build,
        # which waits on the Supervision page as a draft for an attorney's sign-off.
        window.open_page("production")
        production: Any = window.pages["production"]
        production.matter.setCurrentIndex(1)
        for row in range(production.categories.count()):
            production.categories.item(row).setCheckState(Qt.CheckState.Checked)
        production.prefix.setText("SMITH-")
        production.show_dry_run()
        shoot(window, qapp, name("production"))
        production.start_build()
        for _ in range(50):
            settle(qapp)
            if production.last is not None:
                break
        window.open_page("supervision")
        shoot(window, qapp, name("supervision"))

        if not args.dark:  # the smallest supported size
            window.resize(1024, 700)
            window.open_page("fit")
            shoot(window, qapp, out / "fit-1024x700.png")
            window.open_page("builder")
            builder.update_stamp_preview()
            shoot(window, qapp, out / "builder-1024x700.png")
            window.open_page("review")
            shoot(window, qapp, out / "review-1024x700.png")
        window.close()
        app.close()
    qapp.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
