"""People, not roles (issue 17 item 1): profiles with name, role and initials; a passphrase
required for attorneys and admins, optional for paralegals, stored only as a salted scrypt
hash; who acts on the command line (`--as`, the computer account's person, `--role` only
narrowing); every refusal recorded."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.roles import (
    PASSPHRASE_REQUIRED,
    ROLE_CAPABILITIES,
    Capability,
    CapabilityRefused,
    Profiles,
    Role,
    SignInError,
    capability_table_markdown,
    require,
    verify_passphrase,
)
from tests.conftest import REPO

SETUP = Actor("setup", "paralegal")
ADMIN_PASS = "dana-admin-passphrase"
ATTORNEY_PASS = "ann-attorney-passphrase"


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    led = Ledger.open(f"sqlite:///{tmp_path / 'ledger.sqlite'}", SETUP)
    yield led
    led.close()


@pytest.fixture
def people(ledger: Ledger) -> Profiles:
    profiles = Profiles(ledger)
    profiles.save("Dana Admin", "admin", ADMIN_PASS, acting=SETUP)
    dana = Actor("Dana Admin", "admin")
    profiles.save("Ann Atty", "attorney", ATTORNEY_PASS, acting=dana, initials="aa")
    profiles.save("Pat Para", "paralegal", acting=dana, account="pat-login")
    return profiles


def _kinds(ledger: Ledger, kind: str) -> list[dict[str, object]]:
    return [e.detail for e in ledger.chain.events() if e.kind == kind]


def test_profiles_carry_name_role_initials_and_account(people: Profiles) -> None:
    got = {p.name: (p.role, p.initials, p.account, p.protected) for p in people.list()}
    assert got == {
        "Dana Admin": (Role.ADMIN, "DA", "", True),
        "Ann Atty": (Role.ATTORNEY, "AA", "", True),
        "Pat Para": (Role.PARALEGAL, "PP", "pat-login", False),
    }


@pytest.mark.parametrize("role", sorted(PASSPHRASE_REQUIRED))
def test_attorneys_and_admins_need_a_passphrase(people: Profiles, role: Role) -> None:
    dana = Actor("Dana Admin", "admin")
    with pytest.raises(SignInError, match=f"An {role} profile needs a passphrase"):
        people.save("New Person", role, acting=dana)
    with pytest.raises(SignInError, match="shorter than 8"):
        people.save("New Person", role, "short", acting=dana)
    assert people.get("New Person") is None
    # A paralegal without one who becomes an attorney must be given one.
    with pytest.raises(SignInError, match="needs a passphrase"):
        people.save("Pat Para", role, acting=dana)
    assert people.get("Pat Para").role is Role.PARALEGAL  # type: ignore[union-attr]


def test_a_paralegal_passphrase_is_optional_but_then_required(people: Profiles) -> None:
    assert people.sign_in("Pat Para") == Actor("Pat Para", "paralegal")
    people.save("Pat Para", "paralegal", "pats-own-passphrase", acting=Actor("Dana Admin",
                                                                            "admin"))
    with pytest.raises(SignInError, match="Wrong passphrase"):
        people.sign_in("Pat Para")
    assert people.sign_in("Pat Para", "pats-own-passphrase") == Actor("Pat Para", "paralegal")


def test_passphrases_are_stored_only_as_salted_scrypt_hashes(
        people: Profiles, ledger: Ledger, tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "ledger.sqlite")
    rows = dict(db.execute("SELECT name, passphrase_hash FROM users").fetchall())
    db.close()
    raw = (tmp_path / "ledger.sqlite").read_bytes()
    for secret in (ADMIN_PASS, ATTORNEY_PASS):
        assert secret.encode() not in raw
        assert secret not in str([e.detail for e in ledger.chain.events()])
    assert re.fullmatch(r"scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}",
                        rows["Ann Atty"])
    assert verify_passphrase(ATTORNEY_PASS, rows["Ann Atty"])
    assert rows["Pat Para"] == ""


def test_sign_in_refusals_are_recorded(people: Profiles, ledger: Ledger) -> None:
    with pytest.raises(SignInError, match="Wrong passphrase for the attorney profile"):
        people.sign_in("Ann Atty", "guess")
    with pytest.raises(SignInError, match="no profile named 'Nobody'"):
        people.sign_in("Nobody")
    refused = _kinds(ledger, "sign_in_refused")
    assert [d["person"] for d in refused] == ["Ann Atty", "Nobody"]
    assert "guess" not in str(refused)


def test_only_admins_change_people_once_an_admin_exists(people: Profiles) -> None:
    for acting in (Actor("Ann Atty", "attorney"), Actor("Pat Para", "paralegal")):
        with pytest.raises(CapabilityRefused, match="may not manage people"):
            people.save("Eve", "admin", "eves-passphrase", acting=acting)
    assert people.get("Eve") is None


def _never_asked(name: str) -> str:
    raise AssertionError(f"asked the passphrase of {name}")


def test_command_line_default_person(people: Profiles, ledger: Ledger) -> None:
    """--as left out: the person tied to the computer account, else the profile named after
    it, else a paralegal named after the account (no profile created)."""
    assert people.act_as(None, account="pat-login", passphrase=_never_asked) == Actor(
        "Pat Para", "paralegal")
    asked: list[str] = []
    actor = people.act_as(None, account="Ann Atty",
                          passphrase=lambda n: (asked.append(n), ATTORNEY_PASS)[1])
    assert actor == Actor("Ann Atty", "attorney") and asked == ["Ann Atty"]
    assert people.act_as(None, account="kim", passphrase=_never_asked) == Actor(
        "kim", "paralegal")
    assert people.get("kim") is None
    # Naming yourself (the account) without a profile is the same paralegal.
    assert people.act_as("kim", account="kim", passphrase=_never_asked) == Actor(
        "kim", "paralegal")


def test_command_line_as_asks_the_passphrase_of_attorneys_and_admins(people: Profiles) -> None:
    with pytest.raises(SignInError, match="Wrong passphrase"):
        people.act_as("Dana Admin", account="kim", passphrase=lambda n: "not it")
    assert people.act_as("Dana Admin", account="kim", passphrase=lambda n: ADMIN_PASS) == (
        Actor("Dana Admin", "admin"))
    assert people.act_as("Pat Para", account="kim", passphrase=_never_asked) == Actor(
        "Pat Para", "paralegal")


def test_role_only_narrows(people: Profiles, ledger: Ledger) -> None:
    """--role alone grants nothing: asking for more than the person's role is refused and
    recorded; an admin may act with a narrower role."""
    for role in ("attorney", "admin"):
        with pytest.raises(SignInError, match=f"--role {role} no longer grants a role"):
            people.act_as(None, account="kim", passphrase=_never_asked, role=role)
    with pytest.raises(SignInError, match="--role admin no longer grants"):
        people.act_as("Ann Atty", account="kim", passphrase=lambda n: ATTORNEY_PASS,
                      role="admin")
    # An attorney cannot become a paralegal either (intake is not an attorney's).
    with pytest.raises(SignInError, match="--role paralegal no longer grants"):
        people.act_as("Ann Atty", account="kim", passphrase=lambda n: ATTORNEY_PASS,
                      role="paralegal")
    assert people.act_as("Dana Admin", account="kim", passphrase=lambda n: ADMIN_PASS,
                         role="paralegal") == Actor("Dana Admin", "paralegal")
    assert len(_kinds(ledger, "sign_in_refused")) == 4


def test_an_account_is_the_default_of_one_person(people: Profiles, ledger: Ledger) -> None:
    people.save("Pat Two", "paralegal", acting=Actor("Dana Admin", "admin"),
                account="pat-login")
    assert people.for_account("pat-login").name == "Pat Two"  # type: ignore[union-attr]
    assert people.get("Pat Para").account == ""  # type: ignore[union-attr]
    last = _kinds(ledger, "profile_saved")[-1]
    assert last["account_taken_from"] == ["Pat Para"]


def test_require_records_the_refusal_with_person_and_role(ledger: Ledger) -> None:
    acting = ledger.with_actor(Actor("Pat Para", "paralegal"))
    try:
        require(acting, Capability.INTAKE)  # allowed: nothing recorded
        with pytest.raises(CapabilityRefused,
                           match=r"Acting as Pat Para \(paralegal\) you may not sign off what "
                           r"goes out: that needs an attorney or admin profile"):
            require(acting, Capability.SIGN_OFF)
    finally:
        acting.close()
    refused = [e for e in ledger.chain.events() if e.kind == "capability_refused"]
    assert [(e.actor_user, e.actor_role, e.detail["capability"]) for e in refused] == [
        ("Pat Para", "paralegal", "sign_off")]


def test_the_capability_table_is_the_issue_s() -> None:
    """Paralegals intake, review, build, browse; attorneys browse, build, review read-only,
    sign off, approve; admins everything including rules, courts, people and walls."""
    para, atty = ROLE_CAPABILITIES[Role.PARALEGAL], ROLE_CAPABILITIES[Role.ATTORNEY]
    assert {Capability.INTAKE, Capability.REVIEW, Capability.BUILD, Capability.BROWSE} <= para
    assert {Capability.BROWSE, Capability.BUILD, Capability.VIEW_REVIEW, Capability.SIGN_OFF,
            Capability.APPROVE} <= atty
    assert Capability.REVIEW not in atty and Capability.INTAKE not in atty
    assert not para & {Capability.SIGN_OFF, Capability.APPROVE, Capability.RULES,
                       Capability.COURTS, Capability.PEOPLE, Capability.WALLS}
    assert ROLE_CAPABILITIES[Role.ADMIN] == frozenset(Capability)


def test_readme_capability_table_is_the_one_in_code() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- capability-table:start -->\n(.*?)\n<!-- capability-table:end -->",
                      text, re.S)
    assert found, "the README has no capability table markers"
    assert found.group(1) == capability_table_markdown()
    # Every cell: one row per capability, one yes/- per role.
    rows = [r for r in found.group(1).splitlines()[2:]]
    assert len(rows) == len(Capability)
    for row, cap in zip(rows, Capability, strict=True):
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[0] == f"`{cap}`"
        assert cells[3:] == ["yes" if cap in ROLE_CAPABILITIES[r] else "-" for r in Role]
