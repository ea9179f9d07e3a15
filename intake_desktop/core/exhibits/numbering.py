"""Which Bates numbers a build of a set gets: decided once, the same way for `exhibits
check` (which reserves nothing) and `exhibits build`.

A set built before keeps its numbers only when asked (`--reuse-numbers`) and only when its
documents are the same (same SHA-256 and page count, in the same order); otherwise the
build takes new numbers and says that the numbers change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from intake_desktop.core.exhibits.labels import bates_text
from intake_desktop.core.exhibits.model import BuildError, BuiltExhibit
from intake_desktop.core.exhibits.spec import ExhibitSetSpec
from intake_desktop.core.ledger.records import EventKind

BATES_REUSED = EventKind.BATES_REUSED


class BatesReader(Protocol):
    """The read side of the ledger's Bates counters (`ledger.bates`)."""

    def next_bates(self, prefix: str) -> int: ...

    def bates_reservations(self, prefix: str) -> list[dict[str, Any]]: ...

    def latest_bates_reservation(self, prefix: str) -> dict[str, Any] | None: ...


class NumberBook(Protocol):
    """The ledger, as far as planning Bates numbers goes."""

    @property
    def bates(self) -> BatesReader: ...


@dataclass
class NumberPlan:
    first: int  # the first number this build stamps
    count: int
    reserve: bool = True  # False: the earlier range of this set is reused as it is
    start: int | None = None  # explicit start passed to the reservation
    release: dict[str, Any] | None = None  # own latest reservation to give back first
    previous: dict[str, Any] | None = None  # this set's earlier reservation, if any
    warnings: list[str] = field(default_factory=list)


def sources_of(exhibits: Sequence[BuiltExhibit]) -> list[list[Any]]:
    """What makes two builds 'the same documents': hash and pages of each, in order."""
    return [[ex.source_sha256, ex.pages] for ex in exhibits]


def _range(spec: ExhibitSetSpec, first: int, last: int) -> str:
    bates = spec.bates
    assert bates is not None
    return bates.range(bates_text(bates.prefix, first, bates.digits, bates.suffix),
                       bates_text(bates.prefix, last, bates.digits, bates.suffix))


def _difference(before: list[list[Any]], now: list[list[Any]]) -> str:
    if len(before) != len(now):
        return f"it had {len(before)} exhibits, now {len(now)}"
    for n, (a, b) in enumerate(zip(before, now, strict=True), start=1):
        if a[0] != b[0]:
            return f"exhibit {n} is a different document"
        if a[1] != b[1]:
            return f"exhibit {n} had {a[1]} pages, now {b[1]}"
    return ""


def first_assigned_at(reservation: dict[str, Any]) -> str:
    """When a set's numbers were first assigned: a rebuild's reservation carries the time of
    the first build (`first_assigned_at`), an original one its own time."""
    return str(reservation.get("first_assigned_at") or reservation.get("at"))


def plan_numbers(spec: ExhibitSetSpec, exhibits: Sequence[BuiltExhibit], book: NumberBook,
                 *, reuse: bool = False) -> NumberPlan:
    """The numbers a build would stamp; raises BuildError for what the build would refuse."""
    bates = spec.bates
    assert bates is not None
    total = sum(ex.pages for ex in exhibits)
    free = book.bates.next_bates(bates.prefix)
    mine = [r for r in book.bates.bates_reservations(bates.prefix) if r.get("set") == spec.name]
    previous = mine[-1] if mine else None
    sources = sources_of(exhibits)
    if reuse:
        if previous is None:
            raise BuildError(
                f"there are no earlier numbers to reuse: set {spec.name!r} was never built "
                f"with prefix {bates.prefix!r}",
                path=spec.path, fix="build without --reuse-numbers",
            )
        difference = ("the earlier build did not record its documents"
                      if "sources" not in previous
                      else _difference(previous["sources"], sources))
        if difference:
            raise BuildError(
                f"the numbers of the earlier build ({previous.get('at')}) cannot be reused: "
                f"{difference}",
                path=spec.path,
                fix="build without --reuse-numbers; the set then gets new numbers",
            )
        first = int(previous["first"])
        plan = NumberPlan(first, total, reserve=False, previous=previous)
        plan.warnings.append(
            f"this build reuses {_range(spec, first, first + total - 1)}, first assigned to "
            f"this set at {previous.get('at')}; discard the earlier output so two versions "
            "are never produced"
        )
        return plan
    plan = NumberPlan(free, total, start=bates.start, previous=previous)
    if bates.start is not None:
        if bates.start < free:
            latest = book.bates.latest_bates_reservation(bates.prefix)
            if (latest is not None and latest.get("set") == spec.name
                    and latest.get("first") == bates.start
                    and int(latest.get("last", -1)) + 1 == free):
                plan.release = latest
                count = int(latest["count"])
                plan.warnings.append(
                    f"this rebuild reuses {_range(spec, bates.start, bates.start + count - 1)}"
                    f", first assigned to this set at {first_assigned_at(latest)}; discard the "
                    "earlier output so two versions are never produced"
                )
            else:
                raise BuildError(
                    f"Bates numbers for prefix {bates.prefix!r} from {bates.start} would reuse "
                    f"numbers already assigned (the next free number is {free})",
                    path=spec.path,
                    fix=f"remove `start` from [bates] to continue at {free}, or use another "
                    "prefix" + (", or build with --reuse-numbers to keep this set's earlier "
                                "numbers" if previous is not None else ""),
                )
        plan.first = bates.start
    last = plan.first + total - 1
    if last >= 10 ** bates.digits:
        raise BuildError(
            f"Bates numbers would reach {last}, more than the {bates.digits} digits set for "
            f"prefix {bates.prefix!r}",
            path=spec.path, fix="raise `digits` in [bates] or use a new prefix",
        )
    if plan.first > free > 1 and plan.release is None:
        plan.warnings.append(
            f"Bates numbers {free}-{plan.first - 1} of prefix {bates.prefix!r} were skipped "
            "because the spec sets `start`"
        )
    if previous is not None and plan.release is None:
        before = _range(spec, int(previous["first"]), int(previous["last"]))
        now = _range(spec, plan.first, last)
        same = "sources" in previous and not _difference(previous["sources"], sources)
        plan.warnings.append(
            f"this set was built before with {before} ({previous.get('at')}); this build "
            f"numbers it {now}, so its Bates numbers change"
            + ("; to keep the earlier numbers, build with --reuse-numbers (the documents are "
               "the same)" if same else "; its documents changed, so the earlier numbers "
               "cannot be kept")
        )
    return plan
