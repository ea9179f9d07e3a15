"""The one module that creates, moves and removes files in a workspace.

Every write goes to a temporary name in the destination folder, is fsynced and checked
against the expected SHA-256, and only then takes its final name, without ever replacing
an existing file. Folders are fsynced after each rename so a crash cannot undo it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import stat
import unicodedata
from collections.abc import Callable, Collection
from pathlib import Path

from pathvalidate import sanitize_filename

from intake_desktop.core import platform
from intake_desktop.core.errors import FilingError

# fault(step) is called at each step of a write; tests make it raise to simulate a crash.
FaultHook = Callable[[str], None]

TMP_SUFFIX = ".intake-tmp"
MAX_NAME_BYTES = 200
# Characters below the workspace folder that a path may take (as the rules' path_budget).
PATH_BUDGET = 200
# Bidirectional controls: "invoice\u202efdp.exe" shows as "invoiceexe.pdf".
BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def no_fault(step: str) -> None:
    """The production fault hook: does nothing."""


def tmp_path_for(dest: Path, tag: str) -> Path:
    """The temporary name used while writing `dest` (hidden, in the same folder)."""
    return dest.parent / f".{dest.name}.{tag}{TMP_SUFFIX}"


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (core/platform.py: a no-op where it cannot be done)."""
    platform.fsync_dir(folder)


def safe_name(name: str) -> str:
    """A file name that is legal on Windows, macOS and Linux and fits the byte budget."""

    def clean(text: str) -> str:
        return sanitize_filename(text, replacement_text="_", platform="universal").strip()

    text = unicodedata.normalize("NFC", name).translate(BIDI_CONTROLS)
    raw_stem, dot, raw_ext = text.rpartition(".")
    if dot and raw_stem and len(raw_ext) <= 16:
        # Cut a long stem before cleaning, so the extension survives the 255-byte limit.
        text = raw_stem[:MAX_NAME_BYTES] + "." + raw_ext
    cleaned = clean(text)
    if not cleaned or cleaned in {".", ".."}:
        cleaned = "unnamed"
    stem, dot, ext = cleaned.rpartition(".")
    if not dot or not stem:
        stem, ext = cleaned, ""
    ext = f".{ext}" if ext else ""
    while len((stem + ext).encode("utf-8")) > MAX_NAME_BYTES and stem:
        stem = stem[:-1]
    # Windows ignores trailing spaces and dots, so "NUL .txt" is the device NUL: clean again.
    return clean((stem.rstrip(" .") or "unnamed") + ext) or "unnamed"


def fit_name(name: str, room: int) -> str:
    """`name` (made safe) shortened from the end of its stem to at most `room` characters,
    keeping the extension and room for a collision counter " (12)"."""
    base = safe_name(name)
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem:
        stem, ext = base, ""
    ext = f".{ext}" if ext else ""
    limit = max(room - 5 - len(ext), 8)
    if len(stem) > limit:
        stem = stem[:limit].rstrip(" .") or "unnamed"
    return safe_name(stem + ext)


def unique_path(folder: Path, name: str, reserved: Collection[str] = ()) -> Path:
    """`folder/name`, or `name (2)`, `name (3)`... when taken on disk or reserved."""
    base = Path(safe_name(name))
    stem, suffix = base.stem, base.suffix
    candidate = folder / base.name
    n = 2
    while candidate.exists() or str(candidate) in reserved or candidate.is_symlink():
        candidate = folder / f"{stem} ({n}){suffix}"
        n += 1
    return candidate


def _hash_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _os_error(exc: OSError, dest: Path, action: str) -> FilingError:
    if exc.errno == errno.ENOSPC:
        return FilingError(
            f"the disk is full while {action}",
            path=dest,
            fix="free space on that disk and ingest again; the source was left in place",
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return FilingError(
            f"no permission to write here while {action}",
            path=dest,
            fix="check the folder's permissions (or that the disk is not read-only) and retry",
        )
    return FilingError(f"{exc.strerror or exc} while {action}", path=dest, fix="retry")


def _link_no_clobber(tmp: Path, dest: Path) -> None:
    """Give `tmp` the name `dest` atomically, failing if `dest` exists (core/platform.py)."""
    platform.rename_no_clobber(tmp, dest)


class Mover:
    """Copies files into place crash-safely. `fault` is a test hook."""

    def __init__(self, fault: FaultHook = no_fault) -> None:
        self._fault = fault

    def place_copy(
        self,
        src: Path,
        dest: Path,
        expected_sha256: str,
        *,
        tag: str,
        read_only: bool = False,
    ) -> None:
        """Copy `src` to the new file `dest` and check its hash; never replaces a file.

        `tag` names the temporary file so that recovery can find it again.
        """
        tmp = tmp_path_for(dest, tag)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            self._fault("mkdir")
            if tmp.exists():
                self.discard(tmp)
            with open(src, "rb") as fin, open(tmp, "xb") as fout:
                if os.name == "nt":
                    shutil.copyfileobj(fin, fout, 1024 * 1024)
                else:
                    _sendfile(fin.fileno(), fout.fileno())
                self._fault("tmp_written")
                fout.flush()
                os.fsync(fout.fileno())
            self._fault("tmp_fsynced")
            actual = _hash_file(tmp)
            if actual != expected_sha256:
                self.discard(tmp)
                raise FilingError(
                    "the copy does not match the source's SHA-256 (the source changed while "
                    "it was being copied, or the disk is failing)",
                    path=src,
                    fix="leave the file alone until it is finished and ingest it again",
                )
            self._fault("verified")
            if read_only:
                os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            _link_no_clobber(tmp, dest)
            self._fault("renamed")
            fsync_dir(dest.parent)
            self._fault("dir_fsynced")
        except FileExistsError as exc:
            self.discard(tmp)
            raise FilingError(
                "a file with this name appeared while filing", path=dest, fix="ingest again"
            ) from exc
        except FileNotFoundError as exc:
            self.discard(tmp)
            raise FilingError(
                "the file disappeared while it was being filed",
                path=src,
                fix="check whether someone moved it; nothing was filed",
            ) from exc
        except OSError as exc:
            self.discard(tmp)
            raise _os_error(exc, dest, "copying the file into place") from exc

    def place_bytes(self, dest: Path, data: bytes, *, tag: str = "new",
                    read_only: bool = False) -> None:
        """Write the new file `dest` with `data` (temporary name, fsync, link); never
        replaces a file: a taken name is a FilingError."""
        tmp = tmp_path_for(dest, tag)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            if tmp.exists():
                self.discard(tmp)
            with open(tmp, "xb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if read_only:
                os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            _link_no_clobber(tmp, dest)
            fsync_dir(dest.parent)
        except FileExistsError as exc:
            self.discard(tmp)
            raise FilingError("a file with this name already exists", path=dest,
                              fix="choose another name; nothing was overwritten") from exc
        except OSError as exc:
            self.discard(tmp)
            raise _os_error(exc, dest, "writing the file") from exc

    def remove_source(self, src: Path) -> None:
        """Remove an intake source after it has been filed and recorded."""
        try:
            src.unlink()
        except FileNotFoundError:
            return
        except PermissionError:
            os.chmod(src, stat.S_IWUSR | stat.S_IRUSR)
            src.unlink()
        self._fault("source_unlinked")
        fsync_dir(src.parent)

    def remove_work_folder(self, folder: Path, work_root: Path) -> None:
        """Remove one of this app's work folders (only ever below `work_root`)."""
        if folder.parent.resolve() != work_root.resolve() or folder.is_symlink():
            return
        for top, dirs, files in os.walk(folder, topdown=False):
            for name in files + [d for d in dirs if (Path(top) / d).is_symlink()]:
                self.discard(Path(top) / name)
            for name in dirs:
                with contextlib.suppress(OSError):
                    (Path(top) / name).rmdir()
        with contextlib.suppress(OSError):
            folder.rmdir()

    def discard(self, path: Path) -> None:
        """Remove a file this app wrote itself (a temporary or an unfinished copy)."""
        try:
            if path.exists() and not os.access(path, os.W_OK):
                os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
            path.unlink()
        except FileNotFoundError:
            pass


def _sendfile(fd_in: int, fd_out: int) -> None:
    """Kernel copy where available, plain read/write otherwise."""
    size = os.fstat(fd_in).st_size
    offset = 0
    try:
        while offset < size:
            sent = os.sendfile(fd_out, fd_in, offset, min(size - offset, 1 << 30))
            if sent == 0:
                break
            offset += sent
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOSYS) or offset:
            raise
        while chunk := os.read(fd_in, 1 << 20):
            os.write(fd_out, chunk)
        return
    # The file may have grown while copying: copy the rest the slow way.
    os.lseek(fd_in, offset, os.SEEK_SET)
    os.lseek(fd_out, offset, os.SEEK_SET)
    while chunk := os.read(fd_in, 1 << 20):
        os.write(fd_out, chunk)


PREVIOUS_SUFFIX = ".previous"


def previous_version_path(path: Path) -> Path:
    """Where `replace_file` keeps the version it replaced (`<name>.previous`)."""
    return path.with_name(path.name + PREVIOUS_SUFFIX)


def replace_file(path: Path, data: bytes, *, keep_previous: bool = True) -> Path | None:
    """Replace a settings file atomically (a crash leaves the old or the new file, never
    half of one), keeping the version it replaced as `<name>.previous`. Returns where the
    previous version was kept (None when there was none)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path_for(path, f"r{os.getpid()}")
    kept: Path | None = None
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if keep_previous and path.is_file():
            kept = previous_version_path(path)
            ptmp = tmp_path_for(kept, f"p{os.getpid()}")
            shutil.copyfile(path, ptmp)
            os.replace(ptmp, kept)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)
    return kept


def write_export(dest: Path, data: bytes) -> Path:
    """Write an export (`--out`): a new file, never replacing one; a taken name gets
    ` (2)`. Returns the path written, which the caller shows."""
    return write_new_file(dest, data)


def write_new_file(dest: Path, data: bytes) -> Path:
    """Write a new file (a report, a seal) crash-safely; a taken name gets ` (2)`."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    final = unique_path(dest.parent, dest.name)
    tmp = tmp_path_for(final, "new")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    _link_no_clobber(tmp, final)
    fsync_dir(final.parent)
    return final


def write_once(dest: Path, data: bytes) -> bool:
    """Create `dest` with `data` unless it exists (atomic across processes).

    True when this call created it; False when the file was already there (left as is).
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        return False
    tmp = tmp_path_for(dest, f"once{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        _link_no_clobber(tmp, dest)
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        return False
    fsync_dir(dest.parent)
    return True
