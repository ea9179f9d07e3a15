"""The PyInstaller bundle (`make bundle`) runs with no Python beside it: doctor, demo, window.

Building takes minutes (about 4 on a quiet 2-core machine, over 10 when it is busy), so it
runs when INTAKE_TEST_BUNDLE=1, which .ci/run sets. `make bundle` builds the same thing.
"""

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

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "packaging" / "intake-desktop.spec"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.bundle,
    pytest.mark.skipif(os.environ.get("INTAKE_TEST_BUNDLE") != "1",
                       reason="builds the PyInstaller bundle: set INTAKE_TEST_BUNDLE=1 "
                              "(.ci/run does)"),
]


def path_without_python(folder: Path) -> str:
    """A PATH with the system's programs (LibreOffice, Tesseract...) but no Python at all."""
    folder.mkdir()
    for system_bin in (Path("/usr/bin"), Path("/bin")):
        for entry in system_bin.iterdir():
            target = folder / entry.name
            if not entry.name.startswith(("python", "pip", "pydoc")) and not target.exists():
                target.symlink_to(entry)
    return str(folder)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pyinstaller = shutil.which("pyinstaller", path=str(Path(sys.executable).parent))
    if pyinstaller is None:
        pytest.skip("PyInstaller is not installed (pip install '.[bundle]')")
    out = tmp_path_factory.mktemp("bundle")
    icons = REPO / "build" / "icons"
    subprocess.run([sys.executable, str(REPO / "packaging" / "make_icons.py"), str(icons)],
                   check=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=300)
    subprocess.run([pyinstaller, "--noconfirm", "--log-level", "ERROR", "--distpath",
                    str(out / "dist"), "--workpath", str(out / "work"), str(SPEC)],
                   check=True, cwd=out, timeout=3000)
    folder = out / "dist" / "intake-desktop"
    subprocess.run([str(REPO / "packaging" / "bundle-share.sh"), str(folder), str(icons)],
                   check=True, timeout=120)
    return folder


def bundle_env(home: Path, bin_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "INTAKE_"))}
    env.update(PATH=path_without_python(bin_dir), HOME=str(home), QT_QPA_PLATFORM="offscreen",
               XDG_CONFIG_HOME=str(home / ".config"))
    return env


def test_bundle_runs_doctor_demo_and_the_window(bundle: Path, tmp_path: Path) -> None:
    exe = bundle / "intake-desktop"
    assert exe.is_file()
    assert (bundle / "share/applications/intake-desktop.desktop").is_file()
    assert (bundle / "share/icons/hicolor/256x256/apps/intake-desktop.png").is_file()
    assert (bundle / "share/metainfo/com.intakedesktop.IntakeDesktop.metainfo.xml").is_file()
    assert not any(bundle.rglob("libQt6WebEngineCore*")), "unused Qt modules were bundled"
    assert any(bundle.rglob("libQt6Pdf.so*")), "QtPdf is missing"
    assert any(bundle.rglob("libqoffscreen.so")) and any(bundle.rglob("libqxcb.so"))
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = bundle_env(home, tmp_path / "bin")

    demo_dir = work / "demo"
    done = subprocess.run([str(exe), "demo", "--workspace", str(demo_dir)], cwd=work, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    filed = list((demo_dir / "Matters").rglob("*.pdf"))
    assert len(filed) > 20
    assert any((demo_dir / "Exports").rglob("Exhibit index.pdf"))

    done = subprocess.run([str(exe), "doctor", "--json", "--workspace", str(demo_dir)],
                          cwd=work, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["ok"] is True, done.stdout + done.stderr
    rows = {r["name"]: r for r in report["checks"]}
    assert rows["shipped data"]["version"] == "package data"
    assert str(bundle) in rows["shipped data"]["path"]
    assert rows["Qt platform plugin"]["found"] and rows["QtPdf"]["found"]
    assert rows["LibreOffice"]["found"] and rows["Tesseract languages"]["found"]

    done = subprocess.run([str(exe), "ledger", "verify", "--workspace", str(demo_dir)],
                          cwd=work, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr

    window = subprocess.Popen([str(exe), "--workspace", str(demo_dir)], cwd=work, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(8)
        assert window.poll() is None, window.communicate()
    finally:
        window.send_signal(signal.SIGTERM)
        out, err = window.communicate(timeout=60)
    assert out == "" and err == "", err
