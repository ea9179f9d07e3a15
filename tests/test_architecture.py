"""The layer contracts of DESIGN.md hold (import-linter, run as part of the suite)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

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


def _pyproject() -> dict[str, Any]:
    with open(REPO / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


# core/desks/ is itself a facade (what the window's pages ask of core): its modules are
# what the front ends import. Every other subsystem package is reached only through its
# package (`intake_desktop.core.<pkg>`, whose __init__ exports what the front ends use).
FACADE_PACKAGES = {"desks"}


def test_every_core_subsystem_is_behind_the_front_end_contract() -> None:
    contracts = {c["name"]: c for c in _pyproject()["tool"]["importlinter"]["contracts"]}
    contract = contracts["front ends reach core through app.py and the core facades"]
    assert set(contract["source_modules"]) == {
        "intake_desktop.cli", "intake_desktop.commands", "intake_desktop.qt"}
    forbidden = set(contract["forbidden_modules"])
    core = REPO / "intake_desktop" / "core"
    packages = sorted(p.parent.name for p in core.glob("*/__init__.py"))
    assert packages, "no core packages found"
    missing = [p for p in packages
               if p not in FACADE_PACKAGES and f"intake_desktop.core.{p}.*" not in forbidden]
    assert missing == [], (f"core packages whose inner modules the front ends may import: "
                           f"{missing}; add intake_desktop.core.<pkg>.* to the contract")
    stale = {m for m in forbidden
             if not (REPO / "intake_desktop" / "core" / m.split(".")[2]).is_dir()}
    assert stale == set(), f"the contract names packages that no longer exist: {stale}"


def test_mypy_lets_no_intake_desktop_import_go_missing() -> None:
    mypy = _pyproject()["tool"]["mypy"]
    assert "ignore_missing_imports" not in mypy, (
        "a global ignore_missing_imports hides imports of moved intake_desktop modules; "
        "list the third-party modules without type information in [[tool.mypy.overrides]]")
    for override in mypy.get("overrides", []):
        modules = override["module"]
        modules = [modules] if isinstance(modules, str) else modules
        if override.get("ignore_missing_imports"):
            assert not [m for m in modules if m.startswith("intake_desktop")], override
