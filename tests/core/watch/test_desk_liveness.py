"""Liveness of a desk (issue 20 item 4): by its heartbeat row, never by host name + pid alone.
Containers and cloned desktops share host names; a pid that is dead here says nothing about
a process in another pid space, so its claims must wait for its heartbeat to go stale."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from intake_desktop.core import platform
from intake_desktop.core.filing.claims import Claimant
from intake_desktop.core.ledger import Actor, ClaimState, Ledger
from intake_desktop.core.watch.claims import ClaimBook
from intake_desktop.core.watch.settings import WatchSettings


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_process_space_names_the_host_and_this_boot_and_pid_space() -> None:
    here = platform.process_space()
    assert here.startswith(socket.gethostname() + "#") and len(here.split("#")[1]) == 12
    assert platform.process_space() == here
    assert platform.space_key(["boot-a", "4026531836"]) != platform.space_key(
        ["boot-b", "4026531836"]), "a cloned desktop booted apart is another machine"
    assert platform.space_key(["boot-a", "4026531836"]) != platform.space_key(
        ["boot-a", "4026532999"]), "a container with its own pid space is another machine"


def test_a_desk_with_the_same_host_name_elsewhere_keeps_its_claims(tmp_path: Path) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.sqlite'}", Actor("t"))
    try:
        settings = WatchSettings(stale_after=60)
        me = ClaimBook(ledger, settings, "desk-me")
        me.heartbeat()
        pid = _dead_pid()
        now = time.time()
        # a clone (same host name, another machine) whose pid happens to be dead here
        ledger.watch_claims.heartbeat("desk-clone", host=socket.gethostname(), pid=pid, now=now)
        assert ledger.watch_claims.claim("k-clone", "desk-clone", source="Intake/a.pdf", now=now)
        # a watcher of this very process space that was killed
        ledger.watch_claims.heartbeat("desk-dead", host=platform.process_space(), pid=pid, now=now)
        assert ledger.watch_claims.claim("k-dead", "desk-dead", source="Intake/b.pdf", now=now)
        dropped = {c.key for c in me.expire()}
        assert dropped == {"k-dead"}, "only the dead process of this machine is taken back"
        assert [c.key for c in ledger.watch_claims.claims(state=ClaimState.ACTIVE)] == ["k-clone"]
        # the filer's claims judge other desks the same way
        filer_claims = Claimant(ledger)
        filer_claims.heartbeat(force=True)
        filer_claims.expire_dead()
        assert "desk-clone" in {o.owner for o in ledger.watch_claims.owners()}
        # once the clone stops beating for stale_after, its claim goes like any other
        dropped = {c.key for c in ledger.watch_claims.expire_claims(
            stale_after=60, retry_failed_after=600, now=now + 120)}
        assert dropped == {"k-clone"}
    finally:
        ledger.close()
