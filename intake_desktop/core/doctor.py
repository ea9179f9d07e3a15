"""`doctor`: is every external engine and platform piece this workspace needs in place?

One `Check` row per piece: found or not, version, where, which feature is off without it,
and the install line per platform. `needed` marks what the workspace cannot do without
(the exit code of `doctor`); the rest only turns a feature off. Nothing here writes.
"""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from intake_desktop import __version__
from intake_desktop.core import engines, platform, shipped
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ocr.settings import load_ocr_settings
from intake_desktop.core.shipped import self_command
from intake_desktop.core.workspace import Workspace

__all__ = ["Check", "Report", "run_checks", "self_command"]

PLATFORMS = ("debian", "fedora", "macos", "windows")
VERSION_TIMEOUT_S = 30.0
MIN_FREE_BYTES = 1 << 30  # below 1 GiB a large upload or exhibit set may not fit


def install(debian: str, fedora: str, macos: str, windows: str) -> dict[str, str]:
    return {"debian": debian, "fedora": fedora, "macos": macos, "windows": windows}


INSTALL = {
    "soffice": install(
        "sudo apt-get install libreoffice-writer-nogui libreoffice-calc-nogui "
        "libreoffice-impress-nogui",
        "sudo dnf install libreoffice-writer libreoffice-calc libreoffice-impress",
        "brew install --cask libreoffice",
        "winget install -e --id TheDocumentFoundation.LibreOffice",
    ),
    "tesseract": install(
        "sudo apt-get install tesseract-ocr",
        "sudo dnf install tesseract",
        "brew install tesseract",
        "winget install -e --id UB-Mannheim.TesseractOCR",
    ),
    "ocrmypdf": install(
        "sudo apt-get install ocrmypdf",
        "sudo dnf install ocrmypdf",
        "brew install ocrmypdf",
        "winget install -e --id ArtifexSoftware.GhostScript; then: pipx install ocrmypdf",
    ),
    "libmagic": install(
        "sudo apt-get install libmagic1",
        "sudo dnf install file-libs",
        "brew install libmagic",
        "included in the Windows installer (pip install python-magic-bin for a wheel install)",
    ),
    "qt": install(
        "sudo apt-get install libxcb-cursor0 libxkbcommon-x11-0 libegl1 libgl1",
        "sudo dnf install xcb-util-cursor libxkbcommon-x11 mesa-libEGL",
        "included in the app bundle (wheel install: pipx reinstall intake-desktop)",
        "included in the installer (wheel install: pipx reinstall intake-desktop)",
    ),
    "qtpdf": install(
        "pipx inject intake-desktop 'PySide6-Addons<6.12'",
        "pipx inject intake-desktop 'PySide6-Addons<6.12'",
        "included in the app bundle (wheel: pipx inject intake-desktop 'PySide6-Addons<6.12')",
        "included in the installer (wheel: pipx inject intake-desktop 'PySide6-Addons<6.12')",
    ),
    "shipped": install(*(["pipx reinstall intake-desktop, or run the installer again"] * 4)),
}


def language_install(codes: Iterable[str]) -> dict[str, str]:
    codes = list(codes)
    return install(
        "sudo apt-get install " + " ".join(f"tesseract-ocr-{c}" for c in codes),
        "sudo dnf install " + " ".join(f"tesseract-langpack-{c}" for c in codes),
        "brew install tesseract-lang",
        "run the Tesseract installer again and tick the languages "
        + ", ".join(codes) + " under Additional language data",
    )


@dataclass(frozen=True)
class Check:
    """One row of the report."""

    name: str
    found: bool
    version: str = ""
    path: str = ""
    feature: str = ""  # what is off without it
    install: dict[str, str] = field(default_factory=dict)
    needed: bool = True  # the workspace cannot work without it
    detail: str = ""

    @property
    def blocking(self) -> bool:
        return self.needed and not self.found

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]
    workspace: str

    @property
    def ok(self) -> bool:
        return not any(c.blocking for c in self.checks)

    @property
    def missing(self) -> list[str]:
        return [c.name for c in self.checks if c.blocking]

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "missing": self.missing, "workspace": self.workspace,
                "version": __version__, "system": sys.platform,
                "checks": [c.to_json() for c in self.checks]}

    def text(self) -> str:
        """The report as plain text (the CLI and the window's "Copy report")."""
        lines = [f"Intake Desktop {__version__} on {sys.platform}, workspace {self.workspace}"]
        for c in self.checks:
            mark = "ok     " if c.found else ("MISSING" if c.needed else "off    ")
            where = f" {c.path}" if c.path else ""
            version = f" {c.version}" if c.version else ""
            lines.append(f"{mark} {c.name}:{version}{where}")
            if c.detail:
                lines.append(f"        {c.detail}")
            if not c.found:
                lines.append(f"        without it: {c.feature}")
                if len(set(c.install.values())) == 1:
                    lines.append(f"        fix: {next(iter(c.install.values()))}")
                else:
                    lines.extend(f"        {system}: {line}" for system, line in c.install.items())
        lines.append("Everything this workspace needs is in place." if self.ok else
                     "Missing what this workspace needs: " + ", ".join(self.missing) + ".")
        return "\n".join(lines)


def _run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=VERSION_TIMEOUT_S,
                              env=env, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        return -1, str(exc)
    return done.returncode, (done.stdout or "") + (done.stderr or "")


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[0] if lines else ""


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # system tools must not see our modules
    return env


def check_shipped() -> Check:
    try:
        root = shipped.data_root()
        presets = sorted(p.stem for p in shipped.naming_rules_dir().glob("*.toml"))
        courts = len(list(shipped.courts_dir().glob("*.toml")))
    except IntakeError as exc:
        return Check("shipped data", False, feature="naming presets, court profiles, icons",
                     install=INSTALL["shipped"], detail=str(exc))
    return Check("shipped data", bool(presets) and courts > 0, shipped.data_origin(), str(root),
                 "naming presets, court profiles, icons", INSTALL["shipped"],
                 detail=f"presets: {', '.join(presets)}; {courts} court profiles")


def check_soffice(configured: str | None) -> Check:
    feature = "Word, Excel, PowerPoint and OpenDocument files are filed as received, not as PDF"
    path = engines.find_engine("soffice", configured)
    if path is None:
        return Check("LibreOffice", False, feature=feature, install=INSTALL["soffice"])
    code, out = _run([str(path), "--version"], _clean_env())
    version = _first_line(out).removeprefix("LibreOffice ").split(" ")[0] if code == 0 else ""
    return Check("LibreOffice", code == 0, version, str(path), feature, INSTALL["soffice"],
                 detail="" if code == 0 else f"does not run: {_first_line(out)}")


def check_tesseract(configured: str | None, languages: list[str],
                    ocr_on: bool) -> tuple[Check, Check]:
    feature = "scans are filed without a text layer and flagged not text-searchable"
    lang_name = "Tesseract languages"
    path = engines.find_engine("tesseract", configured)
    if path is None:
        return (Check("Tesseract", False, feature=feature, install=INSTALL["tesseract"],
                      needed=ocr_on),
                Check(lang_name, False, feature=feature, install=language_install(languages),
                      needed=ocr_on, detail="Tesseract is not installed"))
    env = _clean_env()
    code, out = _run([str(path), "--version"], env)
    version = _first_line(out).removeprefix("tesseract ")
    tess = Check("Tesseract", code == 0, version, str(path), feature, INSTALL["tesseract"],
                 needed=ocr_on)
    _code, listed = _run([str(path), "--list-langs"], env)
    lines = listed.splitlines()
    installed = sorted({ln.strip() for ln in lines[1:] if ln.strip() and " " not in ln.strip()})
    where = lines[0].partition('"')[2].rpartition('"')[0] if lines else ""
    missing = [c for c in languages if c not in installed]
    detail = f"needed: {'+'.join(languages)}"
    if missing:
        detail += f"; missing: {', '.join(missing)}"
    if os.environ.get("TESSDATA_PREFIX"):
        detail += f"; TESSDATA_PREFIX={os.environ['TESSDATA_PREFIX']}"
    langs = Check(lang_name, not missing, ", ".join(installed) or "none", where,
                  f"OCR in {'+'.join(missing or languages)}: " + feature,
                  language_install(missing or languages), needed=ocr_on, detail=detail)
    return tess, langs


def check_ocrmypdf(configured: str | None, ocr_on: bool) -> Check:
    feature = "scans are filed without a text layer and flagged not text-searchable"
    path = engines.find_engine("ocrmypdf", configured)
    if path is None:
        return Check("OCRmyPDF", False, feature=feature, install=INSTALL["ocrmypdf"],
                     needed=ocr_on)
    code, out = _run([str(path), "--version"], _clean_env())
    return Check("OCRmyPDF", code == 0, _first_line(out), str(path), feature,
                 INSTALL["ocrmypdf"], needed=ocr_on,
                 detail="" if code == 0 else f"does not run: {_first_line(out)}")


def check_libmagic() -> Check:
    feature = "files cannot be recognized by their content, so nothing can be filed"
    try:
        import magic

        kind = magic.from_buffer(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", mime=True)
        version = str(magic.version()) if hasattr(magic, "version") else ""
    except Exception as exc:  # ImportError, or the library failing to load
        return Check("libmagic", False, feature=feature, install=INSTALL["libmagic"],
                     detail=f"{exc.__class__.__name__}: {exc}")
    version = f"{version[:1]}.{version[1:]}" if version.isdigit() else version
    where = ctypes.util.find_library("magic") or ""
    return Check("libmagic", kind == "application/pdf", version, where, feature,
                 INSTALL["libmagic"], detail="" if kind == "application/pdf" else kind)


def check_ledger(workspace: Workspace, url: str) -> Check:
    from intake_desktop.core.ledger.status import schema_status

    feature = "nothing can be filed or recorded (chain of custody)"
    fix = install(*([f'intake-desktop init --workspace "{workspace.root}"'] * 4))
    if not workspace.is_initialized():
        return Check("ledger database", False, feature=feature, install=fix,
                     needed=False, detail=f"{workspace.root} is not a workspace yet")
    status = schema_status(url)
    shown = url.split("@")[-1] if "@" in url else url  # never print a password
    version = ",".join(status.current) or "empty"
    if status.error:
        return Check("ledger database", False, "", shown, feature, fix, detail=status.error)
    detail = "schema up to date" if status.up_to_date else (
        f"schema {version}, this version expects {','.join(status.heads)}: it is upgraded "
        "when the app next opens it")
    ahead = set(status.current) - set(status.heads)
    if ahead:
        detail = (f"the ledger was written by a newer Intake Desktop (revision "
                  f"{', '.join(sorted(ahead))}): install that version")
    return Check("ledger database", not ahead, version, shown, feature, fix, detail=detail)


def check_filesystem(workspace: Workspace) -> Check:
    feature = "the workspace cannot be written"
    target = workspace.root
    while not target.exists() and target != target.parent:
        target = target.parent
    kind = platform.fs_type(target) or "unknown"
    network = platform.is_network_fs(target)
    usage = shutil.disk_usage(target)
    case = platform.is_case_sensitive(workspace.state if workspace.state.is_dir() else target)
    writable = os.access(target, os.W_OK)
    parts = [f"{'network' if network else 'local'} ({kind})",
             f"{usage.free / 1e9:.1f} GB free of {usage.total / 1e9:.1f} GB",
             {True: "case-sensitive", False: "case-insensitive", None: "case unknown"}[case]]
    problems = []
    if not writable:
        problems.append("not writable by this user")
    if usage.free < MIN_FREE_BYTES:
        problems.append("less than 1 GB free")
    if network and workspace.is_initialized():
        problems.append("SQLite on a network share is not safe: use a PostgreSQL ledger")
    detail = "; ".join(parts + problems)
    fix = install(*(["choose a local folder you can write to with free space "
                     "(intake-desktop init --workspace DIR)"] * 4))
    bad = not writable or usage.free < MIN_FREE_BYTES
    return Check("workspace filesystem", not bad, kind, str(workspace.root), feature, fix,
                 detail=detail)


def run_checks(workspace: Workspace, ledger_url: str,
               extra: Iterable[Check] = ()) -> Report:
    """Every check for `workspace`; `extra`: rows the caller adds (the Qt ones)."""
    configured = engines.engine_config(workspace.config_path)
    ocr = load_ocr_settings(workspace.config_path)
    languages = [c for c in ocr.language.split("+") if c]
    tess, langs = check_tesseract(configured.get("tesseract"), languages, ocr.enabled)
    checks = [
        check_shipped(),
        check_soffice(configured.get("soffice")),
        tess,
        langs,
        check_ocrmypdf(configured.get("ocrmypdf"), ocr.enabled),
        check_libmagic(),
        *extra,
        check_ledger(workspace, ledger_url),
        check_filesystem(workspace),
    ]
    return Report(tuple(checks), str(workspace.root))
