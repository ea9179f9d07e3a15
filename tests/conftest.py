"""Shared fixtures: real workspaces (with spaces and non-ASCII in the path) and real files."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake_desktop.app import App, open_app
from intake_desktop.core.filing import Filer
from intake_desktop.core.workspace import Workspace, init_workspace

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def ws_root(tmp_path: Path) -> Path:
    return tmp_path / "Firm Work space ñé"


@pytest.fixture
def workspace(ws_root: Path) -> Workspace:
    ws = init_workspace(ws_root)
    ws.rules_path.unlink(missing_ok=True)  # built-in routing here; rules: tests/core/rules
    return ws


@pytest.fixture
def app(workspace: Workspace) -> Iterator[App]:
    application = open_app(str(workspace.root))
    yield application
    application.close()


@pytest.fixture
def filer(app: App) -> Filer:
    from intake_desktop.app import build_filer

    return build_filer(app)


def write_file(path: Path, size: int = 2048, seed: int | None = None) -> bytes:
    """A file of pseudo-random bytes (distinct per seed)."""
    rng = random.Random(seed if seed is not None else str(path))
    data = rng.randbytes(size)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def run_cli(*args: str, env: dict[str, str] | None = None,
            timeout: float = 120, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m intake_desktop ARGS` from the repository root (`input`: its stdin,
    e.g. a passphrase for `--passphrase-stdin`)."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "intake_desktop", *args],
        cwd=REPO, env=full_env, capture_output=True, text=True, timeout=timeout,
        input=input,
    )
