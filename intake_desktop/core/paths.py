"""Where shipped data lives (naming-rule presets, court profiles, fonts) and path helpers."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]


def data_root() -> Path:
    """The folder holding `resources/` and `naming_rules/` (the project root)."""
    override = os.environ.get("INTAKE_DATA_ROOT")
    return Path(override) if override else _REPO_ROOT


def resources_dir() -> Path:
    return data_root() / "resources"


def naming_rules_dir() -> Path:
    return data_root() / "naming_rules"


def nfc(text: str) -> str:
    """Unicode NFC form, so names typed on macOS and Windows compare equal."""
    return unicodedata.normalize("NFC", text)


def is_within(path: Path, folder: Path) -> bool:
    """True when `path` is `folder` or lies inside it (both resolved)."""
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
