"""Start-up of the command line (issue 16): a command loads its own module, not every
command's engines, and the parser it builds is the one the full parser has for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from intake_desktop.cli import COMMANDS, build_parser, command_named
from intake_desktop.commands.common import subparsers_of
from intake_desktop.core.workspace import init_workspace
from tests.conftest import REPO, write_file

MATTER = "2024-0031 Start"

# Engines the `ingest` command never needs (each costs a noticeable part of a second).
NOT_FOR_INGEST = (
    "intake_desktop.commands.demo", "intake_desktop.commands.exhibits",
    "intake_desktop.commands.produce", "intake_desktop.commands.checklist",
    "intake_desktop.core.exhibits", "intake_desktop.core.production",
    "intake_desktop.core.demo", "docx",
)


def test_the_command_word_is_found_past_the_global_options() -> None:
    assert command_named(["--workspace", "ingest", "ingest", "x"]) == "ingest"
    assert command_named(["--json", "--db", "sqlite:///x", "ledger", "verify"]) == "ledger"
    assert command_named(["ingset", "x"]) is None  # a typo: the full parser says so
    assert command_named(["--help"]) is None and command_named(["--version"]) is None
    assert command_named(["--workspace", "w"]) == "gui"  # no word: the window


def test_each_command_alone_builds_the_parser_the_full_one_has() -> None:
    full = dict(subparsers_of(build_parser()))
    assert sorted(full) == sorted(COMMANDS)
    for name in COMMANDS:
        alone = dict(subparsers_of(build_parser(name)))
        assert list(alone) == [name]
        assert alone[name].format_help() == full[name].format_help()


def test_ingest_loads_no_other_command_engine(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    init_workspace(root).rules_path.unlink()
    data = write_file(root / "Intake" / MATTER / "letter.pdf", 5000)
    probe = (
        "import sys\n"
        "from intake_desktop.cli import main\n"
        f"code = main(['--workspace', {str(root)!r}, 'ingest', '--json', "
        f"{str(root / 'Intake')!r}])\n"
        "print('MODULES', ' '.join(sorted(sys.modules)))\n"
        "sys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                          text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    result = json.loads(lines[0])
    assert result["status"] == "filed" and Path(result["path"]).read_bytes() == data
    loaded = set(lines[-1].split()[1:])
    assert "intake_desktop.commands.ingest" in loaded
    assert not [m for m in loaded if m.startswith(NOT_FOR_INGEST)], sorted(
        m for m in loaded if m.startswith(NOT_FOR_INGEST))
