"""`intake-desktop doctor`: each engine hidden in turn gives its row, exit code and install line."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from intake_desktop.cli import build_parser
from intake_desktop.commands.common import Output
from intake_desktop.core import engines
from intake_desktop.core.ledger.status import expected_heads
from intake_desktop.core.workspace import Workspace, init_workspace

ROW_KEYS = {"name", "found", "version", "path", "feature", "install", "needed", "detail"}
ENGINE_NAMES = {"soffice": ("soffice", "libreoffice"), "tesseract": ("tesseract",),
                "ocrmypdf": ("ocrmypdf",)}


def bin_without(folder: Path, hidden: tuple[str, ...]) -> Path:
    """A PATH folder with every program of /usr/bin and /bin except `hidden`."""
    folder.mkdir()
    for system_bin in (Path("/usr/bin"), Path("/bin")):
        for entry in system_bin.iterdir():
            target = folder / entry.name
            if entry.name not in hidden and not target.exists():
                target.symlink_to(entry)
    return folder


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = init_workspace(tmp_path / "Firm Files")
    from intake_desktop.core.ledger import Actor, Ledger

    Ledger.open(workspace.default_ledger_url(), Actor.current(None)).close()
    return workspace


def run_doctor(*argv: str) -> tuple[int, str]:
    """The doctor command in this process (so monkeypatched PATH and env apply)."""
    args = build_parser().parse_args(["doctor", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = args.handler(args, Output(json_mode=args.json, out=out, err=err))
    return code, out.getvalue()


def doctor(ws: Workspace) -> tuple[int, dict[str, Any]]:
    code, text = run_doctor("--json", "--workspace", str(ws.root))
    return code, json.loads(text)


def row(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in report["checks"] if r["name"] == name)


def test_everything_present(ws: Workspace) -> None:
    code, report = doctor(ws)
    assert code == 0 and report["ok"] is True and report["missing"] == []
    names = [r["name"] for r in report["checks"]]
    assert names == ["shipped data", "LibreOffice", "Tesseract", "Tesseract languages",
                     "OCRmyPDF", "libmagic", "Qt platform plugin", "QtPdf",
                     "ledger database", "workspace filesystem"]
    for r in report["checks"]:
        assert set(r) == ROW_KEYS, r["name"]
        assert r["found"] is True, r
        assert set(r["install"]) == {"debian", "fedora", "macos", "windows"}
        assert r["feature"]
    assert row(report, "LibreOffice")["version"].startswith(("7.", "24.", "25."))
    assert Path(row(report, "Tesseract")["path"]).name == "tesseract"
    assert "eng" in row(report, "Tesseract languages")["version"].split(", ")
    assert row(report, "Qt platform plugin")["version"].startswith("Qt 6.")
    assert row(report, "ledger database")["version"] == ",".join(expected_heads())
    fs = row(report, "workspace filesystem")
    assert "local (" in fs["detail"] and "case-sensitive" in fs["detail"]
    assert "GB free" in fs["detail"]


@pytest.mark.parametrize(("key", "name", "debian", "windows"), [
    ("soffice", "LibreOffice", "libreoffice-writer-nogui",
     "winget install -e --id TheDocumentFoundation.LibreOffice"),
    ("tesseract", "Tesseract", "sudo apt-get install tesseract-ocr",
     "winget install -e --id UB-Mannheim.TesseractOCR"),
    ("ocrmypdf", "OCRmyPDF", "sudo apt-get install ocrmypdf", "pipx install ocrmypdf"),
])
def test_hidden_engine_is_reported_with_its_install_line(
        key: str, name: str, debian: str, windows: str, ws: Workspace, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(bin_without(tmp_path / "bin", ENGINE_NAMES[key])))
    monkeypatch.setenv(engines.PATH_ONLY_ENV, "1")
    code, report = doctor(ws)
    r = row(report, name)
    assert code == 1 and report["ok"] is False and name in report["missing"]
    assert r["found"] is False and r["needed"] is True and r["path"] == ""
    assert debian in r["install"]["debian"] and windows in r["install"]["windows"]
    assert r["install"]["macos"].startswith("brew install")
    others = [x for x in report["checks"] if x["name"] != name and not x["found"]]
    if key == "tesseract":  # without Tesseract its languages cannot be listed either
        assert [x["name"] for x in others] == ["Tesseract languages"]
    else:
        assert others == []


def test_missing_language_data(ws: Workspace, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "tessdata"
    empty.mkdir()
    monkeypatch.setenv("TESSDATA_PREFIX", str(empty))
    code, report = doctor(ws)
    r = row(report, "Tesseract languages")
    assert code == 1 and report["missing"] == ["Tesseract languages"]
    assert r["found"] is False and "missing: eng" in r["detail"]
    assert r["install"]["debian"] == "sudo apt-get install tesseract-ocr-eng"
    assert r["install"]["fedora"] == "sudo dnf install tesseract-langpack-eng"
    assert row(report, "Tesseract")["found"] is True


def test_a_language_the_config_asks_for(ws: Workspace) -> None:
    with ws.config_path.open("a", encoding="utf-8") as fh:
        fh.write('\n[ocr]\nlanguage = "eng+zul"\n')
    code, report = doctor(ws)
    r = row(report, "Tesseract languages")
    assert code == 1 and "missing: zul" in r["detail"]
    assert r["install"]["debian"] == "sudo apt-get install tesseract-ocr-zul"


def test_ocr_off_makes_missing_ocr_engines_optional(
        ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with ws.config_path.open("a", encoding="utf-8") as fh:
        fh.write("\n[ocr]\nenabled = false\n")
    monkeypatch.setenv("PATH", str(bin_without(tmp_path / "bin", ("tesseract", "ocrmypdf"))))
    monkeypatch.setenv(engines.PATH_ONLY_ENV, "1")
    code, report = doctor(ws)
    assert code == 0 and report["ok"] is True
    assert row(report, "Tesseract")["found"] is False
    assert row(report, "Tesseract")["needed"] is False


def test_engines_off_the_path_are_found_where_installers_put_them(
        ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A desktop app's PATH often lacks LibreOffice: its standard location is searched."""
    standard = Path("/usr/lib/libreoffice/program/soffice")
    if not standard.is_file():
        pytest.skip("LibreOffice is not installed in its Debian location")
    monkeypatch.setenv("PATH", str(bin_without(tmp_path / "bin", ("soffice", "libreoffice"))))
    monkeypatch.delenv(engines.PATH_ONLY_ENV, raising=False)
    code, report = doctor(ws)
    assert code == 0 and row(report, "LibreOffice")["path"] == str(standard)


def test_a_config_entry_points_at_an_engine(
        ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = shutil.which("tesseract")
    assert real is not None
    elsewhere = tmp_path / "Tools" / "Tesseract-OCR"
    elsewhere.mkdir(parents=True)
    (elsewhere / "tesseract").symlink_to(real)
    monkeypatch.setenv("PATH", str(bin_without(tmp_path / "bin", ("tesseract",))))
    monkeypatch.setenv(engines.PATH_ONLY_ENV, "1")
    with ws.config_path.open("a", encoding="utf-8") as fh:
        fh.write(f'\n[engines]\ntesseract = "{elsewhere / "tesseract"}"\n')
    code, report = doctor(ws)
    assert code == 0 and row(report, "Tesseract")["path"] == str(elsewhere / "tesseract")


def test_qt_platform_plugin_that_cannot_load(ws: Workspace,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "nosuchplatform")
    code, report = doctor(ws)
    r = row(report, "Qt platform plugin")
    assert code == 1 and report["missing"] == ["Qt platform plugin"]
    assert r["found"] is False and "nosuchplatform" in r["detail"]
    assert "libxcb-cursor0" in r["install"]["debian"]
    assert row(report, "QtPdf")["found"] is False


def test_not_a_workspace_yet(tmp_path: Path) -> None:
    code, text = run_doctor("--json", "--workspace", str(tmp_path / "new"))
    report = json.loads(text)
    ledger = row(report, "ledger database")
    assert code == 0 and ledger["found"] is False and ledger["needed"] is False
    assert "init --workspace" in ledger["install"]["debian"]
    assert not (tmp_path / "new").exists()  # doctor writes nothing


def test_human_report_names_what_is_missing(ws: Workspace, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(bin_without(tmp_path / "bin", ("soffice", "libreoffice"))))
    monkeypatch.setenv(engines.PATH_ONLY_ENV, "1")
    code, text = run_doctor("--workspace", str(ws.root))
    assert code == 1
    assert "MISSING LibreOffice" in text
    assert "windows: winget install -e --id TheDocumentFoundation.LibreOffice" in text
    assert text.rstrip().endswith("Missing what this workspace needs: LibreOffice.")
    assert os.environ["PATH"].endswith("bin")


def test_windows_and_macos_install_locations(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    program_files = tmp_path / "Program Files"
    soffice = program_files / "LibreOffice" / "program" / "soffice.exe"
    soffice.parent.mkdir(parents=True)
    soffice.write_bytes(b"MZ")
    monkeypatch.setenv("ProgramFiles", str(program_files))
    monkeypatch.setenv("ProgramFiles(x86)", str(tmp_path / "Program Files (x86)"))
    assert soffice in engines.standard_locations("soffice", "win32")
    tess = engines.standard_locations("tesseract", "win32")
    assert program_files / "Tesseract-OCR" / "tesseract.exe" in tess
    mac = engines.standard_locations("soffice", "darwin")
    assert Path("/Applications/LibreOffice.app/Contents/MacOS/soffice") in mac
    assert Path("/opt/homebrew/bin/tesseract") in engines.standard_locations("tesseract", "darwin")


def test_the_workspace_engines_table_is_used_when_filing(
        ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from intake_desktop.app import open_app
    from intake_desktop.core.convert.office import find_soffice

    real = shutil.which("soffice")
    assert real is not None
    elsewhere = tmp_path / "Apps" / "soffice"
    elsewhere.parent.mkdir()
    elsewhere.symlink_to(real)
    monkeypatch.setenv("PATH", str(bin_without(tmp_path / "bin", ("soffice", "libreoffice"))))
    monkeypatch.setenv(engines.PATH_ONLY_ENV, "1")
    monkeypatch.delenv(engines.env_name("soffice"), raising=False)
    assert find_soffice() is None
    with ws.config_path.open("a", encoding="utf-8") as fh:
        fh.write(f'\n[engines]\nsoffice = "{elsewhere}"\n')
    with open_app(str(ws.root)):
        assert find_soffice() == str(elsewhere)
