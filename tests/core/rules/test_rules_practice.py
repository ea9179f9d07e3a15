"""Each preset files at least 40 realistic documents of its practice to exact paths, and
document dates are the documents' own (never a birth date, an expiry, a pay period, the
file's metadata or the filing day)."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from intake_desktop.core.filing import IngestResult
from tests.core.rules.practice_docs import PRACTICE_DOCS
from tests.core.rules.samples import make_email, make_jpeg, make_pdf, preset_router, rules_filer
from tests.core.rules.test_rules_presets import MATTERS


def _rel(ws_root: Path, result: IngestResult, matter: str) -> str:
    assert result.path is not None
    path = Path(result.path).relative_to(ws_root)
    if path.parts[0] == "Matters":
        return path.relative_to(Path("Matters") / matter).as_posix()
    return path.as_posix()


@pytest.mark.parametrize("preset", sorted(PRACTICE_DOCS))
def test_practice_documents_file_to_exact_paths(preset: str, make_workspace: Callable) -> None:
    """GIVEN 40+ generated documents of the practice in Intake/<matter>/
    WHEN they are ingested through the preset's rules
    THEN each lands at its exact folder and name."""
    docs = PRACTICE_DOCS[preset]
    assert len(docs) >= 40
    ws, ledger = make_workspace(preset)
    matter = MATTERS[preset]
    for name, lines, _ in docs:
        make_pdf(ws.intake / matter / name, lines)
    results = {
        Path(r.source).relative_to(ws.intake / matter).as_posix(): r
        for r in rules_filer(ws, ledger, preset).ingest([ws.intake / matter])
    }
    wrong = {}
    for name, _, expected in docs:
        got = _rel(ws.root, results[name], matter)
        if got != expected.format(m=matter):
            wrong[name] = got
    assert wrong == {}


def test_passport_named_with_its_issue_date_not_the_birth_date(make_workspace: Callable) -> None:
    ws, ledger = make_workspace("immigration")
    src = make_pdf(ws.intake / "IMM-24-0031" / "passport.pdf", [
        "PASSPORT", "Surname: OKAFOR", "Date of birth: 09 MAR 1991", "Place of birth: LAGOS",
        "Date of issue: 12 JUN 2019", "Date of expiry: 11 JUN 2029"])
    [result] = rules_filer(ws, ledger, "immigration").ingest([src])
    assert Path(result.path or "").name == "2019-06-12_IMM-24-0031_PASS_passport.pdf"
    # The ledger records where the date came from.
    [filed] = [e for e in ledger.chain.events(document_id=result.document_id) if e.kind == "filed"]
    assert filed.detail["date_source"] == "text:date of issue"
    assert filed.detail["document_date"] == "2019-06-12"


def test_letter_takes_its_dated_line_over_a_date_in_its_body(make_workspace: Callable) -> None:
    ws, ledger = make_workspace("litigation")
    src = make_pdf(ws.intake / "LIT-24-0113" / "letter.pdf", [
        "Dear Ms. Reyes:", "On January 5, 2024 you sent us the memo dated December 1, 2023.",
        "Sincerely,", "Dated: March 1, 2024"])
    [result] = rules_filer(ws, ledger, "litigation").ingest([src])
    assert Path(result.path or "").name == "2024-03-01_LIT-24-0113_CORR_letter.pdf"


def test_photo_without_exif_is_marked_undated(make_workspace: Callable) -> None:
    ws, ledger = make_workspace("personal-injury")
    src = make_jpeg(ws.intake / "PI-24-0042" / "IMG_4411.jpg", None)
    [result] = rules_filer(ws, ledger, "personal-injury").ingest([src])
    assert Path(result.path or "").name == "rcvd-2024-03-20_PI-24-0042_PHOTO_IMG-4411.jpg"
    router = preset_router("personal-injury")
    assert router.rules_version  # the undated marker comes from the preset, not the code


def test_pdf_metadata_date_is_never_the_document_date(
    tmp_path: Path, make_workspace: Callable
) -> None:
    """A PDF made today (its CreationDate) with no date in its text is undated."""
    from reportlab.pdfgen import canvas

    ws, ledger = make_workspace("litigation")
    path = ws.intake / "LIT-24-0113" / "Declaration of Brandt.pdf"
    path.parent.mkdir(parents=True)
    c = canvas.Canvas(str(path))  # not invariant: CreationDate is now
    c.drawString(72, 700, "DECLARATION OF TOMAS BRANDT")
    c.drawString(72, 680, "I declare under penalty of perjury that the foregoing is true.")
    c.save()
    [result] = rules_filer(ws, ledger, "litigation").ingest([path])
    assert Path(result.path or "").name.startswith("rcvd-2024-03-20_LIT-24-0113_DECL_")


def test_pay_stubs_in_a_zip_each_carry_their_own_pay_date(
    tmp_path: Path, make_workspace: Callable
) -> None:
    """Through the real converting pipeline: a zip of pay stubs is a family; each member
    carries its own pay date, the undated zip is marked rcvd-."""
    from intake_desktop.app import App, build_filer
    from intake_desktop.core.ledger import Actor
    from intake_desktop.core.workspace import WorkspaceConfig

    ws, ledger = make_workspace("personal-injury")
    stubs = []
    for pay_date in ("01/19/2024", "02/02/2024"):
        stubs.append(make_pdf(tmp_path / f"stub {pay_date.replace('/', '-')}.pdf", [
            "NORTHWIND FOODS", "EARNINGS STATEMENT", "Pay Period: 01/01/2024 - 01/15/2024",
            f"Pay Date: {pay_date}", "Net pay 1,204.00"]))
    archive = ws.intake / "PI-24-0042" / "Pay stubs.zip"
    archive.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w") as zf:
        for stub in stubs:
            zf.write(stub, stub.name)
    filer = build_filer(App(ws, WorkspaceConfig(), ledger, Actor("tester")))
    [result] = filer.ingest([archive])
    today = dt.date.today().isoformat()
    assert Path(result.path or "").name == f"rcvd-{today}_PI-24-0042_WAGE_Pay-stubs.zip"
    assert sorted(Path(c.path or "").name for c in result.children) == [
        "2024-01-19_PI-24-0042_WAGE_Pay-stubs.001.pdf",
        "2024-02-02_PI-24-0042_WAGE_Pay-stubs.002.pdf",
    ]


def test_attachment_without_a_date_takes_its_emails_date(make_workspace: Callable) -> None:
    ws, ledger = make_workspace("immigration")
    card = make_pdf(ws.root / "gen" / "notes.pdf", ["Some notes without a date"])
    eml = make_email(
        ws.intake / "IMM-24-0031" / "docs.eml",
        subject="Documents",
        sender="client@example.com",
        date=dt.datetime(2024, 4, 15, 9, 0, tzinfo=dt.UTC),
        attachments=[("notes.pdf", card.read_bytes(), "application/pdf")],
    )
    [result] = rules_filer(ws, ledger, "immigration").ingest([eml])
    [child] = result.children
    assert Path(child.path or "").name == "2024-04-15_IMM-24-0031_EMAIL_Documents.001.pdf"
    decision = preset_router("immigration")
    assert decision.rules_version


def test_router_records_where_the_date_came_from(tmp_path: Path) -> None:
    from pathlib import PurePosixPath

    from intake_desktop.core.pipeline import Candidate

    router = preset_router("immigration")
    src = make_pdf(tmp_path / "passport.pdf", ["PASSPORT", "Date of birth: 09 MAR 1991",
                                                "Date of issue: 12 JUN 2019"])
    decision = router.route(Candidate(
        source=src, relative=PurePosixPath("IMM-1/passport.pdf"), matter_hint="IMM-1",
        detected_type="application/pdf", sha256="0" * 64, size=src.stat().st_size))
    assert (decision.document_date, decision.date_source) == ("2019-06-12", "text:date of issue")
    bare = make_pdf(tmp_path / "bare.pdf", ["PASSPORT"])
    decision = router.route(Candidate(
        source=bare, relative=PurePosixPath("IMM-1/passport scan.pdf"), matter_hint="IMM-1",
        detected_type="application/pdf", sha256="1" * 64, size=bare.stat().st_size))
    assert (decision.document_date, decision.date_source) == (None, "none")
    assert decision.filename.startswith("rcvd-")
