"""Where the external programs are (LibreOffice, Tesseract, OCRmyPDF), on every platform.

Looked for in this order: a configured path (the workspace's `[engines]` table or an
`INTAKE_<NAME>` environment variable, e.g. INTAKE_SOFFICE), the PATH, then the places each
platform's installers put them (Program Files on Windows, /Applications and Homebrew on
macOS, /usr/lib and /opt on Linux), which are often not on the PATH of a desktop app.
`INTAKE_ENGINES_PATH_ONLY=1` skips those places (the tests hide an engine with an empty PATH).
"""

from __future__ import annotations

import glob
import os
import shutil
import sys
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from intake_desktop.core.errors import WorkspaceError
from intake_desktop.core.workspace import read_config


@dataclass(frozen=True)
class Engine:
    """One external program: the names it goes by and where installers put it."""

    key: str
    names: tuple[str, ...]
    windows: tuple[str, ...] = ()  # below each Program Files folder; glob patterns allowed
    macos: tuple[str, ...] = ()
    linux: tuple[str, ...] = ()


ENGINES = {
    "soffice": Engine(
        "soffice", ("soffice", "libreoffice"),
        windows=("LibreOffice/program/soffice.exe", "LibreOffice*/program/soffice.exe"),
        macos=("/Applications/LibreOffice.app/Contents/MacOS/soffice",
               "~/Applications/LibreOffice.app/Contents/MacOS/soffice"),
        linux=("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice*/program/soffice",
               "/usr/local/bin/soffice", "/snap/bin/libreoffice"),
    ),
    "tesseract": Engine(
        "tesseract", ("tesseract",),
        windows=("Tesseract-OCR/tesseract.exe",),
        macos=("/opt/homebrew/bin/tesseract", "/usr/local/bin/tesseract",
               "/opt/local/bin/tesseract"),
        linux=("/usr/bin/tesseract", "/usr/local/bin/tesseract"),
    ),
    "ocrmypdf": Engine(
        "ocrmypdf", ("ocrmypdf",),
        windows=("Python3*/Scripts/ocrmypdf.exe",),
        macos=("/opt/homebrew/bin/ocrmypdf", "/usr/local/bin/ocrmypdf"),
        linux=("/usr/bin/ocrmypdf", "/usr/local/bin/ocrmypdf", "~/.local/bin/ocrmypdf"),
    ),
}


PATH_ONLY_ENV = "INTAKE_ENGINES_PATH_ONLY"


def env_name(key: str) -> str:
    return f"INTAKE_{key.upper()}"


def engine_config(config_path: Path) -> dict[str, str]:
    """The `[engines]` table of a workspace's config.toml: paths by engine key."""
    try:
        table = read_config(config_path).data.get("engines", {})
    except WorkspaceError:
        return {}  # the workspace loader reports an unreadable config itself
    if not isinstance(table, dict):
        return {}
    return {str(k): str(v) for k, v in table.items() if str(k) in ENGINES and v}


def apply_engine_config(config_path: Path) -> None:
    """Make the workspace's `[engines]` paths what every later lookup in this process uses
    (as INTAKE_<NAME>; a variable the admin already set wins)."""
    for key, path in engine_config(config_path).items():
        os.environ.setdefault(env_name(key), path)


def _program_files() -> list[Path]:
    roots = []
    for var in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432", "LOCALAPPDATA"):
        value = os.environ.get(var)
        if value:
            roots.append(Path(value))
            if var == "LOCALAPPDATA":
                roots.append(Path(value) / "Programs")
    return roots or [Path("C:/Program Files"), Path("C:/Program Files (x86)")]


def standard_locations(key: str, system: str | None = None) -> list[Path]:
    """The install locations searched for `key` on `system` ("win32", "darwin", "linux")."""
    engine = ENGINES[key]
    system = system or sys.platform
    patterns: list[str] = []
    if system.startswith("win"):
        patterns = [str(root / p) for root in _program_files() for p in engine.windows]
    elif system == "darwin":
        patterns = [os.path.expanduser(p) for p in engine.macos]
    else:
        patterns = [os.path.expanduser(p) for p in engine.linux]
    found: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern)) if any(c in pattern for c in "*?[") else [pattern]
        found.extend(Path(m) for m in matches)
    return found


def _runnable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_engine(key: str, configured: str | None = None,
                search_path: str | None = None) -> Path | None:
    """The program `key`, or None. `configured`: a path from the config (wins when it
    exists); `search_path`: a PATH to search instead of this process's."""
    engine = ENGINES[key]
    for explicit in (configured, os.environ.get(env_name(key))):
        if explicit:
            path = Path(explicit).expanduser()
            return path if _runnable(path) else None
    for name in engine.names:
        hit = shutil.which(name, path=search_path)
        if hit:
            return Path(hit)
    if os.environ.get(PATH_ONLY_ENV, "") not in ("", "0"):
        return None  # the PATH only (tests hide engines this way)
    for path in standard_locations(key):
        if _runnable(path):
            return path
    return None


# ---- what an engine said about itself, asked once --------------------------------------------

T = TypeVar("T")
# Answers of engine probes (`ocrmypdf --version` alone costs half a second of processor time)
# by key; a process forked later (a preparation worker) starts with them. A key names the
# program by path and file identity, so a program replaced at the same path is asked again.
_answers: dict[Hashable, object] = {}
_asking: dict[Hashable, threading.Event] = {}
_guard = threading.Lock()


def identity(path: Path | str | None) -> tuple[object, ...]:
    """`path` and the identity of the file there (inode, size, modification time)."""
    if path is None:
        return (None,)
    try:
        st = os.stat(path)
    except OSError:
        return (str(path), None)
    return (str(path), st.st_ino, st.st_size, st.st_mtime_ns)


def asked_once(key: Hashable, ask: Callable[[], T], keep: Callable[[T], bool]) -> T:
    """`ask()` the first time `key` is wanted in this process, the same answer afterwards
    (only an answer `keep` accepts is kept: a program that ran out of time is asked again).
    A caller wanting a key being asked on another thread waits for that answer."""
    while True:
        if key in _answers:
            return cast(T, _answers[key])
        with _guard:
            asking = _asking.get(key)
            mine = asking is None
            if mine:
                asking = _asking[key] = threading.Event()
        assert asking is not None
        if not mine:
            asking.wait()
            continue
        try:
            answer = ask()
            if keep(answer):
                _answers[key] = answer
            return answer
        finally:
            with _guard:
                _asking.pop(key, None)
            asking.set()


def _forget_asking() -> None:
    """In a forked child: a question another thread of the parent was asking has nobody to
    answer it here."""
    global _guard
    _guard = threading.Lock()
    _asking.clear()


def ask_versions_early() -> None:
    """Start asking LibreOffice and the OCR programs (as an app with default settings finds
    them) for their versions, on background threads: a later `ocr_available` or
    `LibreOffice.version` in this process, or in a process it forks after the answer came,
    takes the answer instead of starting the programs again."""
    def ocr() -> None:
        from intake_desktop.core.ocr.engine import ocr_available

        ocr_available()

    def office() -> None:
        from intake_desktop.core.convert.office import LibreOffice

        _ = LibreOffice.discover().version

    for ask in (ocr, office):
        threading.Thread(target=ask, name=f"ask-{ask.__name__}", daemon=True).start()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_asking)
