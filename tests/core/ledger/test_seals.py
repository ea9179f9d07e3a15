"""Automatic seals (issue 24 item 2): after each batch the chain head is written to
Exports/ledger-seals/ and to the [seal] mirror; `verify` compares with the newest seal;
the workspace id binds the ledger, recorded on the first write only."""

from __future__ import annotations

import json
from pathlib import Path

from intake_desktop.app import open_app
from intake_desktop.core import custody
from intake_desktop.core.ledger import EventKind
from intake_desktop.core.workspace import Workspace
from tests.conftest import run_cli, write_file
from tests.core.ledger.test_tamper import MATTER, set_config


def seals(folder: Path) -> list[dict[str, object]]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("ledger-seal-*.json"))]


def test_each_ingest_batch_is_sealed_in_exports_and_the_mirror(
    workspace: Workspace, tmp_path: Path
) -> None:
    mirror = tmp_path / "Firm share" / "seals"
    mirror.mkdir(parents=True)
    set_config(workspace, "[seal]", f'mirror = "{mirror.as_posix()}"')
    assert workspace.workspace_id() is None  # written with the first ledger attachment
    for batch in range(2):
        write_file(workspace.intake / MATTER / f"batch {batch}.pdf", seed=batch)
        done = run_cli("ingest", "--workspace", str(workspace.root), "--json",
                       str(workspace.intake))
        assert done.returncode == 0, done.stderr
    ws_id = workspace.workspace_id()
    assert ws_id and len(ws_id) == 32
    app = open_app(str(workspace.root))
    try:
        head_seq, head = app.ledger.chain.head()
        for folder in (workspace.exports / "ledger-seals", mirror / ws_id):
            found = seals(folder)
            assert len(found) == 2
            assert found[-1]["events"] == head_seq and found[-1]["head_hash"] == head
            assert {s["workspace_id"] for s in found} == {ws_id}
            assert found[0]["events"] < head_seq  # the first batch's seal
        report = custody.verify(app.ledger, workspace.root, mirror=app.seal_mirror)
        assert report.ok, report.problems
        assert len(report.seals_compared) == 2
    finally:
        app.close()
    # A command that records nothing writes no seal.
    run_cli("ledger", "verify", "--workspace", str(workspace.root))
    assert len(seals(mirror / ws_id)) == 2


def test_an_unplugged_mirror_is_a_warning_and_is_never_created(
    workspace: Workspace, tmp_path: Path
) -> None:
    mirror = tmp_path / "media" / "USB key"
    set_config(workspace, "[seal]", f'mirror = "{mirror.as_posix()}"')
    write_file(workspace.intake / MATTER / "a.pdf", seed=1)
    done = run_cli("ingest", "--workspace", str(workspace.root), str(workspace.intake))
    assert done.returncode == 0
    assert "the seal mirror" in done.stderr.lower() and "cannot be reached" in done.stderr
    assert not mirror.exists()
    assert len(seals(workspace.exports / "ledger-seals")) == 1
    done = run_cli("ledger", "verify", "--workspace", str(workspace.root), "--json")
    report = json.loads(done.stdout)
    assert report["ok"] is True
    assert any("cannot be reached" in w for w in report["warnings"])


def test_reading_does_not_attach_and_the_first_write_does_once(workspace: Workspace) -> None:
    write_file(workspace.intake / MATTER / "a.pdf", seed=1)
    def state() -> list[str]:  # the ledger file itself is created by any first use
        return sorted(p.name for p in workspace.state.iterdir()
                      if not p.name.startswith("ledger.sqlite"))

    before = state()
    done = run_cli("rules", "preview", "--workspace", str(workspace.root), "--json",
                   str(workspace.intake))
    assert done.returncode == 0, done.stderr
    assert state() == before
    app = open_app(str(workspace.root))
    assert app.ledger.chain.event_count() == 0
    app.close()
    assert not (workspace.exports / "ledger-seals").exists()
    for _ in range(2):
        run_cli("ingest", "--workspace", str(workspace.root), str(workspace.intake))
    app = open_app(str(workspace.root))
    try:
        events = app.ledger.chain.events()
        attached = [e for e in events if e.kind == EventKind.LEDGER_ATTACHED]
        assert len(attached) == 1
        assert attached[0].seq == min(e.seq for e in events if e.document_id) + 1  # 1st txn
        assert attached[0].detail == {
            "workspace_id": workspace.workspace_id(), "url": custody.DEFAULT_URL_LABEL
        }
    finally:
        app.close()


def test_a_new_workspace_may_start_with_files_copied_in(workspace: Workspace) -> None:
    """A firm copying its old matter folders in before the first use is not refused; the
    files are listed as not recorded until they are filed through the app."""
    write_file(workspace.matters / MATTER / "old letter.pdf", seed=4)
    app = open_app(str(workspace.root))
    try:
        write_file(workspace.intake / MATTER / "new.pdf", seed=5)
        from intake_desktop.app import build_filer

        build_filer(app).ingest([workspace.intake])
        report = custody.verify(app.ledger, workspace.root)
        assert report.unrecorded_files == [f"Matters/{MATTER}/old letter.pdf"]
        assert not report.ok and report.files_checked == 2
    finally:
        app.close()


KILLED_WHILE_SEALING = """
import os, signal, sys
from pathlib import Path
from intake_desktop.core import mover, platform
def die(tmp, dest):
    if sys.argv[2] == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    import time; print("written", flush=True); time.sleep(60)
platform.rename_no_clobber = die
mover.write_new_file(Path(sys.argv[1]) / "ledger-seal-20261203T000000000000Z.json", b"{}")
"""


def test_a_seal_cut_short_by_kill_9_leaves_no_temporary_behind(workspace: Workspace) -> None:
    """GIVEN a process killed while writing a seal (its temporary written, not yet named)
    WHEN the next command opens the workspace THEN that temporary is gone, while one of a
    live writer and one of another machine's (younger than a day) are left alone."""
    import os
    import subprocess
    import sys

    seals_dir = workspace.exports / "ledger-seals"
    seals_dir.mkdir(parents=True, exist_ok=True)
    script = [sys.executable, "-c", KILLED_WHILE_SEALING, str(seals_dir)]
    dead = subprocess.run([*script, "die"], cwd=Path(__file__).parents[3])
    assert dead.returncode == -9
    [left] = [p.name for p in seals_dir.glob("*.intake-tmp")]
    live = subprocess.Popen([*script, "live"], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).parents[3])
    try:
        assert live.stdout is not None and live.stdout.readline().strip() == "written"
        elsewhere = seals_dir / ".ledger-seal-x.json.new@000000000000.4242.intake-tmp"
        elsewhere.write_bytes(b"{}")
        assert run_cli("ledger", "verify", "--workspace", str(workspace.root)).returncode == 0
        remaining = sorted(p.name for p in seals_dir.glob("*.intake-tmp"))
        assert left not in remaining
        assert elsewhere.name in remaining and len(remaining) == 2, remaining
        old = 2 * 24 * 3600
        os.utime(elsewhere, (elsewhere.stat().st_atime - old, elsewhere.stat().st_mtime - old))
        run_cli("ledger", "verify", "--workspace", str(workspace.root))
        assert len(list(seals_dir.glob("*.intake-tmp"))) == 1  # the live writer's
    finally:
        live.kill()
        live.wait()
