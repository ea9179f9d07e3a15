"""The capability matrix in the window (issue 17 item 2): for every role and capability, open
the page or press the button as that person; allowed work is done, a refusal says why and
is a `capability_refused` event naming the person and role."""

from __future__ import annotations

from typing import Any

import pytest

from intake_desktop.app import App, build_filer
from intake_desktop.core.approvals import approve
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import DocStatus
from intake_desktop.core.roles import ROLE_CAPABILITIES, Capability, Profiles, Role, who_may

PAGE_OF = {
    Capability.INTAKE: "intake",
    Capability.VIEW_REVIEW: "review",
    Capability.BROWSE: "browser",
    Capability.BUILD: "builder",
    Capability.CHECKLISTS: "checklists",
    Capability.SETTINGS: "settings",
    Capability.SUPERVISE: "supervision",
}
# Admin work that lives on the Settings page: (tab title, what the test presses).
SETTINGS_TABS = {
    Capability.RULES: "Naming rules",
    Capability.COURTS: "Court profiles",
    Capability.PEOPLE: "People",
    Capability.WALLS: "People",
}
SUPERVISION = {Capability.SIGN_OFF, Capability.APPROVE}
CELLS = [(role, cap) for cap in Capability for role in Role]


def _refusals(app: App, since: int) -> list[tuple[str, str, str]]:
    return [(e.actor_user, e.actor_role, str(e.detail.get("capability")))
            for e in app.ledger.chain.events() if e.seq > since and e.kind == "capability_refused"]


@pytest.fixture
def seeded(app: App, make_pdf: Any) -> App:
    filer = build_filer(app)
    filer.ingest([make_pdf("letter.pdf", 2)], matter="2024-1 A")
    filer.ingest([make_pdf("fax 0412.pdf", 2)])  # no matter: waits in review
    assert app.ledger.docs.documents(status=DocStatus.REVIEW)
    return app


@pytest.mark.parametrize(("role", "cap"), CELLS, ids=[f"{r}-{c}" for r, c in CELLS])
def test_every_cell_in_the_window(make_window: Any, seeded: App, role: Role,
                                  cap: Capability) -> None:
    allowed = cap in ROLE_CAPABILITIES[role]
    window = make_window(str(role))
    since = seeded.ledger.chain.head()[0]
    if cap in PAGE_OF:
        key = PAGE_OF[cap]
        assert window.open_page(key) is allowed
        if allowed:
            assert window.current_page_key() == key and window.message_label.text() == ""
        else:
            assert key not in window.pages
            assert f"needs {who_may(cap)} profile" in window.message_label.text()
            assert _refusals(seeded, since) == [("pat", str(role), str(cap))]
        return
    if cap is Capability.REVIEW:
        assert window.open_page("review")
        page = window.pages["review"]
        page.select_row(0)
        assert page.assign_button.isEnabled() is allowed
        assert page.open_button.isEnabled()
        result = page.retry_selected()  # the button's action, pressed even when greyed out
        if allowed:
            assert result is not None and "may not" not in page.result.text()
            assert _refusals(seeded, since) == []
        else:
            assert result is None
            assert "may not resolve the review queue" in page.result.text()
            assert "Read-only" in page.assign_button.toolTip()
            assert _refusals(seeded, since) == [("pat", str(role), "review")]
        return
    if cap in SETTINGS_TABS:
        opened = window.open_page("settings")
        assert opened is allowed
        if not allowed:  # the work lives on a page this role cannot open
            assert "settings" not in window.pages
            assert _refusals(seeded, since) == [("pat", str(role), "settings")]
            return
        settings = window.pages["settings"]
        titles = [settings.tabs.tabText(n) for n in range(settings.tabs.count())]
        assert SETTINGS_TABS[cap] in titles
        if cap is Capability.PEOPLE:
            editor = settings.profiles.people
            editor.name.setText("Lee Park")
            editor.role.setCurrentText("attorney")
            editor.passphrase.setText("lees-passphrase")
            assert editor.save(), editor.result.text()
            assert Profiles(seeded.ledger).get("Lee Park").role is Role.ATTORNEY  # type: ignore[union-attr]
        if cap is Capability.WALLS:
            walls = settings.profiles.walls
            walls.person.setCurrentText("Lee Park")
            walls.matter.setCurrentText("2024-1 A")
            assert walls.add(), walls.result.text()
            assert walls.model.rowCount() == 1
        return
    assert cap in SUPERVISION
    supervision_cell(window, seeded, role, cap, allowed, since)


def supervision_cell(window: Any, app: App, role: Role, cap: Capability, allowed: bool,
                     since: int) -> None:
    """Sign-off (the builder's button), approve (the Supervision page's button) and the
    Supervision page itself."""
    from intake_desktop.core.desks.exhibit_builder import BuildOptions, Pick, build
    from intake_desktop.core.ledger import EventKind

    letter = next(d for d in app.ledger.docs.documents(status=DocStatus.FILED))
    if cap is Capability.SUPERVISE:
        assert window.open_page("supervision") is allowed
        if not allowed:
            assert "supervision" not in window.pages
            assert _refusals(app, since) == [("pat", str(role), "supervise")]
        return
    if cap is Capability.SIGN_OFF:
        built = build(app.workspace, app.ledger, BuildOptions("Cell set"),
                      [Pick(letter.id, "Letter")])
        assert window.open_page("builder")
        page = window.pages["builder"]
        page.last = built
        page.show_signoff_state()
        assert page.signoff_button.isVisible() is allowed or page.signoff_button.isHidden() \
            is not allowed
        since = app.ledger.chain.head()[0]
        assert page.sign_off_set() is allowed  # the button's action, pressed regardless
        if allowed:
            assert "Signed off by pat on " in page.signoff_state.text()
            assert _refusals(app, since) == []
        else:
            assert "may not sign off" in page.signoff_state.text()
            assert _refusals(app, since) == [("pat", str(role), "sign_off")]
        return
    # APPROVE: a provisional filing waits; an attorney or admin approves it on the page.
    with app.ledger.transaction() as txn:
        txn.add_event(EventKind.APPROVAL_REQUESTED, document_id=letter.id,
                      matter_id=letter.matter_id, path_after=letter.filed_path,
                      detail={"approval": "attorney", "rule": "test", "category": ""})
    since = app.ledger.chain.head()[0]
    if allowed:
        assert window.open_page("supervision")
        page = window.pages["supervision"]
        page.refresh()
        assert page.select_approval(letter.id) and page.approve_button.isEnabled()
        page.approve_button.click()
        assert not page.select_approval(letter.id)
        assert [e.actor_role for e in app.ledger.chain.events(kinds=[EventKind.APPROVED])] == [
            str(role)]
        assert _refusals(app, since) == []
    else:
        assert not window.open_page("supervision")  # the page is not theirs
        with pytest.raises(IntakeError, match="may not approve an escalated document"):
            approve(window.session.ledger, letter.id)
        assert _refusals(app, since)[-1] == ("pat", str(role), "approve")


def test_people_page_refuses_a_non_admin_press(make_window: Any, seeded: App) -> None:
    """The People editor's Save, pressed by someone who is not an admin (once an admin
    exists), is refused and recorded; walls likewise."""
    from intake_desktop.core.ledger import Actor
    from intake_desktop.qt.people_page import PeopleEditor, WallsEditor

    Profiles(seeded.ledger).save("Dana Admin", "admin", "dana-passphrase",
                                 acting=Actor("setup", "admin"))
    window = make_window("attorney")
    since = seeded.ledger.chain.head()[0]
    editor = PeopleEditor(window.session)
    editor.name.setText("Eve")
    editor.role.setCurrentText("admin")
    editor.passphrase.setText("eves-passphrase")
    assert not editor.save()
    assert "may not manage people" in editor.result.text()
    with pytest.raises(Exception, match="may not manage matter walls"):
        WallsEditor(window.session)
    assert _refusals(seeded, since) == [("pat", "attorney", "people"),
                                        ("pat", "attorney", "walls")]
    assert Profiles(seeded.ledger).get("Eve") is None
