"""Matter walls in the window (issue 17 item 6): a screened matter disappears from that
person's intake matter picker, browser, builder, search results, review dialogs and
checklists; typing it into the intake picker is refused and recorded; an admin adds and
lifts walls under Settings > People."""

from __future__ import annotations

from typing import Any

import pytest

from intake_desktop.app import App, build_filer
from intake_desktop.core.ledger import Actor
from intake_desktop.core.walls import add_wall

WALLED = "2024-0117 Reyes v. Acme"
OPEN = "2024-0200 Other v. Matter"


@pytest.fixture
def walled(app: App, make_pdf: Any) -> App:
    filer = build_filer(app)
    filer.ingest([make_pdf("reyes.pdf", 2, text="Reyes medical summary")], matter=WALLED)
    filer.ingest([make_pdf("other.pdf", 1, text="Other matter letter")], matter=OPEN)
    filer.ingest([make_pdf("fax 0412.pdf", 1)])  # waits in review, no matter
    admin = app.ledger.with_actor(Actor("dana", "admin"))
    try:
        assert add_wall(admin, "pat", WALLED, "worked for Acme")
    finally:
        admin.close()
    return app


def _items(combo: Any) -> list[str]:
    return [str(combo.itemData(n) or combo.itemText(n)) for n in range(combo.count())]


def _matters_listed(model: Any) -> set[str]:
    return {model.record(n).matter_id for n in range(model.rowCount())}


def test_screened_matter_disappears_from_every_page(make_window: Any, walled: App) -> None:
    window = make_window("paralegal")  # acting as "pat", screened from WALLED
    intake = window.pages["intake"]
    assert OPEN in _items(intake.matter) and WALLED not in _items(intake.matter)

    assert window.open_page("browser")
    browser = window.pages["browser"]
    browser.refresh()
    assert _matters_listed(browser.model) == {OPEN}
    assert WALLED not in _items(browser.matter) and OPEN in _items(browser.matter)
    browser.search.setText("Reyes")  # found in the walled document's text and path
    browser.apply_filter()
    assert browser.model.rowCount() == 0 and browser.model.total == 0

    assert window.open_page("builder")
    builder = window.pages["builder"]
    builder.refresh()
    assert _matters_listed(builder.documents) == {OPEN}
    assert WALLED not in _items(builder.matter)

    assert window.open_page("checklists")
    checklists = window.pages["checklists"]
    checklists.reload_matters()
    assert WALLED not in _items(checklists.matter) and OPEN in _items(checklists.matter)

    from intake_desktop.qt.review_page import FileDialog

    assert window.open_page("review")
    review = window.pages["review"]
    review.select_row(0)
    dialog = FileDialog(window.session, review.selected(), by_hand=False, parent=review)
    assert WALLED not in dialog.known and OPEN in dialog.known
    dialog.close()
    assert [e for e in walled.ledger.chain.events() if e.kind == "wall_refused"] == []


def test_other_people_still_see_the_matter(make_window: Any, walled: App) -> None:
    window = make_window("attorney")  # pat, screened; then someone else signs in
    window.set_actor(Actor("lee", "attorney"))
    browser = window.pages["browser"]
    browser.refresh()
    assert _matters_listed(browser.model) == {WALLED, OPEN}


def test_typing_the_screened_matter_into_intake_is_refused(make_window: Any, walled: App,
                                                           make_pdf: Any) -> None:
    window = make_window("paralegal")
    intake = window.pages["intake"]
    intake.matter.setCurrentText(WALLED)
    before = len(walled.ledger.docs.documents())
    dropped = make_pdf("new upload.pdf")
    intake.file_paths([dropped])
    assert "pat is screened from the matter" in intake.status.text().lower()
    assert len(walled.ledger.docs.documents()) == before and dropped.is_file()
    [refused] = [e for e in walled.ledger.chain.events() if e.kind == "wall_refused"]
    assert (refused.actor_user, refused.matter_id, refused.detail["what"]) == (
        "pat", WALLED, "file documents into")


def test_admin_adds_and_lifts_walls_in_settings(make_window: Any, walled: App) -> None:
    window = make_window("admin")
    assert window.open_page("settings")
    settings = window.pages["settings"]
    settings.tabs.setCurrentWidget(settings.profiles)
    walls = settings.profiles.walls
    assert walls.model.rowCount() == 1  # pat / WALLED from the fixture
    walls.person.setCurrentText("lee")
    walls.matter.setCurrentText(OPEN)
    walls.reason.setText("opposing counsel's cousin")
    assert walls.add(), walls.result.text()
    rows = {(walls.model.record(n).person, walls.model.record(n).matter_id)
            for n in range(walls.model.rowCount())}
    assert rows == {("pat", WALLED), ("lee", OPEN)}
    walls.table.selectRow(next(n for n in range(walls.model.rowCount())
                               if walls.model.record(n).person == "lee"))
    assert walls.remove_selected(), walls.result.text()
    kinds = [(e.kind, e.actor_user, e.detail.get("person")) for e in walled.ledger.chain.events()
             if e.kind in ("wall_added", "wall_removed")]
    assert kinds == [("wall_added", "dana", "pat"), ("wall_added", "pat", "lee"),
                     ("wall_removed", "pat", "lee")]
