"""`intake-desktop fit`: JSON contract, exit codes, and one ledger event per output."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from intake_desktop.app import open_app
from tests import fitpdfs
from tests.conftest import run_cli


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fit_json_parts_and_ledger_events(tmp_path: Path) -> None:
    root = tmp_path / "work space"
    assert run_cli("init", "--workspace", str(root)).returncode == 0
    src = fitpdfs.text_pdf(tmp_path / "Motion exhibits.pdf", pages=120, letterhead_kb=80,
                           words_per_page=300)
    before = sha(src)
    out = root / "Exports" / "court"
    limit = src.stat().st_size * 6 // 10
    r = run_cli("fit", str(src), "--limit", f"{limit}B", "--out", str(out), "--json",
                "--workspace", str(root))
    assert r.returncode == 0, r.stderr
    record = json.loads(r.stdout)
    assert set(record) >= {"input", "parts", "actions", "ok", "reason"}
    assert record["ok"] is True and record["reason"] == "" and "split" in record["actions"]
    assert record["input"] == str(src)
    parts = record["parts"]
    assert len(parts) == 2
    assert parts[0]["first_page"] == 1
    assert parts[-1]["last_page"] == 120
    for part in parts:
        assert set(part) == {"path", "bytes", "first_page", "last_page"}
        assert Path(part["path"]).stat().st_size == part["bytes"] <= limit
    assert sha(src) == before

    app = open_app(str(root))
    try:
        events = [e for e in app.ledger.chain.events() if e.detail.get("operation") == "fit"]
    finally:
        app.close()
    assert [e.kind for e in events] == ["split", "split"]
    for event, part in zip(events, parts, strict=True):
        assert event.path_before == str(src.resolve()) and event.sha256_before == before
        assert event.path_after == str(Path(part["path"]).resolve())
        assert event.sha256_after == sha(Path(part["path"]))
        assert event.detail["first_page"] == part["first_page"]
        assert event.detail["limit_bytes"] == limit
    r = run_cli("ledger", "verify", "--json", "--workspace", str(root))
    assert r.returncode == 0, r.stdout + r.stderr


def test_fit_by_court_in_human_mode_without_workspace(tmp_path: Path) -> None:
    src = fitpdfs.form_pdf(tmp_path / "Intake form.pdf")
    r = run_cli("fit", str(src), "--court", "cacd", "--out", str(tmp_path / "out"),
                env={"INTAKE_WORKSPACE": ""})
    assert r.returncode == 0, r.stderr
    assert "flattened_forms" in r.stdout and "Intake form.pdf" in r.stdout
    assert (tmp_path / "out" / "Intake form.pdf").exists()


def test_fit_exit_codes(tmp_path: Path) -> None:
    src = fitpdfs.encrypted_pdf(tmp_path / "locked.pdf", user="pw")
    env = {"INTAKE_WORKSPACE": ""}
    r = run_cli("fit", str(src), "--out", str(tmp_path / "o"), env=env)
    assert r.returncode == 2 and "--limit" in r.stderr
    r = run_cli("fit", str(src), "--limit", "lots", "--out", str(tmp_path / "o"), env=env)
    assert r.returncode == 2 and "25MB" in r.stderr
    r = run_cli("fit", str(src), "--court", "atlantis", "--out", str(tmp_path / "o"), env=env)
    assert r.returncode == 2 and "Unknown court" in r.stderr and "cacd" in r.stderr
    r = run_cli("fit", str(src), "--court", "ca2", "--out", str(tmp_path / "o"), env=env)
    assert r.returncode == 2 and "--limit" in r.stderr
    r = run_cli("fit", str(src), "--limit", "5MB", "--out", str(tmp_path / "o"), "--json",
                env=env)
    assert r.returncode == 1
    record = json.loads(r.stdout)
    assert record["ok"] is False and record["parts"] == []
    assert "user (open) password" in record["reason"]
    assert r.stderr.startswith("intake-desktop: error:") and len(r.stderr.splitlines()) == 1
