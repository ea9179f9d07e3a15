"""Matter checklists: validated data, status read from the ledger, the client letter."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from intake_desktop.core.checklists import (
    ChecklistError,
    ItemStatus,
    assign_checklist,
    load_checklist,
    matter_checklist,
    shipped_checklists,
    waive_item,
    write_request_letter,
)
from intake_desktop.core.checklists.loader import checklists_dir
from tests.conftest import run_cli
from tests.core.rules.samples import make_pdf, rules_filer

MATTER = "IMM-24-0031"
FAMILY = "immigration-family-i130-i485"


def _checklist(text: str, tmp_path: Path) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_HEAD = '[checklist]\nid = "x"\ntitle = "X"\npreset = "immigration"\n'


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ('\n[[item]]\nid = "a"\ntitle = "A"\nrules = ["passport"]\ncolour = "red"\n', 10,
         "unknown key 'colour'"),
        ('\n[[item]]\nid = "a"\ntitle = "A"\n', 6, "nothing can satisfy this item"),
        ('\n[[item]]\nid = "a"\ntitle = "A"\nrules = ["pasport"]\n', 9,
         "no rule named 'pasport' in the immigration preset"),
        ('\n[[item]]\nid = "a"\ntitle = "A"\nrules = ["passport"]\nexpected = "two"\n', 10,
         "expected 'two' is not known"),
        ('\n[[item]]\nid = "Bad Id"\ntitle = "A"\nrules = ["passport"]\n', 7, "not a valid id"),
    ],
)
def test_bad_checklist_files_name_file_line_and_fix(
    tmp_path: Path, body: str, line: int, words: str
) -> None:
    path = _checklist(GOOD_HEAD + body, tmp_path)
    with pytest.raises(ChecklistError) as caught:
        load_checklist(path)
    problem = caught.value.problems[0]
    assert (problem.file, problem.line) == (str(path), line)
    assert words in problem.error and problem.fix
    assert str(problem).startswith(f"{path}:{line}: ") and ". Fix: " in str(problem)


def test_cli_check_refuses_a_bad_file_and_the_shipped_ones_pass(tmp_path: Path) -> None:
    bad = _checklist(GOOD_HEAD + '\n[[item]]\nid = "a"\ntitle = "A"\nrules = ["pasport"]\n',
                     tmp_path)
    proc = run_cli("checklist", "check", str(bad))
    assert proc.returncode == 2 and f"{bad}:9:" in proc.stderr and "Fix:" in proc.stderr
    for path in sorted(checklists_dir().glob("*.toml")):
        assert run_cli("checklist", "check", str(path)).returncode == 0, path
    assert {c.preset for c in shipped_checklists()} == {
        "immigration", "personal-injury", "litigation"}
    assert len(shipped_checklists()) == 7


def test_filing_ticks_items_review_and_waivers_show(make_workspace: Callable) -> None:
    ws, ledger = make_workspace("immigration")
    checklist = next(c for c in shipped_checklists() if c.id == FAMILY)
    assign_checklist(ledger, MATTER, checklist)
    state = matter_checklist(ledger, MATTER)
    assert {s.status for s in state.items} == {ItemStatus.MISSING}
    filer = rules_filer(ws, ledger, "immigration")
    birth = make_pdf(ws.intake / MATTER / "birth.pdf", [
        "CERTIFICATE OF BIRTH", "Date of birth: March 9, 1991", "Date issued: April 2, 2018"])
    [filed] = filer.ingest([birth])
    waive_item(ledger, MATTER, "medical-exam", "filed later by the civil surgeon")
    state = matter_checklist(ledger, MATTER)
    by_id = {s.item.id: s for s in state.items}
    assert by_id["birth-certificates"].status is ItemStatus.RECEIVED
    assert [d.id for d in by_id["birth-certificates"].documents] == [filed.document_id]
    assert by_id["medical-exam"].status is ItemStatus.WAIVED
    assert by_id["medical-exam"].waived_reason == "filed later by the civil surgeon"
    assert by_id["marriage-certificate"].status is ItemStatus.MISSING
    kinds = [e.kind for e in ledger.chain.events() if e.matter_id == MATTER]
    assert "checklist_assigned" in kinds and "checklist_waived" in kinds
    # A per-party item: once a Beneficiary folder appears, the beneficiary needs one too.
    make_pdf(ws.intake / MATTER / "Beneficiary" / "passport.pdf", [
        "PASSPORT", "Passport No. A1", "Date of issue: 05 MAY 2020"])
    filer.ingest([ws.intake / MATTER / "Beneficiary"])
    state = matter_checklist(ledger, MATTER)
    by_id = {s.item.id: s for s in state.items}
    assert by_id["passports"].status is ItemStatus.RECEIVED
    assert by_id["birth-certificates"].status is ItemStatus.MISSING  # none for Beneficiary


def test_letter_lists_exactly_the_missing_client_items(
    make_workspace: Callable, tmp_path: Path
) -> None:
    _ws, ledger = make_workspace("immigration")
    checklist = next(c for c in shipped_checklists() if c.id == FAMILY)
    assign_checklist(ledger, MATTER, checklist)
    state = matter_checklist(ledger, MATTER)
    result = write_request_letter(ledger, state, tmp_path / "letters", client="Ms. Okafor",
                                  today=dt.date(2024, 4, 1))
    text = subprocess.run(["pdftotext", "-layout", str(result.pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    wanted = [s.item for s in state.missing if s.item.requested_from == "client"]
    assert list(result.items) == [i.id for i in wanted]
    flat = " ".join(text.split())
    for item in wanted:
        assert item.title in flat
    others = [s.item for s in state.items if s.item not in wanted]
    for item in others:
        assert item.title not in flat, item.id
    assert result.docx.read_bytes()[:2] == b"PK"
    # The next letter marks what was asked for before.
    second = write_request_letter(ledger, matter_checklist(ledger, MATTER), tmp_path / "letters")
    text2 = " ".join(subprocess.run(["pdftotext", str(second.pdf), "-"], check=True,
                                    capture_output=True, text=True).stdout.split())
    assert "we first asked for this on 2024-04-01" in text2
    assert second.pdf != result.pdf


def test_cli_json_lines_and_a_matter_without_a_checklist(make_workspace: Callable) -> None:
    ws, _ledger = make_workspace("immigration")
    proc = run_cli("checklist", MATTER, "--workspace", str(ws.root))
    assert proc.returncode == 2 and "follows no checklist" in proc.stderr
    proc = run_cli("checklist", MATTER, "--use", FAMILY, "--json", "--workspace", str(ws.root))
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [x["id"] for x in lines][:2] == ["passports", "birth-certificates"]
    assert all(set(x) >= {"id", "title", "status", "documents"} for x in lines)
    assert {x["status"] for x in lines} == {"missing"}


def test_undo_unticks_the_item(make_workspace: Callable) -> None:
    """GIVEN a received item WHEN its document's filing is undone THEN the item is missing
    again (what has arrived is read from the filed documents)."""
    from intake_desktop.core.filing.undo import undo_document

    ws, ledger = make_workspace("immigration")
    checklist = next(c for c in shipped_checklists() if c.id == FAMILY)
    assign_checklist(ledger, MATTER, checklist)
    filer = rules_filer(ws, ledger, "immigration")
    [filed] = filer.ingest([make_pdf(ws.intake / MATTER / "marriage.pdf", [
        "CERTIFICATE OF MARRIAGE", "Issued: November 1, 2023"])])
    by_id = {s.item.id: s for s in matter_checklist(ledger, MATTER).items}
    assert by_id["marriage-certificate"].status is ItemStatus.RECEIVED
    undo_document(filer, filed.document_id or 0)
    by_id = {s.item.id: s for s in matter_checklist(ledger, MATTER).items}
    assert by_id["marriage-certificate"].status is ItemStatus.MISSING
