"""Admins edit checklists (issue 18 item 1): a workspace copy in `.intake/checklists/<id>.toml`
takes the place of the shipped one, saved only when it validates (through the mover, the
previous version kept, a `checklist_saved` event); a broken copy never takes effect. And
per-provider items (`expected = "per-provider"`): one for each provider named on the matter."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest

from intake_desktop.core.checklists import (
    ChecklistError,
    ItemStatus,
    assign_checklist,
    matter_checklist,
)
from intake_desktop.core.checklists.desk import (
    available_checklists,
    checklist_text,
    save_checklist,
    workspace_checklist_path,
)
from intake_desktop.core.ledger import EventKind
from tests.core.rules.samples import make_pdf, rules_filer

PI = "pi-auto-accident"
PI_MATTER = "PI-24-0042"

EXTRA_ITEM = '''
[[item]]
id = "dashcam"
title = "Dash-camera video"
categories = ["Photos"]
required = false
note = "Any dash-camera footage, as it came off the camera."
'''


def test_an_edited_checklist_is_saved_validated_and_takes_the_place_of_the_shipped_one(
    make_workspace: Callable,
) -> None:
    ws, ledger = make_workspace("personal-injury")
    shipped = checklist_text(ws, PI)
    assert 'id = "pi-auto-accident"' in shipped
    assert not workspace_checklist_path(ws, PI).exists()

    saved = save_checklist(ws, ledger, PI, shipped + EXTRA_ITEM)
    path = workspace_checklist_path(ws, PI)
    assert path == ws.state / "checklists" / f"{PI}.toml"
    assert path.read_text(encoding="utf-8") == shipped + EXTRA_ITEM
    assert saved.item("dashcam") is not None
    in_force = {c.id: c for c in available_checklists(ws)}
    assert in_force[PI].item("dashcam") is not None
    assert len(in_force) == 7  # the others are still the shipped ones
    [event] = ledger.chain.kind_events(EventKind.CHECKLIST_SAVED)
    assert event.detail["checklist"] == PI
    assert event.sha256_after == hashlib.sha256((shipped + EXTRA_ITEM).encode()).hexdigest()
    assert event.sha256_before == hashlib.sha256(shipped.encode()).hexdigest()

    # A second save keeps the version it replaces.
    save_checklist(ws, ledger, PI, shipped)
    assert (path.parent / f"{PI}.toml.previous").read_text(encoding="utf-8") == (
        shipped + EXTRA_ITEM)
    assert len(ledger.chain.kind_events(EventKind.CHECKLIST_SAVED)) == 2
    from intake_desktop.core import custody

    report = custody.verify(ledger, ws.root)
    assert report.ok, report.problems


def test_a_bad_edit_is_refused_with_file_line_and_fix_and_nothing_changes(
    make_workspace: Callable,
) -> None:
    ws, ledger = make_workspace("personal-injury")
    good = checklist_text(ws, PI) + EXTRA_ITEM
    save_checklist(ws, ledger, PI, good)
    bad = good.replace('expected = "at-least-one"', 'expected = "a-few"', 1)
    line = next(n for n, text in enumerate(bad.splitlines(), 1) if '"a-few"' in text)
    with pytest.raises(ChecklistError) as info:
        save_checklist(ws, ledger, PI, bad)
    problem = info.value.problems[0]
    assert problem.line == line and "a-few" in problem.error and "per-provider" in problem.fix
    assert problem.file.endswith(f"checklists/{PI}.toml")
    assert workspace_checklist_path(ws, PI).read_text(encoding="utf-8") == good
    # Another checklist's id in this file is refused too (it would replace the wrong one).
    with pytest.raises(ChecklistError, match="id"):
        save_checklist(ws, ledger, PI, good.replace(f'id = "{PI}"', 'id = "pi-other"', 1))
    assert len(ledger.chain.kind_events(EventKind.CHECKLIST_SAVED)) == 1


def test_a_hand_broken_copy_leaves_the_last_good_version_in_force(
    make_workspace: Callable,
) -> None:
    ws, ledger = make_workspace("personal-injury")
    good = checklist_text(ws, PI) + EXTRA_ITEM
    save_checklist(ws, ledger, PI, good)
    save_checklist(ws, ledger, PI, good.replace("Dash-camera video", "Dash-cam video"))
    path = workspace_checklist_path(ws, PI)
    path.write_text(path.read_text(encoding="utf-8") + "\n[[item]\n", encoding="utf-8")
    told: list[str] = []
    in_force = {c.id: c for c in available_checklists(ws, on_problem=told.append)}
    dashcam = in_force[PI].item("dashcam")
    assert dashcam is not None and dashcam.title == "Dash-camera video"  # the .previous one
    assert told and f"checklists/{PI}.toml:" in told[0] and "line" in told[0]


def _pi_workspace(make_workspace: Callable) -> tuple:
    ws, ledger = make_workspace("personal-injury")
    checklist = {c.id: c for c in available_checklists(ws)}[PI]
    assign_checklist(ledger, PI_MATTER, checklist)
    return ws, ledger


def test_per_provider_items_count_the_providers_named_on_the_matter(
    make_workspace: Callable,
) -> None:
    """GIVEN records from two providers and a bill from one, filed from
    Intake/<matter>/Medical/<provider>/ and Bills/<provider>/
    THEN records are received, bills are missing for the provider that sent none; an empty
    Intake/<matter>/Medical/<provider>/ folder names a provider still awaited."""
    ws, ledger = _pi_workspace(make_workspace)
    intake = ws.intake / PI_MATTER
    for provider in ("St. Brigid Medical Center", "Riverbend Imaging Center"):
        make_pdf(intake / "Medical" / provider / "records.pdf", [
            provider, "Patient: Linh Nguyen", "Date of service: 02/14/2024",
            "Assessment: lumbar strain"])
    make_pdf(intake / "Bills" / "St. Brigid Medical Center" / "bill.pdf", [
        "St. Brigid Medical Center", "ITEMIZED STATEMENT", "Date of service: 02/14/2024",
        "Total charges: $4,210.00"])
    results = rules_filer(ws, ledger, "personal-injury").ingest([intake])
    assert all(r.status == "filed" for r in results), [(r.source, r.reason) for r in results]
    by_id = {s.item.id: s for s in matter_checklist(ledger, PI_MATTER, available_checklists(
        ws), intake_root=ws.intake).items}
    records, bills = by_id["medical-records"], by_id["medical-bills"]
    assert records.status is ItemStatus.RECEIVED and records.missing_for == ()
    assert len(records.documents) == 2
    assert bills.status is ItemStatus.MISSING
    assert bills.missing_for == ("Riverbend Imaging Center",)
    assert [d.filed_path.split("/")[-2] for d in bills.documents] == [
        "St. Brigid Medical Center"]
    assert bills.to_json()["missing_for"] == ["Riverbend Imaging Center"]

    # An empty folder for a third provider: records are now missing for it.
    (intake / "Medical" / "Cedar Point Physical Therapy").mkdir(parents=True)
    by_id = {s.item.id: s for s in matter_checklist(ledger, PI_MATTER, available_checklists(
        ws), intake_root=ws.intake).items}
    assert by_id["medical-records"].missing_for == ("Cedar Point Physical Therapy",)
    assert by_id["medical-bills"].missing_for == (
        "Cedar Point Physical Therapy", "Riverbend Imaging Center")
