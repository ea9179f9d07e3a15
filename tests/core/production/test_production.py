"""Productions (issue 19): a volume built from a real workspace ledger, read back with a
DAT/OPT parser written here (not the writer's code), hashes recomputed, text compared with
poppler's pdftotext, and the ledger checked."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from reportlab.pdfgen import canvas

from intake_desktop.app import App
from intake_desktop.core import custody
from intake_desktop.core.demo.render import Attachment, Email, Sheet, eml_bytes, xlsx_bytes
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.exhibits.spec import SpecError
from intake_desktop.core.ledger import EventKind
from intake_desktop.core.production.build import PRODUCED, WITHHELD, produce
from intake_desktop.core.production.plan import ProductionError
from intake_desktop.core.production.spec import parse_production_spec
from intake_desktop.core.progress import CancelFlag
from tests.conftest import run_cli

MATTER = "2025-0001 Lane v. Harbor Freight Co"
PREFIX = "LANE-"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRIVILEGED_WORDS = "Zanzibar settlement strategy"


# ---- an independent reader of the load files ---------------------------------------------


def read_dat(path: Path) -> list[dict[str, str]]:
    """Concordance DAT: BOM, CRLF, fields between 0x14, each quoted by 0xFE."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the DAT must start with a UTF-8 BOM"
    text = raw[3:].decode("utf-8")
    assert text.endswith("\r\n")
    lines = text[:-2].split("\r\n")
    assert not any("\n" in line or "\r" in line for line in lines), "bare line break"
    table = []
    for line in lines:
        cells = line.split("\x14")
        for cell in cells:
            assert len(cell) >= 2 and cell[0] == "\xfe" and cell[-1] == "\xfe", cell
        table.append([c[1:-1] for c in cells])
    header = table[0]
    assert all(len(r) == len(header) for r in table)
    return [dict(zip(header, r, strict=True)) for r in table[1:]]


@dataclass
class OptLine:
    bates: str
    volume: str
    image: str
    break_flag: str
    pages: str


def read_opt(path: Path) -> list[OptLine]:
    text = path.read_bytes().decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    out = []
    for line in text[:-2].split("\r\n"):
        parts = line.split(",")
        assert len(parts) == 7 and parts[4] == parts[5] == "", line
        out.append(OptLine(parts[0], parts[1], parts[2], parts[3], parts[6]))
    return out


def num(bates: str, prefix: str = PREFIX) -> int:
    assert bates.startswith(prefix) and re.fullmatch(r"\d{6}", bates[len(prefix):]), bates
    return int(bates[len(prefix):])


def local(out: Path, link: str) -> Path:
    return out.joinpath(*link.split("\\"))


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def page_texts(path: Path) -> list[str]:
    return pdftotext(path).split("\f")[:-1]


# ---- a workspace with filed documents ----------------------------------------------------


def pdf_bytes(lines_per_page: list[list[str]], title: str = "") -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setTitle(title)
    for lines in lines_per_page:
        y = 720
        for line in lines:
            c.drawString(72, y, line)
            y -= 16
        c.showPage()
    c.save()
    return buf.getvalue()


@dataclass
class Filed:
    id: int
    original: Path
    filed: Path


class Desk:
    """Files documents into the workspace and the ledger the way the filing path leaves
    them: original under _Originals/, filed PDF in a category folder, a `filed` row."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.root = app.workspace.root

    def file(self, name: str, original: bytes, category: str, *, rendering: bytes | None = None,
             detected: str = "application/pdf", date: str | None = "2024-01-02",
             parent: Filed | None = None) -> Filed:
        base = self.root / "Matters" / MATTER
        orig = base / "_Originals" / name
        filed = base / category / (Path(name).stem + ".pdf")
        for path, data in ((orig, original), (filed, rendering or original)):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        rel = lambda p: p.relative_to(self.root).as_posix()  # noqa: E731
        with self.app.ledger.transaction() as txn:
            txn.ensure_matter(MATTER)
            doc_id = txn.insert_document(
                sha256=hashlib.sha256(original).hexdigest(), size=len(original),
                detected_type=detected, source_path=f"/intake/{name}",
                original_path=rel(orig), filed_path=rel(filed),
                filed_sha256=hashlib.sha256(rendering or original).hexdigest(),
                matter_id=MATTER, category=category, document_date=date, status="filed",
                target_status="filed", parent_id=parent.id if parent else None,
                family_id=f"F{parent.id:06d}" if parent else None)
            if parent is not None:
                txn.update_document(parent.id, family_id=f"F{parent.id:06d}")
            txn.add_event(EventKind.ORIGINAL_PRESERVED, document_id=doc_id, matter_id=MATTER,
                          path_after=rel(orig), sha256_after=hashlib.sha256(original).hexdigest())
            txn.add_event(EventKind.FILED, document_id=doc_id, matter_id=MATTER,
                          path_after=rel(filed), sha256_after=hashlib.sha256(
                              rendering or original).hexdigest())
        return Filed(doc_id, orig, filed)


@pytest.fixture
def desk(app: App) -> dict[str, Any]:
    d = Desk(app)
    letter = d.file("Letter to Harbor.pdf", pdf_bytes([
        [f"Demand letter page {n}: unpaid overtime for dock crew {n}"] for n in (1, 2, 3)
    ]), "Correspondence", date="2024-02-01")
    att_pdf = pdf_bytes([["Attached timesheet summary, week 1"], ["Week 2 totals 51 hours"]])
    mail = eml_bytes(Email(
        sender="Ada Lane <ada@lane.example>", to="Bo Harbor <bo@harbor.example>",
        cc="Cy Park <cy@park.example>", subject="Timesheets for March",
        sent=dt.datetime(2024, 3, 5, 9, 30, tzinfo=dt.UTC), body="Please see attached.",
        attachments=(Attachment("timesheets.pdf", "application/pdf", att_pdf),)), "lane-1")
    email_doc = d.file("Timesheets for March.eml", mail, "Email", detected="message/rfc822",
                       rendering=pdf_bytes([["From: Ada Lane", "Subject: Timesheets for March"],
                                            ["Please see attached."]]), date="2024-03-05")
    attachment = d.file("timesheets.pdf", att_pdf, "Timesheets", parent=email_doc,
                        date="2024-03-05")
    sheet = xlsx_bytes([Sheet("Hours", (("Week", "Hours"), ("2024-03-01", 51)))],
                       "Hours", "Ada Lane", dt.datetime(2024, 3, 6, 10, 0))
    native = d.file("Hours 2024.xlsx", sheet, "Calculations", detected=XLSX,
                    rendering=pdf_bytes([["Week Hours", "2024-03-01 51"]]), date="2024-03-06")
    privileged = d.file("Memo to client.pdf", pdf_bytes([
        [f"Privileged: {PRIVILEGED_WORDS} page 1"], [f"{PRIVILEGED_WORDS} page 2"]]),
        "Correspondence", date="2024-03-10")
    last = d.file("Harbor reply.pdf", pdf_bytes([["Harbor reply: we dispute the hours"]]),
                  "Correspondence", date="2024-04-01")
    return {"app": app, "root": d.root, "letter": letter, "email": email_doc,
            "attachment": attachment, "native": native, "privileged": privileged,
            "last": last}


def spec_text(desk: dict[str, Any], volume: str = "VOL001", extra: str = "") -> str:
    return f'''
[production]
volume = "{volume}"
matter = "{MATTER}"
custodian = "Ada Lane"
producing_party = "Lane Law PC"
served_on = "Counsel for Harbor"
{extra}

[bates]
prefix = "{PREFIX}"
digits = 6

[[documents]]
document = {desk["attachment"].id}   # the attachment first: its e-mail must come before it

[[documents]]
sha256 = "{hashlib.sha256(desk["letter"].original.read_bytes()).hexdigest()}"

[[documents]]
document = {desk["native"].id}
confidentiality = "HIGHLY CONFIDENTIAL - ATTORNEYS' EYES ONLY"

[[documents]]
category = "Correspondence"

[[withhold]]
document = {desk["privileged"].id}
privilege = ["attorney-client", "work product"]
description = "Memo from counsel to client giving legal advice on settlement."
author = "Lane Law PC"
recipients = "Ada Lane"
'''


def build(desk: dict[str, Any], tmp_path: Path, name: str = "out", volume: str = "VOL001",
          extra: str = "", **kwargs: Any) -> Any:
    spec_path = tmp_path / f"{volume}.toml"
    spec_path.write_text(spec_text(desk, volume, extra), encoding="utf-8")
    spec = parse_production_spec(spec_path.read_text(encoding="utf-8"), spec_path)
    app = desk["app"]
    return produce(spec, tmp_path / name, app.ledger, workspace_root=app.workspace.root,
                   scratch_dir=app.workspace.work, **kwargs)


# ---- the volume -------------------------------------------------------------------------


def test_volume_reads_back_consistently(desk: dict[str, Any], tmp_path: Path) -> None:
    result = build(desk, tmp_path)
    out = tmp_path / "out"
    rows = read_dat(out / "VOL001" / "DATA" / "VOL001.dat")
    opt = read_opt(out / "VOL001" / "DATA" / "VOL001.opt")
    required = {"BEGBATES", "ENDBATES", "BEGATTACH", "ENDATTACH", "PAGECOUNT", "CUSTODIAN",
                "FILENAME", "DOCDATE", "FROM", "TO", "CC", "SUBJECT", "MD5HASH", "SHA1HASH",
                "SHA256HASH", "CONFIDENTIALITY", "NATIVELINK", "TEXTLINK"}
    assert required <= set(rows[0])

    # Production order: the e-mail before its attachment, then the rest as selected.
    names = [r["FILENAME"] for r in rows]
    assert names == ["Timesheets for March.eml", "timesheets.pdf", "Letter to Harbor.pdf",
                     "Hours 2024.xlsx", "", "Harbor reply.pdf"]

    # Bates ranges: contiguous from 1, gap-free, PAGECOUNT pages each.
    expected = 1
    for r in rows:
        first, last = num(r["BEGBATES"]), num(r["ENDBATES"])
        assert first == expected and last - first + 1 == int(r["PAGECOUNT"])
        expected = last + 1
    assert expected - 1 == result.pages == 2 + 2 + 3 + 1 + 1 + 1

    # Every page of every image has exactly one OPT line, in order, with its own number.
    assert [num(o.bates) for o in opt] == list(range(1, expected))
    by_image: dict[str, list[OptLine]] = {}
    for o in opt:
        assert o.volume == "VOL001"
        by_image.setdefault(o.image, []).append(o)
    for r in rows:
        lines = [o for o in opt if r["BEGBATES"] <= o.bates <= r["ENDBATES"]]
        image = local(out, lines[0].image)
        with pikepdf.open(image) as pdf:
            pages = len(pdf.pages)
        assert len(by_image[lines[0].image]) == pages == int(r["PAGECOUNT"])
        assert [o.break_flag for o in lines] == ["Y"] + [""] * (pages - 1)
        assert lines[0].pages == str(pages) and all(o.pages == "" for o in lines[1:])
        # the stamp on each page is that page's number and the endorsement
        for n, text in enumerate(page_texts(image)):
            assert set(re.findall(r"LANE-\d{6}", text)) == {f"LANE-{num(r['BEGBATES']) + n:06d}"}
            assert r["CONFIDENTIALITY"] in text.replace("\n", " ")

    # The family: contiguous, BEGATTACH/ENDATTACH span exactly the e-mail and attachment.
    family = [r for r in rows if r["BEGATTACH"]]
    assert [r["FILENAME"] for r in family] == ["Timesheets for March.eml", "timesheets.pdf"]
    for r in family:
        assert r["BEGATTACH"] == family[0]["BEGBATES"]
        assert r["ENDATTACH"] == family[-1]["ENDBATES"]
    assert rows[0]["FROM"] == "Ada Lane <ada@lane.example>"
    assert rows[0]["TO"] == "Bo Harbor <bo@harbor.example>"
    assert rows[0]["CC"] == "Cy Park <cy@park.example>"
    assert rows[0]["SUBJECT"] == "Timesheets for March" and rows[0]["DOCDATE"] == "03/05/2024"
    assert {r["CUSTODIAN"] for r in rows} == {"Ada Lane"}

    # Hashes: the natives' own hashes; every other document's original's.
    keys = ("letter", "email", "attachment", "native", "last")
    originals = {desk[k].original.name: desk[k].original for k in keys}
    for r in rows:
        if not r["FILENAME"]:
            continue
        data = originals[r["FILENAME"]].read_bytes()
        if r["NATIVELINK"]:
            data_native = local(out, r["NATIVELINK"]).read_bytes()
            assert data_native == data
        assert r["MD5HASH"] == hashlib.md5(data).hexdigest()
        assert r["SHA1HASH"] == hashlib.sha1(data).hexdigest()
        assert r["SHA256HASH"] == hashlib.sha256(data).hexdigest()
    native_rows = [r for r in rows if r["NATIVELINK"]]
    assert [r["FILENAME"] for r in native_rows] == ["Hours 2024.xlsx"]
    assert native_rows[0]["NATIVELINK"].endswith(f"{native_rows[0]['BEGBATES']}.xlsx")
    assert native_rows[0]["CONFIDENTIALITY"] == "HIGHLY CONFIDENTIAL - ATTORNEYS' EYES ONLY"
    slip_line = next(o for o in opt if o.bates == native_rows[0]["BEGBATES"])
    assert "PRODUCED IN NATIVE FORMAT" in pdftotext(local(out, slip_line.image))

    # The text files hold each document's text (compared with poppler's reading).
    filed = {desk[k].original.name: desk[k].filed for k in keys}
    for r in rows:
        text = local(out, r["TEXTLINK"]).read_text(encoding="utf-8")
        if r["FILENAME"]:
            assert words(text) == words(pdftotext(filed[r["FILENAME"]])), r["FILENAME"]

    # The withheld document: a numbered slip sheet, no image of it, no native, a log row.
    withheld = [r for r in rows if not r["FILENAME"]]
    assert len(withheld) == 1 and withheld[0]["PAGECOUNT"] == "1"
    w = withheld[0]
    assert w["PRIVILEGE"].startswith("Withheld") and not w["NATIVELINK"]
    assert not (w["MD5HASH"] or w["SHA256HASH"])
    slip = local(out, next(o.image for o in opt if o.bates == w["BEGBATES"]))
    slip_text = pdftotext(slip)
    assert "WITHHELD - PRIVILEGED" in slip_text and "Zanzibar" not in slip_text
    assert "Zanzibar" not in local(out, w["TEXTLINK"]).read_text(encoding="utf-8")
    images = list((out / "VOL001" / "IMAGES").glob("*.pdf"))
    assert all("Zanzibar" not in pdftotext(p) for p in images)
    assert len(images) == len(rows)
    assert len(list((out / "VOL001" / "NATIVES").iterdir())) == 1

    log_rows = list(csv.DictReader(
        (out / "VOL001 privilege log.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert len(log_rows) == 1
    log = log_rows[0]
    assert log["Bates / control no."] == w["BEGBATES"]
    assert log["Date"] == "03/10/2024" and log["Author"] == "Lane Law PC"
    assert log["Recipients"] == "Ada Lane"
    assert log["Privilege asserted"] == "Attorney-client privilege; Attorney work product"
    assert "Zanzibar" not in log["Description"]
    log_pdf = pdftotext(out / "VOL001 privilege log.pdf")
    assert w["BEGBATES"] in log_pdf and "Attorney work product" in log_pdf
    assert (out / "VOL001 privilege log.docx").stat().st_size > 0

    cover = " ".join(pdftotext(out / "VOL001 cover letter.pdf").split())
    assert "Bates numbered LANE-000001 through LANE-000010" in cover
    assert "Documents withheld as privileged 1" in cover
    assert "Documents produced in native format 1" in cover
    from docx import Document

    word = Document(str(out / "VOL001 cover letter.docx"))
    paragraphs = " ".join(p.text for p in word.paragraphs)
    assert "Bates numbered LANE-000001 through LANE-000010" in paragraphs
    cells = [[c.text for c in row.cells] for row in word.tables[0].rows]
    assert ["Documents withheld as privileged", "1"] in cells


def test_produced_documents_are_in_the_ledger_and_verify_passes(
    desk: dict[str, Any], tmp_path: Path
) -> None:
    build(desk, tmp_path)
    ledger = desk["app"].ledger
    events = ledger.chain.events()
    produced = {e.document_id: e for e in events if e.kind == PRODUCED}
    withheld = {e.document_id: e for e in events if e.kind == WITHHELD}
    assert set(produced) == {desk[k].id for k in ("letter", "email", "attachment", "native",
                                                    "last")}
    assert set(withheld) == {desk["privileged"].id}
    letter = produced[desk["letter"].id]
    assert letter.detail["volume"] == "VOL001"
    assert (letter.detail["bates_first"], letter.detail["bates_last"]) == ("LANE-000005",
                                                                          "LANE-000007")
    image = tmp_path / "out" / "VOL001" / "IMAGES" / "LANE-000005.pdf"
    assert letter.sha256_after == hashlib.sha256(image.read_bytes()).hexdigest()
    assert produced[desk["attachment"].id].detail["begattach"] == "LANE-000001"
    assert withheld[desk["privileged"].id].detail["privilege"] == ["attorney-client",
                                                                   "work product"]
    report = custody.verify(ledger, desk["root"])
    assert report.ok, report.problems


def test_two_productions_continue_the_numbering(desk: dict[str, Any], tmp_path: Path) -> None:
    first = build(desk, tmp_path, "one", "VOL001")
    second = build(desk, tmp_path, "two", "VOL002")
    one = read_dat(tmp_path / "one" / "VOL001" / "DATA" / "VOL001.dat")
    two = read_dat(tmp_path / "two" / "VOL002" / "DATA" / "VOL002.dat")
    used_one = {n for r in one for n in range(num(r["BEGBATES"]), num(r["ENDBATES"]) + 1)}
    used_two = {n for r in two for n in range(num(r["BEGBATES"]), num(r["ENDBATES"]) + 1)}
    assert not used_one & used_two
    assert min(used_two) == max(used_one) + 1 == first.pages + 1
    assert second.bates_first == f"LANE-{first.pages + 1:06d}"
    assert not any("produced before" in w for w in first.warnings)
    assert any("5 document(s) were produced before" in w and "in VOL001 as LANE-000005" in w
               for w in second.warnings), second.warnings
    assert desk["app"].ledger.bates.next_bates(PREFIX) == first.pages + second.pages + 1
    third = build(desk, tmp_path, "three", "VOL002")
    assert any("a volume named VOL002 was produced before" in w for w in third.warnings)


def test_a_failed_production_gives_its_numbers_back(desk: dict[str, Any],
                                                     tmp_path: Path) -> None:
    ledger = desk["app"].ledger
    before = ledger.bates.next_bates(PREFIX)
    events_before = len(ledger.chain.events())
    original = desk["last"].original
    kept = original.read_bytes()
    original.write_bytes(kept + b"changed")  # the original no longer matches the ledger
    with pytest.raises(ProductionError, match="no longer matches"):
        build(desk, tmp_path, "failed")
    assert ledger.bates.next_bates(PREFIX) == before
    assert not (tmp_path / "failed").exists() or not any((tmp_path / "failed").iterdir())
    kinds = [e.kind for e in ledger.chain.events()[events_before:]]
    assert kinds == ["bates_reserved", "bates_released"]

    cancel = CancelFlag()

    def stop(done: int, total: int, message: str) -> None:
        if "producing" in message and done > 0:
            cancel.set()

    original.write_bytes(kept)
    with pytest.raises(ProductionError, match="cancelled"):
        build(desk, tmp_path, "cancelled", on_progress=stop, cancel=cancel)
    assert ledger.bates.next_bates(PREFIX) == before
    assert not any(e.kind == PRODUCED for e in ledger.chain.events())
    result = build(desk, tmp_path, "again")
    assert result.bates_first == f"LANE-{before:06d}"  # the same numbers, no gap
    assert custody.verify(ledger, desk["root"]).ok


def test_withheld_without_slip_sheets_gets_a_control_number(desk: dict[str, Any],
                                                            tmp_path: Path) -> None:
    result = build(desk, tmp_path, extra="withheld_slip_sheets = false")
    out = tmp_path / "out"
    rows = read_dat(out / "VOL001" / "DATA" / "VOL001.dat")
    assert all(r["FILENAME"] for r in rows)  # no row for the withheld document
    assert result.pages == 9 and len(read_opt(out / "VOL001" / "DATA" / "VOL001.opt")) == 9
    log = list(csv.DictReader(
        (out / "VOL001 privilege log.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [r["Bates / control no."] for r in log] == ["VOL001-PRIV-0001"]


def test_produce_command_json(desk: dict[str, Any], tmp_path: Path) -> None:
    spec = tmp_path / "cli.toml"
    spec.write_text(spec_text(desk), encoding="utf-8")
    desk["app"].close()  # the command opens the workspace itself
    proc = run_cli("produce", str(spec), "--out", str(tmp_path / "cli"), "--json",
                   "--workspace", str(desk["root"]))
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout.strip().splitlines()[-1])
    assert record["volume"] == "VOL001" and record["pages"] == 10
    assert record["bates_first"] == "LANE-000001" and record["bates_last"] == "LANE-000010"
    assert Path(record["dat"]).is_file() and Path(record["opt"]).is_file()
    again = run_cli("produce", str(spec), "--out", str(tmp_path / "cli"),
                    "--workspace", str(desk["root"]))
    assert again.returncode == 1 and "not empty" in again.stderr
    assert again.stderr.count("\n") == 1  # one line that says what to do
    preview = run_cli("produce", str(spec), "--dry-run", "--json",
                      "--workspace", str(desk["root"]))
    assert preview.returncode == 0, preview.stderr
    plan = json.loads(preview.stdout.strip().splitlines()[-1])
    assert plan["dry_run"] is True and plan["pages"] == 10
    assert plan["documents"][0]["bates_first"] == "LANE-000011"  # after VOL001, not reserved
    assert [d["treatment"] for d in plan["documents"]].count("withheld") == 1
    again_plan = run_cli("produce", str(spec), "--dry-run", "--json",
                         "--workspace", str(desk["root"]))
    assert json.loads(again_plan.stdout.strip().splitlines()[-1])["documents"][0][
        "bates_first"] == "LANE-000011"


# ---- the spec ----------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "line", "what"), [
    ('[production]\nvolume = "V 1"\n[bates]\nprefix = "A-"\n[[documents]]\ndocument = 1\n',
     2, "cannot name a volume folder"),
    ('[production]\nvolume = "V1"\n[bates]\nprefix = "A-"\ndigits = 3\n'
     '[[documents]]\ndocument = 1\n', 5, "digits"),
    ('[production]\nvolume = "V1"\n[bates]\nprefix = "A-"\n[[documents]]\ndocument = 1\n'
     '[[withhold]]\ndocument = 2\nprivilege = "secret"\ndescription = "x"\n', 9,
     "'secret' is not known"),
    ('[production]\nvolume = "V1"\n[bates]\nprefix = "A-"\n[[documents]]\ndocument = 1\n'
     '[[documents]]\ncategory = "Letters"\n', 7, "needs a matter"),
    ('[production]\nvolume = "V1"\nimage_format = "bmp"\n[bates]\nprefix = "A-"\n'
     '[[documents]]\ndocument = 1\n', 3, "not supported"),
    ('[production]\nvolume = "V1"\ncolour = 1\n[bates]\nprefix = "A-"\n'
     '[[documents]]\ndocument = 1\n', 3, "unknown key 'colour'"),
])
def test_spec_errors_name_the_line(tmp_path: Path, body: str, line: int, what: str) -> None:
    path = tmp_path / "bad.toml"
    with pytest.raises(SpecError) as info:
        parse_production_spec(body, path)
    assert f"line {line}" in info.value.message and what in info.value.message
    assert str(path) in info.value.message


def test_unknown_document_is_refused_before_any_number_is_taken(
    desk: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "missing.toml"
    path.write_text('[production]\nvolume = "V1"\n[bates]\nprefix = "LANE-"\n'
                    '[[documents]]\ndocument = 999\n', encoding="utf-8")
    spec = parse_production_spec(path.read_text(encoding="utf-8"), path)
    app = desk["app"]
    with pytest.raises(ProductionError, match="line 5, documents 1: no document 999"):
        produce(spec, tmp_path / "o", app.ledger, workspace_root=app.workspace.root)
    assert app.ledger.bates.next_bates("LANE-") == 1
    assert not (tmp_path / "o").exists()


def test_an_explicit_start_may_not_reuse_numbers(desk: dict[str, Any], tmp_path: Path) -> None:
    build(desk, tmp_path, "one", "VOL001")
    spec_path = tmp_path / "again.toml"
    spec_path.write_text(spec_text(desk, "VOL002").replace("digits = 6", "digits = 6\nstart = 5"),
                         encoding="utf-8")
    spec = parse_production_spec(spec_path.read_text(encoding="utf-8"), spec_path)
    app = desk["app"]
    with pytest.raises(IntakeError, match="would reuse numbers"):
        produce(spec, tmp_path / "two", app.ledger, workspace_root=app.workspace.root)
    assert app.ledger.bates.next_bates(PREFIX) == 11
    assert not (tmp_path / "two").exists()


def test_a_bates_number_finds_its_document(desk: dict[str, Any], tmp_path: Path) -> None:
    from intake_desktop.core.production.lookup import find_bates, productions_of

    build(desk, tmp_path, "one", "VOL001")
    build(desk, tmp_path, "two", "VOL002")
    ledger = desk["app"].ledger
    letter = desk["letter"].id
    found = find_bates(ledger, "LANE-000006")  # page 2 of the 3-page letter in VOL001
    assert found is not None and found.document_id == letter and found.volume == "VOL001"
    assert found.label == "produced in VOL001 as LANE-000005-LANE-000007"
    again = find_bates(ledger, "LANE-000016")  # the same page in VOL002 (10 pages later)
    assert again is not None and again.document_id == letter and again.volume == "VOL002"
    assert [p.volume for p in productions_of(ledger, letter)] == ["VOL001", "VOL002"]
    withheld = productions_of(ledger, desk["privileged"].id)[0]
    assert withheld.withheld and withheld.label == "withheld from VOL001 (slip sheet LANE-000009)"
    assert find_bates(ledger, "LANE-000021") is None
    assert find_bates(ledger, "OTHER-000006") is None


def test_outlook_message_headers_reach_the_dat(app: App, tmp_path: Path) -> None:
    from tests.core.convert.msgfile import build_msg

    d = Desk(app)
    msg = build_msg(subject="Settlement offer", sender_name="John Smith",
                    sender_email="john@insurer.example", to="intake@firm.example",
                    body="We offer $10,000.", sent=dt.datetime(2024, 3, 5, 14, 0, tzinfo=dt.UTC))
    doc = d.file("Settlement offer.msg", msg, "Email", detected="application/vnd.ms-outlook",
                 rendering=pdf_bytes([["From: John Smith", "We offer $10,000."]]), date=None)
    spec_path = tmp_path / "msg.toml"
    spec_path.write_text(f'[production]\nvolume = "M1"\n[bates]\nprefix = "{PREFIX}"\n'
                         f'[[documents]]\ndocument = {doc.id}\n', encoding="utf-8")
    spec = parse_production_spec(spec_path.read_text(encoding="utf-8"), spec_path)
    produce(spec, tmp_path / "out", app.ledger, workspace_root=app.workspace.root)
    row = read_dat(tmp_path / "out" / "M1" / "DATA" / "M1.dat")[0]
    assert row["FROM"] == "John Smith <john@insurer.example>"
    assert row["TO"] == "intake@firm.example" and row["SUBJECT"] == "Settlement offer"
    assert row["DOCDATE"] == "03/05/2024"  # from the message, the ledger has no date
    assert row["SHA256HASH"] == hashlib.sha256(msg).hexdigest()
