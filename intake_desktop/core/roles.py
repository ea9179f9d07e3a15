"""Roles and local user profiles: who may do what, and the admin passphrase (salted scrypt).

Profiles live in the ledger (`users` table); every change is a `profile_saved` event. The
admin role is only granted to a profile whose passphrase verifies; the other roles are
local conveniences that name who is acting in each ledger event.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.ledger.holdings import passphrase_digest

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
MIN_PASSPHRASE = 8
_NAME_RE = re.compile(r"^[\w.@ -]{1,60}$")


class Role(enum.StrEnum):
    PARALEGAL = "paralegal"
    ATTORNEY = "attorney"
    ADMIN = "admin"


class Capability(enum.StrEnum):
    INTAKE = "intake"  # drop files in, choose the matter
    REVIEW = "review"  # resolve the review queue
    BROWSE = "browse"  # the exhibit browser
    BUILD = "build"  # the exhibit builder
    SETTINGS = "settings"  # naming rules, court profiles, intake folders, Bates defaults
    CHECKLISTS = "checklists"  # matter checklists and client request letters


ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.PARALEGAL: frozenset(
        {Capability.INTAKE, Capability.REVIEW, Capability.BUILD, Capability.CHECKLISTS}
    ),
    Role.ATTORNEY: frozenset({Capability.BROWSE, Capability.BUILD, Capability.CHECKLISTS}),
    Role.ADMIN: frozenset(Capability),
}


def can(role: str, capability: Capability) -> bool:
    """True when `role` is allowed `capability` (unknown roles may do nothing)."""
    try:
        return capability in ROLE_CAPABILITIES[Role(role)]
    except ValueError:
        return False


class SignInError(IntakeError):
    """A profile could not be used (wrong passphrase, unknown profile, bad name)."""


def hash_passphrase(passphrase: str, *, salt: bytes | None = None) -> str:
    """`scrypt$N$r$p$salt$hash` with a fresh random salt (base64 fields)."""
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    digest = hashlib.scrypt(
        passphrase.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_passphrase(passphrase: str, stored: str) -> bool:
    """Constant-time check of `passphrase` against a `hash_passphrase` string."""
    try:
        scheme, n, r, p, salt_b64, hash_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(hash_b64)
        digest = hashlib.scrypt(
            passphrase.encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


@dataclass(frozen=True)
class Profile:
    name: str
    role: Role
    protected: bool  # has a passphrase


@dataclass(frozen=True)
class StartDecision:
    """Who the window starts as, and whether a passphrase must be asked first."""

    actor: Actor
    needs_passphrase: bool
    note: str = ""


class Profiles:
    """The local profiles kept in the ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def list(self) -> list[Profile]:
        return [
            Profile(u.name, Role(u.role), bool(u.passphrase_hash))
            for u in self.ledger.people.users()
        ]

    def get(self, name: str) -> Profile | None:
        u = self.ledger.people.user(name)
        return Profile(u.name, Role(u.role), bool(u.passphrase_hash)) if u else None

    def has_admin(self) -> bool:
        return any(p.role is Role.ADMIN and p.protected for p in self.list())

    def save(
        self, name: str, role: str, passphrase: str | None = None, *, acting: Actor
    ) -> Profile:
        """Create or change a profile. Admin profiles need a passphrase of 8+ characters.

        Only an admin may create or change profiles once an admin exists; before that, the
        first admin profile may be created by anyone (first run of a new workspace).
        """
        name = name.strip()
        if not _NAME_RE.match(name):
            raise SignInError(
                f"{name!r} is not a usable profile name",
                fix="use 1-60 letters, digits, spaces, dots, @ or dashes",
            )
        try:
            new_role = Role(role)
        except ValueError:
            raise SignInError(
                f"unknown role {role!r}", fix="choose paralegal, attorney or admin"
            ) from None
        if self.has_admin() and acting.role != Role.ADMIN:
            raise SignInError(
                "only an admin can create or change profiles",
                fix="ask an admin, or switch to an admin profile first",
            )
        existing = self.ledger.people.user(name)
        stored = ""
        if new_role is Role.ADMIN:
            if passphrase:
                if len(passphrase) < MIN_PASSPHRASE:
                    raise SignInError(
                        f"the admin passphrase is shorter than {MIN_PASSPHRASE} characters",
                        fix="choose a longer passphrase",
                    )
                stored = hash_passphrase(passphrase)
            elif existing and existing.passphrase_hash:
                stored = existing.passphrase_hash
            else:
                raise SignInError(
                    "an admin profile needs a passphrase", fix="enter a passphrase of 8+ characters"
                )
        self.ledger.people.save_user(
            name, new_role, stored,
            detail={"passphrase_changed": bool(passphrase), "by": acting.user},
        )
        return Profile(name, new_role, bool(stored))

    def sign_in(self, name: str, passphrase: str = "") -> Actor:
        """The actor for a profile; admin profiles only with the right passphrase."""
        user = self.ledger.people.user(name)
        if user is None:
            raise SignInError(f"there is no profile named {name!r}", fix="pick one from the list")
        if user.role == Role.ADMIN and not verify_passphrase(passphrase, user.passphrase_hash):
            raise SignInError(
                f"wrong passphrase for the admin profile {name!r}",
                fix="try again, or sign in as a paralegal or attorney",
            )
        if user.role == Role.ADMIN and not self.matches_ledger(name):
            raise SignInError(
                f"the admin profile {name!r} was changed outside the app",
                fix="ask another admin to save the profile again; "
                "`intake-desktop ledger verify` shows what changed",
            )
        return Actor(user=name, role=user.role)

    def matches_ledger(self, name: str) -> bool:
        """True when the stored profile is the one its latest `profile_saved` event chained
        (role and passphrase digest); a row forged or swapped in the database is not."""
        user = self.ledger.people.user(name)
        saved = self.ledger.chain.profile_events(name)
        if user is None or not saved:
            return False
        last = saved[-1].detail
        if str(last.get("role")) != user.role:
            return False
        digest = last.get("passphrase_sha256")
        return digest is None or digest == passphrase_digest(user.passphrase_hash)

    def start(self, actor: Actor) -> StartDecision:
        """Who the app starts as for this OS user and requested role.

        A profile for the user decides the role; an admin role (from the profile or asked
        for) needs the passphrase, and without an admin profile it falls back to paralegal.
        """
        profile = self.get(actor.user)
        role = profile.role if profile else Role(actor.role)
        if role is not Role.ADMIN:
            return StartDecision(Actor(actor.user, role), needs_passphrase=False)
        if profile is not None and profile.role is Role.ADMIN and profile.protected:
            return StartDecision(Actor(actor.user, Role.ADMIN), needs_passphrase=True)
        return StartDecision(
            Actor(actor.user, Role.PARALEGAL),
            needs_passphrase=False,
            note=f"{actor.user} has no admin profile yet: starting as paralegal. "
            "Create one under Profile > Switch profile.",
        )
