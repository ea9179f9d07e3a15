"""Shipped data (presets, court profiles, icons, fonts, migrations) is found through one module,
and anything missing is a loud error that names where it looked and how to repair."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from intake_desktop.core import shipped
from intake_desktop.core.courts import load_profile
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.workspace import init_workspace
from tests.conftest import run_cli

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "intake_desktop"


def copy_data(dest: Path, *, skip: tuple[str, ...] = ()) -> Path:
    """A data root like the one a wheel ships, minus the folders named in `skip`."""
    for name in shipped.SHIPPED_FOLDERS:
        if name not in skip:
            shutil.copytree(REPO / name, dest / name)
    return dest


def test_checkout_reads_the_source_folders_not_the_current_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INTAKE_DATA_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    assert shipped.data_root() == REPO
    assert shipped.data_origin() == "source checkout"
    litigation = shipped.preset_file("litigation")
    assert litigation.read_bytes() == (REPO / "naming_rules" / "litigation.toml").read_bytes()
    assert (shipped.courts_dir() / "cand.toml").is_file()
    assert shipped.shipped_file("resources", "icons", "app.svg").stat().st_size > 0


def test_package_data_wins_over_the_checkout(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed wheel has intake_desktop/_data; it is used when present."""
    fake_pkg = tmp_path / "site" / "intake_desktop"
    copy_data(fake_pkg / shipped.DATA_PACKAGE_DIR)
    monkeypatch.delenv("INTAKE_DATA_ROOT", raising=False)
    monkeypatch.setattr(shipped, "package_dir", lambda package="intake_desktop": fake_pkg)
    assert shipped.data_root() == fake_pkg / "_data"
    assert shipped.data_origin() == "package data"
    assert shipped.preset_file("immigration").parent == fake_pkg / "_data" / "naming_rules"


def test_no_data_anywhere_is_an_error_naming_where_it_looked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_pkg = tmp_path / "site" / "intake_desktop"
    fake_pkg.mkdir(parents=True)
    monkeypatch.delenv("INTAKE_DATA_ROOT", raising=False)
    monkeypatch.setattr(shipped, "package_dir", lambda package="intake_desktop": fake_pkg)
    with pytest.raises(shipped.ShippedDataError) as err:
        shipped.data_root()
    message = str(err.value)
    assert str(fake_pkg / "_data") in message
    assert "reinstall" in message


def test_init_with_a_missing_preset_fails_and_creates_nothing(tmp_path: Path) -> None:
    data = copy_data(tmp_path / "data")
    (data / "naming_rules" / "personal-injury.toml").unlink()
    root = tmp_path / "ws"
    r = run_cli("init", "--workspace", str(root), "--preset", "personal-injury",
                env={"INTAKE_DATA_ROOT": str(data)})
    assert r.returncode == 1, r.stdout + r.stderr
    assert "preset 'personal-injury' is missing" in r.stderr
    assert str(data / "naming_rules" / "personal-injury.toml") in r.stderr
    assert "reinstall" in r.stderr and "Traceback" not in r.stderr
    assert not root.exists()


def test_init_with_an_unreadable_preset_fails(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    data = copy_data(tmp_path / "data")
    (data / "naming_rules" / "litigation.toml").write_bytes(b"[[rule]\nname = \xff\n")
    monkeypatch.setenv("INTAKE_DATA_ROOT", str(data))
    with pytest.raises(shipped.ShippedDataError, match="preset 'litigation' cannot be read"):
        init_workspace(tmp_path / "ws", "litigation")
    assert not (tmp_path / "ws").exists()


def test_init_without_the_presets_folder_fails(tmp_path: Path) -> None:
    data = copy_data(tmp_path / "data", skip=("naming_rules",))
    r = run_cli("init", "--workspace", str(tmp_path / "ws"), "--preset", "litigation",
                env={"INTAKE_DATA_ROOT": str(data)})
    assert r.returncode == 1
    assert "naming_rules is missing" in r.stderr and str(data / "naming_rules") in r.stderr
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1


def test_init_copies_the_preset_byte_for_byte(tmp_path: Path) -> None:
    for preset in ("litigation", "personal-injury", "immigration"):
        ws = init_workspace(tmp_path / preset, preset)
        assert ws.rules_path.read_bytes() == (REPO / "naming_rules" / f"{preset}.toml").read_bytes()


def test_unknown_court_names_where_profiles_were_looked_for(tmp_path: Path) -> None:
    extra = tmp_path / "courts"
    extra.mkdir()
    with pytest.raises(IntakeError) as err:
        load_profile("nowhere", extra)
    message = str(err.value)
    assert str(REPO / "resources" / "courts") in message and str(extra) in message
    assert "cand" in message  # the known ones are listed


def test_missing_court_profiles_are_an_error_not_an_empty_list(tmp_path: Path) -> None:
    data = copy_data(tmp_path / "data")
    for toml in (data / "resources" / "courts").glob("*.toml"):
        toml.unlink()
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    r = run_cli("fit", str(pdf), "--court", "cand", "--out", str(tmp_path / "out"),
                env={"INTAKE_DATA_ROOT": str(data)})
    assert r.returncode == 1
    assert "no court profiles were found" in r.stderr and "Traceback" not in r.stderr
    assert str(data / "resources" / "courts") in r.stderr
    assert "use one of: ;" not in r.stderr


def test_missing_icon_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = copy_data(tmp_path / "data")
    monkeypatch.setenv("INTAKE_DATA_ROOT", str(data))
    (data / "resources" / "icons" / "save.svg").unlink()
    with pytest.raises(shipped.ShippedDataError, match=r"icons/save\.svg is missing"):
        shipped.shipped_file("resources", "icons", "save.svg")


def test_fonts_migrations_and_plugins_come_from_installed_packages() -> None:
    from intake_desktop.core.ledger.store import MIGRATIONS
    from intake_desktop.core.ocr.engine import PLUGIN
    from intake_desktop.core.pdf.stamp_fonts import bundled_ttf

    assert bundled_ttf().read_bytes()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    assert (MIGRATIONS / "env.py").is_file() and any((MIGRATIONS / "versions").glob("0001_*.py"))
    assert PLUGIN.is_file()


ROOT_WALK = re.compile(r"parents\[|__file__|\.\./|os\.getcwd\(|Path\.cwd\(")


def test_no_module_finds_its_data_from_the_checkout_or_the_current_directory() -> None:
    """Only core/shipped.py decides where shipped files are; nothing walks up from __file__."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "shipped.py" or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if ROOT_WALK.search(code):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []
