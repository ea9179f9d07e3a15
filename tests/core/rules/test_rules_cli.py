"""`rules check` and `rules preview` through the real command line (subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from intake_desktop.core.ledger import EventKind
from tests.core.rules.samples import copy_preset

ROOT = Path(__file__).resolve().parents[3]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("INTAKE_WORKSPACE", None)
    return subprocess.run(
        [sys.executable, "-m", "intake_desktop", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and p.name != "ledger.sqlite"
        and "-wal" not in p.name
        and "-shm" not in p.name
    }


def test_check_good_file_reports_version(tmp_path: Path) -> None:
    path = copy_preset("immigration", tmp_path / "imm.toml")
    done = cli("rules", "check", str(path), "--json")
    assert done.returncode == 0, done.stderr
    [record] = [json.loads(line) for line in done.stdout.splitlines()]
    assert record["ok"] is True and record["name"] == "Immigration"
    assert record["rules"][0] == "executable" and len(record["version"]) == 12


def test_check_bad_file_lists_each_problem(tmp_path: Path) -> None:
    path = copy_preset("litigation", tmp_path / "lit.toml")
    text = path.read_text()
    text = text.replace('folder = "Depositions"', 'folder = "{{ deponant }}"', 1)
    text = text.replace('name = "motion"', 'name = "court-order"')
    path.write_text(text)
    done = cli("rules", "check", str(path), "--json")
    assert done.returncode == 1
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["rule"], r["field"]) for r in records] == [
        ("deposition-transcript", "folder"),
        ("court-order", "name"),
    ]
    lines = text.splitlines()
    assert "{{ deponant }}" in lines[records[0]["line"] - 1]
    assert 'name = "court-order"' in lines[records[1]["line"] - 1]
    assert records[0]["error"] == "unknown variable 'deponant'"
    assert "2 problems" in done.stderr and "stay in force" in done.stderr
    human = cli("rules", "check", str(path))
    assert (
        f"{path}:{records[0]['line']}: rule 'deposition-transcript': folder: unknown"
        in human.stdout
    )


def test_preview_touches_nothing_and_matches_ingest(
    make_workspace: Callable, samples: Callable
) -> None:
    ws, ledger = make_workspace("personal-injury")
    files = samples(ws.intake / "PI-24-0042")
    before = tree(ws.root)
    events_before = len(ledger.chain.events())
    done = cli("rules", "preview", "--workspace", str(ws.root), "--json", str(ws.intake))
    assert done.returncode == 0, done.stderr
    records = {Path(r["source"]).name: r for r in map(json.loads, done.stdout.splitlines())}
    assert tree(ws.root) == before, "preview wrote into the workspace"
    assert len(ledger.chain.events()) == events_before
    mri = records[files["mri"].name]
    assert set(mri) >= {"source", "status", "path", "rule", "reason"}
    assert mri["status"] == "filed" and mri["rule"] == "medical-record"
    assert mri["path"].endswith(
        "Matters/PI-24-0042/Medical Records/Valley Imaging Center/"
        "2024-02-03_PI-24-0042_MED_MRI-lumbar-spine.pdf"
    )
    assert records[files["passport"].name]["rule"] == "photo"

    ingest = cli("ingest", "--workspace", str(ws.root), "--json", str(ws.intake))
    assert ingest.returncode == 0, ingest.stderr
    filed = {Path(r["source"]).name: r for r in map(json.loads, ingest.stdout.splitlines())}
    assert set(filed) == set(records)
    for name, record in records.items():
        # The same stages (converting preparer, rules) decide the same path and rule.
        assert (filed[name]["path"], filed[name]["rule"]) == (record["path"], record["rule"]), name
        assert [(c["path"], c["rule"]) for c in filed[name]["children"]] == [
            (c["path"], c["rule"]) for c in record["children"]
        ], name
    email = records[files["email"].name]
    stem = "2024-03-05_PI-24-0042_EMAIL_RE-Smith-v-Acme-document-production"
    assert email["path"].endswith(f"/Correspondence/Email/{stem}.pdf")  # converted to PDF
    assert [Path(c["path"]).name for c in email["children"]] == [
        f"{stem}.001.pdf",
        f"{stem}.002.pdf",
    ]
    changes = [e for e in ledger.chain.events() if e.kind == EventKind.RULES_CHANGED]
    assert len(changes) == 1  # recorded by ingest (first sight), not by preview

    again = cli(
        "rules",
        "preview",
        "--workspace",
        str(ws.root),
        "--json",
        str(Path(filed[files["mri"].name]["original"])),
        "--matter",
        "PI-24-0042",
    )
    # A file inside the workspace outside Intake/ is refused, with the reason.
    [rec] = map(json.loads, again.stdout.splitlines())
    assert rec["status"] == "error" and "already inside the workspace" in rec["reason"]


def test_preview_with_broken_rules_warns_and_uses_last_good(
    make_workspace: Callable, samples: Callable
) -> None:
    ws, _ = make_workspace("immigration")
    files = samples(ws.intake / "IMM-24-0031")
    cli("ingest", "--workspace", str(ws.root), str(files["passport"]))
    ws.rules_path.write_text(ws.rules_path.read_text() + "\n[[rule]\n")
    done = cli("rules", "preview", "--workspace", str(ws.root), "--json", str(files["paystub"]))
    assert done.returncode == 0
    assert "not valid TOML" in done.stderr and "stay in force" in done.stderr
    [rec] = map(json.loads, done.stdout.splitlines())
    assert rec["rule"] == "pay-stub" and "/Financial/Pay Stubs/" in rec["path"]
