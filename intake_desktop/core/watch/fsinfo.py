"""Which filesystem a folder lives on, to poll network shares (no inotify events there)."""

from __future__ import annotations

import os
from pathlib import Path

NETWORK_FS_TYPES = frozenset({
    "cifs", "smb3", "smbfs", "nfs", "nfs4", "ncpfs", "afs", "coda", "9p", "virtiofs",
    "ceph", "glusterfs", "lustre", "gpfs", "beegfs", "davfs", "sshfs", "fuse.sshfs",
    "fuse.glusterfs", "fuse.rclone", "fuse.s3fs", "fuse.davfs2", "fuse.gvfsd-fuse",
    "fuse.smbnetfs", "fuse.ceph", "fuse.cephfs",
})
MOUNTS = Path("/proc/mounts")


def _unescape(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as octal escapes."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def parse_mounts(text: str) -> list[tuple[str, str]]:
    """(mount point, fstype) pairs from the text of /proc/mounts."""
    pairs = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            pairs.append((_unescape(parts[1]), parts[2]))
    return pairs


def fs_type(path: Path, mounts_text: str | None = None) -> str | None:
    """The fstype of the mount holding `path` (longest matching mount point), or None."""
    if mounts_text is None:
        try:
            mounts_text = MOUNTS.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    try:
        target = os.path.realpath(path)
    except OSError:
        target = str(path)
    best, best_type = "", None
    for point, kind in parse_mounts(mounts_text):
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, best_type = point, kind
    return best_type


def is_network_fs(path: Path, mounts_text: str | None = None) -> bool:
    """True for SMB/NFS/sshfs-style shares (and UNC paths on Windows)."""
    if str(path).startswith(("\\\\", "//")):
        return True
    kind = fs_type(path, mounts_text)
    return kind is not None and kind.lower() in NETWORK_FS_TYPES
