"""Office documents to PDF through LibreOffice headless.

Each process converts with its own LibreOffice profile folder, reused from one conversion
to the next (parallel runs in other processes never collide on the profile lock; a second
conversion at once in the same process gets a fresh one in its work folder), in its own
process group, with a timeout after which the whole group is killed. Without LibreOffice
the original is filed and flagged `needs_conversion` with the install command.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from multiprocessing import util as mp_util
from pathlib import Path

from intake_desktop.core import platform
from intake_desktop.core.convert.archive import SMALL_MEMBER
from intake_desktop.core.convert.base import (
    FLAG_CONVERSION_FAILED,
    FLAG_NEEDS_CONVERSION,
    FLAG_OVER_LIMIT,
    FLAG_UNSAFE_ARCHIVE,
    LIBREOFFICE_INSTALL_HINT,
    ConversionError,
    Converted,
    ConvertLimits,
)
from intake_desktop.core.convert.facts import put
from intake_desktop.core.convert.kinds import EXTENSION_KINDS, OFFICE, OFFICE_SUFFIX_BY_MIME
from intake_desktop.core.convert.pdfcheck import pdf_facts
from intake_desktop.core.engines import asked_once, find_engine, identity
from intake_desktop.core.workspace import user_cache_folder

CANDIDATES = ("soffice", "libreoffice")
MAC_SOFFICE = Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")
WIN_SOFFICE = Path("C:/Program Files/LibreOffice/program/soffice.exe")
POLL = 0.2  # seconds between checks of LibreOffice's memory
REFUSED_FIX = ("open it on a safe computer to check it; if it is genuine, save it as PDF "
               "there and file the PDF. The document is kept in Review/ unchanged")


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
    memory: int = 1024 * 1024 * 1024  # resident bytes of all its processes
    address_space: int = 4 * 1024 * 1024 * 1024  # RLIMIT_AS of each process
    _version: str | None = field(default=None, init=False, repr=False)

    @classmethod
    def discover(cls, timeout: float = 120.0, *, memory: int = 1024 * 1024 * 1024,
                 address_space: int = 4 * 1024 * 1024 * 1024) -> LibreOffice:
        return cls(find_soffice(), timeout, memory, address_space)

    @property
    def version(self) -> str:
        """What `soffice --version` says ("unknown" when it cannot say), asked once per
        executable in this process (core/engines.py `asked_once`; workers forked later
        inherit the answer)."""
        if self._version is None:
            if not self.executable:
                return "unknown"
            executable = self.executable
            self._version = asked_once(("soffice-version", identity(executable)),
                                       lambda: _ask_version(executable),
                                       keep=lambda version: version != "unknown")
        return self._version

    def convert(self, source: Path, suffix: str, workdir: Path) -> Path:
        """Convert `source` (given the import `suffix`) to PDF in workdir; returns the PDF.
        Raises ConversionError on failure or timeout."""
        assert self.executable is not None
        job = workdir / "office"
        (job / "in").mkdir(parents=True)
        (job / "out").mkdir()
        home = _take_profile()
        if home is None:  # this process's profile is in use: a fresh one in the work folder
            home = job
        profile = home / "profile"
        seed = _seed_folder(self.executable)
        seeded = (seed is not None and seed.is_dir()
                  and not (profile / "user" / "extensions").is_dir()
                  and _copy_folder(seed, profile / "user" / "extensions"))
        staged = job / "in" / f"document{suffix}"
        shutil.copyfile(source, staged)  # a plain ASCII name: no quoting or filter surprises
        cmd = [
            self.executable, "--headless", "--norestore", "--nolockcheck", "--nodefault",
            "--nologo", f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--convert-to", "pdf", "--outdir", str(job / "out"), str(staged),
        ]
        # Its temporary files (parts of the document among them) in its home folder: killed,
        # LibreOffice leaves them, and a profile it died with is removed (`_give_back_profile`).
        (home / "tmp").mkdir(exist_ok=True)
        env = {**os.environ, "HOME": str(home), "TMPDIR": str(home / "tmp")}
        ok = False
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
            env=env, start_new_session=True,
            preexec_fn=platform.child_limits(self.address_space),  # before LibreOffice starts
        )
        deadline = time.monotonic() + self.timeout
        peak = 0
        try:
            while True:
                try:
                    out, err = proc.communicate(timeout=POLL)
                    break
                except subprocess.TimeoutExpired:
                    pass
                peak = max(peak, platform.session_rss(proc.pid))
                if peak > self.memory:
                    _kill_group(proc)
                    raise self._refused(source, peak)
                if time.monotonic() > deadline:
                    _kill_group(proc)
                    raise ConversionError(
                        f"LibreOffice did not finish converting within {self.timeout:g} s",
                        path=source,
                        fix="open the document in Word or LibreOffice and save it as PDF by "
                        "hand",
                    )
            ok = proc.returncode == 0
            if seed is not None and ok and not seed.is_dir():
                _keep_seed(profile / "user" / "extensions", seed)
        finally:
            _kill_group(proc)  # helpers LibreOffice may have left behind
            if seed is not None and seeded and not ok:
                shutil.rmtree(seed, ignore_errors=True)  # never the cause of a second failure
            if home != job:
                _give_back_profile(home, keep=ok)
        if proc.returncode != 0 and _out_of_memory(proc.returncode, err):
            raise self._refused(source, peak)
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


    def _refused(self, source: Path, peak: int) -> ConversionError:
        seen = f" (it reached {peak / 1024**2:,.0f} MB)" if peak > self.memory else ""
        return ConversionError(
            f"refused: LibreOffice needed more than {self.memory / 1024**2:,.0f} MB of memory "
            f"to open the document{seen} and was stopped; it may be built to exhaust the "
            "computer", path=source, flags=(FLAG_OVER_LIMIT,), fix=REFUSED_FIX)


# One LibreOffice profile per process, reused by its conversions one after another: a new
# profile costs LibreOffice a second of set-up on every start. A preparation worker (a
# forked process) makes its own, so parallel conversions never share one; a conversion that
# failed or was stopped throws its profile away.
_profile_lock = threading.Lock()
_profiles: dict[int, Path] = {}  # process id -> its profile's home folder


def _ask_version(executable: str) -> str:
    try:
        out = subprocess.run([executable, "--headless", "--version"], capture_output=True,
                             text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() or "unknown"


# A new LibreOffice profile costs its first start a restart (0.3-0.5 s): LibreOffice
# registers its bundled extensions in the profile, then starts again. That registration
# (`user/extensions`: LibreOffice's own build id and extension registries, nothing of any
# document) is kept once per LibreOffice installation in the user's cache and copied into
# each new profile; LibreOffice compares the build id itself and registers again after an
# upgrade. `INTAKE_LIBREOFFICE_SEED=0` turns it off; a folder puts it there.
SEED_ENV = "INTAKE_LIBREOFFICE_SEED"


def _seed_folder(executable: str) -> Path | None:
    """Where the extension registration of this LibreOffice is kept (None: turned off)."""
    root = user_cache_folder(SEED_ENV, "libreoffice")
    if root is None:
        return None
    which = repr(identity(os.path.realpath(executable))).encode("utf-8")
    return root / hashlib.sha256(which).hexdigest()[:16] / "extensions"


def _copy_folder(source: Path, dest: Path) -> bool:
    """Copy a folder of LibreOffice's own state (False: it could not be; never raises)."""
    try:
        shutil.copytree(source, dest, symlinks=True)
    except (OSError, shutil.Error):
        shutil.rmtree(dest, ignore_errors=True)
        return False
    return True


def _keep_seed(extensions: Path, seed: Path) -> None:
    """Keep `extensions` (of a profile that just converted) as the seed, unless one is
    there: copied beside it, then renamed into place (a half copy is never used)."""
    if not extensions.is_dir():
        return
    try:
        seed.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    partial = seed.with_name(f"{seed.name}.{os.getpid()}.partial")
    if _copy_folder(extensions, partial):
        try:
            partial.rename(seed)
        except OSError:  # another process kept its own first
            shutil.rmtree(partial, ignore_errors=True)


def _take_profile() -> Path | None:
    """This process's LibreOffice home folder, held until `_give_back_profile` (None: in use
    by another thread of this process, or no temporary folder)."""
    if not _profile_lock.acquire(blocking=False):
        return None
    home = _profiles.get(os.getpid())
    if home is None or not home.is_dir():
        try:
            home = Path(tempfile.mkdtemp(prefix="intake-libreoffice-"))
        except OSError:
            _profile_lock.release()
            return None
        _profiles[os.getpid()] = home
        # Removed when this process ends (forked workers included: multiprocessing runs its
        # finalizers there, where atexit handlers do not run).
        mp_util.Finalize(None, shutil.rmtree, args=(str(home),),
                         kwargs={"ignore_errors": True}, exitpriority=10)
    return home


def discard_profile() -> None:
    """Remove this process's LibreOffice home folder now, for a process that ends without
    running Python's exit handlers (a preparation worker forked by hand ends with
    `os._exit`: core/filing/pool.py)."""
    home = _profiles.pop(os.getpid(), None)
    if home is not None:
        shutil.rmtree(home, ignore_errors=True)


def _give_back_profile(home: Path, *, keep: bool) -> None:
    if not keep:  # a profile LibreOffice died or was killed with may be half written
        discard_profile()
    _profile_lock.release()


def _out_of_memory(returncode: int, err: bytes) -> bool:
    """LibreOffice stopped by the address-space limit: an allocation failed (bad_alloc,
    out of memory) or it died of a signal while allocating."""
    text = err.decode("utf-8", "replace").lower()
    return ("bad_alloc" in text or "out of memory" in text or "cannot allocate" in text
            or returncode in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGKILL,
                              128 + signal.SIGABRT, 128 + signal.SIGSEGV))


def inspect_package(path: Path, mime: str, limits: ConvertLimits) -> None:
    """Refuse an OOXML/ODF package (a ZIP) that would inflate beyond the limits before
    LibreOffice opens it: declared sizes, member count, compression ratio of every part."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a package (legacy .doc/.xls, RTF) or damaged: LibreOffice decides
    with zf:
        infos = zf.infolist()
    problems: list[str] = []
    if len(infos) > limits.max_office_members:
        problems.append(f"it has {len(infos):,} parts, more than the limit of "
                        f"{limits.max_office_members:,}")
    total = sum(i.file_size for i in infos)
    if total > limits.max_office_inflated:
        problems.append(f"its parts declare {total:,} bytes uncompressed, more than the "
                        f"limit of {limits.max_office_inflated:,}")
    for info in infos:
        if info.file_size > SMALL_MEMBER:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                problems.append(f"part {info.filename!r} has a compression ratio of "
                                f"{ratio:,.0f}:1, above the limit of {limits.max_ratio:,.0f}:1")
    if problems:
        flag = FLAG_UNSAFE_ARCHIVE if any("ratio" in p for p in problems) else FLAG_OVER_LIMIT
        raise ConversionError(
            f"refused before conversion: {'; '.join(problems[:3])} (an Office file built "
            "to exhaust the computer, a zip bomb)", path=path, flags=(flag,),
            detected_type=mime, fix=REFUSED_FIX)


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
    inspect_package(path, mime, limits)
    try:
        pdf = office.convert(path, office_suffix(path, mime), workdir)
    except ConversionError as exc:
        if FLAG_OVER_LIMIT in exc.flags:
            shutil.rmtree(workdir / "office", ignore_errors=True)
            exc.detected_type = mime
            raise  # refused, not a conversion failure: Review/ with the reason
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
    info = pdf_facts(dest, scan_pages=limits.scan_pages, received=False)
    result = Converted(pdf=dest)
    result.conversions.append({
        "tool": "LibreOffice", "tool_version": office.version, "from_type": mime,
        "to_type": "application/pdf", "pages": info.page_count,
    })
    put(result.facts, "page_count", info.page_count)
    put(result.facts, "first_page_text", info.first_page_text)
    put(result.facts, "pdf_title", info.title)
    return result
