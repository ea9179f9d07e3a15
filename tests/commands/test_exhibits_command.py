"""`intake-desktop exhibits build SPEC --out DIR`: JSON contract, ledger documents, errors."""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pypdf
import pytest

from intake_desktop.commands import exhibits
from intake_desktop.commands.common import Output, add_common_options
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.workspace import init_workspace
from tests.exhibit_pdfs import text_pdf

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    add_common_options(parser, sub=False)
    exhibits.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    output = Output(json_mode=bool(args.json), out=out, err=err)
    from intake_desktop.core.errors import IntakeError

    try:
        code = args.handler(args, output)
    except IntakeError as exc:
        output.error(exc.message)
        code = 1
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = init_workspace(tmp_path / "ws")
    matter = ws.matter_dir("2024-001")
    matter.mkdir(parents=True)
    filed = text_pdf(matter / "2024-03-01_MED_er-record.pdf", 3, "ER")
    ledger = Ledger.open(ws.default_ledger_url(), Actor("setup"))
    with ledger.transaction() as txn:
        txn.ensure_matter("2024-001")
        txn.insert_document(
            sha256=sha256_file(filed), size=filed.stat().st_size, source_path="/intake/er.pdf",
            filed_path="Matters/2024-001/2024-03-01_MED_er-record.pdf",
            filed_sha256=sha256_file(filed), matter_id="2024-001", status="filed",
            target_status="filed",
        )
    ledger.close()
    text_pdf(tmp_path / "spec" / "letter.pdf", 2, "Letter")
    (tmp_path / "spec" / "set.toml").write_text(
        '[set]\nname = "Doe v. Roe"\nlabel_scheme = "letters"\nlabel_prefix = "Def. Ex."\n'
        '[bates]\nprefix = "ROE"\n'
        '[[exhibit]]\ndocument = 1\ndescription = "ER record"\ndate = 2024-03-01\n'
        '[[exhibit]]\nfile = "letter.pdf"\ndescription = "Demand letter"\n',
        encoding="utf-8",
    )
    return ws.root


def test_build_emits_the_json_contract(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = run(["exhibits", "build", str(tmp_path / "spec" / "set.toml"),
                                "--out", str(out), "--workspace", str(workspace), "--json"])
    assert code == 0, stderr
    (line,) = stdout.splitlines()
    record = json.loads(line)
    assert [Path(p).name for p in record["index"]] == [
        "Exhibit index.csv", "Exhibit index.docx", "Exhibit index.pdf",
        "Exhibit index - court copy.docx", "Exhibit index - court copy.pdf"]
    assert all(Path(p).is_file() for p in record["index"])
    assert [(e["label"], e["bates_first"], e["bates_last"], e["pages"])
            for e in record["exhibits"]] == [
        ("Def. Ex. A", "ROE000001", "ROE000003", 3),
        ("Def. Ex. B", "ROE000004", "ROE000005", 2),
    ]
    part = record["exhibits"][0]["parts"][0]
    assert set(part) == {"path", "bytes", "first_page", "last_page"}
    reader = pypdf.PdfReader(part["path"])
    assert "ROE000003" in reader.pages[2].extract_text()
    assert record["exhibits"][0]["source"].endswith("2024-03-01_MED_er-record.pdf")
    ledger = Ledger.open(f"sqlite:///{workspace / '.intake' / 'ledger.sqlite'}", Actor("x"))
    stamped = [e for e in ledger.chain.events() if e.kind == "stamped"]
    ledger.close()
    assert stamped[0].document_id == 1 and stamped[0].matter_id == "2024-001"
    assert stamped[0].path_before == "Matters/2024-001/2024-03-01_MED_er-record.pdf"


def test_a_filed_document_named_by_path_keeps_its_custody_trail(
    workspace: Path, tmp_path: Path
) -> None:
    spec = tmp_path / "spec" / "set.toml"
    filed = workspace / "Matters" / "2024-001" / "2024-03-01_MED_er-record.pdf"
    spec.write_text(spec.read_text().replace("document = 1", f"file = {str(filed)!r}"))
    code, _, stderr = run(["exhibits", "build", str(spec), "--out", str(tmp_path / "o"),
                           "--workspace", str(workspace), "--json"])
    assert code == 0, stderr
    ledger = Ledger.open(f"sqlite:///{workspace / '.intake' / 'ledger.sqlite'}", Actor("x"))
    trail = ledger.chain.history(str(filed), workspace)
    ledger.close()
    assert [e.kind for e in trail] == ["stamped"]
    assert trail[0].detail["label"] == "Def. Ex. A"


def test_default_output_is_under_exports(workspace: Path, tmp_path: Path) -> None:
    code, stdout, _ = run(["exhibits", "build", str(tmp_path / "spec" / "set.toml"),
                           "--workspace", str(workspace)])
    assert code == 0
    assert (workspace / "Exports" / "Doe v. Roe" / "Exhibits" / "Def. Ex. A.pdf").is_file()
    assert "Def. Ex. B: 2 pages, ROE000004 - ROE000005" in stdout
    code, stdout, _ = run(["exhibits", "build", str(tmp_path / "spec" / "set.toml"),
                           "--workspace", str(workspace)])
    assert code == 0  # a second build never touches the first: it gets its own folder
    assert (workspace / "Exports" / "Doe v. Roe (2)" / "Exhibits" / "Def. Ex. A.pdf").is_file()
    assert "Def. Ex. B: 2 pages, ROE000009 - ROE000010" in stdout


def test_unknown_document_fails_with_a_clear_message(workspace: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec" / "set.toml"
    spec.write_text(spec.read_text().replace("document = 1", "document = 99"))
    code, _, stderr = run(["exhibits", "build", str(spec), "--out", str(tmp_path / "o"),
                           "--workspace", str(workspace)])
    assert code == 1
    assert "Exhibit 1 (line 7): no document 99 in the ledger" in stderr
    assert not (tmp_path / "o").exists()


def test_check_reports_warnings_and_the_plan(tmp_path: Path, workspace: Path) -> None:
    spec = tmp_path / "spec" / "set.toml"
    spec.write_text(spec.read_text().replace('prefix = "ROE"', 'prefix = "ROE1"'))
    code, stdout, _ = run(["exhibits", "check", str(spec), "--json", "--workspace",
                           str(workspace)])
    assert code == 0
    record = json.loads(stdout)
    assert record["ok"] and "ends in a digit" in record["warnings"][0]
    assert [(e["label"], e["pages"], e["bates_first"], e["bates_last"])
            for e in record["exhibits"]] == [
        ("Def. Ex. A", 3, "ROE1000001", "ROE1000003"),
        ("Def. Ex. B", 2, "ROE1000004", "ROE1000005"),
    ]
    ledger = Ledger.open(f"sqlite:///{workspace / '.intake' / 'ledger.sqlite'}", Actor("x"))
    assert ledger.bates.next_bates("ROE1") == 1  # nothing reserved by a check
    ledger.close()


def _cli_loads() -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", "import intake_desktop.cli as c; c.build_parser()"],
        cwd=ROOT, capture_output=True, timeout=60,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not shutil.which("gs") or not _cli_loads(),
                    reason="the full CLI needs the other command modules (not merged yet)")
def test_cli_subprocess(workspace: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "intake_desktop", "exhibits", "build",
         str(tmp_path / "spec" / "set.toml"), "--out", str(tmp_path / "cli-out"),
         "--workspace", str(workspace), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout.splitlines()[-1])
    assert record["exhibits"][1]["bates_last"] == "ROE000005"
    bad = subprocess.run(
        [sys.executable, "-m", "intake_desktop", "exhibits", "build",
         str(tmp_path / "spec" / "set.toml"), "--out", str(tmp_path / "cli-out"),
         "--workspace", str(workspace)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert bad.returncode == 1 and "the output folder is not empty" in bad.stderr


def test_build_with_a_shipped_court_profile(workspace: Path, tmp_path: Path) -> None:
    """N.D. Cal. prefers PDF/A: the stamp font is embedded; an owner-password exhibit is
    unlocked by the court preflight and the action is reported."""
    pytest.importorskip("intake_desktop.core.courts")
    letter = tmp_path / "spec" / "letter.pdf"
    with pikepdf.open(letter, allow_overwriting_input=True) as pdf:
        pdf.save(letter, encryption=pikepdf.Encryption(owner="secret", user=""))
    spec = tmp_path / "spec" / "set.toml"
    spec.write_text(spec.read_text().replace('label_prefix = "Def. Ex."',
                                             'label_prefix = "Def. Ex."\ncourt = "cand"'))
    code, stdout, stderr = run(["exhibits", "build", str(spec), "--out", str(tmp_path / "o"),
                                "--workspace", str(workspace), "--json"])
    assert code == 0, stderr
    record = json.loads(stdout)
    first, second = record["exhibits"]
    assert "decrypted" in second["actions"] and len(second["parts"]) == 1
    with pikepdf.open(second["parts"][0]["path"]) as out:
        assert not out.is_encrypted
        fonts = [f for f in out.pages[0].obj.Resources.Font.values()
                 if "/FontDescriptor" in f and "/FontFile2" in f.FontDescriptor]
        assert fonts  # embedded: the court prefers PDF/A
    text = pypdf.PdfReader(first["parts"][0]["path"]).pages[0].extract_text()
    assert "Def. Ex. A" in text and "ROE000001" in text


def test_rebuild_warns_that_numbers_change_and_reuse_keeps_them(
    workspace: Path, tmp_path: Path
) -> None:
    """Issue 22: a second build of the same set silently got a new Bates range."""
    spec = str(tmp_path / "spec" / "set.toml")
    ws = ["--workspace", str(workspace), "--json"]
    code, stdout, _ = run(["exhibits", "build", spec, "--out", str(tmp_path / "o1"), *ws])
    assert code == 0 and json.loads(stdout)["warnings"] == []
    code, stdout, _ = run(["exhibits", "check", spec, *ws])
    check = json.loads(stdout)
    assert check["exhibits"][0]["bates_first"] == "ROE000006"
    assert any("so its Bates numbers change" in w and "--reuse-numbers" in w
               for w in check["warnings"])
    code, stdout, _ = run(["exhibits", "build", spec, "--out", str(tmp_path / "o2"), *ws])
    second = json.loads(stdout)
    assert second["exhibits"][0]["bates_first"] == "ROE000006"
    assert second["warnings"] == check["warnings"]  # check says what build does
    code, stdout, stderr = run(["exhibits", "build", spec, "--out", str(tmp_path / "o3"),
                                "--reuse-numbers", *ws])
    assert code == 0, stderr
    third = json.loads(stdout)
    assert [(e["bates_first"], e["bates_last"]) for e in third["exhibits"]] == [
        ("ROE000006", "ROE000008"), ("ROE000009", "ROE000010")]
    assert "reuses ROE000006 - ROE000010" in third["warnings"][0]
    text = pypdf.PdfReader(third["exhibits"][1]["parts"][0]["path"]).pages[1].extract_text()
    assert "ROE000010" in text
    ledger = Ledger.open(f"sqlite:///{workspace / '.intake' / 'ledger.sqlite'}", Actor("x"))
    try:
        assert ledger.bates.next_bates("ROE") == 11  # nothing new was reserved
        reused = [e for e in ledger.chain.events() if e.kind == "bates_reused"]
        assert len(reused) == 1 and reused[0].detail["first"] == 6
    finally:
        ledger.close()
    # a changed document cannot keep the numbers: check and build both say why
    text_pdf(tmp_path / "spec" / "letter.pdf", 2, "Letter v2")
    for action in ("check", "build"):
        argv = ["exhibits", action, spec, "--reuse-numbers", *ws]
        if action == "build":
            argv += ["--out", str(tmp_path / "o4")]
        code, _, stderr = run(argv)
        assert code == 1
        assert "cannot be reused: exhibit 2 is a different document" in stderr


def test_check_refuses_the_start_that_build_refuses(workspace: Path, tmp_path: Path) -> None:
    """Issue 22: `exhibits check` accepted `start = 1` that `build` then refused."""
    spec = tmp_path / "spec" / "set.toml"
    ws = ["--workspace", str(workspace)]
    assert run(["exhibits", "build", str(spec), "--out", str(tmp_path / "o1"), *ws])[0] == 0
    other = tmp_path / "spec" / "other.toml"
    other.write_text(spec.read_text().replace('name = "Doe v. Roe"', 'name = "Other"')
                     .replace('prefix = "ROE"', 'prefix = "ROE"\nstart = 1'))
    check = run(["exhibits", "check", str(other), *ws])
    build = run(["exhibits", "build", str(other), "--out", str(tmp_path / "o2"), *ws])
    assert check[0] == build[0] == 1
    assert "would reuse numbers already assigned (the next free number is 6)" in check[2]
    assert check[2] == build[2]
    assert not (tmp_path / "o2").exists()
