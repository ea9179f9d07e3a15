"""The command-line contract of DESIGN.md: options, JSON fields and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli, write_file

MATTER = "2022-0777 Okafor"


def test_init_ingest_verify_history_roundtrip(tmp_path: Path) -> None:
    root = tmp_path / "Büro Akten" / "work space"
    r = run_cli("init", "--workspace", str(root), "--json")
    assert r.returncode == 0, r.stderr
    (root / ".intake" / "rules.toml").unlink()  # built-in routing; rules: tests/core/rules
    assert json.loads(r.stdout)["workspace"] == str(root)
    for sub in ("Intake", "Matters", "Review", "Exports", ".intake/config.toml",
                ".intake/ledger.sqlite"):
        assert (root / sub).exists(), sub

    data = write_file(root / "Intake" / MATTER / "Pleadings" / "answer.pdf", 4096)
    write_file(root / "Intake" / "stray.pdf", 100)
    r = run_cli("ingest", str(root / "Intake"), "--workspace", str(root), "--json")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    by_status = {line["status"]: line for line in lines}
    assert set(by_status) == {"filed", "review"}
    filed = by_status["filed"]
    for key in ("source", "status", "path", "original", "sha256", "matter", "reason",
                "children"):
        assert key in filed
    assert Path(filed["path"]).read_bytes() == data
    assert filed["matter"] == MATTER and filed["children"] == []
    assert "no matter" in by_status["review"]["reason"]

    r = run_cli("ledger", "verify", "--json", env={"INTAKE_WORKSPACE": str(root)})
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] is True and report["first_bad_event"] is None
    assert report["missing_files"] == []

    r = run_cli("--workspace", str(root), "ledger", "history", filed["sha256"], "--json")
    kinds = [json.loads(line)["kind"] for line in r.stdout.splitlines()]
    assert kinds == ["received", "original_preserved", "filed", "source_removed"]

    r = run_cli("--workspace", str(root), "ledger", "seal", "--json")
    seal = json.loads(r.stdout)["seal"]
    r = run_cli("--workspace", str(root), "ledger", "verify", "--seal", seal)
    assert r.returncode == 0 and "OK" in r.stdout

    Path(filed["path"]).chmod(0o644)
    Path(filed["path"]).write_bytes(b"changed")
    r = run_cli("--workspace", str(root), "ledger", "verify", "--json")
    assert r.returncode == 1
    assert json.loads(r.stdout)["altered_files"] == [f"Matters/{MATTER}/Pleadings/answer.pdf"]
    assert r.stderr.startswith("intake-desktop: error:")


def test_exit_codes_and_one_line_errors(tmp_path: Path) -> None:
    assert run_cli("ingest").returncode == 2  # usage
    r = run_cli("ingest", str(tmp_path), "--workspace", str(tmp_path / "not a workspace"))
    assert r.returncode == 1
    assert "not an Intake Desktop workspace" in r.stderr and "intake-desktop init" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1

    root = tmp_path / "ws"
    run_cli("init", "--workspace", str(root))
    r = run_cli("ingest", str(tmp_path / "missing.pdf"), "--workspace", str(root), "--json")
    assert r.returncode == 1
    assert json.loads(r.stdout)["status"] == "error"
    assert "no such file" in r.stderr

    r = run_cli("init", "--workspace", str(tmp_path / "x"), "--preset", "nonsense")
    assert r.returncode == 2 and "Unknown preset" in r.stderr


def test_export_formats(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    run_cli("init", "--workspace", str(root))
    write_file(root / "Intake" / MATTER / "a.pdf")
    run_cli("ingest", str(root / "Intake"), "--workspace", str(root))
    csv_out = run_cli("ledger", "export", "--format", "csv", "--workspace", str(root)).stdout
    assert csv_out.splitlines()[0].startswith("seq,at,kind,document_id")
    # ledger_attached (the workspace's first write), then received .. source_removed
    assert len(csv_out.splitlines()) == 6
    json_out = run_cli("ledger", "export", "--format", "json", "--workspace", str(root)).stdout
    assert [json.loads(x)["seq"] for x in json_out.splitlines()] == [1, 2, 3, 4, 5]


def test_human_output_shows_flags_and_notes() -> None:
    from intake_desktop.commands.ingest import describe
    from intake_desktop.core.filing import IngestResult, Outcome

    result = IngestResult(
        "/in/brief.docx", Outcome.FILED, path="/ws/Matters/m/brief.docx",
        flags=["needs_conversion"],
        notes=["LibreOffice is not installed: sudo apt-get install libreoffice-writer-nogui"],
    )
    text = describe(result)
    assert "[needs_conversion]" in text.splitlines()[0]
    assert "note: LibreOffice is not installed" in text.splitlines()[1]


def test_init_records_the_presets_rules_as_the_first_version_in_force(tmp_path: Path) -> None:
    """`init` records the preset's rules as the first version in force (who, when, the
    text): the first `ingest` finds them in force and does not record them again."""
    import json as _json

    from intake_desktop.app import open_app

    root = tmp_path / "ws"
    assert run_cli("init", "--workspace", str(root), "--preset", "immigration").returncode == 0
    with open_app(str(root)) as app:
        events = list(app.ledger.chain.events())
        rules = (root / ".intake" / "rules.toml").read_text(encoding="utf-8")
    assert [e.kind for e in events] == ["rules_changed"]
    assert events[0].detail["text"] == rules
    src = root / "Intake" / "A-2024-001" / "passport.txt"
    src.parent.mkdir(parents=True)
    src.write_text("Passport of Jane Roe")
    r = run_cli("ingest", "--workspace", str(root), "--json", str(root / "Intake"))
    assert r.returncode == 0, r.stderr
    assert _json.loads(r.stdout.splitlines()[0])["status"] in {"filed", "review"}
    with open_app(str(root)) as app:
        kinds = [e.kind for e in app.ledger.chain.events()]
    assert kinds.count("rules_changed") == 1, kinds
