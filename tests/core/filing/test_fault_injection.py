"""Crash safety: interrupt ingest, every review action and undo (tests/core/filing/test_undo.py) at
every step of the protocol, restart, and check.

After any interruption and a restart, each source is filed exactly once, no file is lost,
the kept files are byte-identical and `ledger verify` passes.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from intake_desktop.app import build_filer, open_app
from intake_desktop.core import custody
from intake_desktop.core.errors import InjectedFault
from intake_desktop.core.ledger import DocStatus
from intake_desktop.core.pipeline import Candidate, Decision
from intake_desktop.core.review import ReviewDesk
from intake_desktop.core.workspace import init_workspace
from tests.conftest import REPO, write_file

MATTER = "2024-0301 Nguyen"


def make_inputs(intake: Path) -> dict[str, bytes]:
    """Six files: four distinct in a matter (two in a subfolder), a duplicate, one loose."""
    files = {
        f"{MATTER}/complaint.pdf": write_file(intake / MATTER / "complaint.pdf", 30_000, 1),
        f"{MATTER}/Medical/mri.pdf": write_file(intake / MATTER / "Medical" / "mri.pdf",
                                                 60_000, 2),
        f"{MATTER}/Medical/bill.pdf": write_file(intake / MATTER / "Medical" / "bill.pdf",
                                                  5_000, 3),
        f"{MATTER}/photo é.jpg": write_file(intake / MATTER / "photo é.jpg", 20_000, 4),
        f"{MATTER}/complaint copy.pdf": write_file(intake / MATTER / "complaint copy.pdf",
                                                    30_000, 1),
        "loose scan.pdf": write_file(intake / "loose scan.pdf", 8_000, 5),
    }
    return files


class FaultAt:
    """Counts fault points; raises at the n-th (0: never)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.seen: list[str] = []

    def __call__(self, step: str) -> None:
        self.seen.append(step)
        if len(self.seen) == self.n:
            raise InjectedFault(step)


def check_invariants(root: Path, inputs: dict[str, bytes]) -> None:
    app = open_app(str(root))
    try:
        ws = app.workspace
        matter_shas = {hashlib.sha256(d).hexdigest() for k, d in inputs.items()
                       if k.startswith(MATTER)}
        filed = app.ledger.docs.documents(status=DocStatus.FILED)
        assert sorted(d.sha256 for d in filed) == sorted(matter_shas), "each filed exactly once"
        for doc in filed:
            for rel in (doc.filed_path, doc.original_path):
                data = (root / (rel or "")).read_bytes()
                assert hashlib.sha256(data).hexdigest() == doc.sha256
            mode = (root / (doc.original_path or "")).stat().st_mode
            assert not mode & 0o222, f"the original stays read-only: {doc.original_path}"
        kept = [p for p in ws.matters.rglob("*") if p.is_file()]
        assert len(kept) == 2 * len(matter_shas), f"no stray copies: {kept}"
        assert not [p for p in root.rglob("*.intake-tmp")], "no temporary files left"
        leftover = [p for p in ws.intake.rglob("*") if p.is_file()]
        assert leftover == [], f"everything was taken from Intake/: {leftover}"
        # Nothing lost: every input's bytes are somewhere in Matters/ or Review/.
        everywhere = {hashlib.sha256(p.read_bytes()).hexdigest()
                      for p in root.rglob("*") if p.is_file() and ".intake" not in p.parts}
        assert {hashlib.sha256(d).hexdigest() for d in inputs.values()} <= everywhere
        review = [p for p in ws.review.glob("*") if p.is_file()
                  and not p.name.endswith(".review.txt")]
        assert [p.read_bytes() for p in review] == [inputs["loose scan.pdf"]]
        assert len([p for p in ws.duplicates.glob("*") if p.is_file()]) <= 1
        report = custody.verify(app.ledger, root)
        assert report.ok, report.problems + report.missing_files + report.altered_files
        assert app.ledger.docs.unfinished() == []
    finally:
        app.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tpl") / "Work space é"
    init_workspace(root).rules_path.unlink()  # built-in routing; rules: tests/core/rules
    open_app(str(root)).close()  # create and migrate the ledger once
    return root


def count_fault_points(template: Path, tmp: Path) -> int:
    root = tmp / "count"
    shutil.copytree(template, root)
    make_inputs(root / "Intake")
    app = open_app(str(root))
    counter = FaultAt(0)
    build_filer(app, fault=counter).ingest([app.workspace.intake])
    app.close()
    return len(counter.seen)


def test_the_protocol_has_at_least_50_fault_points(template: Path, tmp_path: Path) -> None:
    assert count_fault_points(template, tmp_path) >= 50


def test_interrupt_at_every_step_then_restart(template: Path, tmp_path: Path) -> None:
    total = count_fault_points(template, tmp_path)
    for n in range(1, total + 1):
        root = tmp_path / f"run{n}"
        shutil.copytree(template, root)
        inputs = make_inputs(root / "Intake")
        app = open_app(str(root))
        fault = FaultAt(n)
        with pytest.raises(InjectedFault):
            build_filer(app, fault=fault).ingest([app.workspace.intake])
        app.close()
        # Restart: a new process opens the workspace, recovers, and ingests what is left.
        app = open_app(str(root))
        build_filer(app).ingest([app.workspace.intake])
        app.close()
        try:
            check_invariants(root, inputs)
        except AssertionError as exc:
            raise AssertionError(f"after a crash at point {n} ({fault.seen[-1]}): {exc}") from exc
        shutil.rmtree(root)


@pytest.mark.slow
def test_sigkill_at_random_moments_then_restart(template: Path, tmp_path: Path) -> None:
    rng = random.Random(20241126)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    mid_run_kills = 0
    for round_no in range(6):
        root = tmp_path / f"kill{round_no}"
        shutil.copytree(template, root)
        inputs = make_inputs(root / "Intake")
        for i in range(30):  # more work so that kills land mid-protocol
            data = write_file(root / "Intake" / MATTER / "Bulk" / f"page {i:03}.pdf",
                              rng.randrange(10_000, 400_000), 1000 + round_no * 100 + i)
            inputs[f"{MATTER}/Bulk/page {i:03}.pdf"] = data
        for _ in range(3):
            proc = subprocess.Popen(
                [sys.executable, "-m", "intake_desktop", "--workspace", str(root),
                 "ingest", str(root / "Intake")],
                cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            # Wait until filing has started, then kill at a random moment within it.
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline and not any(
                p.is_file() for p in (root / "Matters").rglob("*")
            ):
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.25))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            remaining = [p for p in (root / "Intake").rglob("*") if p.is_file()]
            filed_so_far = [p for p in (root / "Matters").rglob("*") if p.is_file()]
            mid_run_kills += bool(remaining) and bool(filed_so_far)
        done = subprocess.run(
            [sys.executable, "-m", "intake_desktop", "--workspace", str(root), "ingest",
             str(root / "Intake")],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
        )
        assert done.returncode == 0, done.stderr
        check_invariants(root, inputs)
    assert mid_run_kills >= 3, "the kills should land while files were being filed"


def test_recovery_never_files_twice_when_another_process_filed_the_source(
    template: Path, tmp_path: Path
) -> None:
    """GIVEN a filing interrupted after its copies were written, and another process that
    filed the same source meanwhile, WHEN recovery runs THEN the file is filed once."""
    root = tmp_path / "race"
    shutil.copytree(template, root)
    src = root / "Intake" / MATTER / "only.pdf"
    data = write_file(src, 10_000, 77)
    app = open_app(str(root))
    steps = FaultAt(0)
    build_filer(app, fault=steps).ingest([src])
    app.close()
    last_copy_step = max(i for i, s in enumerate(steps.seen, 1) if s == "dir_fsynced")

    shutil.rmtree(root)
    shutil.copytree(template, root)
    write_file(src, 10_000, 77)
    app = open_app(str(root))
    with pytest.raises(InjectedFault):
        build_filer(app, fault=FaultAt(last_copy_step)).ingest([src])
    other = build_filer(app)
    assert other.ingest_file(src).status.value == "filed"  # no recovery first
    other.recover()
    filed = app.ledger.docs.documents(status=DocStatus.FILED)
    assert len(filed) == 1
    kept = sorted(p.name for p in app.workspace.matters.rglob("*") if p.is_file())
    assert len(kept) == 2, kept
    assert all(p.read_bytes() == data for p in app.workspace.matters.rglob("*") if p.is_file())
    assert custody.verify(app.ledger, root).ok
    app.close()


# ---- review actions and undo -----------------------------------------------------------

class _ReviewEverything:
    """A router that sends every file to Review/ with its matter (so `retry` can file it
    later with the built-in router)."""

    rules_version = "test-review-1"

    def route(self, candidate: Candidate) -> Decision:
        return Decision(matter=candidate.matter_hint, review_reason="check by hand",
                        rule="test-review", rules_version=self.rules_version)


REVIEW_ACTIONS: dict[str, Callable[[ReviewDesk, int], object]] = {
    "assign": lambda desk, doc_id: desk.assign(doc_id, MATTER),
    "assign_category": lambda desk, doc_id: desk.assign(doc_id, MATTER, "Medical"),
    "retry": lambda desk, doc_id: desk.retry(doc_id),
    "file_by_hand": lambda desk, doc_id: desk.file_by_hand(
        doc_id, matter=MATTER, folder="Medical/2024", filename="scan.pdf"),
    "duplicate": lambda desk, doc_id: desk.assign(doc_id, MATTER),
}


def _review_fixture(root: Path, action: str) -> tuple[int, bytes]:
    """A document waiting in Review/ (and, for `duplicate`, the same bytes filed)."""
    data = write_file(root / "Intake" / MATTER / "scan.pdf", 40_000, 9)
    app = open_app(str(root))
    filer = build_filer(app)
    if action == "duplicate":
        outside = root.parent / f"outside {root.name}" / "scan.pdf"
        write_file(outside, 40_000, 9)
        [first] = build_filer(app).ingest([outside], matter=MATTER)
        assert first.status.value == "filed", first
    filer.router = _ReviewEverything()
    [result] = filer.ingest([app.workspace.intake])
    app.close()
    assert result.status.value == "review"
    return result.document_id or 0, data


def check_review_invariants(root: Path, doc_id: int, data: bytes, action: str) -> None:
    with open_app(str(root)) as app:
        doc = app.ledger.docs.document(doc_id)
        assert doc is not None
        want = DocStatus.DUPLICATE if action == "duplicate" else DocStatus.FILED
        assert doc.status == want, doc
        assert doc.pending_action is None and app.ledger.docs.unfinished() == []
        shas = [d.sha256 for d in app.ledger.docs.documents(status=DocStatus.FILED)]
        assert shas.count(hashlib.sha256(data).hexdigest()) == 1, "filed exactly once"
        matters = sorted(p for p in app.workspace.matters.rglob("*") if p.is_file())
        assert [p.read_bytes() for p in matters] == [data, data], matters  # original + copy
        recorded = {p for d in app.ledger.docs.documents() for p in (d.original_path, d.filed_path)
                    if p}
        on_disk = {p.relative_to(root).as_posix() for p in matters}
        on_disk |= {p.relative_to(root).as_posix() for p in app.workspace.review.rglob("*")
                    if p.is_file()}
        assert on_disk <= recorded, f"unrecorded files: {on_disk - recorded}"
        assert not list(root.rglob("*.intake-tmp")), "no temporary files left"
        assert not [p for p in app.workspace.review.glob("*") if p.is_file()], (
            "the review copy and its sidecar are removed")
        report = custody.verify(app.ledger, root)
        assert report.ok, report.problems + report.missing_files + report.altered_files


@pytest.mark.parametrize("action", list(REVIEW_ACTIONS))
def test_interrupt_every_review_action_at_every_step_then_restart(
    template: Path, tmp_path: Path, action: str
) -> None:
    """GIVEN a document in Review/ WHEN a review action is interrupted at each fault point
    and the app restarts (recovery, then the person repeats the action if it was rolled
    back) THEN the document is filed (or set aside) exactly once, nothing is lost, no
    unrecorded file is left and verify passes."""
    base = tmp_path / "base"
    shutil.copytree(template, base)
    doc_id, data = _review_fixture(base, action)
    count = tmp_path / "count"
    shutil.copytree(base, count)
    counter = FaultAt(0)
    with open_app(str(count)) as app:
        REVIEW_ACTIONS[action](ReviewDesk(build_filer(app, fault=counter)), doc_id)
    check_review_invariants(count, doc_id, data, action)
    assert len(counter.seen) >= 9, counter.seen
    for n in range(1, len(counter.seen) + 1):
        root = tmp_path / f"run{n}"
        shutil.copytree(base, root)
        with open_app(str(root)) as app, pytest.raises(InjectedFault):
            REVIEW_ACTIONS[action](ReviewDesk(build_filer(app, fault=FaultAt(n))), doc_id)
        with open_app(str(root)) as app:
            filer = build_filer(app)
            filer.begin()
            doc = app.ledger.docs.document(doc_id)
            assert doc is not None and doc.status != DocStatus.PENDING
            if doc.status == DocStatus.REVIEW:  # rolled back: the person does it again
                REVIEW_ACTIONS[action](ReviewDesk(filer), doc_id)
            filer.claimant.retire()
        try:
            check_review_invariants(root, doc_id, data, action)
        except AssertionError as exc:
            raise AssertionError(
                f"{action}: after a crash at point {n} ({counter.seen[n - 1]}): {exc}"
            ) from exc
        shutil.rmtree(root)


def test_a_temporary_left_linked_to_a_filed_original_is_removed_without_touching_it(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a filing cut short between linking an original's temporary copy to its name
    and removing the temporary name (kill -9 between the two calls: both names are one
    read-only file) WHEN the next start recovers THEN the temporary name is gone and the
    filed original is still read-only and byte-identical.

    The tests run as root, whom every file lets write; `os.access` answers here as it does
    for the person using the app (the file's owner bits)."""
    import stat

    from intake_desktop.core import platform
    from intake_desktop.core.mover import tmp_path_for

    if platform.portable_forced():
        pytest.skip("the portable path names copies by renaming: no temporary is linked")

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        return not mode & os.W_OK or bool(os.stat(path).st_mode & stat.S_IWUSR)

    monkeypatch.setattr(os, "access", access)
    root = tmp_path / "ws"
    shutil.copytree(template, root)
    data = write_file(root / "Intake" / MATTER / "complaint.pdf", 30_000, 1)
    app = open_app(str(root))
    with pytest.raises(InjectedFault):
        build_filer(app, fault=_stop_at).ingest([app.workspace.intake])
    [doc] = app.ledger.docs.unfinished()
    app.close()
    original = root / (doc.original_path or "")
    assert original.is_file() and not original.stat().st_mode & 0o222, "linked, read-only"
    left = tmp_path_for(original, f"d{doc.id}")
    os.link(original, left)  # the temporary name the crash left beside it
    app = open_app(str(root))
    build_filer(app).ingest([app.workspace.intake])
    app.close()
    assert not left.exists()
    assert original.read_bytes() == data
    assert not original.stat().st_mode & 0o222, "the original stays read-only"


def _stop_at(step: str) -> None:
    """Stop a filing once its copies are named, before its done row (a crash there)."""
    if step == "dir_fsynced":
        raise InjectedFault(step)
