"""People and what they may do: the capability table, profiles and passphrases (issue 17).

Each person has a profile in the ledger (`users` table; every change is a `profile_saved`
event): name, role, initials, the computer account they sign in from by default, and a
passphrase stored as a salted scrypt hash (required for attorneys and admins, optional for
paralegals). `ROLE_CAPABILITIES` is the one table of who may do what; the README shows it
(`capability_table_markdown`, checked by a test). `require` is the one check every command
and page asks; a refusal is a `capability_refused` event naming the person and role.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import Actor, EventKind, Ledger
from intake_desktop.core.ledger.holdings import passphrase_digest
from intake_desktop.core.ledger.queries import UserRecord

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
MIN_PASSPHRASE = 8
_NAME_RE = re.compile(r"^[\w.@ -]{1,60}$")
_INITIALS_RE = re.compile(r"^[\w.-]{1,6}$")


class Role(enum.StrEnum):
    PARALEGAL = "paralegal"
    ATTORNEY = "attorney"
    ADMIN = "admin"


# Roles whose profiles must have a passphrase (a paralegal may set one).
PASSPHRASE_REQUIRED = frozenset({Role.ATTORNEY, Role.ADMIN})

class Capability(enum.StrEnum):
    """What a person may do; `ROLE_CAPABILITIES` is the one table (rendered into the README)."""

    INTAKE = "intake"  # drop files in, choose the matter, ingest and watch
    REVIEW = "review"  # resolve the review queue (assign, retry, file by hand)
    VIEW_REVIEW = "view_review"  # see the review queue and each reason, read-only
    BROWSE = "browse"  # the exhibit browser, search, custody history
    BUILD = "build"  # the exhibit builder, exhibit sets, court-fit, productions
    CHECKLISTS = "checklists"  # matter checklists and client request letters
    SIGN_OFF = "sign_off"  # an attorney's sign-off on what goes out
    APPROVE = "approve"  # approve or return an escalation (provisional filing)
    SUPERVISE = "supervise"  # the Supervision page and per-matter activity reports
    SETTINGS = "settings"  # intake folders, Bates defaults, desk settings
    RULES = "rules"  # naming rules: edit, switch, accept
    COURTS = "courts"  # court profiles
    PEOPLE = "people"  # profiles: add, change role, set passphrases
    WALLS = "walls"  # matter walls: screen a person from a matter


_EVERYONE = {Capability.BROWSE, Capability.BUILD, Capability.CHECKLISTS, Capability.VIEW_REVIEW}

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.PARALEGAL: frozenset({*_EVERYONE, Capability.INTAKE, Capability.REVIEW}),
    Role.ATTORNEY: frozenset(
        {*_EVERYONE, Capability.SIGN_OFF, Capability.APPROVE, Capability.SUPERVISE}
    ),
    Role.ADMIN: frozenset(Capability),
}


# What each capability lets a person do (a verb phrase: refusals and the README table) and
# where (pages of the window, commands).
CAPABILITY_WORDS: dict[Capability, str] = {
    Capability.INTAKE: "file documents",
    Capability.REVIEW: "resolve the review queue",
    Capability.VIEW_REVIEW: "see the review queue",
    Capability.BROWSE: "browse and search documents",
    Capability.BUILD: "build exhibit sets, court-fit PDFs and productions",
    Capability.CHECKLISTS: "use matter checklists and client letters",
    Capability.SIGN_OFF: "sign off what goes out",
    Capability.APPROVE: "approve or return escalations",
    Capability.SUPERVISE: "see who did what (activity, reports)",
    Capability.SETTINGS: "change desk settings",
    Capability.RULES: "change the naming rules",
    Capability.COURTS: "change court profiles",
    Capability.PEOPLE: "manage people",
    Capability.WALLS: "manage matter walls",
}
CAPABILITY_WHERE: dict[Capability, str] = {
    Capability.INTAKE: "Intake page; `ingest`, `watch`, `undo`",
    Capability.REVIEW: "Review queue: assign, retry, file by hand; `review retry`",
    Capability.VIEW_REVIEW: "Review queue, read-only; `review list`",
    Capability.BROWSE: "Exhibit browser, search; `ledger history`, `ledger export`",
    Capability.BUILD: "Exhibit builder, Production page; `exhibits build`, `fit`, `produce`",
    Capability.CHECKLISTS: "Checklists page; `checklist`",
    Capability.SIGN_OFF: "Supervision page and builder: Sign off; `exhibits signoff`",
    Capability.APPROVE: "Supervision page: Approve, Return; `approvals approve`, "
    "`approvals return`",
    Capability.SUPERVISE: "Supervision page; `ledger report`",
    Capability.SETTINGS: "Settings: intake folders, Bates defaults, checklists",
    Capability.RULES: "Settings: naming rules; `rules accept`",
    Capability.COURTS: "Settings: court profiles",
    Capability.PEOPLE: "Settings: People; `people`",
    Capability.WALLS: "Settings: Matter walls; `walls`",
}


def can(role: str, capability: Capability) -> bool:
    """True when `role` is allowed `capability` (unknown roles may do nothing)."""
    try:
        return capability in ROLE_CAPABILITIES[Role(role)]
    except ValueError:
        return False


def roles_with(capability: Capability) -> list[Role]:
    return [r for r in Role if capability in ROLE_CAPABILITIES[r]]


def who_may(capability: Capability) -> str:
    """"an attorney or admin": the roles allowed `capability`, in words."""
    names = [str(r) for r in roles_with(capability)]
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return ("an " if text[0] in "aeiou" else "a ") + text


def capability_table_markdown() -> str:
    """The README's capability matrix, rendered from `ROLE_CAPABILITIES`."""
    head = "| capability | lets a person | where | " + " | ".join(str(r) for r in Role) + " |"
    rule = "|---|---|---|" + "---|" * len(Role)
    rows = [
        f"| `{c}` | {CAPABILITY_WORDS[c]} | {CAPABILITY_WHERE[c]} | "
        + " | ".join("yes" if c in ROLE_CAPABILITIES[r] else "-" for r in Role) + " |"
        for c in Capability
    ]
    return "\n".join([head, rule, *rows])


class SignInError(IntakeError):
    """A profile could not be used (wrong passphrase, unknown profile, bad name)."""


class CapabilityRefused(IntakeError):
    """The acting person's role may not do this (recorded as `capability_refused`)."""


def require(
    ledger: Ledger, capability: Capability, what: str = "", *, actor: Actor | None = None
) -> None:
    """Refuse (and record `capability_refused`) unless the acting person (default: the
    ledger's actor) may `capability`."""
    actor = actor or ledger.actor
    if can(actor.role, capability):
        return
    doing = what or CAPABILITY_WORDS[capability]
    ledger.chain.record(EventKind.CAPABILITY_REFUSED, detail={
        "capability": str(capability), "person": actor.user, "role": actor.role,
        "what": doing})
    raise CapabilityRefused(
        f"acting as {actor.user} ({actor.role}) you may not {doing}: that needs "
        f"{who_may(capability)} profile",
        fix="ask someone with that role, or act as them (`--as NAME` on the command line, "
        "Profile > Switch profile in the window)",
    )


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


def default_initials(name: str) -> str:
    words = [w for w in re.split(r"[\s.@_-]+", name) if w]
    return "".join(w[0] for w in words[:3]).upper() or name[:2].upper()


@dataclass(frozen=True)
class Profile:
    name: str
    role: Role
    protected: bool  # has a passphrase
    initials: str = ""
    account: str = ""  # the computer account whose default person this is


@dataclass(frozen=True)
class StartDecision:
    """Who the window starts as, and whether a passphrase must be asked first."""

    actor: Actor
    needs_passphrase: bool
    note: str = ""


def _profile(u: UserRecord) -> Profile:
    return Profile(u.name, Role(u.role), bool(u.passphrase_hash),
                   u.initials or default_initials(u.name), u.account)


class Profiles:
    """The people kept in the ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def list(self) -> list[Profile]:
        return [_profile(u) for u in self.ledger.people.users()]

    def get(self, name: str) -> Profile | None:
        u = self.ledger.people.user(name)
        return _profile(u) if u else None

    def has_admin(self) -> bool:
        return any(p.role is Role.ADMIN and p.protected for p in self.list())

    def for_account(self, account: str) -> Profile | None:
        """The person tied to this computer account, else the profile named after it."""
        u = self.ledger.people.person_for_account(account)
        return _profile(u) if u else None

    def save(
        self,
        name: str,
        role: str,
        passphrase: str | None = None,
        *,
        acting: Actor,
        initials: str | None = None,
        account: str | None = None,
    ) -> Profile:
        """Create or change a profile. Attorneys and admins need a passphrase of 8+
        characters; a paralegal may have one. `None` keeps what the profile had.

        Only someone allowed `people` (an admin) may create or change profiles once an
        admin exists; before that, anyone may (first run of a new workspace).
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
        if self.has_admin():  # before that, anyone may create the first admin
            require(self.ledger, Capability.PEOPLE, actor=acting)
        existing = self.ledger.people.user(name)
        stored = existing.passphrase_hash if existing else ""
        if passphrase:
            if len(passphrase) < MIN_PASSPHRASE:
                raise SignInError(
                    f"the {new_role} passphrase is shorter than {MIN_PASSPHRASE} characters",
                    fix="choose a longer passphrase",
                )
            stored = hash_passphrase(passphrase)
        if new_role in PASSPHRASE_REQUIRED and not stored:
            raise SignInError(
                f"an {new_role} profile needs a passphrase",
                fix=f"enter a passphrase of {MIN_PASSPHRASE}+ characters",
            )
        if initials is None:
            initials = (existing.initials if existing else "") or default_initials(name)
        initials = initials.strip().upper()
        if not _INITIALS_RE.match(initials):
            raise SignInError(f"{initials!r} are not usable initials",
                              fix="use 1-6 letters, e.g. JRS")
        if account is None:
            account = existing.account if existing else ""
        self.ledger.people.save_person(
            name, new_role, stored, initials=initials, account=account.strip(),
            detail={"passphrase_changed": bool(passphrase), "by": acting.user},
        )
        return Profile(name, new_role, bool(stored), initials, account.strip())

    def _refuse(self, name: str, reason: str, fix: str) -> SignInError:
        self.ledger.chain.record(EventKind.SIGN_IN_REFUSED,
                                 detail={"person": name, "reason": reason})
        return SignInError(reason, fix=fix)

    def sign_in(self, name: str, passphrase: str = "") -> Actor:
        """The actor for a profile; a profile with a passphrase only with the right one.

        Each refusal is a `sign_in_refused` event."""
        user = self.ledger.people.user(name)
        if user is None:
            raise self._refuse(name, f"there is no profile named {name!r}",
                               "pick one from the list (`intake-desktop people list`)")
        if Role(user.role) in PASSPHRASE_REQUIRED and not user.passphrase_hash:
            raise self._refuse(name, f"the {user.role} profile {name!r} has no passphrase yet",
                               "ask an admin to set one (`intake-desktop people set-passphrase`)")
        if user.passphrase_hash and not verify_passphrase(passphrase, user.passphrase_hash):
            raise self._refuse(
                name, f"wrong passphrase for the {user.role} profile {name!r}",
                "try again, or sign in as a paralegal or attorney"
                if user.role == Role.ADMIN else "type it again, or ask an admin to reset it")
        if user.passphrase_hash and not self.matches_ledger(name):
            raise self._refuse(
                name, f"the {user.role} profile {name!r} was changed outside the app",
                "ask another admin to save the profile again; "
                "`intake-desktop ledger verify` shows what changed")
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

    def needs_passphrase(self, name: str) -> bool:
        p = self.get(name)
        return p is not None and (p.protected or p.role in PASSPHRASE_REQUIRED)

    def act_as(
        self,
        name: str | None,
        *,
        account: str,
        passphrase: Callable[[str], str],
        role: str | None = None,
    ) -> Actor:
        """Who acts on the command line: `--as NAME`, else the person tied to `account`,
        else a paralegal named after the account (no profile is created).

        `passphrase(name)` is asked only when the profile has or needs one. `role` (the old
        `--role`) may narrow the person's role, never widen it.
        """
        if name is None:
            profile = self.for_account(account)
            if profile is None:
                actor = Actor(account, Role.PARALEGAL)
                return self._narrow(actor, role)
            name = profile.name
        elif self.get(name) is None and name == account:
            return self._narrow(Actor(account, Role.PARALEGAL), role)
        if self.needs_passphrase(name):
            actor = self.sign_in(name, passphrase(name))
        else:
            actor = self.sign_in(name)
        return self._narrow(actor, role)

    def _narrow(self, actor: Actor, role: str | None) -> Actor:
        if role is None or role == actor.role:
            return actor
        try:
            asked = Role(role)
        except ValueError:
            raise SignInError(f"unknown role {role!r}",
                              fix="choose paralegal, attorney or admin") from None
        if not ROLE_CAPABILITIES[asked] <= ROLE_CAPABILITIES[Role(actor.role)]:
            raise self._refuse(
                actor.user,
                f"--role {asked} no longer grants a role: {actor.user} is {actor.role}",
                f"act as a person who is {asked} with `--as NAME` (an {asked} signs in with "
                "their passphrase)")
        return Actor(actor.user, asked)

    def start(self, actor: Actor) -> StartDecision:
        """Who the window starts as for this computer account.

        The person tied to the account decides the role; a profile with a passphrase must
        type it first. Without a profile the window starts as a paralegal named after the
        account.
        """
        profile = self.for_account(actor.user)
        if profile is None:
            return StartDecision(Actor(actor.user, Role.PARALEGAL), needs_passphrase=False)
        if profile.protected or profile.role in PASSPHRASE_REQUIRED:
            return StartDecision(Actor(profile.name, profile.role), needs_passphrase=True)
        return StartDecision(Actor(profile.name, profile.role), needs_passphrase=False)
