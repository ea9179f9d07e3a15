"""Names the intake never takes: system junk, partial downloads and our own temporaries."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from intake_desktop.core.mover import TMP_SUFFIX

JUNK_FILES = ("*.DS_Store", "._*", "desktop.ini", "Thumbs.db", "~$*", "*.part", "*.crdownload",
              "*.tmp", f"*{TMP_SUFFIX}", ".~lock.*#", "*.swp")
JUNK_DIRS = ("@eaDir", "__MACOSX", ".Trashes", ".Spotlight-V100", ".fseventsd", ".intake")


# One compiled pattern: a reconciliation scan tests every name in a folder of thousands.
_JUNK_NAME = re.compile("|".join(fnmatch.translate(pat.lower()) for pat in JUNK_FILES))


def is_junk_name(name: str) -> bool:
    return _JUNK_NAME.match(name.lower()) is not None


def is_junk_path(path: Path, root: Path | None = None) -> bool:
    """True when the file or any folder between `root` and it is junk."""
    if is_junk_name(path.name):
        return True
    parts = path.relative_to(root).parts[:-1] if root else path.parts[:-1]
    return any(part in JUNK_DIRS for part in parts)
