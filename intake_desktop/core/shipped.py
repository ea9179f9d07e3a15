"""Files shipped with the app (presets, court profiles, icons, examples, fonts), wherever it runs.

One place decides where they are, in this order:

1. `INTAKE_DATA_ROOT` (a folder holding `naming_rules/`, `resources/`, `examples/`), for
   admins and tests;
2. the package data `intake_desktop/_data/`, read through `importlib.resources`: a wheel
   (the build copies the top-level `naming_rules/`, `resources/` and `examples/` folders
   there, see setup.py) or a PyInstaller bundle (the spec collects them to the same place);
3. a developer checkout or editable install: the top-level folders of the source tree that
   holds this package (recognized by its pyproject.toml), which are the source of 2.

Nothing depends on the current directory. A file or folder that cannot be found is a
`ShippedDataError` naming where it was looked for and how to repair the installation.
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

from intake_desktop.core.errors import IntakeError

DATA_PACKAGE_DIR = "_data"
# The top-level source folders mapped into intake_desktop/_data at build time.
SHIPPED_FOLDERS = ("naming_rules", "resources", "examples")
REINSTALL_FIX = (
    "the installation is incomplete: reinstall Intake Desktop "
    "(`pipx reinstall intake-desktop`, or run the installer again); "
    "INTAKE_DATA_ROOT can point at a folder holding naming_rules/ and resources/"
)


class ShippedDataError(IntakeError):
    """A file the app ships with (preset, court profile, icon, font) is missing."""


def package_dir(package: str = "intake_desktop") -> Path:
    """The folder of an installed package, as a real path (wheel, checkout or bundle)."""
    found = resources.files(package)
    if not isinstance(found, Path):  # a zipped install: we need real files
        raise ShippedDataError(
            f"the package {package} is not installed as plain files ({found})",
            fix="install Intake Desktop from its wheel or installer, not from a zip file",
        )
    return found


def _checkout_root() -> Path | None:
    """The source tree this package was imported from, when it is one."""
    root = package_dir().parent
    if (root / "pyproject.toml").is_file() and (root / "naming_rules").is_dir():
        return root
    return None


def _candidates() -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    override = os.environ.get("INTAKE_DATA_ROOT")
    if override:
        return [("INTAKE_DATA_ROOT", Path(override))]
    found.append(("package data", package_dir() / DATA_PACKAGE_DIR))
    checkout = _checkout_root()
    if checkout is not None:
        found.append(("source checkout", checkout))
    return found


def _data_root() -> tuple[Path, str]:
    tried = _candidates()
    for origin, root in tried:
        if (root / "naming_rules").is_dir() or (root / "resources").is_dir():
            return root, origin
    where = "; ".join(f"{origin}: {root}" for origin, root in tried)
    raise ShippedDataError(f"the app's shipped files were not found (looked in {where})",
                           fix=REINSTALL_FIX)


def data_root() -> Path:
    """The folder holding `naming_rules/`, `resources/` and `examples/`."""
    return _data_root()[0]


def data_origin() -> str:
    """Where the data came from: "package data", "source checkout" or "INTAKE_DATA_ROOT"."""
    return _data_root()[1]


def shipped_dir(*parts: str) -> Path:
    """A shipped folder (e.g. `shipped_dir("resources", "courts")`); missing is an error."""
    folder = data_root().joinpath(*parts)
    if not folder.is_dir():
        raise ShippedDataError(f"the shipped folder {'/'.join(parts)} is missing", path=folder,
                               fix=REINSTALL_FIX)
    return folder


def shipped_file(*parts: str) -> Path:
    """A shipped file (e.g. `shipped_file("naming_rules", "litigation.toml")`)."""
    path = data_root().joinpath(*parts)
    if not path.is_file():
        raise ShippedDataError(f"the shipped file {'/'.join(parts)} is missing", path=path,
                               fix=REINSTALL_FIX)
    return path


def naming_rules_dir() -> Path:
    return shipped_dir("naming_rules")


def resources_dir() -> Path:
    return shipped_dir("resources")


def courts_dir() -> Path:
    return shipped_dir("resources", "courts")


def icons_dir() -> Path:
    return shipped_dir("resources", "icons")


def examples_dir() -> Path:
    return shipped_dir("examples")


def preset_file(preset: str) -> Path:
    """The shipped naming-rules preset `preset`; missing or unreadable is an error."""
    path = data_root() / "naming_rules" / f"{preset}.toml"
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        reason = "is missing" if isinstance(exc, FileNotFoundError) else (
            f"cannot be read ({exc.strerror})")
        raise ShippedDataError(f"the naming-rules preset '{preset}' {reason}", path=path,
                               fix=REINSTALL_FIX) from exc
    return path


def package_file(package: str, *parts: str) -> Path:
    """A data file inside an installed package (migrations, reportlab's fonts, plugins)."""
    path = package_dir(package).joinpath(*parts)
    if not path.exists():
        raise ShippedDataError(f"{'/'.join(parts)} is missing from the package {package}",
                               path=path, fix=REINSTALL_FIX)
    return path


def is_frozen() -> bool:
    """True inside a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))


def self_command() -> list[str]:
    """How to run this app's CLI in a child process (a bundle has no Python beside it)."""
    if is_frozen():
        return [sys.executable]
    return [sys.executable, "-m", "intake_desktop"]
