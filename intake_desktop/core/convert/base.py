"""Shared values of the conversion stage: limits, the result of one converter, its errors."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.pipeline import PageText

# Flags (strings in Prepared.flags and the `filed` event).
FLAG_NEEDS_CONVERSION = "needs_conversion"
FLAG_EXTENSION_MISMATCH = "extension_mismatch"
FLAG_CORRUPT = "corrupt"
FLAG_ENCRYPTED = "encrypted_owner_password"
FLAG_NOT_SEARCHABLE = "not_text_searchable"
FLAG_TOO_LARGE = "too_large_to_convert"
FLAG_CONVERSION_FAILED = "conversion_failed"
FLAG_PASSWORD = "password_protected"
FLAG_UNSAFE_ARCHIVE = "unsafe_archive"
FLAG_OVER_LIMIT = "over_limit"
FLAG_REPAIRED = "repaired"  # a damaged PDF rebuilt by qpdf, verified; the original kept

LIBREOFFICE_INSTALL_HINT = (
    "install LibreOffice: sudo apt-get install libreoffice-writer-nogui "
    "libreoffice-calc-nogui libreoffice-impress-nogui (Windows/macOS: libreoffice.org), "
    "then re-file the document"
)

FIRST_PAGE_CHARS = 2000


@dataclass(frozen=True)
class ConvertLimits:
    """Caps that keep hostile or huge input from exhausting memory, disk or time."""

    max_children: int = 1000  # attachments of one email / members of one archive
    max_archive_total: int = 512 * 1024 * 1024  # declared uncompressed bytes of one archive
    max_member_size: int = 256 * 1024 * 1024  # declared uncompressed bytes of one member
    max_ratio: float = 200.0  # uncompressed / compressed, per member
    max_image_pixels: int = 50_000_000  # per frame (a 12 MP phone photo is 12_000_000)
    max_frames: int = 500  # pages of a TIFF / frames of a GIF
    max_text_bytes: int = 8 * 1024 * 1024  # text/CSV larger than this is filed as it came
    max_email_bytes: int = 64 * 1024 * 1024  # an .eml is parsed in memory
    office_timeout: float = 120.0  # seconds for one LibreOffice conversion
    # LibreOffice's resident memory (all its processes) and address space (RLIMIT_AS);
    # past either the document is refused (Review/ with the reason).
    office_memory: int = 1024 * 1024 * 1024
    office_address_space: int = 4 * 1024 * 1024 * 1024
    max_office_inflated: int = 256 * 1024 * 1024  # declared bytes inside a .docx/.odt...
    max_office_members: int = 10_000  # parts inside one OOXML/ODF package
    cpu_seconds: float = 25.0  # processor time to convert one image or text file
    convert_address_space: int = 1024 * 1024 * 1024  # RLIMIT_AS of an image conversion
    scan_pages: int = 2000  # PDF pages inspected for text/images


class ConversionError(IntakeError):
    """The file is a known format but damaged, locked or hostile: the filer routes it to
    Review/ with this reason (and `flags`). The original is copied there byte for byte.
    """

    def __init__(
        self, what: str, *, path: Path | str | None = None, fix: str = "",
        detected_type: str = "application/octet-stream", flags: tuple[str, ...] = (),
    ) -> None:
        self.detected_type = detected_type
        self.flags = flags
        super().__init__(what, path=path, fix=fix)


class CpuBudget:
    """Processor time one conversion may use (this thread's CPU time, so other work on the
    machine does not count). `check()` between units of work (frames, lines)."""

    def __init__(self, seconds: float, *, path: Path, mime: str, what: str) -> None:
        self.seconds = seconds
        self.path = path
        self.mime = mime
        self.what = what
        self.start = time.thread_time()

    def used(self) -> float:
        return time.thread_time() - self.start

    def check(self, *, projected: float = 1.0) -> None:
        """Refuse when the time used (times `projected`, for work still to come that
        costs about as much again) is over the budget."""
        if self.used() * projected > self.seconds:
            raise ConversionError(
                f"{self.what} took more than {self.seconds:g} s of processor time and was "
                "stopped (a file built to exhaust the computer, or far larger than usual)",
                path=self.path, flags=(FLAG_OVER_LIMIT,), detected_type=self.mime,
                fix="check the file by hand (split it, or convert it to PDF with another "
                "program) and file the result; kept in Review/",
            )


@dataclass
class Converted:
    """What one converter produced for one file (mutable while the preparer fills it)."""

    pdf: Path | None = None  # None: file the original as it is
    conversions: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    children: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a person should know and do
    text: PageText | None = None  # the text layer of the file filed, when it was read
