"""Signing in when the window opens (issue 17 item 1): pick the person (the last one for this
computer account is chosen), type their passphrase when they have one; a wrong one is refused
and recorded; Switch profile offers no attorney or admin without their passphrase."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from intake_desktop.app import App
from intake_desktop.core.ledger import Actor
from intake_desktop.core.roles import Profiles
from intake_desktop.qt.main import starting_actor
from intake_desktop.qt.profile_dialog import ProfileDialog, SignInDialog


def _people(app: App) -> None:
    profiles = Profiles(app.ledger)
    profiles.save("Dana Admin", "admin", "dana-passphrase", acting=app.actor)
    dana = Actor("Dana Admin", "admin")
    profiles.save("Ann Atty", "attorney", "ann-passphrase", acting=dana)
    profiles.save("Pat Para", "paralegal", acting=dana, account=app.actor.user)


def test_no_profiles_starts_as_the_account_paralegal(app: App) -> None:
    assert starting_actor(app) == Actor(app.actor.user, "paralegal")


def test_sign_in_remembers_the_last_person_for_this_account(qtbot: Any, app: App,
                                                            tmp_path: Path) -> None:
    _people(app)
    settings = QSettings(str(tmp_path / "signin.ini"), QSettings.Format.IniFormat)
    dialog = SignInDialog(app, settings)
    qtbot.addWidget(dialog)
    # Nobody signed in here before: the person tied to this computer account is chosen.
    assert dialog.chosen() == "Pat Para" and not dialog.passphrase.isEnabled()
    dialog.choice.setCurrentIndex(dialog.choice.findData("Ann Atty"))
    assert dialog.passphrase.isEnabled()
    dialog.passphrase.setText("not it")
    dialog.try_sign_in()
    assert dialog.actor is None and "not right" in dialog.error.text()
    [refused] = [e for e in app.ledger.chain.events() if e.kind == "sign_in_refused"]
    assert refused.detail["person"] == "Ann Atty" and "not it" not in str(refused.detail)
    dialog.passphrase.setText("ann-passphrase")
    dialog.try_sign_in()
    assert dialog.actor == Actor("Ann Atty", "attorney")
    again = SignInDialog(app, settings)
    qtbot.addWidget(again)
    assert again.chosen() == "Ann Atty"  # remembered for this computer account
    again.reject()
    assert again.actor is None  # Quit does not make anyone a paralegal


def test_switch_profile_offers_no_role_without_its_passphrase(make_window: Any,
                                                              app: App) -> None:
    _people(app)
    window = make_window("paralegal")
    dialog = ProfileDialog(window.session, window)
    entries = [str(dialog.choice.itemData(n)) for n in range(dialog.choice.count())]
    assert entries == ["Ann Atty", "Dana Admin", "Pat Para", f"@{app.actor.user}"]
    dialog.choice.setCurrentIndex(entries.index("Ann Atty"))
    assert dialog.passphrase.isEnabled()
    dialog.passphrase.setText("wrong")
    dialog.try_accept()
    assert dialog.actor is None and "Wrong passphrase" in dialog.error.text()
    dialog.choice.setCurrentIndex(entries.index(f"@{app.actor.user}"))
    dialog.try_accept()
    assert dialog.actor == Actor(app.actor.user, "paralegal")
    window.set_actor(dialog.actor)
    last = app.ledger.chain.events()[-1]
    assert (last.kind, last.actor_user, last.actor_role) == (
        "signed_in", app.actor.user, "paralegal")


def test_gui_as_chooses_who_is_offered_first(qtbot: Any, app: App, tmp_path: Path) -> None:
    """`intake-desktop gui --as NAME`: that person is chosen; the passphrase is still asked."""
    _people(app)
    settings = QSettings(str(tmp_path / "signin.ini"), QSettings.Format.IniFormat)
    dialog = SignInDialog(app, settings, preferred="Dana Admin")
    qtbot.addWidget(dialog)
    assert dialog.chosen() == "Dana Admin" and dialog.passphrase.isEnabled()
    dialog.try_sign_in()
    assert dialog.actor is None
