"""The sign-off manifest: every file of an output folder with its size and SHA-256, and
the comparison of a folder with a manifest (changed, missing, added)."""

from __future__ import annotations

import json
import re
import time
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


# Hashes this process has read, by file identity and change times: the Supervision page
# re-checks every output folder each time it is shown, and a production holds thousands of
# pages. Any write changes a file's ctime (which no one can set back), so a changed file is
# always read again; a file changed in the last SETTLED_NS is never taken from here, since
# file times move in ticks of a few milliseconds (the racy-git rule).
_HASHES: dict[tuple[int, int, int, int, int], str] = {}
_HASHES_MAX = 200_000
SETTLED_NS = 2_000_000_000


def _sha256_known(path: Path) -> tuple[int, str]:
    """(size, SHA-256) of the file, read again only when it may have changed."""
    st = path.stat()
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    digest = _HASHES.get(key)
    if digest is None:
        digest = sha256_file(path)
        if len(_HASHES) >= _HASHES_MAX:
            _HASHES.clear()
        after = path.stat()
        settled = time.time_ns() - st.st_ctime_ns > SETTLED_NS
        if settled and (after.st_size, after.st_mtime_ns, after.st_ctime_ns) == key[2:]:
            _HASHES[key] = digest  # old enough, and not changed while it was read
    return st.st_size, digest


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
        entries.append(FileEntry(rel, *_sha256_known(path)))
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
