"""`intake-desktop watch` as real processes: two watchers on one folder, kill -9, --once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from intake_desktop.app import App
from intake_desktop.core.ledger import DocStatus
from tests.conftest import REPO, run_cli
from tests.core.watch.test_watch import MATTER, assert_each_filed_once, blob, sha, wait_for


class WatchProcess:
    """A `watch --json` process whose output goes to files (a full pipe would block it)."""

    def __init__(self, app: App, name: str, *extra: str) -> None:
        logs = app.workspace.root.parent
        self.out, self.err = logs / f"{name}.out", logs / f"{name}.err"
        with open(self.out, "w") as out, open(self.err, "w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "intake_desktop", "watch", "--json",
                 "--workspace", str(app.workspace.root), "--settle", "0.2", *extra],
                cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                stdout=out, stderr=err, text=True,
            )

    def stop(self) -> list[dict]:
        """SIGTERM, wait, and return the JSON lines it wrote."""
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        assert self.proc.returncode == 0, self.err.read_text()
        return [json.loads(x) for x in self.out.read_text().splitlines() if x.strip()]

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()


def filed_count(app: App) -> int:
    return len(app.ledger.docs.documents(status=DocStatus.FILED))


def test_two_watcher_processes_file_each_of_300_files_exactly_once(app: App) -> None:
    """GIVEN two watcher processes on one intake folder and ledger WHEN 300 files are
    dropped THEN each is filed exactly once: one ledger row, one copy, one JSON line."""
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    procs = [WatchProcess(app, "first"), WatchProcess(app, "second")]
    try:
        wait_for(lambda: len(app.ledger.watch_claims.live_owners(within=60)) == 2)
        contents = {f"exhibit-{i:03d}.pdf": blob(3000 + i, 2000 + i) for i in range(300)}
        for name, data in contents.items():
            (intake / name).write_bytes(data)
        wait_for(lambda: filed_count(app) == 300, timeout=120)
    finally:
        outputs = [p.stop() for p in procs]
    assert_each_filed_once(app, contents)
    filed_by = [{Path(r["source"]).name for r in out if r["status"] == "filed"} for out in outputs]
    assert not filed_by[0] & filed_by[1]
    assert filed_by[0] | filed_by[1] == set(contents)
    assert sum(len(out) for out in outputs) == 300  # nothing reported twice, nothing else
    assert app.ledger.watch_claims.claims() == [] and app.ledger.watch_claims.owners() == []
    print(f"\nfiled per process: {len(filed_by[0])} + {len(filed_by[1])}")


def test_watcher_killed_mid_stream_and_restarted_files_each_once(app: App) -> None:
    """GIVEN files arriving steadily WHEN the watcher process is killed -9 mid-stream and a
    new one started THEN every file ends filed exactly once and the chain verifies."""
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    contents = {f"stream-{i:03d}.pdf": blob(7000 + i, 30_000 + i) for i in range(120)}

    def feed() -> None:
        for name, data in contents.items():
            tmp = intake / f".{name}.tmp"  # written under a junk name, renamed when whole
            tmp.write_bytes(data)
            os.rename(tmp, intake / name)
            time.sleep(0.01)

    feeder = threading.Thread(target=feed)
    first = WatchProcess(app, "first")
    feeder.start()
    wait_for(lambda: filed_count(app) >= 30, timeout=60)
    first.kill()
    second = WatchProcess(app, "second")
    feeder.join()
    wait_for(lambda: filed_count(app) == 120, timeout=120)
    second.stop()
    docs = app.ledger.docs.documents()
    filed = [d for d in docs if d.status == DocStatus.FILED]
    assert sorted(d.sha256 for d in filed) == sorted(sha(v) for v in contents.values())
    # A filing cut short by the kill is rolled back by the restart, then filed again.
    assert {d.status for d in docs} <= {DocStatus.FILED, DocStatus.ROLLED_BACK}
    assert not [p for p in intake.iterdir() if not p.name.endswith(".tmp")]
    for doc in filed:
        assert (app.workspace.root / (doc.filed_path or "")).read_bytes() == contents[
            Path(doc.source_path).name
        ]
    assert app.ledger.chain.verify_chain().ok


def test_watch_once_json_gives_the_ingest_fields(app: App) -> None:
    intake = app.workspace.intake / MATTER
    intake.mkdir(parents=True)
    data = blob(42, 5000)
    (intake / "intake form.pdf").write_bytes(data)
    (app.workspace.intake / "no matter.pdf").write_bytes(b"loose")
    proc = run_cli("watch", "--once", "--json", "--workspace", str(app.workspace.root))
    assert proc.returncode == 0, proc.stderr
    lines = sorted((json.loads(x) for x in proc.stdout.splitlines()), key=lambda r: r["status"])
    assert [r["status"] for r in lines] == ["filed", "review"]
    filed, review = lines
    assert {"source", "status", "path", "original", "sha256", "matter", "reason",
            "children"} <= set(filed)
    assert filed["sha256"] == sha(data) and filed["matter"] == MATTER
    assert Path(filed["path"]).read_bytes() == data
    assert Path(filed["original"]).read_bytes() == data
    assert review["reason"].startswith("no matter")
    (intake / "second.pdf").write_bytes(blob(43, 700))
    human = run_cli("watch", "--once", "--workspace", str(app.workspace.root))
    assert human.returncode == 0, human.stderr
    lines = human.stdout.splitlines()
    assert "seen       second.pdf" in lines
    assert any(x.startswith("filed      second.pdf -> ") for x in lines)
    assert lines[-1].startswith("1 seen, 1 filed, 0 to review")
    bad = run_cli("watch", "--once", "--workers", "0", "--workspace", str(app.workspace.root))
    assert bad.returncode == 2 and "workers must be positive" in bad.stderr
