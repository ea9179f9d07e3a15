"""`intake-desktop demo`: generated matters filed through the real pipeline, and examples/.

One demo run (the CLI, into a fresh temporary workspace) is shared by the module's tests;
the generator's files are checked in memory.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
import stat
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image, ImageOps
from pypdf import PdfReader

from intake_desktop.core import custody
from intake_desktop.core.convert.office import SEED_ENV
from intake_desktop.core.courts import parse_profile
from intake_desktop.core.demo import (
    DemoDocument,
    Kind,
    generate_documents,
    is_workspace_empty,
    run_demo,
)
from intake_desktop.core.demo.cast import MATTER_PRESETS
from intake_desktop.core.demo.documents import DEFAULT_SEED, PRODUCTION_PASSWORD
from intake_desktop.core.demo.render import (
    EXIF_DATETIME_ORIGINAL,
    EXIF_IFD,
    EXIF_ORIENTATION,
    SCAN_DPI,
)
from intake_desktop.core.demo.runner import EXAMPLE_SPEC, examples_dir
from intake_desktop.core.engines import env_name, find_engine
from intake_desktop.core.errors import WorkspaceError
from intake_desktop.core.exhibits.spec import load_spec
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger import Actor, DocStatus, EventKind, Ledger
from intake_desktop.core.rules import load_rules
from intake_desktop.core.workspace import Workspace
from tests.conftest import REPO, run_cli

DONE = {"filed", "review", "duplicate"}


@pytest.fixture(scope="module")
def generated() -> list[DemoDocument]:
    return generate_documents(DEFAULT_SEED)


ENGINES = ("soffice", "tesseract", "ocrmypdf")


def logging_engines(bindir: Path, log: Path) -> dict[str, str]:
    """For each engine installed here: a wrapper that logs its arguments and runs it (the
    environment that makes the app use them)."""
    bindir.mkdir()
    env = {}
    for key in ENGINES:
        real = find_engine(key)
        if real is not None:
            wrapper = bindir / key
            wrapper.write_text(f'#!/bin/sh\necho "{key} $*" >> "{log}"\nexec "{real}" "$@"\n')
            wrapper.chmod(0o755)
            env[env_name(key)] = str(wrapper)
    return env


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run `intake-desktop demo --json` once into a new workspace (spaces and ñ in the path),
    its engines logging each start."""
    base = tmp_path_factory.mktemp("demo")
    root = base / "Demo work space ñ"
    log = base / "engines.log"
    env = logging_engines(base / "bin", log)
    env[SEED_ENV] = str(base / "libreoffice")  # not the user's cache: the wrapper is new
    proc = run_cli("demo", "--workspace", str(root), "--json", timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr + proc.stdout[-3000:]
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert "summary" in lines[-1], lines[-1]
    return {"root": root, "docs": lines[:-1], "summary": lines[-1]["summary"],
            "engines": env, "engine_log": log}


@pytest.fixture
def ledger(demo: dict[str, Any]) -> Iterator[Ledger]:
    ws = Workspace(demo["root"])
    led = Ledger.open(ws.default_ledger_url(), Actor("test", "paralegal"))
    yield led
    led.close()


# ---- the demo run ------------------------------------------------------------------------


def test_every_generated_document_has_an_outcome(
    demo: dict[str, Any], generated: list[DemoDocument], ledger: Ledger
) -> None:
    """GIVEN the demo ran into a fresh workspace, THEN each generated file was filed, set aside
    as a duplicate or sent to Review/ with a reason, and the ledger and the disk agree."""
    root: Path = demo["root"]
    lines = {(d["matter"], d["source"]): d for d in demo["docs"]}
    assert len(lines) == len(generated) >= 40
    top = [d for d in ledger.docs.documents() if d.parent_id is None]
    for doc in generated:
        line = lines[(doc.matter, doc.relative)]
        assert line["sha256"] == doc.sha256
        assert line["status"] in DONE, (doc.relative, line)
        rows = [r for r in top if r.sha256 == doc.sha256 and r.source_path.endswith(doc.name)
                and r.matter_id == doc.matter]
        assert len(rows) == 1, (doc.relative, rows)
        row = rows[0]
        assert row.status == line["status"]
        assert row.id == line["document_id"]
        if row.status == DocStatus.FILED:
            original = root / str(row.original_path)
            assert sha256_file(original) == doc.sha256
            assert not original.stat().st_mode & stat.S_IWUSR  # originals are read-only
            filed = root / str(row.filed_path)
            assert filed.is_file() and sha256_file(filed) == row.filed_sha256
            assert filed.is_relative_to(root / "Matters" / doc.matter)
        elif row.status == DocStatus.REVIEW:
            assert row.reason and line["reason"] == row.reason
            kept = root / str(row.filed_path)
            assert kept.parent == root / "Review" and sha256_file(kept) == doc.sha256
        else:
            first = ledger.docs.find_filed(doc.matter, doc.sha256)
            assert first is not None and first.id != row.id
            assert "same bytes as document" in line["reason"]
    # Nothing is left behind in Intake/: every source was filed and then removed.
    assert not [p for p in (root / "Intake").rglob("*") if p.is_file()]
    counts = demo["summary"]
    assert counts["documents"] == len(generated)
    assert counts["filed"] + counts["review"] + counts["duplicates"] == len(generated)
    assert counts["errors"] == 0 and counts["ok"] is True


def test_the_duplicate_password_pdf_and_unmatched_file_are_set_aside(
    demo: dict[str, Any], generated: list[DemoDocument]
) -> None:
    by_kind = {d["kind"]: d for d in demo["docs"]}
    duplicate = by_kind[Kind.DUPLICATE]
    assert duplicate["status"] == "duplicate"
    assert (demo["root"] / "Review" / "Duplicates" / Path(duplicate["source"]).name).is_file()
    assert [d["status"] for d in demo["docs"]].count("duplicate") == 1
    unmatched = by_kind[Kind.UNMATCHED]
    assert unmatched["status"] == "review"
    assert unmatched["reason"] == "no rule matched"


def test_families_and_conversions_when_the_pipeline_converts(demo: dict[str, Any]) -> None:
    """E-mail attachments and zip members are filed as children of their parent; photos
    filed as PDFs come out upright; the locked PDF waits in Review/ for its password."""
    lines = demo["docs"]
    for line in lines:
        if line["kind"] in (Kind.EMAIL, Kind.ARCHIVE):
            children = line["children"]
            assert children and all(c["status"] == "filed" for c in children), line
            assert all(Path(c["path"]).is_file() for c in children)
    (archive,) = [line for line in lines if line["kind"] == Kind.ARCHIVE]
    assert len(archive["children"]) == 4
    (locked,) = [line for line in lines if line["kind"] == Kind.ENCRYPTED]
    assert locked["status"] == "review" and "password" in locked["reason"]
    for line in lines:
        if line["kind"] == Kind.PHOTO and line["status"] == "filed" and line["path"].endswith(
            ".pdf"
        ):
            page = PdfReader(line["path"]).pages[0]
            width, height = page.mediabox.width, page.mediabox.height
            if page.rotation % 180:
                width, height = height, width
            assert width > height, line["source"]  # shown upright: EXIF Orientation applied


def test_ledger_verify_passes(demo: dict[str, Any], ledger: Ledger) -> None:
    report = custody.verify(ledger, demo["root"])
    assert report.ok, report.to_json()
    assert report.first_bad_event is None and not report.missing_files
    filed = ledger.docs.documents(status=DocStatus.FILED)
    assert report.files_checked >= 2 * len(filed) > 0


def test_each_matter_was_filed_with_its_own_preset(demo: dict[str, Any], ledger: Ledger) -> None:
    rules = demo["summary"]["rules"]
    assert set(rules) == set(MATTER_PRESETS)
    versions: dict[str, set[str | None]] = {}
    for matter, preset in MATTER_PRESETS.items():
        assert rules[matter].startswith(f"{preset} preset")
        filed = {d.id for d in ledger.docs.documents(matter_id=matter)}
        versions[matter] = {
            e.rules_version for e in ledger.chain.events()
            if e.kind == EventKind.FILED and e.document_id in filed
        }
        assert len(versions[matter]) == 1, versions[matter]
    assert len(set.union(*versions.values())) == 3
    assert demo["summary"]["active_rules"].startswith("litigation preset")
    changes = [e for e in ledger.chain.events() if e.kind == EventKind.RULES_CHANGED]
    assert len({e.detail["version"] for e in changes}) == 3


def test_the_demo_refuses_a_used_or_foreign_folder(
    demo: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intake_desktop.app import build_filer, open_app

    def opener(path: Path) -> Any:
        return open_app(str(path))

    with pytest.raises(WorkspaceError, match="already has documents"):
        run_demo(demo["root"], open_app=opener, build_filer=build_filer)
    other = tmp_path / "Someone's folder"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="not empty"):
        run_demo(other, open_app=opener, build_filer=build_filer)
    assert (other / "notes.txt").read_text(encoding="utf-8") == "keep me"
    real = tmp_path / "Real workspace"
    monkeypatch.setattr("intake_desktop.core.demo.runner.default_workspace_dir", lambda: real)
    with pytest.raises(WorkspaceError, match="never fills your real workspace"):
        run_demo(real, open_app=opener, build_filer=build_filer)
    assert not real.exists()


def test_is_workspace_empty(demo: dict[str, Any], tmp_path: Path) -> None:
    from intake_desktop.app import open_app
    from intake_desktop.core.workspace import init_workspace

    init_workspace(tmp_path / "fresh")
    fresh = open_app(str(tmp_path / "fresh"))
    used = open_app(str(demo["root"]))
    try:
        assert is_workspace_empty(fresh) is True
        assert is_workspace_empty(used) is False
    finally:
        fresh.close()
        used.close()


def test_the_demo_reports_its_time(demo: dict[str, Any]) -> None:
    summary = demo["summary"]
    assert 0 < summary["generate_s"] <= summary["elapsed_s"]
    assert isinstance(summary["within_budget"], bool)


def test_later_matters_conversions_run_beside_the_first_matters_filing(
    demo: dict[str, Any], ledger: Ledger
) -> None:
    """Issue 16: the injury and immigration matters' Office files and e-mails (LibreOffice,
    attachments) were prepared in background processes (one per matter) while the first
    matter was filed, not after it; they were still converted in this run and filed as always: each
    with its `converted` event (LibreOffice for the Word file), its attachments under it,
    and no work folder left."""
    early = demo["summary"]["prepared_early"]
    by_source = {line["source"]: line for line in demo["docs"]}
    lines = [by_source[relative] for relative in early]
    matters = {line["matter"] for line in lines}
    assert matters == set(list(MATTER_PRESETS)[1:]), early
    assert {line["kind"] for line in lines} >= {Kind.WORD, Kind.EMAIL}, early
    assert all(line["status"] == "filed" for line in lines), lines
    for line in lines:
        events = ledger.chain.events(document_id=line["document_id"])
        converted = [e for e in events if e.kind == EventKind.CONVERTED]
        if line["kind"] in (Kind.WORD, Kind.EMAIL):  # made into a PDF in this run
            assert converted, line["source"]
        if line["kind"] == Kind.WORD:
            assert any("LibreOffice" in json.dumps(e.detail) for e in converted), line
            assert pikepdf.open(line["path"]).pages, line["path"]
        if line["kind"] in (Kind.EMAIL, Kind.ARCHIVE):
            assert line["children"] and all(c["status"] == "filed" for c in line["children"])
    assert not list(Workspace(demo["root"]).work.iterdir()), "no work folder left"


def test_each_engine_is_asked_for_its_version_once_in_the_whole_run(
    demo: dict[str, Any]
) -> None:
    """Issue 16: the demo's processes (the command, each matter's preparation workers, the
    background conversions) asked LibreOffice and the OCR programs for their versions
    again and again: `ocrmypdf --version` seven times (half a second of processor time
    each), `soffice --version` after each conversion, in a run bound by the processor. Now
    the command asks each once, as it starts, and every process of the run uses the
    answer."""
    if len(demo["engines"]) < len(ENGINES):
        pytest.skip("LibreOffice, Tesseract and OCRmyPDF are installed by .ci/run")
    started = demo["engine_log"].read_text(encoding="utf-8").splitlines()
    assert sum(line.startswith("soffice") and "--convert-to" in line for line in started) >= 2
    versions = [line for line in started if line.endswith("--version")]
    assert sorted(versions) == ["ocrmypdf --version", "soffice --headless --version",
                                "tesseract --version"], started
    assert sum(line == "tesseract --list-langs" for line in started) == 1, started


# ---- the generated files ---------------------------------------------------------------------


def test_generation_is_reproducible(generated: list[DemoDocument]) -> None:
    again = generate_documents(DEFAULT_SEED)
    assert [d.sha256 for d in again] == [d.sha256 for d in generated]
    other = generate_documents(DEFAULT_SEED + 1)
    assert [d.relative for d in other] == [d.relative for d in generated]
    assert sum(a.sha256 != b.sha256 for a, b in zip(other, generated, strict=True)) >= 5
    assert {d.kind for d in generated} == set(Kind)
    assert {d.matter for d in generated} == set(MATTER_PRESETS)
    # Only the intended duplicate shares bytes with another document.
    shas = [d.sha256 for d in generated]
    assert len(shas) - len(set(shas)) == 1


def _of(generated: list[DemoDocument], kind: Kind) -> list[DemoDocument]:
    found = [d for d in generated if d.kind == kind]
    assert found, kind
    return found


def test_text_pdfs_carry_text_letterhead_and_date(generated: list[DemoDocument]) -> None:
    complaint = next(d for d in generated if d.name == "Complaint - Reyes v Acme.pdf")
    reader = PdfReader(io.BytesIO(complaint.data))
    assert len(reader.pages) >= 2
    text = reader.pages[0].extract_text()
    assert "COMPLAINT FOR DAMAGES" in text and "Case No. 4:24-cv-00117-DEMO" in text
    assert str(reader.metadata.get("/CreationDate", "")).startswith("D:20240122")
    letter = next(d for d in generated if d.name == "Whitcombe letter re meet and confer.pdf")
    first = PdfReader(io.BytesIO(letter.data)).pages[0].extract_text()
    assert "Whitcombe Sterling LLP" in first and "Dear Mr. Vale" in first
    assert "Fictitious sample document" in first


def test_scans_are_image_only_at_300_dpi(generated: list[DemoDocument]) -> None:
    for doc in _of(generated, Kind.SCAN):
        with pikepdf.open(io.BytesIO(doc.data)) as pdf:
            for page in pdf.pages:
                resources = page.obj.get("/Resources", pikepdf.Dictionary())
                assert "/Font" not in resources, doc.relative
                images = list(page.get_images().values())
                assert len(images) == 1
                width_in = float(page.mediabox[2] - page.mediabox[0]) / 72
                assert round(int(images[0].Width) / width_in) == SCAN_DPI
        assert PdfReader(io.BytesIO(doc.data)).pages[0].extract_text().strip() == ""


def test_photos_carry_exif_date_and_orientation(generated: list[DemoDocument]) -> None:
    orientations = set()
    for doc in _of(generated, Kind.PHOTO):
        with Image.open(io.BytesIO(doc.data)) as img:
            exif = img.getexif()
            taken = exif.get_ifd(EXIF_IFD)[EXIF_DATETIME_ORIGINAL]
            dt.datetime.strptime(taken, "%Y:%m:%d %H:%M:%S")
            orientation = exif[EXIF_ORIENTATION]
            orientations.add(orientation)
            # Stored as the phone held it; upright once a viewer applies Orientation.
            assert img.size == ((1200, 1600) if orientation in (6, 8) else (1600, 1200))
            assert ImageOps.exif_transpose(img).size == (1600, 1200)
    assert orientations >= {1, 6}


def test_emails_have_parseable_attachments(generated: list[DemoDocument]) -> None:
    for doc in _of(generated, Kind.EMAIL):
        msg = email.message_from_bytes(doc.data, policy=email.policy.default)
        assert msg["From"] and msg["Date"] and msg["Subject"]
        attachments = list(msg.iter_attachments())  # type: ignore[attr-defined]
        assert attachments, doc.relative
        for part in attachments:
            payload = part.get_payload(decode=True)
            if part.get_content_type() == "application/pdf":
                assert len(PdfReader(io.BytesIO(payload)).pages) >= 1
            else:
                assert Image.open(io.BytesIO(payload)).format == "JPEG"


def test_office_files_archive_and_password_pdf(generated: list[DemoDocument]) -> None:
    import docx

    for doc in _of(generated, Kind.WORD):
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(doc.data)).paragraphs)
        assert "Fictitious sample document" in text
    for doc in _of(generated, Kind.SPREADSHEET):
        with zipfile.ZipFile(io.BytesIO(doc.data)) as zf:
            assert zf.testzip() is None
            sheet = zf.read("xl/worksheets/sheet1.xml").decode()
            assert "<f>SUM(" in sheet and "inlineStr" in sheet
    (archive,) = _of(generated, Kind.ARCHIVE)
    with zipfile.ZipFile(io.BytesIO(archive.data)) as zf:
        names = zf.namelist()
        assert len(names) == 4 and all(n.endswith(".pdf") for n in names)
        stub = PdfReader(io.BytesIO(zf.read(names[0]))).pages[0].extract_text()
        assert "EARNINGS STATEMENT" in stub
    (locked,) = _of(generated, Kind.ENCRYPTED)
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(locked.data))
    with pikepdf.open(io.BytesIO(locked.data), password=PRODUCTION_PASSWORD) as pdf:
        assert pdf.is_encrypted and len(pdf.pages) == 1
    (unmatched,) = _of(generated, Kind.UNMATCHED)
    assert unmatched.data.startswith(b"BEGIN:VCALENDAR")


# ---- examples/ --------------------------------------------------------------------------------


def test_example_exhibit_spec_validates_and_pins_demo_documents(
    generated: list[DemoDocument],
) -> None:
    path = examples_dir() / EXAMPLE_SPEC
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    litigation = {d.sha256: d.relative for d in generated if d.matter == data["set"]["matter"]}
    pinned = [ex["sha256"] for ex in data["exhibit"]]
    stale = [sha for sha in pinned if sha not in litigation]
    assert not stale, (
        f"{path.name} pins documents the demo no longer generates; current hashes: "
        + json.dumps({v: k for k, v in litigation.items()}, indent=1)
    )
    spec = load_spec(path)
    assert len(spec.exhibits) == len(pinned) and not spec.warnings
    assert spec.court == "cand"


def test_the_demo_built_the_example_exhibit_set(demo: dict[str, Any]) -> None:
    ex = demo["summary"]["exhibit_set"]
    assert ex["built"] is True, ex
    out = Path(ex["out"])
    assert out.is_relative_to(demo["root"] / "Exports")
    assert ex["exhibits"] == 5 and all(Path(p).is_file() for p in ex["index"])
    first = sorted((out / "Exhibits").glob("*.pdf"))[0]
    text = PdfReader(first).pages[0].extract_text()
    assert "REYES-000001" in text and "Employment Agreement" in text


def test_example_court_profile_validates() -> None:
    path = examples_dir() / "court-profile-annotated.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["id"] and data["sources"]["file_limit"]
    profile = parse_profile(path)
    assert profile.file_limit_bytes == 25_000_000 and profile.submission_limit_bytes == 50_000_000
    assert profile.part_pattern == "{stem} - Part {n} of {total}.pdf"


def test_example_naming_rules_validate() -> None:
    path = examples_dir() / "naming-rules-annotated.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert len(data["rule"]) >= 10
    ruleset = load_rules(path)
    assert len(ruleset.rules) == len(data["rule"])


def test_readme_references_each_example() -> None:
    readme = (examples_dir().parent / "README.md").read_text(encoding="utf-8")
    assert "intake-desktop demo" in readme
    for example in sorted(examples_dir().glob("*.toml")):
        assert f"examples/{example.name}" in readme, example.name


def test_the_human_summary_names_reasons_duplicates_and_next_steps(
    generated: list[DemoDocument], tmp_path: Path
) -> None:
    from intake_desktop.core.demo import DocumentOutcome, ExhibitOutcome, describe
    from intake_desktop.core.demo.runner import DemoReport

    ics = next(d for d in generated if d.kind == Kind.UNMATCHED)
    dup = next(d for d in generated if d.kind == Kind.DUPLICATE)
    letter = next(d for d in generated if d.kind == Kind.LETTER)
    source = str(tmp_path / "Intake" / ics.matter / ics.relative)
    report = DemoReport(
        workspace=tmp_path,
        seed=DEFAULT_SEED,
        outcomes=[
            DocumentOutcome(letter, "filed", path=str(tmp_path / "Matters" / "x.pdf")),
            DocumentOutcome(ics, "review", reason=f"{source}: no rule matched",
                            source_path=source),
            DocumentOutcome(dup, "duplicate", reason="same bytes as document 1"),
        ],
        rules={m: f"{p} preset" for m, p in MATTER_PRESETS.items()},
        active_rules="litigation preset",
        exhibit_set=ExhibitOutcome("spec.toml", True, out_dir=str(tmp_path / "Exports" / "S"),
                                   exhibits=5),
        elapsed_s=12.5,
        generate_s=2.0,
    )
    text = describe(report)
    assert f"  {ics.name}: no rule matched" in text  # the intake path is trimmed
    assert f"  {dup.name}: same bytes as document 1" in text
    assert f"{ics.matter}: 1 filed, 1 to review, 1 duplicate" in text
    assert "ledger verify --workspace" in text and "Exhibit set: 5 exhibits" in text
    assert "Finished in 12.5 s" in text and "over the" not in text
    report.elapsed_s = 75.0
    assert "over the 60 s budget" in describe(report)


def test_the_demo_keeps_its_own_ledger(tmp_path: Path) -> None:
    proc = run_cli("demo", "--workspace", str(tmp_path / "d"), "--db", "sqlite:///x.db")
    assert proc.returncode == 2
    assert "own SQLite ledger" in proc.stderr and not (tmp_path / "d").exists()


# ---- checklists ----------------------------------------------------------------------------

# What each demo matter has and lacks against its practice's checklist.
DEMO_CHECKLISTS = {
    "2024-0117 Reyes v. Acme Logistics": (
        {"key-documents": ["EXH_Employment-Agreement-Reyes.pdf", "EXH_Safety-memo.pdf"],
         "discovery-served": ["DISCSRV_Special-Interrogatories-Set-One.pdf"]},
        {"engagement", "responses-received", "production-received"},
    ),
    "2024-0342 Nguyen - Motor Vehicle Collision": (
        {"police-report": ["POL_Police-report-24-01877.pdf"],
         "liens": ["LIEN_Hospital-lien-St-Brigid.pdf"],
         "medical-records": ["MED_ER-record.pdf", "MED_MRI-lumbar.pdf", "MED_PT-notes.pdf"]},
        # Bills are per provider: only St. Brigid's came (issue 18, per-provider counts).
        {"own-coverage", "medical-bills"},
    ),
    "2024-0588 Okafor - I-130 Spousal Petition": (
        {"birth-certificates": ["CIV_Birth-Certificate.pdf"],
         "translations": ["CIV_Birth-Certificate_EN-translation.pdf"],
         "marriage-certificate": ["CIV_Marriage-Certificate.pdf"]},
        {"immigration-history", "pay-stubs", "medical-exam", "g-28", "affidavit-of-support",
         "tax-returns"},
    ),
}


@pytest.mark.parametrize("matter", sorted(DEMO_CHECKLISTS))
def test_demo_matters_follow_their_checklists(demo: dict[str, Any], matter: str) -> None:
    proc = run_cli("checklist", matter, "--json", "--workspace", str(demo["root"]))
    assert proc.returncode == 0, proc.stderr
    items = {x["id"]: x for x in map(json.loads, proc.stdout.splitlines())}
    received, missing = DEMO_CHECKLISTS[matter]
    for item_id, names in received.items():
        assert items[item_id]["status"] == "received", (item_id, items[item_id])
        paths = [d["path"] for d in items[item_id]["documents"]]
        for name in names:
            assert any(p.endswith(name) for p in paths), (item_id, name, paths)
    assert {k for k, v in items.items() if v["status"] == "missing" and v["required"]} == missing
    if "medical-bills" in items:
        bills = items["medical-bills"]
        assert bills["missing_for"] == ["Cedar Point Physical Therapy",
                                        "Riverbend Imaging Center"]
        assert [d["path"].rsplit("_", 1)[-1] for d in bills["documents"]] == [
            "St-Brigid-itemized-bill.pdf"]


# ---- translations paired with originals (issue 23 item 3) ---------------------------------


def test_the_french_birth_certificate_is_paired_with_its_translation(
    demo: dict[str, Any], ledger: Ledger
) -> None:
    """GIVEN the demo's French birth certificate (a scan, OCRed in French) and its certified
    English translation, filed by the immigration preset (the translation first)
    THEN the ledger links the translation to the original, both ways for the browser."""
    from intake_desktop.core.demo.cast import IMMIGRATION_MATTER
    from intake_desktop.core.filing.translations import translation_pair

    filed = ledger.docs.documents(status=DocStatus.FILED, matter_id=IMMIGRATION_MATTER)
    [original] = [d for d in filed if (d.filed_path or "").endswith("_CIV_Birth-Certificate.pdf")]
    [translation] = [d for d in filed
                     if (d.filed_path or "").endswith("_CIV_Birth-Certificate_EN-translation.pdf")]
    links = ledger.chain.kind_events(EventKind.TRANSLATION_LINKED)
    assert [(e.document_id, e.detail["translation_of"]) for e in links] == [
        (translation.id, original.id)]
    assert links[0].detail["language"] == "EN"
    assert links[0].matter_id == IMMIGRATION_MATTER
    # The original came after its translation here: the link was made when it arrived.
    assert links[0].seq > max(e.seq for e in ledger.chain.events(document_id=original.id)
                              if e.kind == "filed")
    assert translation_pair(ledger, translation) == (original, [])
    assert translation_pair(ledger, original) == (None, [translation])
    # The original was read in its own language: its text says "acte de naissance".
    text = ledger.docs.document_texts([original.id])[original.id].body
    assert "naissance" in text.lower()


def test_date_sources_in_words(demo: dict[str, Any], ledger: Ledger) -> None:
    """Where each demo document's date came from, as the browser shows it."""
    from intake_desktop.core.filing.translations import date_provenance

    said = {}
    for doc in ledger.docs.documents(status=DocStatus.FILED):
        name = (doc.filed_path or "").rsplit("/", 1)[-1]
        said[name] = date_provenance(ledger.chain.events(document_id=doc.id))
    certificate = next(v for k, v in said.items() if k.endswith("_CIV_Birth-Certificate.pdf"))
    assert certificate == "Date from “Date of issue” in the text: 2024-02-02"
    draft = next(v for k, v in said.items() if "Draft-Declaration" in k)
    received = next(e.at[:10] for e in ledger.chain.kind_events(EventKind.RECEIVED))
    assert draft == f"No date found: received {received}"
    photo = next(v for k, v in said.items() if k.endswith("_PHOTO_Wedding-photo.pdf"))
    assert photo == "Date from the photo's capture time (EXIF): 2023-10-07"
    stub = next(v for k, v in said.items() if "Pay-stubs-Jan-Feb-2024.001" in k)
    assert stub == "Date from the file name: 2024-01-15"
    attachment = next(v for k, v in said.items() if "Lease-and-bank-statement" in k
                      and k.endswith(".002.pdf"))
    assert attachment.startswith("No date of its own: named with the date of the email")


# ---- people and supervision (issue 17) -----------------------------------------------------


def test_the_demo_has_a_paralegal_and_an_attorney(demo: dict[str, Any], ledger: Ledger) -> None:
    from intake_desktop.core.demo.cast import ATTORNEY, PARALEGAL
    from intake_desktop.core.demo.supervision import DEMO_ATTORNEY_PASSPHRASE
    from intake_desktop.core.roles import Profiles

    people = {u.name: u.role for u in ledger.people.users()}
    assert people == {PARALEGAL: "paralegal", ATTORNEY: "attorney"}
    told = demo["summary"]["supervision"]
    assert (told["paralegal"], told["attorney"]) == (PARALEGAL, ATTORNEY)
    assert told["attorney_passphrase"] == DEMO_ATTORNEY_PASSPHRASE
    # The README gives the same passphrase, and it signs the attorney in.
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"`{DEMO_ATTORNEY_PASSPHRASE}`" in readme and ATTORNEY in readme
    assert Profiles(ledger).sign_in(ATTORNEY, DEMO_ATTORNEY_PASSPHRASE).role == "attorney"
    # The paralegal filed the documents; the attorney only signed off and approved.
    filed = ledger.chain.events(kinds=[EventKind.FILED])
    assert filed and {e.actor_user for e in filed} == {PARALEGAL}


def test_the_example_set_is_signed_off_by_the_attorney(demo: dict[str, Any],
                                                       ledger: Ledger) -> None:
    from intake_desktop.core.demo.cast import ATTORNEY
    from intake_desktop.core.signoff import MANIFEST_NAME

    out = Path(demo["summary"]["exhibit_set"]["out"])
    assert out.is_relative_to(demo["root"] / "Exports")
    proc = run_cli("exhibits", "verify", str(out), "--workspace", str(demo["root"]), "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["signed_off"] is True and report["by"] == ATTORNEY
    assert report["changed"] == report["missing"] == report["added"] == []
    (signed,) = ledger.chain.events(kinds=[EventKind.SIGNED_OFF])
    assert signed.actor_role == "attorney"
    assert signed.sha256_after == sha256_file(out / MANIFEST_NAME)
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["spec_sha256"] == sha256_file(examples_dir() / EXAMPLE_SPEC)
    assert manifest["bates_first"] == "REYES-000001"
    assert demo["summary"]["supervision"]["signed_off"] == str(out)


def test_one_escalation_waits_for_the_attorney(demo: dict[str, Any], ledger: Ledger) -> None:
    proc = run_cli("approvals", "list", "--workspace", str(demo["root"]), "--json")
    assert proc.returncode == 0, proc.stderr
    waiting = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(waiting) == 1
    (doc,) = waiting
    assert doc["rule"] == "looks-privileged"
    assert doc == demo["summary"]["supervision"]["waiting_approval"][0]
    row = ledger.docs.document(doc["id"])
    assert row is not None and row.status == DocStatus.FILED  # filed provisionally
    approved = ledger.chain.events(kinds=[EventKind.APPROVED])
    assert [e.document_id for e in approved] == [
        a["id"] for a in demo["summary"]["supervision"]["approved"]]


# ---- the cache of generated documents ------------------------------------------------------


def test_generated_documents_are_cached_checked_and_regenerated(
    generated: list[DemoDocument], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN an empty cache WHEN the demo asks for its documents twice THEN the second call
    reads the same bytes back without generating; a cached file changed on disk is noticed
    and the documents are generated again; INTAKE_DEMO_CACHE=0 always generates."""
    from intake_desktop.core.demo import cache

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    calls: list[int] = []
    real = cache.generate_documents

    def counting(seed: int) -> list[DemoDocument]:
        calls.append(seed)
        return real(seed)

    monkeypatch.setattr(cache, "generate_documents", counting)
    first = cache.demo_documents(DEFAULT_SEED)
    second = cache.demo_documents(DEFAULT_SEED)
    assert calls == [DEFAULT_SEED]
    assert [(d.relative, d.matter, d.kind, d.sha256) for d in second] == [
        (d.relative, d.matter, d.kind, d.sha256) for d in generated]
    assert [d.data for d in first] == [d.data for d in second]
    folder = tmp_path / "cache" / cache.cache_key(DEFAULT_SEED)
    assert (folder / cache.MANIFEST).is_file()
    scan = next(d for d in generated if d.kind == Kind.SCAN)
    target = folder / scan.sha256
    target.chmod(0o644)
    target.write_bytes(scan.data[:-10] + b"0123456789")
    third = cache.demo_documents(DEFAULT_SEED)
    assert calls == [DEFAULT_SEED, DEFAULT_SEED]
    assert [d.sha256 for d in third] == [d.sha256 for d in generated]
    assert cache.cache_key(DEFAULT_SEED) != cache.cache_key(DEFAULT_SEED + 1)
    monkeypatch.setenv(cache.CACHE_ENV, "0")
    cache.demo_documents(DEFAULT_SEED)
    assert len(calls) == 3
