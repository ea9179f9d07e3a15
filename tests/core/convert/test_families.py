"""Emails and archives through the real filer: children filed after the parent, one family."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from intake_desktop.app import App
from intake_desktop.core.convert import ConvertingPreparer
from intake_desktop.core.filing import Filer, IngestResult, Outcome
from intake_desktop.core.ledger import DocStatus, EventKind
from intake_desktop.core.pipeline import BuiltinRouter, Candidate, Decision
from tests.conftest import run_cli
from tests.core.convert import samples as s
from tests.core.convert.msgfile import build_msg

MATTER = "2024-017 Okafor"


def _flatten(result: IngestResult) -> list[IngestResult]:
    out = [result]
    for child in result.children:
        out += _flatten(child)
    return out


def _family_email(folder: Path) -> Path:
    nested = s.email_message(
        subject="Fwd: adjuster notes", body="Notes from the adjuster call.",
        sender="Adjuster <adj@insurer.example>", date="Mon, 04 Mar 2024 16:00:00 +0000",
        attachments=[("notes.txt", b"Adjuster says liability accepted.\n", "text/plain")],
    )
    msg = s.email_message(
        subject="Accident photos and bill",
        body="Hello,\nplease find the photos and the hospital bill attached.\nMaria",
        html="<p>Hello,</p><p>please find the <b>photos</b> attached.</p>",
        cc="Paralegal <pl@firm.example>",
        attachments=[
            ("bill.pdf", s.pdf_bytes(["City Hospital", "Amount due: $1,200"]), "application/pdf"),
            ("IMG_0001.jpg", s.photo(folder / "tmp.jpg").read_bytes(), "image/jpeg"),
        ],
        nested=nested,
    )
    (folder / "tmp.jpg").unlink()
    path = folder / "Accident photos.eml"
    path.write_bytes(bytes(msg))
    return path


def test_email_family_is_filed_together_and_linked_in_the_ledger(
    app: App, filer: Filer, inbox: Path
) -> None:
    src = _family_email(inbox)
    result = filer.ingest_file(src, matter=MATTER)
    assert result.status is Outcome.FILED, result.reason
    # The message PDF shows the headers and the body.
    assert result.path is not None
    pages = s.pdf_text(Path(result.path))
    assert len(pages) == 1
    assert "Maria López <maria@example.com>" in pages[0]
    assert "Accident photos and bill" in pages[0]
    assert "Paralegal <pl@firm.example>" in pages[0]
    assert "please find the photos and the hospital bill attached." in pages[0]
    assert "bill.pdf" in pages[0]  # the attachment list
    # Attachments: bill.pdf, IMG_0001.jpg, the nested email; the nested email's notes.txt.
    assert [Path(c.source).name for c in result.children] == [
        "bill.pdf", "IMG_0001.jpg", "Fwd_ adjuster notes.eml"]
    assert all(c.status is Outcome.FILED for c in result.children)
    nested = result.children[2]
    assert [Path(c.source).name for c in nested.children] == ["notes.txt"]
    everyone = _flatten(result)
    assert len(everyone) == 5
    family = result.family_id
    assert family and family.startswith("F")
    assert {r.family_id for r in everyone} == {family}
    # Ledger: parent links, family id, original and filed copy of each child.
    docs = {d.id: d for d in app.ledger.docs.documents(matter_id=MATTER)}
    parent = docs[result.document_id]  # type: ignore[index]
    assert parent.parent_id is None and parent.family_id == family
    for child in result.children:
        row = docs[child.document_id]  # type: ignore[index]
        assert row.parent_id == parent.id and row.family_id == family
        assert row.status == DocStatus.FILED
    notes = docs[nested.children[0].document_id]  # type: ignore[index]
    assert notes.parent_id == nested.document_id
    # Converted documents: each records a converted event with both hashes.
    bill = docs[result.children[0].document_id]  # type: ignore[index]
    assert bill.filed_sha256 == bill.sha256  # a PDF is filed as received
    photo = docs[result.children[1].document_id]  # type: ignore[index]
    assert photo.filed_sha256 != photo.sha256
    (converted,) = [e for e in app.ledger.chain.events(document_id=photo.id)
                    if e.kind == EventKind.CONVERTED]
    assert converted.sha256_before == photo.sha256
    # An image-only PDF then gets an OCR text layer: the chain goes on through the `ocr` event.
    ocr = [e for e in app.ledger.chain.events(document_id=photo.id) if e.kind == EventKind.OCR]
    if ocr and ocr[0].detail.get("ok"):
        assert converted.sha256_after == ocr[0].sha256_before
        assert ocr[0].sha256_after == photo.filed_sha256
    else:
        assert converted.sha256_after == photo.filed_sha256
    assert converted.detail["tool"] == "img2pdf" and converted.detail["pages"] == 1
    assert s.pdf_text(app.workspace.root / notes.filed_path)[0].strip() == (  # type: ignore[operator]
        "Adjuster says liability accepted.")
    # The original message is kept byte for byte.
    assert (app.workspace.root / parent.original_path).read_bytes() == src.read_bytes()  # type: ignore[operator]
    assert app.ledger.chain.verify_chain().ok


def test_zip_members_are_children_and_nested_archives_recurse(
    app: App, filer: Filer, inbox: Path, tmp_path: Path
) -> None:
    inner = s.zip_with(tmp_path / "inner.zip", {"deep/receipt.txt": b"Receipt 77\n"})
    src = s.zip_with(inbox / "upload.zip", {
        "medical/report 2024-01-15.pdf": s.pdf_bytes(["Radiology report"]),
        "photos/scene.png": s.photo(tmp_path / "p.png", fmt="PNG").read_bytes(),
        "__MACOSX/photos/._scene.png": b"resource fork",
        "more/inner.zip": inner.read_bytes(),
    })
    result = filer.ingest_file(src, matter=MATTER)
    assert result.status is Outcome.FILED, result.reason
    assert Path(result.path or "").read_bytes() == src.read_bytes()  # archive filed as is
    names = [Path(c.source).name for c in result.children]
    assert names == ["report 2024-01-15.pdf", "scene.png", "inner.zip"]
    inner_result = result.children[2]
    assert [Path(c.source).name for c in inner_result.children] == ["receipt.txt"]
    receipt = inner_result.children[0]
    assert receipt.status is Outcome.FILED
    assert s.pdf_text(Path(receipt.path or ""))[0].strip() == "Receipt 77"
    assert {r.family_id for r in _flatten(result)} == {result.family_id}
    rows = {d.id: d for d in app.ledger.docs.documents(matter_id=MATTER)}
    assert rows[receipt.document_id].parent_id == inner_result.document_id  # type: ignore[index]


def test_cli_json_shows_children_flags_and_family(
    app: App, inbox: Path
) -> None:
    src = _family_email(inbox)
    app.close()
    proc = run_cli("--workspace", str(app.workspace.root), "--json", "ingest", str(src),
                   "--matter", MATTER)
    assert proc.returncode == 0, proc.stderr
    (record,) = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert record["status"] == "filed"
    assert len(record["children"]) == 3
    assert record["children"][2]["children"][0]["status"] == "filed"
    assert {c["family_id"] for c in record["children"]} == {record["family_id"]}
    assert record["path"].endswith(".pdf")


class _RecordingRouter(BuiltinRouter):
    def __init__(self) -> None:
        self.seen: list[Candidate] = []

    def route(self, candidate: Candidate) -> Decision:
        self.seen.append(candidate)
        return super().route(candidate)


def test_router_sees_family_facts_for_naming_children(app: App, inbox: Path) -> None:
    """The naming rules name attachments after their parent (`..._0001.001`) from these."""
    router = _RecordingRouter()
    filer = Filer(app.workspace, app.ledger, router=router, preparer=ConvertingPreparer())
    result = filer.ingest_file(_family_email(inbox), matter=MATTER)
    parent, bill, photo, nested, notes = router.seen
    assert parent.family_id is None and parent.child_index == 0
    assert parent.filed_suffix == ".pdf"
    assert parent.facts["email_from"] == "Maria López <maria@example.com>"
    assert parent.facts["email_subject"] == "Accident photos and bill"
    assert parent.facts["email_date"] == "2024-03-05T09:30:00-05:00"
    assert parent.facts["document_date"] == "2024-03-05"
    assert parent.facts["page_count"] == 1
    parent_name = Path(result.path or "").name
    assert [(c.child_index, c.parent_name, c.family_id) for c in (bill, photo, nested)] == [
        (1, parent_name, result.family_id), (2, parent_name, result.family_id),
        (3, parent_name, result.family_id)]
    assert bill.facts["page_count"] == 2 and bill.filed_suffix == ""
    assert photo.facts["capture_date"] == "2024-03-05" and photo.filed_suffix == ".pdf"
    assert nested.facts["email_subject"] == "Fwd: adjuster notes"
    assert notes.child_index == 1 and notes.family_id == result.family_id
    assert notes.parent_name == Path(result.children[2].path or "").name


def test_outlook_msg_with_attachments_is_a_family(app: App, filer: Filer, inbox: Path) -> None:
    src = inbox / "Settlement offer.msg"
    src.write_bytes(build_msg(
        subject="Settlement offer", sender_name="John Smith",
        sender_email="john@insurer.example", to="intake@firm.example",
        body="We offer $10,000 in full settlement.\nRegards, John",
        sent=dt.datetime(2024, 3, 5, 14, 0, tzinfo=dt.UTC),
        attachments=[("offer letter.txt", b"Offer letter: $10,000.\n"),
                     ("release.pdf", s.pdf_bytes(["General release", "Signature page"]))],
    ))
    result = filer.ingest_file(src, matter=MATTER)
    assert result.status is Outcome.FILED, result.reason
    page = s.pdf_text(Path(result.path or ""))[0]
    assert "John Smith <john@insurer.example>" in page
    assert "Settlement offer" in page and "We offer $10,000 in full settlement." in page
    assert [Path(c.source).name for c in result.children] == ["offer letter.txt",
                                                              "release.pdf"]
    letter, release = result.children
    assert s.pdf_text(Path(letter.path or ""))[0].strip() == "Offer letter: $10,000."
    assert s.pdf_pages(Path(release.path or "")) == 2
    assert {letter.family_id, release.family_id} == {result.family_id}
    row = app.ledger.docs.document(result.document_id or 0)
    assert row is not None and row.detected_type == "application/vnd.ms-outlook"
    (converted,) = [e for e in app.ledger.chain.events(document_id=row.id)
                    if e.kind == EventKind.CONVERTED]
    assert converted.detail["reader"] == "extract-msg"
    assert converted.detail["attachments"] == 2


def test_damaged_outlook_msg_goes_to_review(app: App, filer: Filer, inbox: Path) -> None:
    data = build_msg(subject="x", sender_name="a", sender_email="a@b.example", to="c",
                     body="body", sent=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    src = inbox / "broken.msg"
    src.write_bytes(data[:1536])  # the OLE header survives, the streams do not
    result = filer.ingest_file(src, matter=MATTER)
    assert result.status is Outcome.REVIEW
    assert "the Outlook message cannot be read" in (result.reason or "")
    assert Path(result.path or "").read_bytes() == src.read_bytes()
