"""Fixtures for the naming-rules tests: real generated documents and workspaces."""

from __future__ import annotations

import datetime as dt
import email.message
import email.policy
import email.utils
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from intake_desktop.core.filing import Filer
from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.mime import detect_type
from intake_desktop.core.paths import naming_rules_dir
from intake_desktop.core.pipeline import Prepared
from intake_desktop.core.rules import RulesRouter, load_rules
from intake_desktop.core.workspace import Workspace, init_workspace

TODAY = dt.date(2024, 3, 20)


def make_pdf(path: Path, lines: list[str], *, title: str | None = None) -> Path:
    """A one-page text PDF (reportlab), optionally with a document title."""
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    if title:
        c.setTitle(title)
    y = 740
    for line in lines:
        c.drawString(72, y, line)
        y -= 16
    c.showPage()
    c.save()
    return path


def make_jpeg(path: Path, taken: str | None = "2024:01:15 10:42:00", colour: int = 90) -> Path:
    """A small JPEG with an EXIF DateTimeOriginal (Pillow)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", (64, 40), (colour, 120, 150))
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
    img.save(path, "JPEG", exif=exif.tobytes())
    return path


def make_email(
    path: Path,
    *,
    subject: str,
    sender: str,
    date: dt.datetime,
    attachments: list[tuple[str, bytes, str]],
) -> Path:
    """An .eml with attachments (stdlib email)."""
    msg = email.message.EmailMessage()
    msg["From"] = sender
    msg["To"] = "paralegal@ourfirm.example"
    msg["Subject"] = subject
    msg["Date"] = email.utils.format_datetime(date)
    msg.set_content("Counsel,\n\nPlease see the attached.\n\nTom Baker")
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(msg.as_bytes(policy=email.policy.SMTP))
    return path


class EmailAttachmentPreparer:
    """Test preparer: files the email as is and extracts its attachments as children."""

    def prepare(self, source: Path, sha256: str, workdir: Path) -> Prepared:
        kind = detect_type(source)
        children: list[Path] = []
        if source.suffix.lower() == ".eml":
            msg = email.message_from_bytes(source.read_bytes(), policy=email.policy.default)
            assert isinstance(msg, email.message.EmailMessage)
            workdir.mkdir(parents=True, exist_ok=True)
            for part in msg.iter_attachments():
                name = part.get_filename() or "attachment.bin"
                dest = workdir / name
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                dest.write_bytes(payload)
                children.append(dest)
        return Prepared(detected_type=kind, filed_from=source, children=tuple(children))


@pytest.fixture
def samples(tmp_path: Path) -> Callable[[Path], dict[str, Path]]:
    """The six realistic samples of the issue, generated into a folder."""

    def build(folder: Path) -> dict[str, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        letter_pdf = make_pdf(
            tmp_path / "gen" / "production letter.pdf",
            [
                "Baker & Lowe LLP",
                "March 5, 2024",
                "Dear Counsel:",
                "Enclosed is Defendant's first production, ACME000001-ACME000450.",
                "Sincerely,",
                "Tom Baker",
                "Counsel for Defendant Acme Corp.",
            ],
        )
        return {
            "mri": make_pdf(
                folder / "MRI lumbar spine.pdf",
                [
                    "Valley Imaging Center",
                    "1200 Oak Street, Fresno, CA",
                    "RADIOLOGY REPORT",
                    "Patient Name: John Smith",
                    "Date of Service: February 3, 2024",
                    "Exam: MRI LUMBAR SPINE WITHOUT CONTRAST",
                    "Findings: Disc protrusion at L4-L5.",
                    "Impression: L4-L5 protrusion.",
                ],
            ),
            "paystub": make_pdf(
                folder / "paystub feb 2024.pdf",
                [
                    "ACME LOGISTICS INC.",
                    "EARNINGS STATEMENT",
                    "Pay Period: 02/01/2024 - 02/15/2024",
                    "Pay Date: 02/16/2024",
                    "Gross Pay 2,450.00",
                    "Net Pay 1,873.22",
                ],
            ),
            "passport": make_jpeg(folder / "passport scan.jpg"),
            "deposition": make_pdf(
                folder / "doe transcript final.pdf",
                [
                    "SUPERIOR COURT OF CALIFORNIA, COUNTY OF FRESNO",
                    "JOHN SMITH v. ACME CORP.",
                    "ORAL DEPOSITION OF JANE R. DOE",
                    "Taken on March 1, 2024",
                    "Reported by: Certified Court Reporter",
                ],
                title="Deposition transcript",
            ),
            "email": make_email(
                folder / "production email.eml",
                subject="RE: Smith v. Acme - document production",
                sender="Tom Baker <TBaker@BakerLowe.example>",
                date=dt.datetime(2024, 3, 5, 16, 30, tzinfo=dt.UTC),
                attachments=[
                    ("production letter.pdf", letter_pdf.read_bytes(), "application/pdf"),
                    ("notes.txt", b"Production notes\n", "text/plain"),
                ],
            ),
            "opposing_letter": make_pdf(
                folder / "Letter re deposition scheduling.pdf",
                [
                    "Baker & Lowe LLP",
                    "March 4, 2024",
                    "Re: Smith v. Acme - deposition scheduling",
                    "Dear Counsel:",
                    "We propose March 20 for the deposition of your client.",
                    "Sincerely,",
                    "Tom Baker",
                    "Counsel for Defendant Acme Corp.",
                ],
            ),
        }

    return build


@pytest.fixture
def make_workspace(tmp_path: Path) -> Iterator[Callable[..., tuple[Workspace, Ledger]]]:
    ledgers: list[Ledger] = []

    def build(preset: str = "litigation", name: str = "ws") -> tuple[Workspace, Ledger]:
        ws = init_workspace(tmp_path / name, preset)
        ledger = Ledger.open(ws.default_ledger_url(), Actor("tester", "paralegal"))
        ledgers.append(ledger)
        return ws, ledger

    yield build
    for ledger in ledgers:
        ledger.close()


def preset_router(preset: str, *, read_files: bool = True) -> RulesRouter:
    return RulesRouter(
        load_rules(naming_rules_dir() / f"{preset}.toml"),
        today=lambda: TODAY,
        read_files=read_files,
    )


def rules_filer(ws: Workspace, ledger: Ledger, preset: str) -> Filer:
    return Filer(ws, ledger, router=preset_router(preset), preparer=EmailAttachmentPreparer())


def copy_preset(preset: str, dest: Path) -> Path:
    shutil.copyfile(naming_rules_dir() / f"{preset}.toml", dest)
    return dest
