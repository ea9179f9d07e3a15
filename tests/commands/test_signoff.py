"""Sign-off on what goes out (issue 17 item 3): an exhibit set is a draft until an attorney
signs it off; the manifest lists every file with its size and SHA-256; `exhibits verify`
reports each changed, missing and added file and exits 1."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger import Actor, EventKind, Ledger
from intake_desktop.core.signoff import MANIFEST_NAME, set_status, sign_off, verify_set
from intake_desktop.core.signoff.signing import SignOffError
from intake_desktop.core.workspace import Workspace, init_workspace
from tests.conftest import run_cli
from tests.exhibit_pdfs import text_pdf

VERIFY_KEYS = {"signed_off", "by", "at", "changed", "missing", "added"}


ATTORNEY, PASSPHRASE = "Ann Atty", "ann-attorney-passphrase"


def add_attorney(ws: Workspace) -> None:
    """The supervising attorney's profile (a new workspace: anyone may add the first)."""
    from intake_desktop.core.roles import Profiles

    ledger = Ledger.open(ws.default_ledger_url(), Actor("setup"))
    try:
        Profiles(ledger).save(ATTORNEY, "attorney", PASSPHRASE, acting=ledger.actor)
    finally:
        ledger.close()


def as_attorney(*args: str, timeout: float = 120) -> Any:
    """Run a command as the attorney (`--as`, the passphrase on stdin)."""
    return run_cli(*args, "--as", ATTORNEY, "--passphrase-stdin", input=PASSPHRASE + "\n",
                   timeout=timeout)


def _json(proc: Any) -> dict[str, Any]:
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stdout
    return dict(lines[0])


@pytest.fixture
def built(tmp_path: Path) -> dict[str, Any]:
    """A workspace with an exhibit set built by `exhibits build` into Exports/."""
    ws = init_workspace(tmp_path / "Firm ws ñ")
    add_attorney(ws)
    specdir = tmp_path / "spec"
    text_pdf(specdir / "letter.pdf", 2, "Demand letter")
    text_pdf(specdir / "report.pdf", 3, "Police report")
    spec = specdir / "set.toml"
    spec.write_text(
        '[set]\nname = "Doe v. Roe"\nlabel_scheme = "letters"\nlabel_prefix = "Def. Ex."\n'
        '[bates]\nprefix = "ROE"\n'
        '[[exhibit]]\nfile = "letter.pdf"\ndescription = "Demand letter"\n'
        '[[exhibit]]\nfile = "report.pdf"\ndescription = "Police report"\n',
        encoding="utf-8",
    )
    out = ws.exports / "Doe v. Roe"
    proc = run_cli("exhibits", "build", str(spec), "--out", str(out),
                   "--workspace", str(ws.root), "--json", timeout=300)
    assert proc.returncode == 0, proc.stderr
    return {"ws": ws, "spec": spec, "out": out, "build": _json(proc)}


def _verify(ws: Workspace, out: Path) -> tuple[int, dict[str, Any]]:
    proc = run_cli("exhibits", "verify", str(out), "--workspace", str(ws.root), "--json")
    return proc.returncode, _json(proc)


def _events(ws: Workspace, kind: EventKind) -> list[Any]:
    ledger = Ledger.open(ws.default_ledger_url(), Actor("test"))
    try:
        return ledger.chain.events(kinds=[kind])
    finally:
        ledger.close()


def test_a_built_set_is_a_draft_and_verify_says_so(built: dict[str, Any]) -> None:
    code, report = _verify(built["ws"], built["out"])
    assert code == 1  # a draft must not go out
    assert report == {"signed_off": False, "by": None, "at": None,
                      "changed": [], "missing": [], "added": []}
    (draft,) = _events(built["ws"], EventKind.DRAFT_BUILT)
    assert draft.detail["set"] == "Exports/Doe v. Roe"
    assert draft.detail["spec_sha256"] == sha256_file(built["spec"])
    assert draft.detail["bates_first"] == built["build"]["exhibits"][0]["bates_first"]


def test_a_paralegal_is_refused_with_a_reason_and_an_event(built: dict[str, Any]) -> None:
    # The computer account without a profile acts as a paralegal.
    proc = run_cli("exhibits", "signoff", str(built["out"]), "--workspace",
                   str(built["ws"].root))
    assert proc.returncode == 1
    assert "you may not sign off what goes out" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (built["out"] / MANIFEST_NAME).exists()
    (refused,) = _events(built["ws"], EventKind.CAPABILITY_REFUSED)
    assert refused.detail["capability"] == "sign_off"
    assert refused.actor_role == "paralegal"
    # The core refuses the same way when called directly (the window's path).
    ledger = Ledger.open(built["ws"].default_ledger_url(), Actor("pat", "paralegal"))
    try:
        with pytest.raises(IntakeError, match=r"may not sign off Exports/Doe v\. Roe"):
            sign_off(ledger, built["out"], built["ws"].root)
    finally:
        ledger.close()
    assert len(_events(built["ws"], EventKind.CAPABILITY_REFUSED)) == 2
    assert _events(built["ws"], EventKind.SIGNED_OFF) == []


def test_sign_change_delete_add_each_reported_and_exit_1(built: dict[str, Any]) -> None:
    ws, out = built["ws"], built["out"]
    files_before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    proc = as_attorney("exhibits", "signoff", str(out), "--workspace", str(ws.root), "--json")
    assert proc.returncode == 0, proc.stderr
    manifest_path = out / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    # Every output file with its size and hash; the spec's hash; the Bates range.
    assert [f["path"] for f in manifest["files"]] == files_before
    for entry in manifest["files"]:
        assert entry["size"] == (out / entry["path"]).stat().st_size
        assert entry["sha256"] == sha256_file(out / entry["path"])
    assert manifest["spec_sha256"] == sha256_file(built["spec"])
    exhibits = built["build"]["exhibits"]
    assert (manifest["bates_first"], manifest["bates_last"]) == (
        exhibits[0]["bates_first"], exhibits[-1]["bates_last"])
    assert manifest["signed_off_by"] == ATTORNEY
    (signed,) = _events(ws, EventKind.SIGNED_OFF)
    assert signed.sha256_after == sha256_file(manifest_path)
    assert signed.actor_role == "attorney"
    assert not os.access(manifest_path, os.W_OK) or os.geteuid() == 0  # read-only

    code, report = _verify(ws, out)
    assert code == 0
    assert set(report) == VERIFY_KEYS
    assert report["signed_off"] is True and report["by"] == ATTORNEY
    assert report["at"] == signed.at
    assert (report["changed"], report["missing"], report["added"]) == ([], [], [])

    # one byte changed in one exhibit, one index file deleted, one file added
    stamped = out / "Exhibits" / "Def. Ex. A.pdf"
    assert stamped.is_file(), files_before
    stamped.chmod(stat.S_IRUSR | stat.S_IWUSR)
    data = bytearray(stamped.read_bytes())
    data[len(data) // 2] ^= 0x01
    stamped.write_bytes(bytes(data))
    (out / "Exhibit index.csv").unlink()
    (out / "Exhibits" / "notes.txt").write_text("added after sign-off", encoding="utf-8")
    code, report = _verify(ws, out)
    assert code == 1
    assert report["signed_off"] is True
    assert report["changed"] == ["Exhibits/Def. Ex. A.pdf"]
    assert report["missing"] == ["Exhibit index.csv"]
    assert report["added"] == ["Exhibits/notes.txt"]
    human = run_cli("exhibits", "verify", str(out), "--workspace", str(ws.root))
    assert human.returncode == 1
    assert "Changed since sign-off" in human.stdout
    assert "changed: Exhibits/Def. Ex. A.pdf" in human.stdout
    # The chain itself is intact: sign-off and refusals are ordinary chained events.
    assert run_cli("ledger", "verify", "--workspace", str(ws.root)).returncode == 0


def test_a_rebuild_is_a_new_draft_and_supersedes_the_signed_set(built: dict[str, Any]) -> None:
    ws, out = built["ws"], built["out"]
    assert as_attorney("exhibits", "signoff", str(out), "--workspace",
                       str(ws.root)).returncode == 0
    again = run_cli("exhibits", "build", str(built["spec"]), "--workspace", str(ws.root),
                    "--json", timeout=300)
    assert again.returncode == 0, again.stderr
    new_out = Path(_json(again)["out"])
    assert new_out != out
    code, report = _verify(ws, new_out)
    assert code == 1 and report["signed_off"] is False
    ledger = Ledger.open(ws.default_ledger_url(), Actor("test"))
    try:
        assert set_status(ledger, new_out, ws.root).text == "Draft"
        old = set_status(ledger, out, ws.root)
        assert old.text.startswith(f"Signed off by {ATTORNEY} on ")
        assert "superseded by a rebuild" in old.text
        assert old.verification.intact
    finally:
        ledger.close()


def test_a_tampered_manifest_is_reported_changed(built: dict[str, Any]) -> None:
    ws, out = built["ws"], built["out"]
    ledger = Ledger.open(ws.default_ledger_url(), Actor("ann", "attorney"))
    try:
        done = sign_off(ledger, out, ws.root)
        done.manifest.chmod(stat.S_IRUSR | stat.S_IWUSR)
        text = done.manifest.read_text(encoding="utf-8").replace('"ann"', '"bob"')
        done.manifest.write_text(text, encoding="utf-8")
        found = verify_set(ledger, out, ws.root)
        assert found.by == "ann"  # the ledger's word, not the file's
        assert found.changed == [MANIFEST_NAME]
        assert set_status(ledger, out, ws.root).text == "Changed since sign-off"
        with pytest.raises(SignOffError, match="no output folder"):
            sign_off(ledger, out / "nope", ws.root)
    finally:
        ledger.close()


def test_a_folder_checked_again_is_read_again_only_where_it_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Supervision page re-checks every output on each refresh: unchanged files are not
    read again, and a change that keeps the size and the modification time is still seen
    (any write moves the file's ctime)."""
    from intake_desktop.core.signoff import manifest

    folder = tmp_path / "set"
    (folder / "Exhibits").mkdir(parents=True)
    for n in range(3):
        (folder / "Exhibits" / f"Ex {n}.pdf").write_bytes(bytes([n]) * 50_000)
    reads: list[str] = []
    real = manifest.sha256_file

    def counting(path: Path) -> str:
        reads.append(path.name)
        return real(path)

    monkeypatch.setattr(manifest, "sha256_file", counting)
    assert manifest.scan_folder(folder) and len(reads) == 3
    reads.clear()
    assert manifest.scan_folder(folder) and len(reads) == 3, "changed just now: read again"
    reads.clear()
    monkeypatch.setattr(manifest, "SETTLED_NS", 0)  # as if written long ago
    time.sleep(0.05)  # past the file-time tick of the writes above
    first = manifest.scan_folder(folder)
    assert sorted(reads) == ["Ex 0.pdf", "Ex 1.pdf", "Ex 2.pdf"]
    reads.clear()
    assert manifest.scan_folder(folder) == first and reads == []
    target = folder / "Exhibits" / "Ex 1.pdf"
    before = target.stat()
    time.sleep(0.05)
    target.write_bytes(b"\x09" * 50_000)  # same size; the old modification time put back
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    now = manifest.scan_folder(folder)
    assert reads == ["Ex 1.pdf"]
    assert [e.path for e in now if e not in first] == ["Exhibits/Ex 1.pdf"]
    assert now[1].sha256 == sha256_file(target)
