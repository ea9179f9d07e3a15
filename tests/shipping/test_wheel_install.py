"""The wheel, installed into a fresh virtual environment outside the checkout, works as a new
user would use it, from another working directory."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import fitpdfs

REPO = Path(__file__).resolve().parents[2]
PRESETS = ("litigation", "personal-injury", "immigration")
SKIP_COPY = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info",
                                   "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache")


def build_wheel(out: Path, scratch: Path) -> Path:
    """Build from a copy of the tree, so nothing is written into the checkout."""
    source = scratch / "source"
    shutil.copytree(REPO, source, ignore=SKIP_COPY)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                    str(out), str(source)], check=True, timeout=900)
    wheels = list(out.glob("intake_desktop-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def user_env(home: Path, venv: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "INTAKE_WORKSPACE", "INTAKE_DATA_ROOT", "VIRTUAL_ENV")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local/share"), QT_QPA_PLATFORM="offscreen",
               PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    return env


@pytest.mark.slow
def test_installed_wheel_works_outside_the_checkout(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "dist", tmp_path)
    names = set(subprocess.run(["unzip", "-Z1", str(wheel)], capture_output=True, text=True,
                               check=True).stdout.split())
    for preset in PRESETS:
        assert f"intake_desktop/_data/naming_rules/{preset}.toml" in names
    assert "intake_desktop/_data/resources/courts/cand.toml" in names
    assert "intake_desktop/_data/resources/icons/app.svg" in names
    assert "intake_desktop/_data/examples/exhibits-reyes-v-acme.toml" in names
    assert "intake_desktop/core/ledger/migrations/versions/0001_initial.py" in names

    venv = tmp_path / "venv"
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    env = user_env(home, venv)  # no PYTHONPATH: pip must not see the checkout's package
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                    str(wheel)], check=True, timeout=1500, env=env, cwd=elsewhere)
    exe = str(venv / "bin" / "intake-desktop")

    def run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([exe, *args], cwd=elsewhere, env=env, capture_output=True,
                              text=True, timeout=timeout, check=False)
        assert done.returncode == 0, f"{args}: {done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done

    # no source tree on sys.path: the installed package is used
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import intake_desktop; print(intake_desktop.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    assert str(venv) in where.stdout

    for preset in PRESETS:
        ws = elsewhere / f"ws {preset}"
        run("init", "--workspace", str(ws), "--preset", preset)
        rules = ws / ".intake" / "rules.toml"
        assert rules.read_bytes() == (REPO / "naming_rules" / f"{preset}.toml").read_bytes()
        check = run("rules", "check", "--workspace", str(ws))
        assert "error" not in check.stderr.lower()

    pdf = fitpdfs.text_pdf(elsewhere / "Motion.pdf", pages=6, letterhead_kb=20,
                           words_per_page=120)
    fit = json.loads(run("fit", str(pdf), "--court", "cand", "--out", str(elsewhere / "court"),
                         "--json").stdout.splitlines()[-1])
    assert fit["ok"] is True and fit["parts"]
    assert Path(fit["parts"][0]["path"]).read_bytes().startswith(b"%PDF")

    demo = elsewhere / "demo"
    run("demo", "--workspace", str(demo), timeout=900)
    assert any((demo / "Matters").rglob("*.pdf"))

    doctor = json.loads(run("doctor", "--json", "--workspace", str(demo)).stdout)
    assert doctor["ok"] is True
    data = next(r for r in doctor["checks"] if r["name"] == "shipped data")
    assert data["version"] == "package data" and str(venv) in data["path"]
    spec = Path(data["path"]) / "examples" / "exhibits-reyes-v-acme.toml"
    built = json.loads(run("exhibits", "build", str(spec), "--workspace", str(demo), "--out",
                           str(elsewhere / "exhibits"), "--json").stdout.splitlines()[-1])
    assert any((elsewhere / "exhibits").rglob("*.pdf")), built
    run("ledger", "verify", "--workspace", str(demo))

    # the window, offscreen, for a few seconds: it must stay up and print nothing
    window = subprocess.Popen([exe, "--workspace", str(demo)], cwd=elsewhere, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(8)
        assert window.poll() is None, window.communicate()
    finally:
        window.send_signal(signal.SIGTERM)
        out, err = window.communicate(timeout=60)
    assert out == "" and err == "", err
