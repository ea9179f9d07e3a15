"""Crash safety of group commit (issue 16): interrupt a batch at every point, including
those inside it (after some of its pending rows, between the copies of different files,
between its done commit and the removal of its sources, between sources), restart, and
check that each source is filed exactly once, nothing is lost and `ledger verify` passes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from intake_desktop.app import build_filer, open_app
from intake_desktop.core.errors import InjectedFault
from intake_desktop.core.ledger import DocStatus
from intake_desktop.core.workspace import init_workspace
from tests.conftest import write_file
from tests.core.filing.test_fault_injection import MATTER, FaultAt, check_invariants, make_inputs

BATCH_POINTS = {"batch_intent", "batch_copy"}


def inputs_for_a_batch(intake: Path) -> dict[str, bytes]:
    """The protocol test's six files plus three more in the matter, so that one batch
    holds several files (the duplicate closes a batch, as it must)."""
    inputs = make_inputs(intake)
    for i in range(3):
        name = f"{MATTER}/Letters/letter {i}.pdf"
        inputs[name] = write_file(intake / name, 12_000 + i, 40 + i)
    return inputs


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tplb") / "Work space ü"
    init_workspace(root).rules_path.unlink()  # built-in routing
    open_app(str(root)).close()
    return root


def fault_points(template: Path, tmp: Path) -> list[str]:
    root = tmp / "count"
    shutil.copytree(template, root)
    inputs = inputs_for_a_batch(root / "Intake")
    counter = FaultAt(0)
    with open_app(str(root)) as app:
        build_filer(app, fault=counter).ingest([app.workspace.intake])
    check_invariants(root, inputs)
    return counter.seen


def test_a_batch_has_fault_points_inside_it(template: Path, tmp_path: Path) -> None:
    seen = fault_points(template, tmp_path)
    assert set(seen) >= BATCH_POINTS, seen
    # The batch's done commit comes before any of its sources is removed, and several
    # sources are removed one after another (a point between each).
    first_done = seen.index("marked_done")
    assert "source_unlinked" not in seen[:first_done]
    runs = "".join("u" if s == "source_unlinked" else "." for s in seen)
    assert "uu" in runs, seen


def test_interrupt_a_batch_at_every_point_then_restart(template: Path, tmp_path: Path) -> None:
    seen = fault_points(template, tmp_path)
    for n in range(1, len(seen) + 1):
        root = tmp_path / f"run{n}"
        shutil.copytree(template, root)
        inputs = inputs_for_a_batch(root / "Intake")
        with open_app(str(root)) as app, pytest.raises(InjectedFault):
            build_filer(app, fault=FaultAt(n)).ingest([app.workspace.intake])
        with open_app(str(root)) as app:  # restart: recover, then file what is left
            build_filer(app).ingest([app.workspace.intake])
        try:
            check_invariants(root, inputs)
        except AssertionError as exc:
            raise AssertionError(f"after a crash at point {n} ({seen[n - 1]}): {exc}") from exc
        shutil.rmtree(root)


class FaultOn:
    """Raises at the `nth` time the fault point `step` is reached."""

    def __init__(self, step: str, nth: int) -> None:
        self.step, self.nth, self.count = step, nth, 0

    def __call__(self, step: str) -> None:
        if step == self.step:
            self.count += 1
            if self.count == self.nth:
                raise InjectedFault(step)


@pytest.mark.parametrize("step", ["batch_intent", "batch_copy", "marked_done"])
def test_a_crash_inside_a_batch_leaves_each_file_where_recovery_expects_it(
        template: Path, tmp_path: Path, step: str) -> None:
    """GIVEN a batch of several files WHEN the process dies after some of its pending rows
    were written (inside their transaction), between the copies of two of its files, or
    between its done commit and the removal of its sources THEN, before any restart, the
    ledger and the disk are in the state the protocol promises there (no pending row
    survives a rolled-back transaction; a pending row's source is still in Intake/; a done
    row's source is still in Intake/ until it is removed) AND after a restart each source
    is filed exactly once and nothing is lost."""
    root = tmp_path / "ws"
    shutil.copytree(template, root)
    inputs = inputs_for_a_batch(root / "Intake")
    with open_app(str(root)) as app, pytest.raises(InjectedFault):
        build_filer(app, fault=FaultOn(step, 2 if step != "marked_done" else 1)).ingest(
            [app.workspace.intake])
    with open_app(str(root)) as app:  # what the crash left, read without recovering
        rows = app.ledger.docs.documents()
        pending = [d for d in rows if d.status == DocStatus.PENDING]
        done = [d for d in rows if d.status in (DocStatus.FILED, DocStatus.REVIEW,
                                                DocStatus.DUPLICATE)]
        if step == "batch_intent":
            assert pending == [], "the batch's pending rows went with their transaction"
        else:
            assert len(pending) >= (2 if step == "batch_copy" else 0), rows
            assert all(Path(d.source_path).is_file() for d in pending), "sources kept"
        if step == "marked_done":
            assert pending == [] and len(done) >= 2, rows
            kept = [d for d in done if Path(d.source_path).is_file()]
            assert len(kept) >= 2, "the done commit came first; the sources are still there"
            for doc in kept:  # and the copies are already durable and whole
                assert (root / (doc.filed_path or "")).read_bytes() == Path(
                    doc.source_path).read_bytes()
    with open_app(str(root)) as app:  # restart: recover, then file what is left
        build_filer(app).ingest([app.workspace.intake])
    check_invariants(root, inputs)
