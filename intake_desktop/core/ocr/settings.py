"""The `[ocr]` table of a workspace's `.intake/config.toml` (optional; defaults otherwise).

    [ocr]
    enabled = true          # false: never OCR; scans are filed flagged "not text-searchable"
    language = "eng"        # Tesseract languages, e.g. "eng+spa" (tesseract-ocr-spa)
    jobs = 2                # pages OCRed at once (processes); capped at the machine's cores
    timeout_seconds = 0     # per document; 0: 60 s + 30 s per page

Checked on load: a wrong value is an error naming the file, the field and the fix.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake_desktop.core.errors import WorkspaceError
from intake_desktop.core.workspace import read_config

DEFAULT_JOBS = 2
DEFAULT_LANGUAGE = "eng"


@dataclass(frozen=True)
class OcrSettings:
    """How OCR runs (a frozen copy is handed to each worker)."""

    enabled: bool = True
    jobs: int = DEFAULT_JOBS
    language: str = DEFAULT_LANGUAGE
    timeout_s: float | None = None  # per document; None: 60 s + 30 s per page
    search_path: str | None = None  # where to look for the programs; None: PATH

_LANGUAGE = re.compile(r"^[a-z][a-z_]{1,30}(\+[a-z][a-z_]{1,30})*$")
KNOWN = ("enabled", "language", "jobs", "timeout_seconds")


def ocr_settings(table: dict[str, Any], *, source: Path | str = "config.toml") -> OcrSettings:
    """Validate an `[ocr]` table (already parsed)."""

    def bad(field: str, fix: str) -> WorkspaceError:
        return WorkspaceError(f"[ocr] {field}: {fix}", path=source,
                              fix="correct the value or remove the line to use the default")

    unknown = sorted(set(table) - set(KNOWN))
    if unknown:
        raise bad(unknown[0], f"unknown setting; known: {', '.join(KNOWN)}")
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        raise bad("enabled", "use true or false")
    language = table.get("language", "eng")
    if not isinstance(language, str) or not _LANGUAGE.match(language):
        raise bad("language", 'use Tesseract language codes joined by "+", e.g. "eng+spa"')
    jobs = table.get("jobs", 2)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= 64:
        raise bad("jobs", "use a whole number from 1 to 64 (more than the cores does not help)")
    jobs = min(jobs, os.cpu_count() or 1)  # a setting made on a bigger machine still works
    timeout = table.get("timeout_seconds", 0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
        raise bad("timeout_seconds", "use seconds (0 for the default: 60 s + 30 s per page)")
    return OcrSettings(enabled=enabled, jobs=jobs, language=language,
                       timeout_s=float(timeout) if timeout else None)


def load_ocr_settings(config_path: Path) -> OcrSettings:
    """The workspace's OCR settings: its `[ocr]` table, or the defaults."""
    try:
        config = read_config(config_path)
    except WorkspaceError:
        return OcrSettings()  # the workspace loader reports an unreadable config itself
    return ocr_settings(config.table("ocr"), source=config_path)
