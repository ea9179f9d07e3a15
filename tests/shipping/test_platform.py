"""core/platform.py: Linux-only calls live there only, each fallback works, and the filing
protocol, crash recovery and the watcher pass again with the fallbacks forced."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path, PureWindowsPath

import pytest

from intake_desktop.core import platform
from intake_desktop.core.watch.observers import plan_folder
from intake_desktop.core.watch.settings import WatchSettings
from intake_desktop.core.workspace import IntakeFolder

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "intake_desktop"

# Calls that exist only on Linux (or behave differently there), by the text that makes them.
LINUX_ONLY = {
    "kernel read lease": re.compile(r"F_SETLEASE|F_GETLEASE|\bimport fcntl\b|\bfcntl\."),
    "/proc/mounts": re.compile(r"/proc/"),
    "hard-link rename": re.compile(r"\bos\.link\("),
    "directory fsync": re.compile(r"os\.open\([^)]*(folder|dir|parent)|O_DIRECTORY"),
    "inotify specifics": re.compile(r"inotify|IN_CLOSE_WRITE"),
    "platform test": re.compile(r"sys\.platform\.startswith\(\"linux\"\)"),
}


def code_without_docs(source: str) -> str:
    """The module's code with comments and docstrings removed (they may name these calls)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(
                body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            body[0] = ast.Pass()
    return ast.unparse(tree)


def test_linux_only_calls_appear_only_in_the_platform_module() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "core" / "platform.py":
            continue
        code = code_without_docs(path.read_text(encoding="utf-8"))
        for line in code.splitlines():
            for what, pattern in LINUX_ONLY.items():
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(REPO)}: {what}: {line.strip()}")
    assert offenders == []


def test_the_scan_would_catch_a_lease_call() -> None:
    line = "    fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)"
    assert LINUX_ONLY["kernel read lease"].search(line)
    assert LINUX_ONLY["hard-link rename"].search("os.link(tmp, dest)")
    assert LINUX_ONLY["directory fsync"].search("fd = os.open(folder, os.O_RDONLY)")


@pytest.mark.parametrize("forced", [False, True])
def test_rename_no_clobber_never_replaces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          forced: bool) -> None:
    if forced:
        monkeypatch.setenv(platform.FORCE_ENV, "1")
    else:
        monkeypatch.delenv(platform.FORCE_ENV, raising=False)
    tmp, dest = tmp_path / ".x.tmp", tmp_path / "x.pdf"
    tmp.write_bytes(b"new")
    dest.write_bytes(b"client evidence")
    with pytest.raises(FileExistsError):
        platform.rename_no_clobber(tmp, dest)
    assert dest.read_bytes() == b"client evidence" and tmp.read_bytes() == b"new"
    free = tmp_path / "y.pdf"
    platform.rename_no_clobber(tmp, free)
    assert free.read_bytes() == b"new" and not tmp.exists()
    platform.fsync_dir(tmp_path)  # durable on POSIX; a no-op in the fallback


def test_forced_fallbacks_switch_off_linux_features(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "scan.pdf"
    f.write_bytes(b"%PDF")
    monkeypatch.setenv(platform.FORCE_ENV, "1")
    assert platform.enable_lease_checks() is False
    assert platform.writer_active(f) is None
    assert platform.close_events_supported() is False
    assert platform.mount_table() is None and platform.fs_type(tmp_path) is None
    assert platform.is_network_fs(tmp_path) is False
    monkeypatch.delenv(platform.FORCE_ENV)
    if sys.platform.startswith("linux"):
        assert platform.fs_type(tmp_path) is not None
        with f.open("ab"):
            assert platform.enable_lease_checks() and platform.writer_active(f) is True
        assert platform.writer_active(f) is False


def test_macos_mount_output_is_read() -> None:
    text = ("/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)\n"
            "//jane@nas.firm.local/Client%20Files on /Volumes/Client Files "
            "(smbfs, nodev, nosuid, mounted by jane)\n")
    pairs = platform.parse_bsd_mount(text)
    assert pairs == [("/", "apfs"), ("/Volumes/Client Files", "smbfs")]
    assert platform._longest_match("/Volumes/Client Files/Intake", pairs) == "smbfs"


@pytest.mark.parametrize(("text", "drive", "parts", "unc"), [
    (r"C:\Firm Files\Intake", "C:", ("Firm Files", "Intake"), False),
    ("c:/Firm Files/Intake/", "c:", ("Firm Files", "Intake"), False),
    (r"\\nas\Client Files\Intake\Reyes", r"\\nas\Client Files", ("Intake", "Reyes"), True),
    ("//nas/scans/in", "\\\\nas\\scans", ("in",), True),
    (r"Intake\Reyes", "", ("Intake", "Reyes"), False),
])
def test_windows_drive_letters_and_unc_shares(text: str, drive: str, parts: tuple[str, ...],
                                              unc: bool) -> None:
    assert platform.windows_path_parts(text) == (drive, parts)
    assert platform.is_unc(text) is unc
    assert platform.is_unc(PureWindowsPath(text)) is unc
    assert platform.is_network_fs(Path(text)) is unc


def test_an_intake_folder_on_a_unc_share_is_polled() -> None:
    fw = plan_folder(0, IntakeFolder(Path(r"\\nas\Client Files\Intake")), WatchSettings(),
                     mounts_text="")
    assert fw.polling and fw.network and "smb" in fw.why


def test_case_sensitivity_is_found_without_writing(tmp_path: Path) -> None:
    (tmp_path / "Matters").mkdir()
    before = sorted(os.listdir(tmp_path))
    assert platform.is_case_sensitive(tmp_path) is True  # ext4/tmpfs here
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.slow
def test_filing_recovery_and_watcher_pass_with_the_portable_fallbacks(tmp_path: Path) -> None:
    """The paths Windows and macOS take: no leases, no hard links, no folder fsync, no
    close-after-write events, no mount table. The plugin also proves no Linux-only call ran."""
    report = tmp_path / "calls.txt"
    env = {**os.environ, "PYTHONPATH": str(REPO), "INTAKE_FORCE_REPORT": str(report),
           "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.shipping.force_portable",
         "-p", "no:cacheprovider", "tests/core/filing/test_filing.py",
         "tests/core/filing/test_fault_injection.py", "tests/core/watch/test_watch.py",
         "-k", "not writer_active"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=1800, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and " failed" not in done.stdout
    assert report.read_text(encoding="utf-8") == ""  # no os.link, no fcntl
