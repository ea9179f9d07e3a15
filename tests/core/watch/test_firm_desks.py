"""Many desks, one intake share, one PostgreSQL ledger (issue 20 item 4): several watcher
processes on one intake folder while several writer processes drop files into it. Each file
is filed exactly once, none is lost, and the ledger verifies.

Needs INTAKE_TEST_PG_URL. The default is the issue's 10 watchers and 10,000 files (4 writers
x 2,500), about 5-10 minutes on a 2-core machine; INTAKE_TEST_DESKS / INTAKE_TEST_DESK_FILES
change it (e.g. 3 and 400 for a quick run)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake_desktop.app import App, open_app
from intake_desktop.core import custody
from intake_desktop.core.ledger import ClaimState, DocStatus, EventKind
from intake_desktop.core.ledger.queries import DocumentFilter
from intake_desktop.core.workspace import Workspace
from tests.conftest import REPO
from tests.core.watch.test_watch import MATTER, assert_each_filed_once, blob, wait_for
from tests.core.watch.test_watch_processes import WatchProcess, filed_count
from tests.pg_server import needs_pg, pg_database

pytestmark = needs_pg

DESKS = int(os.environ.get("INTAKE_TEST_DESKS", "10"))
WRITERS = 4
PER_WRITER = int(os.environ.get("INTAKE_TEST_DESK_FILES", "10000")) // WRITERS

# A writer: the files of its share, each written to a .part name and renamed when complete
# (a scanner's or a copy's way), or written in place (a slow network copy), alternately.
WRITER = """
import os, random, sys, time
folder, writer, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(count):
    n = writer * 100000 + i
    data = random.Random(n).randbytes(1500 + n % 3000)
    path = os.path.join(folder, f"desk-{writer}-{i:05d}.pdf")
    tmp = path + ".part" if i % 2 else path
    with open(tmp, "wb") as fh:
        fh.write(data[: len(data) // 2]); fh.flush(); time.sleep(0.001)
        fh.write(data[len(data) // 2 :])
    if tmp != path:
        os.rename(tmp, path)
"""


@pytest.fixture
def pg() -> Iterator[str]:
    with pg_database() as url:
        yield url


def _filed(app: App) -> int:
    """How many documents are filed (a count: polling 10,000 full rows would itself load
    the machine the desks run on)."""
    return app.ledger.docs.count_documents(DocumentFilter())


def _wait_filed(app: App, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _filed(app) < count:
        assert time.monotonic() < deadline, f"only {_filed(app)} of {count} filed in time"
        time.sleep(1.0)


def _expected() -> dict[str, bytes]:
    out = {}
    for w in range(WRITERS):
        for i in range(PER_WRITER):
            n = w * 100000 + i
            out[f"desk-{w}-{i:05d}.pdf"] = blob(n, 1500 + n % 3000)
    return out


def test_many_watchers_on_one_share_file_each_file_once(workspace: Workspace, pg: str) -> None:
    intake = workspace.intake / MATTER
    intake.mkdir(parents=True)
    app = open_app(str(workspace.root), db=pg)
    try:
        desks = [WatchProcess(app, f"desk-{d}", "--db", pg) for d in range(DESKS)]
        try:
            wait_for(lambda: len(app.ledger.watch_claims.live_owners(within=60)) == DESKS,
                     timeout=120)
            started = time.monotonic()
            writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(intake), str(w),
                                         str(PER_WRITER)], cwd=REPO)
                       for w in range(WRITERS)]
            for w in writers:
                assert w.wait(timeout=600) == 0
            contents = _expected()
            _wait_filed(app, len(contents), timeout=1500)
            took = time.monotonic() - started
        finally:
            outputs = [d.stop() for d in desks]
        assert_each_filed_once(app, contents)
        filed_by = [{Path(r["source"]).name for r in out if r["status"] == "filed"}
                    for out in outputs]
        assert sum(len(f) for f in filed_by) == len(contents), "no file reported twice"
        assert set().union(*filed_by) == set(contents), "none lost"
        assert sum(1 for f in filed_by if f) >= 2, "the work was shared between desks"
        assert not any(p.is_file() for p in intake.rglob("*"))
        assert app.ledger.watch_claims.claims() == [] and app.ledger.watch_claims.owners() == []
        report = custody.verify(app.ledger, workspace.root)
        assert report.ok, report.problems
        assert report.files_checked == 2 * len(contents)
        print(f"\n{len(contents)} files by {DESKS} desks in {took:.0f} s "
              f"({len(contents) / took:.1f} files/s); filed per desk: "
              f"{[len(f) for f in filed_by]}")
    finally:
        app.close()


def _kill_mid_filing(app: App, desk: WatchProcess, timeout: float = 120) -> int | None:
    """SIGKILL `desk` while one of its filings has its pending row in the ledger (the desk
    is stopped first and the row looked at again, so the kill lands inside that filing);
    the id of that document, None when no such moment came in time (then killed anyway)."""
    claims = app.ledger.watch_claims
    owner = next(o.owner for o in claims.owners() if o.pid == desk.proc.pid)

    def pending_of_desk() -> list[int]:
        active = {c.source for c in claims.claims(owner=owner, state=ClaimState.ACTIVE)}
        return [d.id for d in app.ledger.docs.unfinished()
                if d.status == DocStatus.PENDING and d.source_path in active] if active else []

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pending_of_desk():
            desk.proc.send_signal(signal.SIGSTOP)
            caught = pending_of_desk()
            if caught:
                desk.kill()
                return caught[0]
            desk.proc.send_signal(signal.SIGCONT)
        time.sleep(0.002)
    desk.kill()
    return None


def test_a_desk_killed_mid_filing_is_finished_by_another(workspace: Workspace,
                                                        pg: str) -> None:
    """kill -9 of one desk inside a filing (its pending row written) while files stream in:
    another desk takes back its claims and finishes or rolls back that filing at its next
    heartbeat (well within the heartbeat timeout, `stale_after`), and every file is filed
    once, without restarting anything."""
    with workspace.config_path.open("a", encoding="utf-8") as fh:
        fh.write("\n[watch]\nheartbeat_interval = 1\nstale_after = 6\nrescan_interval = 3\n")
    intake = workspace.intake / MATTER
    intake.mkdir(parents=True)
    app = open_app(str(workspace.root), db=pg)
    try:
        desks = [WatchProcess(app, f"kdesk-{d}", "--db", pg) for d in range(3)]
        try:
            wait_for(lambda: len(app.ledger.watch_claims.live_owners(within=60)) == 3, timeout=120)
            writer = subprocess.Popen([sys.executable, "-c", WRITER, str(intake), "7", "150"],
                                      cwd=REPO)
            wait_for(lambda: filed_count(app) >= 25, timeout=300)
            cut = _kill_mid_filing(app, desks[0])  # SIGKILL, mid-filing
            killed_at = time.monotonic()
            assert cut is not None, "the kill did not land inside a filing"

            def recovered() -> bool:
                return any(e.kind == EventKind.RECOVERED
                           for e in app.ledger.chain.events(document_id=cut))

            wait_for(recovered, timeout=5 * 6)  # heartbeats slip on a loaded machine
            took = time.monotonic() - killed_at
            assert writer.wait(timeout=300) == 0
            contents = {f"desk-7-{i:05d}.pdf": blob(700000 + i, 1500 + (700000 + i) % 3000)
                        for i in range(150)}
            wait_for(lambda: filed_count(app) == len(contents), timeout=600)
            wait_for(lambda: app.ledger.docs.unfinished() == [], timeout=120)
        finally:
            outputs = [d.stop() for d in desks[1:]]
        docs = app.ledger.docs.documents()
        filed = [d for d in docs if d.status == "filed"]
        assert len({d.sha256 for d in filed}) == len(filed) == len(contents), "each once"
        assert {d.status for d in docs} <= {"filed", "rolled_back"}
        assert not any(p.is_file() for p in intake.rglob("*")), "none left behind"
        on_disk = [p for p in workspace.matter_dir(MATTER).rglob("*") if p.is_file()]
        assert len(on_disk) == 2 * len(contents), "no partial or extra copy"
        report = custody.verify(app.ledger, workspace.root)
        assert report.ok, report.problems
        assert outputs
        cut_doc = app.ledger.docs.document(cut)
        assert cut_doc is not None and cut_doc.status in ("filed", "rolled_back")
        print(f"\nfiling of document {cut} cut by kill -9 was {cut_doc.status} by another "
              f"desk {took:.1f} s after the kill (stale_after 6 s); rolled back in all: "
              f"{sum(d.status == 'rolled_back' for d in docs)}")
    finally:
        app.close()
