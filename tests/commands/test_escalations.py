"""Escalations a lawyer must approve (issue 17 item 4), with the shipped presets: what a
rule with `approval = "attorney"` catches is filed provisionally until an attorney approves
it; a returned document goes back to Review/ with the attorney's note as its reason."""

from __future__ import annotations

import datetime as dt
import email.message
import email.policy
import email.utils
import json
from pathlib import Path
from typing import Any

import pytest

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger import Actor, DocStatus, EventKind, Ledger
from intake_desktop.core.rules import RulesError, parse_rules
from intake_desktop.core.workspace import Workspace, init_workspace
from tests.conftest import run_cli
from tests.core.rules.samples import make_pdf

MATTER = "2024-0117"


ATTORNEY, PASSPHRASE = "Ann Atty", "ann-attorney-passphrase"


def as_attorney(*args: str) -> Any:
    """Run a command as the attorney (`--as`, the passphrase on stdin)."""
    return run_cli(*args, "--as", ATTORNEY, "--passphrase-stdin", input=PASSPHRASE + "\n")


def opposing_email(path: Path, to: str = "maria.reyes@mail.example") -> Path:
    msg = email.message.EmailMessage()
    msg["From"] = "Tom Baker <tbaker@bakerlaw.example>"
    msg["To"] = to  # the client, not the firm
    msg["Subject"] = "Settlement offer"
    msg["Date"] = email.utils.format_datetime(dt.datetime(2024, 3, 4, 9, 30, tzinfo=dt.UTC))
    msg.set_content("Ms. Reyes,\n\nMy client is prepared to settle this matter for $5,000 "
                    "if you sign the attached release this week.\n\nTom Baker\n"
                    "Baker & Cole LLP, Counsel for Defendant Acme Corp.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(msg.as_bytes(policy=email.policy.SMTP))
    return path


# Each escalation of the presets: a document that must be caught, its rule and folder.
CAUGHT = {
    "memo.pdf": (["PRIVILEGED AND CONFIDENTIAL", "ATTORNEY-CLIENT COMMUNICATION",
                  "Memorandum to file re: strategy", "Dated: 2024-03-01"],
                 "looks-privileged", "Privileged"),
    "petition.pdf": (["SUPERIOR COURT OF CALIFORNIA", "J.R., a minor, by and through his",
                      "guardian ad litem, Maria Reyes,", "Petition for approval of minor's "
                      "compromise", "Dated: 2024-02-20"],
                     "involves-a-minor", "Minors"),
    "husband-records.pdf": (["Westside Imaging Center", "Patient: Daniel Reyes",
                             "Relationship to insured: Spouse", "Date of service: 2024-01-09",
                             "Findings: normal study"],
                            "third-party-medical", "Medical Records/Third Parties"),
}
# Look-alikes that must not be caught (a paralegal files them alone).
NOT_CAUGHT = {
    "minor-injury.pdf": ["Dear Ms. Reyes,", "Your client sustained a minor injury in the",
                         "collision of 2024-01-05.", "Sincerely,"],
    "own-records.pdf": ["Westside Imaging Center", "Patient: Maria Reyes",
                        "Relationship to insured: Self", "Date of service: 2024-01-09",
                        "Findings: normal study"],
    "privilege-letter.pdf": ["Dear Ms. Reyes,", "We will not waive any privilege.",
                             "Sincerely,"],
}


@pytest.fixture(scope="module")
def filed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A litigation workspace with the samples ingested through the command line."""
    root = tmp_path_factory.mktemp("esc") / "Firm ws ñ"
    ws = init_workspace(root, "litigation")
    from intake_desktop.core.roles import Profiles

    ledger = Ledger.open(ws.default_ledger_url(), Actor("setup"))
    try:
        Profiles(ledger).save(ATTORNEY, "attorney", PASSPHRASE, acting=ledger.actor)
    finally:
        ledger.close()
    intake = ws.intake / MATTER
    for name, (lines, _rule, _folder) in CAUGHT.items():
        make_pdf(intake / name, lines)
    for name, lines in NOT_CAUGHT.items():
        make_pdf(intake / name, lines)
    opposing_email(intake / "settlement offer.eml")
    proc = run_cli("ingest", "--workspace", str(root), str(ws.intake), "--json", timeout=300)
    assert proc.returncode == 0, proc.stderr
    results = {Path(r["source"]).name: r for r in map(json.loads, proc.stdout.splitlines())}
    return {"ws": ws, "results": results}


def _ledger(ws: Workspace, role: str = "attorney") -> Ledger:
    return Ledger.open(ws.default_ledger_url(), Actor("ann", role))


def _pending(ws: Workspace) -> dict[str, dict[str, Any]]:
    proc = run_cli("approvals", "list", "--workspace", str(ws.root), "--json")
    assert proc.returncode == 0, proc.stderr
    return {Path(r["path"]).name: r for r in map(json.loads, proc.stdout.splitlines())}


def test_each_preset_escalation_is_filed_provisionally(filed: dict[str, Any]) -> None:
    ws, results = filed["ws"], filed["results"]
    ledger = _ledger(ws)
    try:
        requested = {e.document_id: e for e in ledger.chain.events(
            kinds=[EventKind.APPROVAL_REQUESTED])}
        for name, (_lines, rule, folder) in CAUGHT.items():
            r = results[name]
            assert r["status"] == "filed", r
            assert r["rule"] == rule
            assert Path(r["path"]).parent == ws.matters / MATTER / folder
            assert Path(r["path"]).is_file()
            event = requested[r["document_id"]]
            assert event.detail == {"approval": "attorney", "rule": rule,
                                    "category": r["category"]}
            filed_event = [e for e in ledger.chain.events(document_id=r["document_id"])
                           if e.kind == EventKind.FILED]
            assert filed_event and filed_event[0].seq == event.seq - 1  # same transaction
        mail = results["settlement offer.eml"]
        assert mail["rule"] == "email-from-opposing-counsel"
        assert mail["document_id"] in requested
        for name in NOT_CAUGHT:
            assert results[name]["document_id"] not in requested, results[name]
    finally:
        ledger.close()
    waiting = _pending(ws)
    assert set(waiting) >= {Path(results[n]["path"]).name for n in CAUGHT}


def test_approve_and_return_with_the_presets(filed: dict[str, Any]) -> None:
    ws, results = filed["ws"], filed["results"]
    memo = results["memo.pdf"]["document_id"]
    petition = results["petition.pdf"]
    # A paralegal (the computer account) cannot decide: refused, recorded, nothing changes.
    refused = run_cli("approvals", "approve", str(memo), "--workspace", str(ws.root))
    assert refused.returncode == 1
    assert "you may not approve or return escalations" in refused.stderr
    assert Path(results["memo.pdf"]["path"]).name in _pending(ws)

    ok = as_attorney("approvals", "approve", str(memo), "--workspace", str(ws.root), "--json")
    assert ok.returncode == 0, ok.stderr
    assert Path(results["memo.pdf"]["path"]).name not in _pending(ws)

    note = "Not ours to file: the petition belongs in the guardian's matter"
    back = as_attorney("approvals", "return", str(petition["document_id"]), "--note", note,
                       "--workspace", str(ws.root), "--json")
    assert back.returncode == 0, back.stderr
    ledger = _ledger(ws)
    try:
        doc = ledger.docs.document(petition["document_id"])
        assert doc is not None and doc.status == DocStatus.REVIEW
        assert doc.reason == f"returned by {ATTORNEY}: {note}"
        in_review = ws.root / str(doc.filed_path)
        assert in_review.parent == ws.review and in_review.is_file()
        assert sha256_file(in_review) == petition["sha256"]  # the received bytes
        sidecar = in_review.with_name(in_review.name + ".review.txt")
        assert note in sidecar.read_text(encoding="utf-8")
        assert not Path(petition["path"]).exists()  # the provisional copy is gone
        assert Path(petition["original"]).is_file()  # the original stays
        kinds = [e.kind for e in ledger.chain.events(document_id=doc.id)]
        assert kinds[-3:] == ["undone", "routed_to_review", "returned"]
        (approved,) = [e for e in ledger.chain.events(kinds=[EventKind.APPROVED])]
        assert approved.document_id == memo
        assert (approved.actor_user, approved.actor_role) == (ATTORNEY, "attorney")
        (refusal,) = ledger.chain.events(kinds=[EventKind.CAPABILITY_REFUSED])
        assert refusal.detail["capability"] == "approve" and refusal.actor_role == "paralegal"
    finally:
        ledger.close()
    assert Path(petition["path"]).name not in _pending(ws)
    # The review queue shows the note as the reason; the chain and the files verify.
    verify = run_cli("ledger", "verify", "--workspace", str(ws.root), "--json")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert json.loads(verify.stdout.splitlines()[-1])["ok"] is True


def test_a_return_needs_a_note_and_a_pending_document(filed: dict[str, Any]) -> None:
    ws, results = filed["ws"], filed["results"]
    plain = results["minor-injury.pdf"]["document_id"]
    proc = as_attorney("approvals", "approve", str(plain), "--workspace", str(ws.root))
    assert proc.returncode == 1
    assert f"Document {plain} is not waiting for approval" in proc.stderr
    from intake_desktop.app import build_filer, open_app
    from intake_desktop.core.approvals import return_document

    app = open_app(str(ws.root), role=None)
    app.ledger.actor = Actor(ATTORNEY, "attorney")
    try:
        with pytest.raises(IntakeError, match="needs a note"):
            return_document(build_filer(app), results["husband-records.pdf"]["document_id"],
                            "  ")
    finally:
        app.close()


def test_opposing_counsel_email_to_the_firm_is_not_escalated(tmp_path: Path) -> None:
    """Once the firm's mail domain replaces the preset's placeholder, opposing counsel's
    email to the firm files normally; to the client it is escalated."""
    from intake_desktop.core.rules import save_rules
    from intake_desktop.core.workspace import read_preset

    ws = init_workspace(tmp_path / "ws", "litigation")
    text = read_preset("litigation")
    assert "yourfirm\\.example" in text
    save_rules(ws, None, text.replace("yourfirm\\.example", "harborvale\\.example"))
    to_client = opposing_email(tmp_path / "in" / "to client.eml")
    to_firm = opposing_email(tmp_path / "in" / "to firm.eml",
                             to="Jordan Vale <jordan.vale@harborvale.example>")
    proc = run_cli("rules", "preview", str(to_client), str(to_firm), "--matter", MATTER,
                   "--workspace", str(ws.root), "--json")
    assert proc.returncode == 0, proc.stderr
    rules = {Path(r["source"]).name: r["rule"] for r in map(json.loads, proc.stdout.splitlines())}
    assert rules["to client.eml"] == "email-from-opposing-counsel"
    assert rules["to firm.eml"] in {"email", "email-by-type"}


def test_approval_is_validated_with_its_line() -> None:
    text = ('[settings]\nfilename = "{{ name }}"\n[[rule]]\nname = "a"\nfolder = "A"\n'
            'approval = "partner"\n')
    with pytest.raises(RulesError) as info:
        parse_rules(text, "rules.toml")
    (problem,) = info.value.problems
    assert problem.line == 6 and problem.field == "approval"
    assert "write approval = \"attorney\"" in problem.fix
    with pytest.raises(RulesError, match="nothing to approve"):
        parse_rules('[settings]\nfilename = "{{ name }}"\n[[rule]]\nname = "a"\n'
                    'review = "look"\napproval = "attorney"\n', "rules.toml")
    ok = parse_rules(text.replace("partner", "attorney"), "rules.toml")
    assert ok.rules[0].approval == "attorney"


def test_rules_preview_says_which_files_an_attorney_must_approve(tmp_path: Path) -> None:
    """Preview shows what filing would do, the escalation included: `approval` in --json
    and "needs an attorney's approval" in words, only for what a rule escalates."""
    ws = init_workspace(tmp_path / "ws", "litigation")
    incoming = tmp_path / "incoming"
    memo_lines, memo_rule, _folder = CAUGHT["memo.pdf"]
    make_pdf(incoming / "memo.pdf", memo_lines)
    make_pdf(incoming / "minor-injury.pdf", NOT_CAUGHT["minor-injury.pdf"])
    proc = run_cli("rules", "preview", "--workspace", str(ws.root), "--matter", MATTER,
                   str(incoming), "--json")
    assert proc.returncode == 0, proc.stderr
    rows = {Path(r["source"]).name: r for r in map(json.loads, proc.stdout.splitlines())}
    assert rows["memo.pdf"]["rule"] == memo_rule
    assert rows["memo.pdf"]["approval"] == "attorney"
    assert rows["minor-injury.pdf"]["approval"] is None
    words = run_cli("rules", "preview", "--workspace", str(ws.root), "--matter", MATTER,
                    str(incoming))
    assert words.returncode == 0, words.stderr
    [memo_line] = [line for line in words.stdout.splitlines() if "memo.pdf" in line]
    assert "needs an attorney's approval" in memo_line
    assert not any("approval" in line for line in words.stdout.splitlines()
                   if "minor-injury.pdf" in line)
    assert not any(ws.matters.iterdir()) if ws.matters.exists() else True  # nothing filed


def test_the_settings_preview_shows_an_edit_that_escalates(tmp_path: Path) -> None:
    """The admin's live preview (Settings > Naming rules) says when an edited rule would
    file a recent document provisionally, waiting for an attorney."""
    from intake_desktop.core.desks.rules_draft import before_and_after, default_backend
    from intake_desktop.core.pipeline import Candidate

    ws = init_workspace(tmp_path / "ws", "litigation")
    ledger = Ledger.open(ws.default_ledger_url(), Actor("dana", "admin"))
    try:
        backend = default_backend(ws, ledger)
        base = ('[settings]\nfilename = "{{ name }}"\n[[rule]]\nname = "memos"\n'
                'folder = "Memos"\n')
        letter = make_pdf(tmp_path / "in" / MATTER / "memo.pdf", CAUGHT["memo.pdf"][0])
        candidate = Candidate(source=letter, relative=Path(MATTER, "memo.pdf"),
                              matter_hint=MATTER, detected_type="application/pdf",
                              sha256=sha256_file(letter), size=letter.stat().st_size)
        [row] = before_and_after(backend.compile(base),
                                 backend.compile(base + 'approval = "attorney"\n'), [candidate])
    finally:
        ledger.close()
    assert row.before == f"Matters/{MATTER}/Memos/memo.pdf"
    assert row.after == (f"Matters/{MATTER}/Memos/memo.pdf "
                         "(provisional: needs an attorney's approval)")
    assert row.changed
