"""The layer contracts of DESIGN.md hold (import-linter, run as part of the suite)."""

from __future__ import annotations

import os
from pathlib import Path

from importlinter.cli import lint_imports

REPO = Path(__file__).resolve().parents[1]


def test_core_never_imports_qt_and_only_the_ledger_touches_the_database() -> None:
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        assert lint_imports(config_filename=str(REPO / "pyproject.toml")) == 0
    finally:
        os.chdir(cwd)


def test_core_imports_without_pyside6_loaded() -> None:
    import subprocess
    import sys

    code = (
        "import sys, intake_desktop.core.filing, intake_desktop.core.custody;"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt loaded'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
