"""The README's command examples, run exactly as written (issue 21).

Every `intake-desktop ...` line of every ```sh block of README.md is run by bash from a
folder outside the workspace, with only the workspace path "/srv/Firm Files" replaced by a
temporary folder and HOME pointing at a temporary home (so `~/Downloads/...` and the default
workspace `~/Documents/Intake Desktop` are inside the test). Two lines are not run: the
one that opens the window and the endless `intake-desktop watch`. The inputs the examples
name (an upload folder, PDFs, a spec, a rules file) are generated first.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from intake_desktop.core.paths import naming_rules_dir
from tests.conftest import REPO
from tests.exhibit_pdfs import text_pdf

README = REPO / "README.md"
WORKSPACE = "/srv/Firm Files"
NOT_RUN = {
    'intake-desktop --workspace ~/Documents/"Intake Desktop Demo"',  # opens the window
    "intake-desktop watch",  # runs until Ctrl-C
}
MATTER = "2024-0117 Reyes v. Acme"


def readme_blocks() -> list[list[str]]:
    """The command lines of each ```sh block (continuation comment lines dropped)."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    found = []
    for block in blocks:
        lines = [line for line in block.splitlines()
                 if line.startswith(("intake-desktop", "export INTAKE_WORKSPACE="))]
        if lines:
            found.append(lines)
    return found


def command_part(line: str) -> str:
    return re.sub(r"\s+#.*$", "", line).strip()


def record_pdf(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=letter)
    for i, text in enumerate(lines):
        c.drawString(72, 720 - 16 * i, text)
    c.showPage()
    c.save()
    return path


def binder_pdf(path: Path) -> Path:
    text_pdf(path, 6, "Binder")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        with pdf.open_outline() as outline:
            for n, page in enumerate((0, 2, 4), start=1):
                outline.root.append(pikepdf.OutlineItem(f"Tab {n}", page))
        pdf.save(path)
    return path


@pytest.fixture
def stage(tmp_path: Path) -> dict[str, Path]:
    home = tmp_path / "home"
    cwd = tmp_path / "somewhere else"
    ws = tmp_path / "Firm Files"
    cwd.mkdir(parents=True)
    upload = home / "Downloads" / "client-upload"
    record_pdf(upload / "mri.pdf", [
        "Westside Imaging Center", "MRI lumbar spine without contrast",
        "Patient: Maria Reyes   Date of service: 2024-03-05",
        "Findings: mild disc bulge at L4-L5.", "Impression: lumbar strain."])
    record_pdf(upload / "pay stub.pdf", [
        "Acme Logistics", "Earnings statement", "Pay period 2024-01-01 to 2024-01-15",
        "Gross pay 2,150.00   Net pay 1,702.33"])
    record_pdf(ws / "Intake" / MATTER / "ER visit 2024-02-14.pdf", [
        "County General Hospital", "Emergency department record",
        "Date of service: 2024-02-14", "Chief complaint: low back pain after collision."])
    text_pdf(cwd / "Exhibit A.pdf", 3, "Exhibit A")
    text_pdf(cwd / "scan.pdf", 2, "Scan")
    binder_pdf(cwd / "binder.pdf")
    text_pdf(cwd / "records" / "er.pdf", 2, "ER record")
    text_pdf(cwd / "records" / "letter.pdf", 1, "Demand letter")
    (cwd / "set.toml").write_text(
        '[set]\nname = "Reyes v. Acme - Plaintiff exhibits"\nlabel_prefix = "Pltf. Ex."\n'
        '[bates]\nprefix = "REYES"\n'
        '[[exhibit]]\nfile = "records/er.pdf"\ndescription = "ER record"\ndate = 2024-02-14\n'
        '[[exhibit]]\nfile = "records/letter.pdf"\ndescription = "Demand letter"\n',
        encoding="utf-8")
    shutil.copyfile(naming_rules_dir() / "litigation.toml", cwd / "naming-rules.toml")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "intake-desktop"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m intake_desktop "$@"\n')
    shim.chmod(0o755)
    return {"home": home, "cwd": cwd, "ws": ws, "bin": bin_dir}


def run_block(stage: dict[str, Path], lines: list[str]) -> list[tuple[str, int, str]]:
    """Run one block in bash; returns (line, exit code, its stdout) for each line run."""
    script = []
    ran = []
    for n, line in enumerate(lines):
        if command_part(line) in NOT_RUN:
            continue
        line = line.replace(WORKSPACE, str(stage["ws"]))
        ran.append(line)
        script += [f'echo "::start {n}"', line, f'echo "::rc {n} $?"']
    env = {k: v for k, v in os.environ.items()
           if k not in ("INTAKE_WORKSPACE", "XDG_DOCUMENTS_DIR", "INTAKE_DEBUG")}
    env.update(HOME=str(stage["home"]), PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen",
               PATH=f"{stage['bin']}:{env['PATH']}")
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=stage["cwd"], env=env,
                          capture_output=True, text=True, timeout=900)
    assert "Traceback" not in done.stderr, done.stderr
    results = []
    chunks = re.split(r"^::start \d+\n", done.stdout, flags=re.M)[1:]
    assert len(chunks) == len(ran), done.stdout + done.stderr
    for line, chunk in zip(ran, chunks, strict=True):
        body, rc = re.match(r"(.*)::rc \d+ (\d+)\n?$", chunk, re.S).groups()  # type: ignore[union-attr]
        results.append((line, int(rc), body))
    return results


def test_readme_has_the_blocks_this_test_runs() -> None:
    commands = [command_part(x) for block in readme_blocks() for x in block]
    assert "intake-desktop demo" in commands
    assert any(c.startswith("intake-desktop fit") for c in commands)
    assert "DESIGN.md" in README.read_text() and (REPO / "docs" / "DESIGN.md").is_file()
    assert "](docs/DESIGN.md)" in README.read_text()
    assert "(each file with its reason)" not in README.read_text()


def test_readme_examples_run_as_written(stage: dict[str, Path]) -> None:
    blocks = [b for b in readme_blocks() if "intake-desktop demo" not in
              [command_part(x) for x in b] and not any("Intake Desktop Demo" in x for x in b)]
    outputs: dict[str, str] = {}
    for block in blocks:
        for line, code, out in run_block(stage, block):
            assert code == 0, (line, out)
            outputs[command_part(line)] = out
    ws, cwd = stage["ws"], stage["cwd"]

    def out_of(prefix: str) -> str:
        return next(v for k, v in outputs.items() if k.startswith(prefix))

    filed = ws / "Matters" / MATTER / "Medical Records" / "Westside Imaging Center"
    assert [p.name for p in filed.iterdir()] == [f"2024-03-05_{MATTER}_MED_mri.pdf"]
    assert "received" in out_of("intake-desktop ledger history 1")
    history = out_of(f'intake-desktop ledger history "Matters/{MATTER}/Medical Records')
    assert [row.split()[3] for row in history.splitlines()[1:]] == [
        "received", "original_preserved", "filed"]
    assert "Seal matched:" in out_of("intake-desktop ledger verify --seal")
    assert (cwd / "custody.csv").read_text().startswith("seq,at,kind")
    assert (ws / "Exports" / "court" / "Exhibit A.pdf").is_file()
    assert (ws / "Exports" / "court" / "scan.pdf").is_file()
    assert (cwd / "court-parts" / "binder.pdf").is_file()
    default_ws = stage["home"] / "Documents" / "Intake Desktop"
    assert (default_ws / "Exports" / "Reyes v. Acme - Plaintiff exhibits").is_dir()
    assert (cwd / "Trial set" / "Exhibit index.pdf").is_file()
    assert "OK" in out_of("intake-desktop rules check naming-rules.toml")
    assert "mri.pdf" in out_of("intake-desktop rules preview")


def test_readme_demo_block_runs_as_written(stage: dict[str, Path]) -> None:
    """`intake-desktop demo` and the commands the README gives to look at it."""
    blocks = [b for b in readme_blocks() if "intake-desktop demo" in
              [command_part(x) for x in b] or any("Intake Desktop Demo" in x for x in b)]
    assert len(blocks) == 2
    for block in blocks:
        for line, code, out in run_block(stage, block):
            assert code == 0, (line, out)
            if line.startswith("intake-desktop ledger verify"):
                assert out.startswith("Ledger OK:")
    assert (stage["home"] / "Documents" / "Intake Desktop Demo" / ".intake").is_dir()
