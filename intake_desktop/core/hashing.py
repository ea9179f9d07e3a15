"""SHA-256 of files and byte streams, read in large blocks."""

from __future__ import annotations

import hashlib
from pathlib import Path

BLOCK = 1024 * 1024


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of the file's bytes."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()
