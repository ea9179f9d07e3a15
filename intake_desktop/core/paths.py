"""Where shipped data lives (naming-rule presets, court profiles, fonts) and path helpers."""

from __future__ import annotations

import unicodedata
from pathlib import Path

# Shipped data is found by core/shipped.py (package data, bundle or checkout); re-exported
# here for the modules that already import it from this one.
from intake_desktop.core.shipped import data_root, naming_rules_dir, resources_dir

__all__ = ["data_root", "is_within", "naming_rules_dir", "nfc", "resources_dir"]


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
