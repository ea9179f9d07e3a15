"""Matter walls (issue 17): an admin screens a person from a matter (a conflict of interest),
and every path that lists, searches, previews, builds from or exports a matter asks here.

`visible_matters` filters what a person is shown; `check_matter` refuses one matter (a
`wall_refused` event naming the person, role, matter and what they tried). The wall governs
the app and the record; it does not stop anyone who can read the folders from opening the
files (see the README).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import EventKind, Ledger
from intake_desktop.core.ledger.people_store import WallRecord
from intake_desktop.core.pipeline import Decision
from intake_desktop.core.roles import Capability, require


class WallRefused(IntakeError):
    """The acting person is screened from this matter (recorded as `wall_refused`)."""


def screened(ledger: Ledger, person: str | None = None) -> frozenset[str]:
    """The matters `person` (default: the acting person) is screened from."""
    return ledger.people.screened_matters(person or ledger.actor.user)


def visible_matters(ledger: Ledger, matters: Iterable[str] | None = None) -> list[str]:
    """`matters` (default: every matter in the ledger) without those the acting person is
    screened from, in their order."""
    hidden = screened(ledger)
    listed = ledger.matter_book.matters() if matters is None else matters
    return [m for m in listed if m not in hidden]


def is_visible(ledger: Ledger, matter_id: str | None) -> bool:
    return not matter_id or not ledger.people.is_screened(ledger.actor.user, matter_id)


def check_matter(ledger: Ledger, matter_id: str | None, what: str) -> None:
    """Refuse (and record `wall_refused`) when the acting person is screened from
    `matter_id`; `what` says what they tried ("ingest into", "build an exhibit set from")."""
    if is_visible(ledger, matter_id):
        return
    actor = ledger.actor
    ledger.chain.record(EventKind.WALL_REFUSED, matter_id=matter_id, detail={
        "person": actor.user, "role": actor.role, "matter": matter_id, "what": what})
    raise WallRefused(
        f"{actor.user} is screened from the matter {matter_id!r} (a matter wall), so "
        f"cannot {what} it",
        fix="ask an admin if the wall should be lifted (Settings > People, or "
        "`intake-desktop walls remove`)",
    )


def wall_review(ledger: Ledger, decision: Decision, *,
                screened_from: frozenset[str] | None = None) -> Decision:
    """A file the rules would put into a matter the acting person is screened from goes to
    Review/ instead (someone else files it), and the attempt is recorded (`wall_refused`).
    `screened_from`: `screened(ledger)` read once for many files (a batch)."""
    if decision.review_reason or not decision.matter:
        return decision
    if screened_from is not None and decision.matter not in screened_from:
        return decision
    if is_visible(ledger, decision.matter):
        return decision
    try:
        check_matter(ledger, decision.matter, "file documents into")
    except WallRefused:
        return replace(decision, review_reason=(
            f"matter wall: {ledger.actor.user} is screened from {decision.matter}, so someone "
            "else must file this document"))
    return decision


def check_matters(ledger: Ledger, matter_ids: Iterable[str | None], what: str) -> None:
    """`check_matter` for each distinct matter (the first screened one is refused)."""
    for matter_id in sorted({m for m in matter_ids if m}):
        check_matter(ledger, matter_id, what)


def add_wall(ledger: Ledger, person: str, matter_id: str, reason: str = "") -> bool:
    """Screen `person` from `matter_id` (admins: `walls`); False when already screened."""
    require(ledger, Capability.WALLS)
    if not person.strip() or not matter_id.strip():
        raise IntakeError("a wall needs a person and a matter",
                          fix="give both, e.g. `walls add \"Lee Park\" \"2024-0117 Reyes\"`")
    return ledger.people.add_wall(person.strip(), matter_id.strip(), reason)


def remove_wall(ledger: Ledger, person: str, matter_id: str, reason: str = "") -> bool:
    require(ledger, Capability.WALLS)
    return ledger.people.remove_wall(person.strip(), matter_id.strip(), reason)


def list_walls(ledger: Ledger) -> list[WallRecord]:
    require(ledger, Capability.WALLS)
    return ledger.people.walls()
