"""Profiles and roles: salted scrypt passphrases, admin sign-in, actor in every event."""

from __future__ import annotations

import pytest

from intake_desktop.core.ledger import Actor
from intake_desktop.core.roles import (
    Capability,
    CapabilityRefused,
    Profiles,
    SignInError,
    can,
    hash_passphrase,
    verify_passphrase,
)


def test_passphrase_hash_is_salted_scrypt():
    a, b = hash_passphrase("correct horse"), hash_passphrase("correct horse")
    assert a != b and a.startswith("scrypt$16384$8$1$")
    assert verify_passphrase("correct horse", a)
    assert not verify_passphrase("correct horsE", a)
    assert not verify_passphrase("x", "not-a-hash")


def test_role_capabilities():
    assert can("attorney", Capability.BROWSE) and not can("attorney", Capability.SETTINGS)
    assert can("paralegal", Capability.INTAKE) and not can("paralegal", Capability.SETTINGS)
    assert all(can("admin", c) for c in Capability)
    assert not can("intruder", Capability.BROWSE)


def test_admin_profile_needs_its_passphrase(app):
    profiles = Profiles(app.ledger)
    first = Actor("root-user", "paralegal")
    profiles.save("dana", "admin", "s3cret-pass", acting=first)
    assert profiles.has_admin()
    with pytest.raises(SignInError, match="Wrong passphrase"):
        profiles.sign_in("dana", "guess")
    assert profiles.sign_in("dana", "s3cret-pass") == Actor("dana", "admin")
    with pytest.raises(CapabilityRefused, match="may not manage people"):
        profiles.save("eve", "admin", "another-pass", acting=Actor("eve", "paralegal"))
    with pytest.raises(SignInError, match="shorter than 8"):
        profiles.save("sam", "admin", "short", acting=Actor("dana", "admin"))
    with pytest.raises(SignInError, match="An attorney profile needs a passphrase"):
        profiles.save("sam", "attorney", acting=Actor("dana", "admin"))
    profiles.save("sam", "attorney", "sams-passphrase", acting=Actor("dana", "admin"))
    with pytest.raises(SignInError, match="Wrong passphrase"):
        profiles.sign_in("sam")
    assert profiles.sign_in("sam", "sams-passphrase") == Actor("sam", "attorney")
    saved = [e for e in app.ledger.chain.events() if e.kind == "profile_saved"]
    assert [e.detail["user"] for e in saved] == ["dana", "sam"]
    assert "s3cret" not in str([e.detail for e in saved])


def test_start_asks_passphrase_for_protected_profiles(app):
    profiles = Profiles(app.ledger)
    assert not profiles.start(Actor("kim", "admin")).needs_passphrase
    assert profiles.start(Actor("kim", "admin")).actor.role == "paralegal"
    profiles.save("kim", "admin", "kims-passphrase", acting=Actor("kim", "paralegal"))
    decision = profiles.start(Actor("kim", "paralegal"))
    assert decision.needs_passphrase and decision.actor.role == "admin"


def test_switching_actor_records_who_acts(make_window, app):
    window = make_window("paralegal")
    window.set_actor(Actor("lee", "attorney"))
    assert "lee (attorney)" in window.actor_label.text()
    assert "browser" in window.pages and "intake" not in window.pages
    # (the workspace's first write also records `ledger_attached` after it)
    last = [e for e in app.ledger.chain.events() if e.kind != "ledger_attached"][-1]
    assert (last.kind, last.actor_user, last.actor_role) == ("signed_in", "lee", "attorney")


def test_window_geometry_is_remembered(qtbot, app, tmp_path):
    from PySide6.QtCore import QSettings

    from intake_desktop.qt.main_window import MainWindow
    from intake_desktop.qt.tasks import ImmediatePool

    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    first = MainWindow(app, actor=Actor("pat", "paralegal"), pool=ImmediatePool(), tray=False,
                       settings=settings)
    qtbot.addWidget(first)
    first.resize(781, 561)
    first.show()
    first.close()
    settings.sync()
    second = MainWindow(app, actor=Actor("pat", "paralegal"), pool=ImmediatePool(), tray=False,
                        settings=QSettings(str(tmp_path / "window.ini"),
                                           QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (781, 561)
