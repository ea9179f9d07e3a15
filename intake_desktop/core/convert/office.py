"""Office documents to PDF through LibreOffice headless.

Each conversion runs with its own LibreOffice profile folder (inside the work folder, so
parallel runs never collide on the profile lock), in its own process group, with a
timeout after which the whole group is killed. Without LibreOffice the original is filed
and flagged `needs_conversion` with the install command.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from intake_desktop.core.convert.base import (
    FLAG_CONVERSION_FAILED,
    FLAG_NEEDS_CONVERSION,
    LIBREOFFICE_INSTALL_HINT,
    ConversionError,
    Converted,
    ConvertLimits,
)
from intake_desktop.core.convert.detect import EXTENSION_KINDS, OFFICE, OFFICE_SUFFIX_BY_MIME
from intake_desktop.core.convert.facts import put
from intake_desktop.core.convert.pdfcheck import inspect_pdf
from intake_desktop.core.engines import find_engine

CANDIDATES = ("soffice", "libreoffice")
MAC_SOFFICE = Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")
WIN_SOFFICE = Path("C:/Program Files/LibreOffice/program/soffice.exe")


def find_soffice() -> str | None:
    """LibreOffice: a configured path, the PATH, or where its installer puts it
    (core/engines.py: Program Files, /Applications, /usr/lib/libreoffice, /opt)."""
    found = find_engine("soffice")
    return str(found) if found else None


@dataclass
class LibreOffice:
    """One LibreOffice executable (None: not installed). The version is read once."""

    executable: str | None
    timeout: float = 120.0
    _version: str | None = field(default=None, init=False, repr=False)

    @classmethod
    def discover(cls, timeout: float = 120.0) -> LibreOffice:
        return cls(find_soffice(), timeout)

    @property
    def version(self) -> str:
        if self._version is None:
            self._version = "unknown"
            if self.executable:
                try:
                    out = subprocess.run(
                        [self.executable, "--headless", "--version"], capture_output=True,
                        text=True, timeout=60, check=False,
                    )
                    self._version = out.stdout.strip() or "unknown"
                except (OSError, subprocess.TimeoutExpired):
                    pass
        return self._version

    def convert(self, source: Path, suffix: str, workdir: Path) -> Path:
        """Convert `source` (given the import `suffix`) to PDF in workdir; returns the PDF.
        Raises ConversionError on failure or timeout."""
        assert self.executable is not None
        job = workdir / "office"
        (job / "in").mkdir(parents=True)
        (job / "out").mkdir()
        profile = job / "profile"
        staged = job / "in" / f"document{suffix}"
        shutil.copyfile(source, staged)  # a plain ASCII name: no quoting or filter surprises
        cmd = [
            self.executable, "--headless", "--norestore", "--nolockcheck", "--nodefault",
            "--nologo", f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--convert-to", "pdf", "--outdir", str(job / "out"), str(staged),
        ]
        env = {**os.environ, "HOME": str(job)}
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
            env=env, start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ConversionError(
                f"LibreOffice did not finish converting within {self.timeout:g} s",
                path=source,
                fix="open the document in Word or LibreOffice and save it as PDF by hand",
            ) from None
        finally:
            _kill_group(proc)  # helpers LibreOffice may have left behind
        pdf = job / "out" / "document.pdf"
        if proc.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
            detail = (err or out or b"").decode("utf-8", "replace").strip().splitlines()
            detail = [d for d in detail if "javaldx" not in d]
            raise ConversionError(
                "LibreOffice could not convert the document"
                + (f" ({detail[-1][:200]})" if detail else " (damaged or unsupported file)"),
                path=source, fix="open it in Word or LibreOffice to check it and save it as "
                "PDF by hand",
            )
        return pdf


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError, AttributeError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def office_suffix(path: Path, mime: str) -> str:
    """The suffix that tells LibreOffice the real format (content first, then the name)."""
    by_content = OFFICE_SUFFIX_BY_MIME.get(mime.lower())
    if by_content:
        return by_content
    suffix = path.suffix.lower()
    return suffix if EXTENSION_KINDS.get(suffix) == OFFICE else ".docx"


def office_to_pdf(path: Path, mime: str, workdir: Path, office: LibreOffice,
                  limits: ConvertLimits) -> Converted:
    if office.executable is None:
        result = Converted()
        result.flags.append(FLAG_NEEDS_CONVERSION)
        result.notes.append(
            f"LibreOffice is not installed, so this {path.suffix or 'document'} was filed as "
            f"received; {LIBREOFFICE_INSTALL_HINT}"
        )
        return result
    try:
        pdf = office.convert(path, office_suffix(path, mime), workdir)
    except ConversionError as exc:
        # LibreOffice failing says little about the file (it may be fine in Word): file
        # the original, flagged, rather than hold it back.
        shutil.rmtree(workdir / "office", ignore_errors=True)
        result = Converted()
        result.flags.append(FLAG_CONVERSION_FAILED)
        result.notes.append(f"{exc.what}; filed as received. {exc.fix}")
        return result
    dest = workdir / "converted.pdf"
    pdf.replace(dest)
    shutil.rmtree(workdir / "office", ignore_errors=True)
    info = inspect_pdf(dest, scan_pages=limits.scan_pages, received=False)
    result = Converted(pdf=dest)
    result.conversions.append({
        "tool": "LibreOffice", "tool_version": office.version, "from_type": mime,
        "to_type": "application/pdf", "pages": info.page_count,
    })
    put(result.facts, "page_count", info.page_count)
    put(result.facts, "first_page_text", info.first_page_text)
    put(result.facts, "pdf_title", info.title)
    return result
