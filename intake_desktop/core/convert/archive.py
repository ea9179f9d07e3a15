"""ZIP archives, extracted safely: every member becomes a child of the archive.

Checked before anything is written: member names (no `..`, absolute, drive-letter or
device names, no links), member count, declared total size, per-member size and
compression ratio, encryption. Any failed check refuses the whole archive (it goes to
Review/ with the reason and the offending names; nothing is extracted, nothing is lost).
While extracting, the bytes actually written are counted against the declared sizes.
"""

from __future__ import annotations

import re
import stat
import zipfile
from pathlib import Path, PurePosixPath

from intake_desktop.core.convert.base import (
    FLAG_CORRUPT,
    FLAG_OVER_LIMIT,
    FLAG_UNSAFE_ARCHIVE,
    ConversionError,
    Converted,
    ConvertLimits,
)
from intake_desktop.core.junk import is_junk_path
from intake_desktop.core.mover import safe_name

ZIP_MIME = "application/zip"
DEVICE_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{i}" for i in range(10)} | {f"LPT{i}" for i in range(10)}
    | {"COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³"}
)
_DRIVE = re.compile(r"^[A-Za-z]:")
CHUNK = 1024 * 1024
FIX = ("extract it by hand on a safe machine and ingest the files, or ask the sender for "
       "a clean archive; the archive is kept in Review/ unchanged")


def unsafe_reason(name: str) -> str | None:
    """Why a member name is refused (None: safe)."""
    if "\x00" in name:
        return "contains a NUL character"
    unified = name.replace("\\", "/")
    if unified.startswith("/") or unified.startswith("//"):
        return "absolute path"
    if _DRIVE.match(unified):
        return "drive-letter path"
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return "climbs out of the folder (..)"
    for part in parts:
        stem = part.split(".", 1)[0].rstrip(" ").upper()
        if stem in DEVICE_NAMES:
            return f"Windows device name ({part})"
        if ":" in part:
            return "contains ':' (alternate data stream or drive)"
    return None


def _is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def check_archive(path: Path, infos: list[zipfile.ZipInfo], limits: ConvertLimits) -> None:
    files = [i for i in infos if not i.is_dir()]
    if len(files) > limits.max_children:
        raise ConversionError(
            f"the archive has {len(files)} files, more than the limit of "
            f"{limits.max_children}",
            path=path, flags=(FLAG_OVER_LIMIT,), detected_type=ZIP_MIME, fix=FIX)
    problems: list[str] = []
    for info in infos:
        reason = unsafe_reason(info.filename)
        if reason is None and _is_link(info):
            reason = "symbolic link"
        if reason is None and info.flag_bits & 0x1:
            reason = "password-protected member"
        if reason is None and info.file_size > limits.max_member_size:
            reason = (f"declares {info.file_size:,} bytes, more than the "
                      f"{limits.max_member_size:,}-byte limit per file")
        if reason is None and info.file_size > 1024 * 1024:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                reason = (f"compression ratio {ratio:,.0f}:1 is above the limit of "
                          f"{limits.max_ratio:,.0f}:1 (zip bomb)")
        if reason:
            problems.append(f"{info.filename!r}: {reason}")
    if problems:
        more = f" and {len(problems) - 5} more" if len(problems) > 5 else ""
        raise ConversionError(
            f"unsafe archive, refused: {'; '.join(problems[:5])}{more}",
            path=path, flags=(FLAG_UNSAFE_ARCHIVE,), detected_type=ZIP_MIME, fix=FIX)
    total = sum(i.file_size for i in files)
    if total > limits.max_archive_total:
        raise ConversionError(
            f"the archive declares {total:,} bytes uncompressed, more than the limit of "
            f"{limits.max_archive_total:,}",
            path=path, flags=(FLAG_OVER_LIMIT,), detected_type=ZIP_MIME, fix=FIX)


def extract_zip(path: Path, mime: str, workdir: Path, limits: ConvertLimits) -> Converted:
    """Members (junk such as __MACOSX/ skipped) as children; the archive is filed as is."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ConversionError(f"damaged ZIP archive ({exc})",
                              path=path, flags=(FLAG_CORRUPT,), detected_type=mime,
                              fix="ask the sender for the archive again") from None
    result = Converted()
    with zf:
        infos = zf.infolist()
        check_archive(path, infos, limits)
        written_total = 0
        n = 0
        for info in infos:
            if info.is_dir() or is_junk_path(Path(*PurePosixPath(info.filename).parts)):
                continue
            n += 1
            folder = workdir / "children" / f"{n:04d}"
            folder.mkdir(parents=True)
            target = folder / safe_name(PurePosixPath(info.filename.replace("\\", "/")).name)
            written = 0
            try:
                with zf.open(info) as src, open(target, "xb") as dst:
                    while chunk := src.read(CHUNK):
                        written += len(chunk)
                        if written > info.file_size:
                            raise ConversionError(
                                f"member {info.filename!r} is larger than it declares",
                                path=path,
                                flags=(FLAG_UNSAFE_ARCHIVE,), detected_type=mime, fix=FIX)
                        dst.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError,
                    RuntimeError) as exc:
                raise ConversionError(
                    f"damaged ZIP archive: member {info.filename!r} cannot be extracted ({exc})",
                    path=path, flags=(FLAG_CORRUPT,), detected_type=mime, fix=FIX) from None
            written_total += written
            result.children.append(target)
        result.facts["archive_members"] = [
            i.filename for i in infos if not i.is_dir()][:1000]
        result.facts["archive_extracted_bytes"] = written_total
    return result
