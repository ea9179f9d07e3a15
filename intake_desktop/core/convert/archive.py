"""ZIP archives, extracted safely: every member becomes a child of the archive.

Checked before anything is written: member names (no `..`, absolute, drive-letter or
device names, no links), member count, declared total size, per-member size and
compression ratio (every member), encryption. Archives inside the archive are checked
too, and the member count and declared bytes of every level add up against one budget
(a zip of zips cannot multiply its way past the limits). Any failed check refuses the
whole archive (it goes to Review/ with the reason and the offending names; nothing is
extracted, nothing is lost).
While extracting, the bytes actually written are counted against the declared sizes.
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
from dataclasses import dataclass
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
OFFICE_SUFFIXES = (".docx", ".xlsx", ".pptx", ".docm", ".xlsm", ".pptm", ".odt", ".ods",
                   ".odp", ".odg", ".epub", ".jar", ".apk")
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


# A member this small cannot inflate much whatever its ratio (deflate tops out near
# 1000:1); the member budget bounds how many there can be.
SMALL_MEMBER = 4096
MAX_NESTING = 8  # archives inside archives, levels scanned before refusing


@dataclass
class _Budget:
    """What the whole tree of nested archives may still declare (shared by every level)."""

    bytes_left: int
    members_left: int
    nested: bool = False  # a nested archive was seen: messages say "across nested archives"


def _refuse(path: Path, problems: list[str]) -> ConversionError:
    more = f" and {len(problems) - 5} more" if len(problems) > 5 else ""
    return ConversionError(
        f"unsafe archive, refused: {'; '.join(problems[:5])}{more}",
        path=path, flags=(FLAG_UNSAFE_ARCHIVE,), detected_type=ZIP_MIME, fix=FIX)


def _member_problem(info: zipfile.ZipInfo, limits: ConvertLimits) -> str | None:
    reason = unsafe_reason(info.filename)
    if reason is None and _is_link(info):
        reason = "symbolic link"
    if reason is None and info.flag_bits & 0x1:
        reason = "password-protected member"
    if reason is None and info.file_size > limits.max_member_size:
        reason = (f"declares {info.file_size:,} bytes, more than the "
                  f"{limits.max_member_size:,}-byte limit per file")
    if reason is None and info.file_size > SMALL_MEMBER:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            reason = (f"compression ratio {ratio:,.0f}:1 is above the limit of "
                      f"{limits.max_ratio:,.0f}:1 (zip bomb)")
    return reason


def check_archive(path: Path, infos: list[zipfile.ZipInfo], limits: ConvertLimits) -> None:
    """The checks of one archive level (names, links, sizes, ratio of every member)."""
    _check_level(path, infos, limits, _Budget(limits.max_archive_total, limits.max_children),
                 prefix="")


def _check_level(path: Path, infos: list[zipfile.ZipInfo], limits: ConvertLimits,
                 budget: _Budget, prefix: str) -> None:
    files = [i for i in infos if not i.is_dir()]
    budget.members_left -= len(files)
    if budget.members_left < 0:
        count = limits.max_children - budget.members_left
        if budget.nested:
            what = f"the archive holds {count} files across nested archives"
        else:
            what = f"the archive has {count} files"
        raise ConversionError(
            f"{what}, more than the limit of {limits.max_children}",
            path=path, flags=(FLAG_OVER_LIMIT,), detected_type=ZIP_MIME, fix=FIX)
    problems = []
    for info in infos:
        reason = _member_problem(info, limits)
        if reason:
            problems.append(f"{prefix + info.filename!r}: {reason}")
    if problems:
        raise _refuse(path, problems)
    budget.bytes_left -= sum(i.file_size for i in files)
    if budget.bytes_left < 0:
        total = limits.max_archive_total - budget.bytes_left
        where = " across nested archives" if budget.nested else ""
        verb = "the archives declare" if budget.nested else "the archive declares"
        raise ConversionError(
            f"{verb} {total:,} bytes uncompressed{where}, more than the limit of "
            f"{limits.max_archive_total:,}",
            path=path, flags=(FLAG_OVER_LIMIT,), detected_type=ZIP_MIME, fix=FIX)


def _is_plain_zip(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """A member that is itself a ZIP archive (not an Office file: those are inspected
    when they are converted)."""
    if info.is_dir() or info.file_size < 22:
        return False
    with zf.open(info) as fh:
        if fh.read(4) != b"PK\x03\x04":
            return False
    lower = info.filename.lower()
    return not lower.endswith(OFFICE_SUFFIXES)


def check_tree(path: Path, zf: zipfile.ZipFile, limits: ConvertLimits, scratch: Path) -> None:
    """Check the archive and every archive nested in it against one shared budget of
    declared bytes and members, before anything is extracted. Nested archives are copied
    to `scratch` one at a time (each already checked by its parent level) and removed."""
    budget = _Budget(limits.max_archive_total, limits.max_children)
    try:
        _check_tree(path, zf, limits, scratch, budget, prefix="", depth=0)
    finally:
        if scratch.is_dir():
            shutil.rmtree(scratch, ignore_errors=True)


def _check_tree(path: Path, zf: zipfile.ZipFile, limits: ConvertLimits, scratch: Path,
                budget: _Budget, prefix: str, depth: int) -> None:
    infos = zf.infolist()
    _check_level(path, infos, limits, budget, prefix)
    for info in infos:
        try:
            nested = _is_plain_zip(zf, info)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
            continue  # extraction reports the damage with the member's name
        if not nested:
            continue
        name = prefix + info.filename
        if depth + 1 > MAX_NESTING:
            raise _refuse(path, [f"{name!r}: archives nested more than {MAX_NESTING} deep"])
        budget.nested = True
        scratch.mkdir(parents=True, exist_ok=True)
        copy = scratch / f"nested-{depth}.zip"
        try:
            _copy_member(path, zf, info, copy)
            try:
                inner = zipfile.ZipFile(copy)
            except (zipfile.BadZipFile, OSError, ValueError):
                continue  # a damaged inner archive is reported when it is filed
            with inner:
                _check_tree(path, inner, limits, scratch, budget, f"{name}/", depth + 1)
        finally:
            copy.unlink(missing_ok=True)


def _copy_member(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo,
                 target: Path) -> int:
    """Extract one member, never writing more than it declares."""
    written = 0
    try:
        with zf.open(info) as src, open(target, "xb") as dst:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                if written > info.file_size:
                    raise ConversionError(
                        f"member {info.filename!r} is larger than it declares",
                        path=path,
                        flags=(FLAG_UNSAFE_ARCHIVE,), detected_type=ZIP_MIME, fix=FIX)
                dst.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError,
            RuntimeError) as exc:
        raise ConversionError(
            f"damaged ZIP archive: member {info.filename!r} cannot be extracted ({exc})",
            path=path, flags=(FLAG_CORRUPT,), detected_type=ZIP_MIME, fix=FIX) from None
    return written


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
        check_tree(path, zf, limits, workdir / "scan")
        written_total = 0
        n = 0
        for info in infos:
            if info.is_dir() or is_junk_path(Path(*PurePosixPath(info.filename).parts)):
                continue
            n += 1
            folder = workdir / "children" / f"{n:04d}"
            folder.mkdir(parents=True)
            target = folder / safe_name(PurePosixPath(info.filename.replace("\\", "/")).name)
            written = _copy_member(path, zf, info, target)
            written_total += written
            result.children.append(target)
        result.facts["archive_members"] = [
            i.filename for i in infos if not i.is_dir()][:1000]
        result.facts["archive_extracted_bytes"] = written_total
    return result
