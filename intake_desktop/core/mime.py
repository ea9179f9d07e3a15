"""The MIME type of a file, read from its content (libmagic), not from its extension."""

from __future__ import annotations

from pathlib import Path

import magic


def detect_type(path: Path) -> str:
    """The MIME type libmagic reads from the file's first bytes."""
    try:
        return str(magic.from_file(str(path), mime=True))
    except (OSError, magic.MagicException):
        return "application/octet-stream"
