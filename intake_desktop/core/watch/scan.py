"""Reconciliation scan: every file below an intake folder, junk folders skipped."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from intake_desktop.core.junk import JUNK_DIRS, is_junk_name


def scan_files(root: Path) -> Iterator[tuple[str, bool]]:
    """(path as a string, is_junk) for each regular file below `root`; symlinks and junk
    folders are not followed. Unreadable subfolders are skipped (the next scan retries)."""
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if entry.name not in JUNK_DIRS:
                                stack.append(entry.path)
                        elif entry.is_file(follow_symlinks=False):
                            yield entry.path, is_junk_name(entry.name)
                    except OSError:
                        continue
        except OSError:
            if folder == str(root):
                raise
