"""The one module that creates, moves and removes files in a workspace.

Every write goes to a temporary name in the destination folder, is fsynced and checked
against the expected SHA-256, and only then takes its final name, without ever replacing
an existing file. Folders are fsynced after each rename so a crash cannot undo it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import re
import shutil
import stat
import time
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pathvalidate import sanitize_filename

from intake_desktop.core import platform
from intake_desktop.core.errors import FilingError

# fault(step) is called at each step of a write; tests make it raise to simulate a crash.
FaultHook = Callable[[str], None]

TMP_SUFFIX = ".intake-tmp"
COPY_BLOCK = 1024 * 1024  # bytes read (and hashed, and written) at a time
MAX_NAME_BYTES = 200
# Characters below the workspace folder that a path may take (as the rules' path_budget).
PATH_BUDGET = 200
# Bidirectional controls: "invoice\u202efdp.exe" shows as "invoiceexe.pdf".
BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def no_fault(step: str) -> None:
    """The production fault hook: does nothing."""


# A small-file writer's temporary names its writer (`new@<space>.<pid>`), so one killed
# mid-write can be told from one still writing (another desk's, on a shared folder).
_WRITER_TAG = re.compile(r"\.[a-z]+@([0-9a-f]{12})\.(\d+)" + re.escape(TMP_SUFFIX) + "$")
STALE_TEMP_AGE = 24 * 3600  # seconds: any writer's temporary older than this is dead


def writer_tag(kind: str) -> str:
    """The tag of a temporary this process writes (see `discard_dead_temps`)."""
    return f"{kind}@{platform.process_space().rpartition('#')[2][:12]}.{os.getpid()}"


def discard_dead_temps(folder: Path) -> list[Path]:
    """Remove the temporaries that writers killed mid-write (kill -9, power cut) left in
    `folder`: a dead process's of this process space, and anyone's older than a day.
    Filing's own temporaries are recovery's business (`Filer.recover`) and not touched."""
    mine = platform.process_space().rpartition("#")[2][:12]
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    now = time.time()
    for entry in entries:
        found = _WRITER_TAG.search(entry.name)
        if found is None or not entry.name.startswith("."):
            continue
        space, pid = found.group(1), int(found.group(2))
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        dead = space == mine and pid != os.getpid() and not platform.pid_alive(pid)
        if dead or age > STALE_TEMP_AGE:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


def tmp_path_for(dest: Path, tag: str) -> Path:
    """The temporary name used while writing `dest` (hidden, in the same folder)."""
    return dest.parent / f".{dest.name}.{tag}{TMP_SUFFIX}"


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (core/platform.py: a no-op where it cannot be done)."""
    platform.fsync_dir(folder)


# A name of these characters only, starting and ending with a letter or digit, within the
# byte budget, not a Windows device name and with no space or dot before its extension's
# dot, is already safe: `safe_name` returns it as it is, without the full clean-up (0.1 ms
# a name; tests/core/test_safe_names.py checks that both agree on such names).
_PLAIN_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 ._,()'&+#@!=~\[\]{}-]*[A-Za-z0-9)\]}])?")
_DEVICE_NAME = re.compile(r"(?:CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(?:\.|$)", re.IGNORECASE)


def safe_name(name: str) -> str:
    """A file name that is legal on Windows, macOS and Linux and fits the byte budget."""
    stem = name.rpartition(".")[0]
    if (len(name) <= MAX_NAME_BYTES and _PLAIN_NAME.fullmatch(name)
            and not _DEVICE_NAME.match(name) and not stem.endswith((" ", "."))):
        return name
    return _cleaned_name(name)


def _cleaned_name(name: str) -> str:
    """`safe_name` the long way: NFC, no bidi controls, pathvalidate's universal rules,
    the extension kept within the byte budget."""

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
    """`folder/name`, or `name (2)`, `name (3)`... when taken on disk (a file, a folder or
    a link, dangling or not) or reserved."""
    base = Path(safe_name(name))
    stem, suffix = base.stem, base.suffix
    candidate = folder / base.name
    n = 2
    while str(candidate) in reserved or _taken(candidate):
        candidate = folder / f"{stem} ({n}){suffix}"
        n += 1
    return candidate


def _taken(path: Path) -> bool:
    """Whether anything has this name (one lstat: a dangling link counts)."""
    try:
        os.lstat(path)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EBADF):
            return False  # as Path.exists/is_symlink: the copy step then says why
        raise
    return True


def sync_error(exc: OSError, dest: Path) -> FilingError:
    """The error of a copy whose data could not be synced (`Mover.sync_written`)."""
    return _os_error(exc, dest, "copying the file into place")


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


@dataclass(frozen=True)
class Placed:
    """What `Mover.place_copies` did: folders whose fsync the caller owes (batch), and the
    source's status just after its bytes were read."""

    folders: set[Path]
    source_stat: os.stat_result


@dataclass(frozen=True)
class Written:
    """Temporary copies of one source written by `Mover.write_copies`, checked against
    the expected SHA-256, not yet synced or named: (dest, temporary, read_only) each."""

    src: Path
    pairs: list[tuple[Path, Path, bool]]
    source_stat: os.stat_result


# Files synced or removed at once (their waits overlap; each is a thread only meanwhile).
PARALLEL_SYNCS = 16


def _sync_path(path: Path) -> None:
    """Make a file's data durable (opened for writing: Windows flushes only then), then
    let the system forget its cached pages: nobody reads a filed copy soon, and caching two
    copies of every file evicts what the user is working on (on a virtual machine whose
    host takes back free memory, growing the cache by two copies per file also cost more
    than writing them: 8 ms of kernel time per MB against 0.4 ms when pages are reused)."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        platform.sync_data(fd)
        platform.drop_cached(fd)
    finally:
        os.close(fd)


def _remove_source(src: Path) -> None:
    try:
        src.unlink()
    except PermissionError:  # read-only on Windows
        os.chmod(src, stat.S_IWUSR | stat.S_IRUSR)
        src.unlink()


def _each(step: Callable[[Path], None], paths: Sequence[Path]) -> list[OSError | None]:
    """`step(path)` for every path, up to PARALLEL_SYNCS at once; the OSError of each
    (None: done). The threads end before this returns."""
    def one(path: Path) -> OSError | None:
        try:
            step(path)
        except OSError as exc:
            return exc
        return None

    if len(paths) < 2:
        return [one(p) for p in paths]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(PARALLEL_SYNCS, len(paths))) as pool:
        return list(pool.map(one, paths))


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
        more: Sequence[tuple[Path, bool]] = (),
        sync_dirs: bool = True,
    ) -> Placed:
        """Copy `src` to the new file `dest` (and to each of `more`, (path, read_only)
        pairs, in the same read) and check its hash; never replaces a file.

        `tag` names the temporary file so that recovery can find it again. See
        `place_copies`.
        """
        return self.place_copies(src, [(dest, read_only), *more], expected_sha256, tag=tag,
                                 sync_dirs=sync_dirs)

    def place_copies(
        self,
        src: Path,
        dests: Sequence[tuple[Path, bool]],
        expected_sha256: str,
        *,
        tag: str,
        sync_dirs: bool = True,
    ) -> Placed:
        """Copy `src` to each new file of `dests` ((path, read_only) pairs) in one read of
        its bytes, hashing them on the way: the bytes written are the bytes hashed, so a
        copy whose hash differs from `expected_sha256` (the source changed since it was
        hashed, or a read went wrong) is never given its name. Each copy is written to a
        temporary name, its data synced, then linked to its name without replacing
        anything. Where the filesystem can (btrfs, XFS), a lone copy is a reflink whose
        bytes are read back once to check them.

        `sync_dirs=False` leaves the folders' fsync to the caller (one per folder per
        batch, `sync_folders`) and returns them; a copy is durable only after it. The
        source's status as read (`Placed.source_stat`) lets a caller tell later that the
        source is still the file that was copied.

        The three steps are also callable one by one (`write_copies`, `sync_written`,
        `link_written`), so that a batch syncs all its copies at once.
        """
        written = self.write_copies(src, dests, expected_sha256, tag=tag)
        failed = self.sync_written([written])[0]
        if failed is not None:
            self.discard_written(written)
            raise _os_error(failed, written.pairs[0][0], "copying the file into place")
        folders = self.link_written(written)
        if sync_dirs:
            self.sync_folders(folders)
            folders = set()
        return Placed(folders, written.source_stat)

    def write_copies(
        self, src: Path, dests: Sequence[tuple[Path, bool]], expected_sha256: str, *, tag: str,
    ) -> Written:
        """Step 1 of `place_copies`: write `src` to a temporary name beside each of `dests`
        in one read, and check the SHA-256 of the bytes written; not yet synced or named."""
        pairs = [(dest, tmp_path_for(dest, tag), read_only) for dest, read_only in dests]
        current = dests[0][0] if dests else src
        try:
            for dest, tmp, _ in pairs:
                current = dest
                dest.parent.mkdir(parents=True, exist_ok=True)
                self._fault("mkdir")
                if tmp.exists():
                    self.discard(tmp)
            actual, seen = self._write_tmps(src, [tmp for _, tmp, _ in pairs])
        except FileNotFoundError as exc:
            self._undo(pairs, [])
            raise FilingError(
                "the file disappeared while it was being filed",
                path=src,
                fix="check whether someone moved it; nothing was filed",
            ) from exc
        except FileExistsError as exc:
            self._undo(pairs, [])
            raise FilingError(
                "a file with this name appeared while filing", path=current, fix="ingest again"
            ) from exc
        except OSError as exc:
            self._undo(pairs, [])
            raise _os_error(exc, current, "copying the file into place") from exc
        if actual != expected_sha256:
            self._undo(pairs, [])
            raise FilingError(
                "the copy does not match the source's SHA-256 (the source changed while "
                "it was being copied, or the disk is failing)",
                path=src,
                fix="leave the file alone until it is finished and ingest it again",
            )
        for _ in pairs:
            self._fault("verified")
        return Written(src, pairs, seen)

    def sync_written(self, written: Sequence[Written]) -> list[OSError | None]:
        """Step 2: make the data of every temporary copy durable, several at a time (the
        filesystem commits concurrent syncs together: 400 copies took 1.3-1.8 s one by
        one, 0.4 s sixteen at a time on ext4). The error of each `written`, or None."""
        tmps = [(n, tmp) for n, w in enumerate(written) for _, tmp, _ in w.pairs]
        errors: list[OSError | None] = [None] * len(written)
        for (n, _), error in zip(tmps, _each(_sync_path, [t for _, t in tmps]), strict=True):
            if error is not None and errors[n] is None:
                errors[n] = error
            self._fault("tmp_fsynced")
        return errors

    def sync_one(self, written: Written) -> OSError | None:
        """Step 2 for one source's copies, one after the other (a batch runs several of
        these at once, each in its own thread, beside other files' writes): the first
        error, or None."""
        failed: OSError | None = None
        for _, tmp, _ in written.pairs:
            try:
                _sync_path(tmp)
            except OSError as exc:
                failed = failed or exc
            self._fault("tmp_fsynced")
        return failed

    def link_written(self, written: Written) -> set[Path]:
        """Step 3: give each synced copy its name, never replacing a file (a taken name is
        a FilingError caused by FileExistsError, and nothing of this copy is left); the
        folders whose fsync makes the names durable."""
        linked: list[Path] = []
        current = written.pairs[0][0] if written.pairs else written.src
        try:
            for dest, tmp, read_only in written.pairs:
                current = dest
                if read_only:
                    os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
                _link_no_clobber(tmp, dest)
                linked.append(dest)
                self._fault("renamed")
        except FileExistsError as exc:
            self._undo(written.pairs, linked)
            raise FilingError(
                "a file with this name appeared while filing", path=current, fix="ingest again"
            ) from exc
        except OSError as exc:
            self._undo(written.pairs, linked)
            raise _os_error(exc, current, "copying the file into place") from exc
        return {dest.parent for dest, _, _ in written.pairs}

    def discard_written(self, written: Written) -> None:
        """Remove the temporary copies of a `write_copies` not taken further."""
        self._undo(written.pairs, [])

    def _undo(self, pairs: Sequence[tuple[Path, Path, bool]], linked: Sequence[Path]) -> None:
        """Remove this call's temporaries and the copies it already named."""
        for _, tmp, _ in pairs:
            self.discard(tmp)
        for dest in linked:
            self.discard(dest)

    def _write_tmps(self, src: Path, tmps: Sequence[Path]) -> tuple[str, os.stat_result]:
        """Write `src` to each new file of `tmps` (not synced); the SHA-256 of the bytes
        written and the source's status after reading it. One pass over the source; a
        reflink where the filesystem allows it."""
        with contextlib.ExitStack() as stack:
            fin = stack.enter_context(open(src, "rb", buffering=0))
            outs = [stack.enter_context(open(tmp, "xb", buffering=0)) for tmp in tmps]
            if len(outs) == 1 and platform.clone_file(fin.fileno(), outs[0].fileno()):
                self._fault("tmp_written")
                with open(tmps[0], "rb") as back:
                    digest = hashlib.file_digest(back, "sha256").hexdigest()
            else:
                digest = _sendfile(fin.fileno(), [out.fileno() for out in outs])
                for _ in outs:
                    self._fault("tmp_written")
            seen = os.fstat(fin.fileno())
        return digest, seen

    def sync_folders(self, folders: Iterable[Path]) -> None:
        """fsync each folder once: the renames made in it become durable."""
        for folder in sorted(set(folders)):
            fsync_dir(folder)
            self._fault("dir_fsynced")

    def place_bytes(self, dest: Path, data: bytes, *, tag: str = "new",
                    read_only: bool = False) -> None:
        """Write the new file `dest` with `data` (temporary name, fsync, link); never
        replaces a file: a taken name is a FilingError."""
        tmp = tmp_path_for(dest, writer_tag(tag))
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
        self.remove_sources([src])

    def remove_sources(self, sources: Sequence[Path]) -> None:
        """Remove intake sources after they have been filed and recorded, several at a
        time; each folder they were in is fsynced once, after the last of them. A source
        that could not be removed raises (after the others were)."""
        errors = _each(_remove_source, list(sources))
        folders: list[Path] = []
        for src, error in zip(sources, errors, strict=True):
            if isinstance(error, FileNotFoundError):
                continue
            if error is not None:
                raise error
            self._fault("source_unlinked")
            if src.parent not in folders:
                folders.append(src.parent)
        for folder in folders:
            fsync_dir(folder)

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
        """Remove a file this app wrote itself (a temporary or an unfinished copy). A
        read-only one is made writable first (Windows removes no read-only file), unless
        it is also linked under another name: a temporary left linked to a filed original
        (a crash between naming the copy and removing its temporary name) shares the
        original's mode, which must stay read-only; such a name is removed as it is (POSIX
        needs no write permission on a file to remove one of its names)."""
        try:
            info = path.lstat()
            if (stat.S_ISREG(info.st_mode) and info.st_nlink == 1
                    and not os.access(path, os.W_OK)):
                os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
            path.unlink()
        except FileNotFoundError:
            pass


def _sendfile(fd_in: int, fds_out: Sequence[int]) -> str:
    """Copy the file `fd_in` into every file of `fds_out` in one read of its bytes,
    hashing them as they pass; the SHA-256 (hex) of the bytes written. (The name is the
    kernel call this once was: a kernel copy never shows the bytes to this process, so
    checking the copy cost a second read.)"""
    hasher = hashlib.sha256()
    buf = bytearray(COPY_BLOCK)
    view = memoryview(buf)
    reader = io.FileIO(fd_in, closefd=False)
    written = 0
    while n := reader.readinto(buf):
        chunk = view[:n]
        hasher.update(chunk)
        for fd in fds_out:
            rest = chunk
            while rest:
                rest = rest[os.write(fd, rest):]
        written += n
        if written % STREAM_FLUSH < n:  # a large file: let its copies' pages go as it goes
            _let_go(fds_out)
    return hasher.hexdigest()


# A large file's copies are synced and dropped from the cache every this many bytes while
# they are written, so copying a 1 GiB video does not first fill the cache with 2 GiB.
STREAM_FLUSH = 64 * 1024 * 1024


def _let_go(fds: Sequence[int]) -> None:
    """Write out what the copies hold so far and drop it from the cache (only an early
    write of a temporary: the copy's sync before it is named is what makes it durable)."""
    if not hasattr(os, "posix_fadvise"):  # nothing to drop: no early write either
        return
    for fd in fds:
        platform.sync_data(fd)
        platform.drop_cached(fd)


PREVIOUS_SUFFIX = ".previous"


def previous_version_path(path: Path) -> Path:
    """Where `replace_file` keeps the version it replaced (`<name>.previous`)."""
    return path.with_name(path.name + PREVIOUS_SUFFIX)


def replace_file(path: Path, data: bytes, *, keep_previous: bool = True) -> Path | None:
    """Replace a settings file atomically (a crash leaves the old or the new file, never
    half of one), keeping the version it replaced as `<name>.previous`. Returns where the
    previous version was kept (None when there was none)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    discard_dead_temps(path.parent)
    tmp = tmp_path_for(path, writer_tag("r"))
    kept: Path | None = None
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if keep_previous and path.is_file():
            kept = previous_version_path(path)
            ptmp = tmp_path_for(kept, writer_tag("p"))
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
    discard_dead_temps(dest.parent)
    final = unique_path(dest.parent, dest.name)
    tmp = tmp_path_for(final, writer_tag("new"))
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
    tmp = tmp_path_for(dest, writer_tag("once"))
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
