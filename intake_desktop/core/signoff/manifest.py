"""The sign-off manifest: every file of an output folder with its size and SHA-256, and
the comparison of a folder with a manifest (changed, missing, added)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake_desktop.core.hashing import sha256_file

MANIFEST_NAME = "Sign-off manifest.json"
# `Sign-off manifest.json`, and `Sign-off manifest (2).json` after a second sign-off.
_MANIFEST_RE = re.compile(r"^Sign-off manifest( \(\d+\))?\.json$")


def is_manifest(relative: str) -> bool:
    """True for a sign-off manifest at the top of the folder (never part of the output)."""
    return "/" not in relative and bool(_MANIFEST_RE.match(relative))


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the output folder, posix separators
    size: int
    sha256: str

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> FileEntry:
        return cls(str(raw["path"]), int(raw["size"]), str(raw["sha256"]))


def scan_folder(folder: Path) -> list[FileEntry]:
    """Every file below `folder` (links are listed by what they point at, as a reader
    would see them), sorted by path; sign-off manifests are left out."""
    entries = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        if is_manifest(rel):
            continue
        entries.append(FileEntry(rel, path.stat().st_size, sha256_file(path)))
    return entries


def compare(
    signed: list[FileEntry], now: list[FileEntry]
) -> tuple[list[str], list[str], list[str]]:
    """(changed, missing, added) relative paths, each sorted."""
    before = {e.path: e for e in signed}
    after = {e.path: e for e in now}
    changed = sorted(p for p in before.keys() & after.keys()
                     if (before[p].size, before[p].sha256) != (after[p].size, after[p].sha256))
    missing = sorted(before.keys() - after.keys())
    added = sorted(after.keys() - before.keys())
    return changed, missing, added


def manifest_bytes(content: dict[str, Any]) -> bytes:
    """The manifest as written: indented, sorted keys, UTF-8, one trailing newline."""
    return (json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
