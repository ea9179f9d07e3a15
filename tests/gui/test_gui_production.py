"""The Production page (issue 19 item 4), with real clicks: pick a matter's documents by
category or by a saved browser search, withhold one with a basis and a description, see the
dry run's numbers, build with progress, cancel a build, and read the volume back."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt

from intake_desktop.core.ledger import Actor, EventKind
from intake_desktop.core.ledger.queries import DocumentFilter
from intake_desktop.core.saved_searches import SavedSearch, save_search
from intake_desktop.qt.browser_page import BrowserPage
from intake_desktop.qt.production_page import ProductionPage
from intake_desktop.qt.session import Session
from tests.core.production.test_production import MATTER, desk, read_dat, read_opt  # noqa: F401  (fixture)


def _click_item(qtbot: Any, list_widget: Any, text: str) -> None:
    """Tick a checkable list item by clicking its check box."""
    item = list_widget.findItems(text, Qt.MatchFlag.MatchExactly)[0]
    rect = list_widget.visualItemRect(item)
    qtbot.mouseClick(list_widget.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(rect.left() + 10, rect.center().y()))


def _click_check(qtbot: Any, table: Any, row: int, col: int) -> None:
    """Click the check box of a checkable cell (drawn at the cell's left)."""
    table.scrollToItem(table.item(row, col))
    rect = table.visualItemRect(table.item(row, col))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(rect.left() + 12, rect.center().y()))


def _row(page: ProductionPage, doc_id: int) -> int:
    return next(r for r, d in enumerate(page.docs) if d.id == doc_id)


@pytest.fixture
def page(make_window: Any, desk: dict[str, Any], qtbot: Any) -> ProductionPage:  # noqa: F811
    window = make_window("paralegal")
    window.resize(1400, 900)
    window.show()
    assert window.open_page("production")
    found = window.pages["production"]
    assert isinstance(found, ProductionPage)
    found.matter.setCurrentIndex(found.matter.findData(MATTER))
    return found


def test_pick_withhold_dry_run_and_build(page: ProductionPage, desk: dict[str, Any],  # noqa: F811
                                         qtbot: Any, tmp_path: Path) -> None:
    app = desk["app"]
    assert page.volume.text() == "PROD001"
    _click_item(qtbot, page.categories, "Correspondence")
    _click_item(qtbot, page.categories, "Calculations")
    names = [page.table.item(r, page.COL_DOCUMENT).text() for r in range(page.table.rowCount())]
    assert names == ["Letter to Harbor", "Hours 2024", "Memo to client", "Harbor reply"]
    assert page.table.item(0, page.COL_DOCUMENT).toolTip().endswith("/Letter to Harbor.pdf")
    # Withhold the memo: tick Withhold, choose the basis, describe it.
    memo = _row(page, desk["privileged"].id)
    _click_check(qtbot, page.table, memo, page.COL_WITHHOLD)
    assert page.table.cellWidget(memo, page.COL_PRIVILEGE).isEnabled()
    page.table.cellWidget(memo, page.COL_PRIVILEGE).setCurrentText("Work product")
    page.table.item(memo, page.COL_DESCRIPTION).setText(
        "Memo from counsel to client giving legal advice on settlement")
    # Leave the reply out: untick Produce.
    _click_check(qtbot, page.table, _row(page, desk["last"].id), page.COL_PRODUCE)
    assert page.count.text() == "3 of 4 documents chosen, 1 withheld as privileged"

    qtbot.keyClicks(page.prefix, "")  # keep the focus moving like a user would
    page.prefix.setText("LANE-")
    assert page.next_free.text() == "Next free number: LANE-000001"
    qtbot.mouseClick(page.dry_run_button, Qt.MouseButton.LeftButton)
    run = page.last_dry_run
    assert run is not None
    shown = [(page.preview.item(r, 0).text(), page.preview.item(r, 2).text())
             for r in range(page.preview.rowCount())]
    # Letter 3 pages, native spreadsheet 1 slip sheet, memo 1 withheld slip sheet.
    assert shown == [("LANE-000001 – LANE-000003", "imaged"), ("LANE-000004", "native"),
                     ("LANE-000005", "withheld")]
    assert "LANE-000001 – LANE-000005" in page.summary.text()
    assert app.ledger.bates.next_bates("LANE-") == 1  # a dry run takes no number
    window = page.window()
    window.grab().save(str(tmp_path / "production.png"))

    progress: list[str] = []
    page.progress.valueChanged.connect(lambda v: progress.append(page.progress.format()))
    qtbot.mouseClick(page.build_button, Qt.MouseButton.LeftButton)
    assert page.last is not None, page.result.text()
    assert "Built PROD001: 3 documents, 5 pages, LANE-000001 – LANE-000005, 1 withheld" \
        in page.result.text()
    assert progress, "the progress bar moved"
    assert page.open_folder.isEnabled()
    vol = app.workspace.root / "Exports" / "Productions" / "PROD001"
    rows = read_dat(vol / "PROD001" / "DATA" / "PROD001.dat")
    assert [(r["BEGBATES"], r["ENDBATES"]) for r in rows] == [
        ("LANE-000001", "LANE-000003"), ("LANE-000004", "LANE-000004"),
        ("LANE-000005", "LANE-000005")]
    assert len(read_opt(vol / "PROD001" / "DATA" / "PROD001.opt")) == 5
    assert rows[2]["PRIVILEGE"] == "Withheld - Attorney work product"
    log = (vol / "PROD001 privilege log.csv").read_text(encoding="utf-8")
    assert "Memo from counsel to client giving legal advice on settlement" in log
    spec = (vol / "PROD001 spec.toml").read_text(encoding="utf-8")
    assert f"document = {desk['privileged'].id}" in spec and 'prefix = "LANE-"' in spec
    # A draft until an attorney signs it off (the Supervision page lists it).
    [draft] = app.ledger.chain.kind_events(EventKind.DRAFT_BUILT)
    assert (draft.detail["kind"], draft.detail["name"]) == ("production", "PROD001")
    assert draft.detail["spec_sha256"] == hashlib.sha256(spec.encode()).hexdigest()
    assert (draft.detail["bates_first"], draft.detail["bates_last"]) == (
        "LANE-000001", "LANE-000005")
    withheld = app.ledger.chain.kind_events(EventKind.WITHHELD_PRIVILEGED)
    assert [e.document_id for e in withheld] == [desk["privileged"].id]
    assert withheld[0].actor_user == "pat"
    # An attorney's browser finds a produced page's Bates number and says where it went.
    attorney = BrowserPage(Session.start(app, Actor("ann", "attorney"), window.session.runner),
                           on_error=lambda _m: None)
    qtbot.addWidget(attorney)
    attorney.search.setText("LANE-000002")
    attorney.apply_filter()
    assert [d.id for d in attorney.model.records] == [desk["letter"].id]
    attorney.resize(1200, 700)
    attorney.select_row(0)
    attorney.grab().save(str(tmp_path / "browser.png"))
    assert attorney.facts_line.produced_label.text() == (
        "Produced in PROD001 as LANE-000001-LANE-000003")
    # The page is ready for the next volume, numbered on.
    assert page.volume.text() == "PROD002"
    assert page.next_free.text() == "Next free number: LANE-000006"


def test_cancel_gives_the_numbers_back_and_writes_nothing(
        page: ProductionPage, desk: dict[str, Any], qtbot: Any) -> None:  # noqa: F811
    app = desk["app"]
    _click_item(qtbot, page.categories, "Correspondence")
    page.prefix.setText("LANE-")
    # Cancel as soon as the build reports progress (the test pool runs it at once).
    page.progress.valueChanged.connect(
        lambda *_: page.cancel_button.isVisible() and qtbot.mouseClick(
            page.cancel_button, Qt.MouseButton.LeftButton))
    errors: list[str] = []
    page.on_error = errors.append
    qtbot.mouseClick(page.build_button, Qt.MouseButton.LeftButton)
    assert page.last is None
    assert errors and "cancelled" in errors[0]
    assert app.ledger.bates.next_bates("LANE-") == 1
    assert [e.detail.get("reason", "") for e in app.ledger.chain.kind_events(
        EventKind.BATES_RELEASED)][-1].startswith("production PROD001 failed")
    vol = app.workspace.root / "Exports" / "Productions" / "PROD001"
    assert not vol.exists() or not any(vol.rglob("*"))
    assert page.build_button.isEnabled() and not page.cancel_button.isVisible()


def test_documents_from_a_saved_search(page: ProductionPage, desk: dict[str, Any],  # noqa: F811
                                       qtbot: Any) -> None:
    app = desk["app"]
    save_search(app.workspace, SavedSearch("Replies", DocumentFilter(text="reply")))
    page.refresh()
    page.source.setCurrentIndex(page.source.findText("Saved search: Replies"))
    assert not page.categories.isEnabled()
    assert [d.id for d in page.docs] == [desk["last"].id]


def test_a_withheld_document_needs_a_description(page: ProductionPage, desk: dict[str, Any],  # noqa: F811
                                                 qtbot: Any) -> None:
    _click_item(qtbot, page.categories, "Correspondence")
    _click_check(qtbot, page.table, _row(page, desk["privileged"].id), page.COL_WITHHOLD)
    errors: list[str] = []
    page.on_error = errors.append
    qtbot.mouseClick(page.dry_run_button, Qt.MouseButton.LeftButton)
    assert errors and "without a description" in errors[0]
    assert page.last_dry_run is None


def test_attorneys_and_paralegals_may_produce(make_window: Any) -> None:
    from intake_desktop.core.roles import Capability, can

    assert can("paralegal", Capability.BUILD) and can("attorney", Capability.BUILD)
    assert make_window("attorney").open_page("production")
