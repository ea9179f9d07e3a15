"""One writer: core/mover.py is the only module that writes, renames or links files.

The test reads the source (AST) for writes: open(..., 'w'/'wb'/'a'/'x'/'+'), os.fdopen for
writing, Path.write_bytes/write_text, os.replace/rename/link, Path.rename/replace/link_to/
hardlink_to, shutil.copy*/move. A write found outside the mover fails the test unless its
module is allow-listed below.
"""

from __future__ import annotations

import ast
from pathlib import Path

from intake_desktop.app import App
from intake_desktop.core import mover
from tests.conftest import REPO

PACKAGE = REPO / "intake_desktop"

# Places other helpers still own (each should move its writes into the mover; the lead
# tightens this list as they do). Paths are relative to intake_desktop/.
ALLOWED = {
    "core/mover.py": "the one writer",
    "core/platform.py": "shipping: the OS primitives (link, rename, fsync) the mover calls",
    # pdf/ and exhibits/ (exhibits and courtfit helpers): outputs written beside scratch
    # files with their own tmp + os.replace. Whole packages while those helpers work there.
    "core/pdf/": "courtfit and exhibits: fit, split, stamp, preflight, pdfa outputs",
    "core/exhibits/": "exhibits and courtfit: staging folder, index, binder, court copies",
    "core/production/": "productions: scratch folder of the volume, placed by Mover.place_copy",
    # convert/ and ocr/ (hostile helper): scratch files inside a filing work folder only.
    "core/convert/images.py": "work folder scratch",
    "core/convert/office.py": "work folder scratch (LibreOffice staging)",
    "core/convert/email.py": "work folder: extracted attachments",
    "core/convert/archive.py": "work folder: extracted members",
    "core/ocr/engine.py": "work folder: OCR output",
    # workspace creation (init): a new, empty workspace's config and rules.
    "core/workspace.py": "init_workspace writes the first config.toml and rules.toml",
}


def allowed(rel: str) -> bool:
    return any(rel == key or (key.endswith("/") and rel.startswith(key)) for key in ALLOWED)


WRITE_MODES = set("wax+")
OS_CALLS = {"replace", "rename", "link", "renames", "symlink"}
PATH_METHODS = {"write_bytes", "write_text", "rename", "link_to", "hardlink_to", "symlink_to"}
SHUTIL_CALLS = {"copy", "copy2", "copyfile", "copyfileobj", "move", "copytree"}


def _mode(call: ast.Call, position: int) -> str:
    if len(call.args) > position and isinstance(call.args[position], ast.Constant):
        return str(call.args[position].value)
    for kw in call.keywords:
        if kw.arg == "mode" and isinstance(kw.value, ast.Constant):
            return str(kw.value.value)
    return "r"


def writes_in(source: str) -> list[tuple[int, str]]:
    """(line, what) for each write-like call in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "open":
            if WRITE_MODES & set(_mode(node, 1)):
                found.append((node.lineno, f"open(..., {_mode(node, 1)!r})"))
        elif isinstance(func, ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else ""
            name = func.attr
            if owner == "os" and name in OS_CALLS:
                found.append((node.lineno, f"os.{name}"))
            elif owner == "os" and name == "fdopen" and WRITE_MODES & set(_mode(node, 1)):
                found.append((node.lineno, "os.fdopen for writing"))
            elif owner == "shutil" and name in SHUTIL_CALLS:
                found.append((node.lineno, f"shutil.{name}"))
            elif name in PATH_METHODS and owner not in {"os", "shutil"}:
                found.append((node.lineno, f".{name}()"))
            elif (name == "replace" and len(node.args) == 1 and not node.keywords
                  and owner not in {"dataclasses", "os"}):
                found.append((node.lineno, ".replace(path)"))
            elif name == "open" and owner != "zf" and WRITE_MODES & set(_mode(node, 0)):
                found.append((node.lineno, f".open({_mode(node, 0)!r})"))
    return found


def test_the_scanner_finds_every_kind_of_write() -> None:
    sample = (
        "open(p, 'w')\nopen(p, mode='ab')\nopen(p)\nos.replace(a, b)\nos.link(a, b)\n"
        "p.write_bytes(b'')\np.write_text('')\np.rename(q)\np.replace(q)\n"
        "s.replace('a', 'b')\ndataclasses.replace(x, y=1)\nshutil.copyfile(a, b)\n"
        "os.fdopen(fd, 'w')\np.open('wb')\n"
    )
    assert [line for line, _ in writes_in(sample)] == [1, 2, 4, 5, 6, 7, 8, 9, 12, 13, 14]
    # The mover itself is found writing (it is the allowed one).
    assert writes_in(Path(mover.__file__).read_text())


def test_no_module_outside_the_mover_writes_files() -> None:
    """Every write under intake_desktop/ is in the mover or in an allow-listed module."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if allowed(rel):
            continue
        for line, what in writes_in(path.read_text(encoding="utf-8")):
            offenders.append(f"{rel}:{line}: {what}")
    assert offenders == [], "writes outside core/mover.py:\n" + "\n".join(offenders)


def test_the_allow_list_names_only_modules_that_exist_and_still_write() -> None:
    for rel in ALLOWED:
        path = PACKAGE / rel
        files = sorted(path.rglob("*.py")) if rel.endswith("/") else [path]
        assert files and all(f.is_file() for f in files), f"{rel} is gone: drop it"
        assert any(writes_in(f.read_text(encoding="utf-8")) for f in files), (
            f"{rel} no longer writes: drop it from ALLOWED")


def test_ledger_export_out_never_overwrites(app: App, tmp_path: Path) -> None:
    """GIVEN an existing file at --out WHEN exporting THEN it is kept byte-identical (the
    command refuses, exit 2) and a new name is written through the mover."""
    from tests.conftest import run_cli

    out = tmp_path / "custody.csv"
    out.write_text("someone's report\n")
    done = run_cli("--workspace", str(app.workspace.root), "ledger", "export", "--out",
                   str(out))
    assert done.returncode == 2 and "already exists" in done.stderr
    assert out.read_text() == "someone's report\n"
    fresh = tmp_path / "custody new.csv"
    done = run_cli("--workspace", str(app.workspace.root), "ledger", "export", "--out",
                   str(fresh))
    assert done.returncode == 0, done.stderr
    assert fresh.read_text().startswith("seq,") and not list(tmp_path.glob("*.intake-tmp"))


def test_settings_replace_keeps_the_previous_version(app: App) -> None:
    from intake_desktop.core.desks.settings_files import replace_settings_file

    config = app.workspace.config_path
    before = config.read_bytes()
    replace_settings_file(app.workspace, config, before.decode() + "\n# edited\n")
    assert config.read_text().endswith("# edited\n")
    assert mover.previous_version_path(config).read_bytes() == before
    assert not list(config.parent.glob("*.intake-tmp"))
