"""Which filesystem a folder lives on, to poll network shares (no inotify events there).

The system-specific parts live in core/platform.py; this module keeps the watcher's names.
"""

from __future__ import annotations

from intake_desktop.core.platform import (
    MOUNTS,
    NETWORK_FS_TYPES,
    fs_type,
    is_network_fs,
    parse_mounts,
)

__all__ = ["MOUNTS", "NETWORK_FS_TYPES", "fs_type", "is_network_fs", "parse_mounts"]
