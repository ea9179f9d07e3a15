"""Every call that exists only on some systems, each with a portable fallback.

Linux-only: kernel read leases (is a writer still holding a file open?), /proc/mounts
(which filesystem is a folder on?), fsync of a directory (a rename made durable), hard-link
renames that refuse to replace a file, inotify's close-after-write event. Windows and macOS
take the fallbacks; `INTAKE_PORTABLE_FALLBACKS=1` forces them on Linux too, so the test
suite runs the filing protocol, crash recovery and the watcher on the paths other systems
take. No other module may make these calls (tests/shipping/test_platform.py checks).
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path, PurePath, PureWindowsPath

FORCE_ENV = "INTAKE_PORTABLE_FALLBACKS"
MOUNTS = Path("/proc/mounts")
# watchdog's inotify backend only logs a kernel event-queue overflow, under this logger.
INOTIFY_LOGGER = "watchdog.observers.inotify_c"

NETWORK_FS_TYPES = frozenset({
    "cifs", "smb3", "smbfs", "nfs", "nfs4", "ncpfs", "afs", "coda", "9p", "virtiofs",
    "ceph", "glusterfs", "lustre", "gpfs", "beegfs", "davfs", "sshfs", "fuse.sshfs",
    "fuse.glusterfs", "fuse.rclone", "fuse.s3fs", "fuse.davfs2", "fuse.gvfsd-fuse",
    "fuse.smbnetfs", "fuse.ceph", "fuse.cephfs", "webdav", "remote",
})


def portable_forced() -> bool:
    """True when the portable fallbacks are forced (tests, or a cautious admin)."""
    return os.environ.get(FORCE_ENV, "") not in ("", "0")


def is_linux() -> bool:
    return sys.platform.startswith("linux") and not portable_forced()


def is_windows() -> bool:
    return os.name == "nt"


# ---- durable renames -------------------------------------------------------------------


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable. POSIX: fsync the folder. Windows (and the forced
    fallback): nothing to do, NTFS journals the rename itself."""
    if is_windows() or portable_forced():
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def rename_no_clobber(tmp: Path, dest: Path) -> None:
    """Give `tmp` the name `dest`, raising FileExistsError when `dest` exists.

    POSIX: a hard link (atomic, fails on an existing name), then the temp name is removed;
    filesystems without hard links (FAT, some shares) fall back to a checked rename.
    Windows: os.rename already refuses an existing destination. Forced fallback: the
    checked rename, the path filesystems without links take."""
    if is_windows():
        os.rename(tmp, dest)
        return
    if portable_forced():
        _checked_rename(tmp, dest)
        return
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise
    except OSError as exc:
        no_links = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK)
        if exc.errno not in no_links:
            raise
        _checked_rename(tmp, dest)
        return
    os.unlink(tmp)


def _checked_rename(tmp: Path, dest: Path) -> None:
    if os.path.lexists(dest):
        raise FileExistsError(errno.EEXIST, "a file of that name already exists", str(dest))
    os.rename(tmp, dest)


# ---- copying and syncing file data --------------------------------------------------------

# ioctl FICLONE (linux/fs.h): the new file shares the source's blocks (btrfs, XFS, bcachefs).
FICLONE = 0x40049409
_NO_CLONE = (errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EINVAL, errno.ENOTTY,
             errno.ENOSYS, errno.EBADF, errno.EPERM)
_clone_refused: set[int] = set()  # devices whose filesystem refused a reflink once


def clone_file(fd_in: int, fd_out: int) -> bool:
    """Make the empty file `fd_out` a reflink copy of `fd_in` (copy-on-write: no bytes
    copied). False where the system or filesystem cannot (ext4, NTFS, other systems): the
    caller copies the bytes itself. A filesystem that refused once is not asked again."""
    if not is_linux():
        return False
    try:
        device = os.fstat(fd_out).st_dev
    except OSError:
        return False
    if device in _clone_refused:
        return False
    import fcntl

    try:
        fcntl.ioctl(fd_out, FICLONE, fd_in)
    except OSError as exc:
        if exc.errno in _NO_CLONE:
            _clone_refused.add(device)
        return False
    return True


def drop_cached(fd: int) -> None:
    """Let the system forget a synced file's cached pages (clean pages only): POSIX
    posix_fadvise; elsewhere the cache is the system's call."""
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


def sync_data(fd: int) -> None:
    """Make a new file's bytes (and its size) durable: fdatasync where it exists (it skips
    the timestamps, which a new file does not need), fsync elsewhere. On macOS fsync
    leaves data in the drive's cache, so F_FULLFSYNC is asked for first."""
    if sys.platform == "darwin" and not portable_forced():  # pragma: no cover - macOS
        import fcntl

        try:
            fcntl.fcntl(fd, getattr(fcntl, "F_FULLFSYNC", 51))
            return
        except OSError:
            pass
    if hasattr(os, "fdatasync") and not portable_forced():
        os.fdatasync(fd)
    else:
        os.fsync(fd)


# ---- is a writer still holding the file? (kernel read leases) ----------------------------


def enable_lease_checks() -> bool:
    """Make the open-writer check safe to use and say whether it is.

    Taking a lease makes the kernel signal this process (SIGIO, whose default action ends
    the process) if a writer opens the file while the lease is held. The lease is dropped
    at once, but to be safe the check runs only while SIGIO is ignored or handled: from the
    main thread this sets SIGIO to ignored when it is at its default (nothing in the app
    uses it); elsewhere the stability window is used instead. Not Linux: False.
    """
    if not is_linux():
        return False
    import signal

    current = signal.getsignal(signal.SIGIO)
    if current not in (signal.SIG_DFL, None):
        return True
    if threading.current_thread() is not threading.main_thread():
        return False
    signal.signal(signal.SIGIO, signal.SIG_IGN)
    return True


def writer_active(path: Path) -> bool | None:
    """True when some process has `path` open for writing, False when none does, None when
    this platform or filesystem cannot tell (then rely on the stability window)."""
    if not is_linux():
        return None
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EBUSY):
            return True
        return None  # EACCES (not the owner), EINVAL (filesystem without leases)...
    else:
        fcntl.fcntl(fd, fcntl.F_SETOWN, 0)  # no lease-break signal to this process
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        return False
    finally:
        os.close(fd)


def close_events_supported() -> bool:
    """Does the native observer report close-after-write (inotify IN_CLOSE_WRITE)?"""
    return is_linux()


# ---- which filesystem is a folder on? ----------------------------------------------------


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


def parse_bsd_mount(text: str) -> list[tuple[str, str]]:
    """(mount point, fstype) pairs from macOS/BSD `mount` output:
    `//user@server/share on /Volumes/share (smbfs, nodev, nosuid, mounted by user)`."""
    pairs = []
    for line in text.splitlines():
        head, sep, rest = line.rpartition(" (")
        if not sep or " on " not in head:
            continue
        point = head.split(" on ", 1)[1]
        pairs.append((point, rest.split(",", 1)[0].rstrip(")").strip()))
    return pairs


def mount_table() -> list[tuple[str, str]] | None:
    """The system's mounts, or None when this system cannot list them."""
    if is_linux():
        try:
            return parse_mounts(MOUNTS.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return None
    if sys.platform == "darwin" and not portable_forced():
        try:
            done = subprocess.run(["/sbin/mount"], capture_output=True, text=True, timeout=5,
                                  check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return parse_bsd_mount(done.stdout)
    return None


def _longest_match(target: str, pairs: list[tuple[str, str]]) -> str | None:
    best, best_type = "", None
    for point, kind in pairs:
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, best_type = point, kind
    return best_type


def is_unc(path: PurePath | str) -> bool:
    """A Windows UNC share path (\\\\server\\share\\...) or its forward-slash spelling."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return bool(PureWindowsPath(text).drive)
    return False


def _windows_drive_type(path: Path) -> str | None:  # pragma: no cover - Windows only
    import ctypes

    drive = PureWindowsPath(os.path.abspath(path)).drive
    if not drive:
        return None
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
    kind = int(kernel32.GetDriveTypeW(drive.rstrip("\\") + "\\"))
    return {2: "removable", 3: "fixed", 4: "remote", 5: "cdrom", 6: "ramdisk"}.get(kind)


def fs_type(path: Path, mounts_text: str | None = None) -> str | None:
    """The filesystem type holding `path` (longest matching mount point), or None when
    this system cannot tell. `mounts_text`: /proc/mounts text to use instead of the system's."""
    if is_unc(path):
        return "smb"
    if mounts_text is not None:
        pairs: list[tuple[str, str]] | None = parse_mounts(mounts_text)
    elif is_windows():
        return _windows_drive_type(path)
    else:
        pairs = mount_table()
    if pairs is None:
        return None
    try:
        target = os.path.realpath(path)
    except OSError:
        target = str(path)
    return _longest_match(target, pairs)


def is_network_fs(path: Path, mounts_text: str | None = None) -> bool:
    """True for SMB/NFS/sshfs-style shares (and UNC paths on Windows)."""
    if is_unc(path):
        return True
    kind = fs_type(path, mounts_text)
    return kind is not None and kind.lower() in NETWORK_FS_TYPES


# Local filesystems whose file times this machine's kernel sets from its own clock with
# nanoseconds (updated at least once a tick, at most 10 ms): a write a tick or more after
# a file was seen moves its change time past the one seen.
KERNEL_CLOCK_FS = frozenset({"ext4", "xfs", "btrfs", "tmpfs", "f2fs", "zfs", "bcachefs"})
_kernel_clock: dict[int, bool] = {}


def kernel_clock_times(path: Path, device: int) -> bool:
    """Whether files on `path`'s filesystem (device number `device`, remembered per
    device) have their times set by this kernel (Linux, a filesystem in KERNEL_CLOCK_FS):
    not a share whose server keeps the times, nor FAT's two seconds."""
    known = _kernel_clock.get(device)
    if known is None:
        kind = fs_type(path) if is_linux() and not portable_forced() else None
        known = _kernel_clock[device] = kind in KERNEL_CLOCK_FS
    return known


def is_case_sensitive(folder: Path) -> bool | None:
    """Whether names in `folder` differ by case alone, found without writing anything:
    an existing entry whose name has letters is looked up with its case swapped."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.swapcase() != e.name]
    except OSError:
        return None
    probe_dir, names = folder, [e.name for e in entries]
    if not names:
        probe_dir = folder.parent
        names = [folder.name] if folder.name.swapcase() != folder.name else []
    for name in names[:1]:
        original, swapped = probe_dir / name, probe_dir / name.swapcase()
        try:
            return not (swapped.exists() and os.path.samefile(original, swapped))
        except OSError:
            return None
    return None


# ---- Windows paths --------------------------------------------------------------------


def windows_path_parts(text: str) -> tuple[str, tuple[str, ...]]:
    """(drive or UNC share, the folders and name below it) of a Windows path, on any system:
    `C:\\Firm\\Intake` -> ("C:", ("Firm", "Intake")); `\\\\nas\\files\\Intake` ->
    ("\\\\nas\\files", ("Intake",))."""
    pure = PureWindowsPath(text)
    parts = pure.parts[1:] if pure.anchor else pure.parts
    return pure.drive, tuple(parts)


def session_rss(sid: int) -> int:
    """Resident bytes of every process in session `sid` (Linux /proc; 0 elsewhere, where
    the address-space limit alone bounds LibreOffice)."""
    if not is_linux():
        return 0
    total = 0
    page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
            fields = stat[stat.rindex(b")") + 2:].split()
            if int(fields[3]) != sid:  # field 6 (session), after pid and comm
                continue
            with open(f"/proc/{entry}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
    return total


def thread_count() -> int:
    """Threads of this process, native ones included (Qt's thread pools are not in
    `threading`): /proc/self/task on Linux; elsewhere the Python threads, or 2 ("not alone")
    when Qt is loaded, since its threads cannot be counted there."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        if "PySide6.QtCore" in sys.modules:
            return max(2, threading.active_count())
        return threading.active_count()


def qt_application_exists() -> bool:
    """Whether this process has created a Qt application object (looked up, never
    imported: core does not import Qt)."""
    qtcore = sys.modules.get("PySide6.QtCore")
    application = getattr(qtcore, "QCoreApplication", None)
    return application is not None and application.instance() is not None


def fork_is_safe() -> bool:
    """Whether this process may fork workers that run Python and native code: a POSIX
    system, no other thread (native ones included), and no Qt application. A worker forked
    after the window tests had run hung in a futex on a lock or eventfd inherited from
    Qt's event loop, though no other thread was running by then."""
    if os.name != "posix" or not hasattr(os, "fork"):
        return False
    return thread_count() == 1 and not qt_application_exists()


def die_with_parent(parent_pid: int) -> None:
    """End this (forked worker) process when its parent ends, even by kill -9, so no
    worker outlives the command that started it. Linux: the kernel's parent-death signal
    (prctl PR_SET_PDEATHSIG). Elsewhere: a thread that watches the parent's id."""
    if is_linux():
        import ctypes
        import signal

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass
        else:
            if os.getppid() != parent_pid:  # it ended before the signal was asked for
                os._exit(1)
            return

    def watch() -> None:
        import time

        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def set_limits(*, address_space: int | None = None, cpu_seconds: int | None = None) -> None:
    """Limit this process's address space and processor time (RLIMIT_AS / RLIMIT_CPU where
    the system has them; nothing on Windows, where the converters' own checks apply)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return
    if cpu_seconds is not None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    if address_space is not None:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))


def lower_priority(increment: int) -> None:
    """Run this process (and the programs it starts) at a lower priority: it gets the
    processor time others leave idle. POSIX niceness; nothing where there is none."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(increment)


def child_limits(address_space: int) -> Callable[[], None] | None:
    """A `preexec_fn` that limits a child's address space; None where children cannot
    run code before they start (Windows)."""
    if os.name != "posix":  # pragma: no cover - Windows
        return None
    return lambda: set_limits(address_space=address_space)


# ---- which process space a desk runs in (claims liveness) --------------------------------


def space_key(parts: list[str]) -> str:
    """12 hex digits naming one boot of one machine and one process-id space."""
    import hashlib

    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:12]


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs in this process space (True when it cannot
    tell: a pid is only asked about where `process_space()` is this process's)."""
    if os.name != "posix" or pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


_SPACE: list[str] = []


def process_space() -> str:
    """`hostname#key`: where a pid means this process's pid. Desks record it with their
    heartbeat; a watcher takes back at once only the claims of a dead pid of its own space.
    Linux: the boot id and the pid namespace (containers and cloned desktops that share a
    host name differ); elsewhere: the network card's address."""
    if not _SPACE:
        import socket
        import uuid

        parts: list[str] = []
        if sys.platform.startswith("linux"):  # identity, not a feature: also when forced
            from contextlib import suppress

            with suppress(OSError):
                parts.append(Path("/proc/sys/kernel/random/boot_id").read_text().strip())
            with suppress(OSError):
                parts.append(str(os.stat("/proc/self/ns/pid").st_ino))
        if not parts:
            parts.append(f"{uuid.getnode():012x}")
        _SPACE.append(f"{socket.gethostname()}#{space_key(parts)}")
    return _SPACE[0]
