"""OCRmyPDF + Tesseract, run as a separate process with a timeout and bounded parallelism.

`add_text_layer` adds an invisible text layer to the image-only pages of a PDF and leaves
everything else as it was:
- `--skip-text`: pages that already show text are copied, not OCRed (never `--force-ocr`
  or `--redo-ocr`, which rasterize or rewrite them);
- `--output-type pdf`: no PDF/A conversion (Ghostscript would re-encode the images);
- `--optimize 0`: no image optimization (no JBIG2, no JPEG recompression);
- no `--deskew`, `--clean-final`, `--rotate-pages`, `--remove-background`, so OCRmyPDF
  grafts the text onto the original page (its "lossless reconstruction").
The result is then checked: same page count, and the raw bytes of every image stream
identical to the input's. Anything else counts as a failure and the output is not used.

The `ocrmypdf` executable is the system one (Debian package), whatever Python runs us.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pypdf
from pikepdf import Name

from intake_desktop.core.engines import asked_once, find_engine, identity
from intake_desktop.core.ocr.settings import DEFAULT_JOBS, DEFAULT_LANGUAGE
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress
from intake_desktop.core.shipped import package_file

INSTALL_COMMAND = "sudo apt-get install tesseract-ocr ocrmypdf"
PLUGIN = package_file("intake_desktop.core.ocr", "ocrmypdf_progress.py")
PROGRESS_MARKER = "INTAKE-OCR-PROGRESS"
# Set in preparation workers (core/filing/pool.py): their share of the cores, the most
# Tesseract processes one OCR run of theirs may start (two workers, two cores: one each).
OCR_JOBS_ENV = "INTAKE_OCR_JOBS"
VERSION_TIMEOUT_S = 20.0
TESSERACT_PAGE_TIMEOUT_S = 180.0
# What OCRmyPDF writes as the text of a page whose Tesseract run it stopped at that limit.
GAVE_UP_TEXT = "[skipped page]"

# OCRmyPDF exit codes (ocrmypdf.exceptions.ExitCode) -> what they mean for a person.
_EXIT_REASONS = {
    1: "OCRmyPDF was called with arguments it does not accept (a bug: report it)",
    2: "OCRmyPDF could not read the PDF (damaged or unusual file)",
    3: "a program OCRmyPDF needs is missing (Tesseract or Ghostscript)",
    4: "OCRmyPDF produced an invalid PDF",
    5: "OCRmyPDF could not write its output (disk full or no permission)",
    6: "the PDF already has text",
    7: "Tesseract failed on a page",
    8: "the PDF is encrypted; OCR needs an unlocked copy",
    9: "Tesseract's configuration is invalid",
    15: "OCRmyPDF failed",
}


@dataclass(frozen=True)
class OcrAvailability:
    """Whether OCR can run here; `message` says why not and how to fix it, in words."""

    ok: bool
    message: str
    versions: dict[str, str] = field(default_factory=dict)
    ocrmypdf: str | None = None
    tesseract: str | None = None


@dataclass(frozen=True)
class OcrResult:
    """What one OCR run did. `ok` False: `reason` says why; the input is unchanged."""

    ok: bool
    reason: str | None = None
    pages_ocred: tuple[int, ...] = ()  # 1-based
    pages_skipped: tuple[int, ...] = ()  # 1-based: had text, or not asked for
    # 1-based: asked for, but Tesseract gave up on them (TESSERACT_PAGE_TIMEOUT_S): no text.
    pages_failed: tuple[int, ...] = ()
    text: str = ""  # the text of the OCRed pages, in page order
    page_texts: dict[int, str] = field(default_factory=dict)  # 1-based page -> its OCR text
    engine_versions: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    timed_out: bool = False
    cancelled: bool = False
    cached: bool = False  # the output of an earlier run on the same bytes (core/ocr/cache.py)


def _search_path(search_path: str | None) -> str:
    return search_path if search_path is not None else os.environ.get("PATH", os.defpath)


def find_tesseract(search_path: str | None = None) -> Path | None:
    """The `tesseract` executable on `search_path`; by default where core/engines.py finds it
    (configured path, PATH, then where installers put it)."""
    if search_path is None:
        return find_engine("tesseract")
    found = shutil.which("tesseract", path=search_path)
    return Path(found) if found else None


def find_ocrmypdf(search_path: str | None = None) -> Path | None:
    """The `ocrmypdf` executable on `search_path`; by default where core/engines.py finds it."""
    if search_path is None:
        return find_engine("ocrmypdf")
    found = shutil.which("ocrmypdf", path=search_path)
    return Path(found) if found else None


def capped_jobs(jobs: int) -> int:
    """`jobs`, at most this process's share of the cores (INTAKE_OCR_JOBS, in workers)."""
    cap = os.environ.get(OCR_JOBS_ENV, "").strip()
    return max(1, min(jobs, int(cap)) if cap.isdigit() and int(cap) > 0 else jobs)


def _env(search_path: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = _search_path(search_path)
    # One thread per Tesseract process: parallelism is OCRmyPDF's --jobs, nothing more.
    env["OMP_THREAD_LIMIT"] = "1"
    env.pop("PYTHONPATH", None)  # the system ocrmypdf must not see our virtualenv's modules
    return env


@contextlib.contextmanager
def ocrmypdf_env(search_path: str | None = None) -> Iterator[dict[str, str]]:
    """The environment to run OCRmyPDF in, inside the block: its TMPDIR a new folder of
    ours, removed (whatever is in it) when the block ends. OCRmyPDF renders the pages
    (images of the client's pages) into a folder of its TMPDIR and removes it only when it
    ends by itself: stopped (a time limit, a cancel), it left that folder in the system's
    temporary folder for good."""
    with tempfile.TemporaryDirectory(prefix="intake-ocr-", ignore_cleanup_errors=True) as tmp:
        yield {**_env(search_path), "TMPDIR": tmp}


class _Run:
    """A program started now (its output to temporary files, so it never blocks on a full
    pipe) and read later; `finish` gives None when it did not start or ran out of time."""

    def __init__(self, cmd: list[str], env: dict[str, str]) -> None:
        # Closed by `finish` (the program outlives this call).
        self.out = tempfile.TemporaryFile()  # noqa: SIM115
        self.err = tempfile.TemporaryFile()  # noqa: SIM115
        self.proc: subprocess.Popen[bytes] | None
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.out,
                                         stderr=self.err, env=env)
        except (OSError, subprocess.SubprocessError):
            self.proc = None

    def finish(self) -> tuple[int, str, str] | None:
        """(exit code, stdout, stderr)."""
        try:
            if self.proc is None:
                return None
            try:
                code = self.proc.wait(timeout=VERSION_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
            texts = []
            for stream in (self.out, self.err):
                stream.seek(0)
                texts.append(stream.read().decode("utf-8", "replace"))
            return code, texts[0], texts[1]
        finally:
            self.out.close()
            self.err.close()


def _first_line(done: tuple[int, str, str] | None) -> str | None:
    if done is None or done[0] != 0:
        return None
    lines = (done[1] or done[2]).strip().splitlines()
    return lines[0].strip() if lines else None


def missing_message(what: str) -> str:
    return (
        f"OCR is not available: {what}. Scanned pages will be filed without a text layer "
        f"and flagged \"not text-searchable\". To turn OCR on, install Tesseract and "
        f"OCRmyPDF (Debian/Ubuntu: `{INSTALL_COMMAND}`; other systems: see the README, "
        f"section \"OCR\"), then ingest or re-run court-fit."
    )


@dataclass(frozen=True)
class _Said:
    """What the OCR programs said about themselves (None: a program did not answer)."""

    tesseract: tuple[int, str, str] | None
    ocrmypdf: tuple[int, str, str] | None
    langs: tuple[int, str, str] | None

    @property
    def complete(self) -> bool:
        return None not in (self.tesseract, self.ocrmypdf, self.langs)


class OcrProbe:
    """The check that OCRmyPDF and Tesseract (with `language`) can run, started at once and
    answered later: the three programs (`tesseract --version`, `ocrmypdf --version`,
    `tesseract --list-langs`) run side by side while the caller does other work (OCRmyPDF
    alone takes half a second to start). `result()` waits for them; never raises."""

    def __init__(self, search_path: str | None = None,
                 language: str = DEFAULT_LANGUAGE) -> None:
        self.language = language
        env = _env(search_path)
        self.tesseract = find_tesseract(search_path)
        self.ocrmypdf = find_ocrmypdf(search_path)
        self._runs: dict[str, _Run] = {}
        self._result: OcrAvailability | None = None
        if self.tesseract is not None and self.ocrmypdf is not None:
            self._runs = {
                "tesseract": _Run([str(self.tesseract), "--version"], env),
                "ocrmypdf": _Run([str(self.ocrmypdf), "--version"], env),
                "langs": _Run([str(self.tesseract), "--list-langs"], env),
            }

    def said(self) -> _Said:
        """What the programs answered (waits for them)."""
        done = {name: run.finish() for name, run in self._runs.items()}
        return _Said(done.get("tesseract"), done.get("ocrmypdf"), done.get("langs"))

    def result(self) -> OcrAvailability:
        if self._result is None:
            said = self.said() if self._runs else None
            self._result = _availability(self.tesseract, self.ocrmypdf, said, self.language)
        return self._result


def _availability(tesseract: Path | None, ocrmypdf: Path | None, said: _Said | None,
                  language: str) -> OcrAvailability:
    """Whether OCR in `language` can run, from what the programs said."""
    if tesseract is None and ocrmypdf is None:
        return OcrAvailability(False,
                               missing_message("Tesseract and OCRmyPDF are not installed"))
    if tesseract is None:
        return OcrAvailability(
            False, missing_message("Tesseract is not installed"), ocrmypdf=str(ocrmypdf)
        )
    if ocrmypdf is None or said is None:
        return OcrAvailability(
            False, missing_message("OCRmyPDF is not installed"), tesseract=str(tesseract)
        )
    tess_version = _first_line(said.tesseract)
    ocr_version = _first_line(said.ocrmypdf)
    if tess_version is None or ocr_version is None:
        broken = "Tesseract" if tess_version is None else "OCRmyPDF"
        return OcrAvailability(
            False, missing_message(f"{broken} is installed but does not start"),
            ocrmypdf=str(ocrmypdf), tesseract=str(tesseract),
        )
    versions = {"ocrmypdf": ocr_version,
                "tesseract": tess_version.removeprefix("tesseract ")}
    listed = said.langs
    lines = [] if listed is None else (listed[1] + "\n" + listed[2]).splitlines()
    langs = None if listed is None else {
        ln.strip() for ln in lines if ln.strip() and " " not in ln.strip()}
    wanted = [code for code in language.split("+") if code]
    missing = [code for code in wanted if langs is not None and code not in langs]
    if missing:
        return OcrAvailability(
            False,
            missing_message(
                f"Tesseract has no language data for {', '.join(missing)} "
                f"(install tesseract-ocr-{missing[0]})"
            ),
            versions, str(ocrmypdf), str(tesseract),
        )
    return OcrAvailability(True, "OCR is available", versions, str(ocrmypdf), str(tesseract))


def ocr_available(
    search_path: str | None = None, language: str = DEFAULT_LANGUAGE
) -> OcrAvailability:
    """Check that OCRmyPDF and Tesseract (with `language`) can run; never raises. What the
    programs say is asked once for the programs found (core/engines.py `asked_once`): the
    app's engines, its preparation workers and the demo's matters, whatever language each
    document wants, ask once per run, not each."""
    tesseract, ocrmypdf = find_tesseract(search_path), find_ocrmypdf(search_path)
    said = None
    if tesseract is not None and ocrmypdf is not None:
        key = ("ocr", identity(tesseract), identity(ocrmypdf), _search_path(search_path),
               os.environ.get("TESSDATA_PREFIX"))
        said = asked_once(key, lambda: OcrProbe(search_path, language).said(),
                          keep=lambda said: said.complete)
    return _availability(tesseract, ocrmypdf, said, language)


# ---- checking that images stay untouched ---------------------------------------------------


def image_digests(path: Path) -> list[str]:
    """SHA-256 of the raw (encoded) bytes of every image XObject drawn by each page, in page
    order (images inside form XObjects included). Equal lists: no image was re-encoded."""
    digests: list[str] = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            digests.extend(_resource_images(page.obj.get(Name.Resources), set()))
    return digests


def _resource_images(resources: object, seen: set[tuple[int, int]]) -> list[str]:
    found: list[str] = []
    if not isinstance(resources, pikepdf.Dictionary):
        return found
    xobjects = resources.get(Name.XObject)
    if not isinstance(xobjects, pikepdf.Dictionary):
        return found
    for key in sorted(xobjects.keys()):
        xobj = xobjects[key]
        if not isinstance(xobj, pikepdf.Stream):
            continue
        subtype = xobj.get(Name.Subtype)
        if subtype == Name.Image:
            found.append(hashlib.sha256(bytes(xobj.read_raw_bytes())).hexdigest())
        elif subtype == Name.Form and xobj.objgen not in seen:
            if xobj.objgen != (0, 0):
                seen.add(xobj.objgen)
            found.extend(_resource_images(xobj.get(Name.Resources), seen))
    return found


def _page_count(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def page_texts(path: Path, pages: Iterable[int]) -> dict[int, str]:
    """Extracted text (pypdf) of the given 1-based pages (read through the open file, not
    the whole OCRed PDF read into memory first)."""
    out: dict[int, str] = {}
    with open(path, "rb") as stream:
        reader = pypdf.PdfReader(stream)
        for number in pages:
            try:
                out[number] = (reader.pages[number - 1].extract_text() or "").strip()
            except Exception:  # pypdf on an odd page: the OCR layer is there, the text is not
                out[number] = ""
    return out


# ---- running OCRmyPDF ----------------------------------------------------------------------


def default_timeout(pages: int) -> float:
    """Seconds allowed for a whole document: generous per page, never unbounded."""
    return 60.0 + 30.0 * max(pages, 1)


def _kill(proc: subprocess.Popen[str]) -> None:
    """Stop OCRmyPDF and the Tesseract processes it started (its own process group)."""
    if proc.poll() is not None:
        return
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.terminate()
        proc.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired, PermissionError):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if hasattr(os, "killpg"):
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
        proc.wait()


def _read_lines(stream: object, out: queue.Queue[str | None]) -> None:
    assert hasattr(stream, "readline")
    for line in iter(stream.readline, ""):
        out.put(line)
    out.put(None)


def add_text_layer(
    src: Path,
    dst: Path,
    *,
    pages: Iterable[int] | None = None,
    timeout: float | None = None,
    jobs: int = DEFAULT_JOBS,
    language: str = DEFAULT_LANGUAGE,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
    search_path: str | None = None,
    availability: OcrAvailability | None = None,
) -> OcrResult:
    """Write `dst`: `src` with an OCR text layer on its image-only pages (or on `pages`,
    1-based). Never raises for OCR trouble: returns `ok=False` with the reason, and then
    `dst` does not exist. `src` is only read."""
    started = time.monotonic()
    avail = availability or ocr_available(search_path, language)
    if not avail.ok:
        return OcrResult(False, avail.message, engine_versions=dict(avail.versions))
    versions = dict(avail.versions)
    try:
        total_pages = _page_count(src)
        before = image_digests(src)
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        return OcrResult(False, f"cannot read the PDF ({exc})", engine_versions=versions)
    wanted = sorted({p for p in pages if 1 <= p <= total_pages}) if pages is not None else None
    if wanted == []:
        return OcrResult(False, "no page to OCR", engine_versions=versions)
    limit = timeout if timeout is not None else default_timeout(len(wanted or range(total_pages)))
    dst.parent.mkdir(parents=True, exist_ok=True)
    partial = dst.with_name(dst.name + ".part")
    sidecar = dst.with_name(dst.name + ".txt.part")
    assert avail.ocrmypdf is not None
    cmd = [
        avail.ocrmypdf, "--skip-text", "--output-type", "pdf", "--optimize", "0",
        "--jobs", str(capped_jobs(jobs)), "--language", language,
        "--tesseract-timeout", str(int(TESSERACT_PAGE_TIMEOUT_S)),
        "--plugin", str(PLUGIN), "--sidecar", str(sidecar),
    ]
    if wanted is not None:
        cmd += ["--pages", ",".join(str(p) for p in wanted)]
    cmd += ["--", str(src), str(partial)]

    def fail(reason: str, *, timed_out: bool = False, cancelled: bool = False) -> OcrResult:
        partial.unlink(missing_ok=True)
        sidecar.unlink(missing_ok=True)
        return OcrResult(False, reason, engine_versions=versions,
                         seconds=time.monotonic() - started, timed_out=timed_out,
                         cancelled=cancelled)

    with ocrmypdf_env(search_path) as env:
        try:
            proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                text=True, errors="replace", env=env, start_new_session=True,
            )
        except OSError as exc:
            return fail(f"cannot start OCRmyPDF ({exc})")
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_read_lines, args=(proc.stderr, lines), daemon=True)
        reader.start()
        log: list[str] = []
        n_pages = len(wanted) if wanted is not None else total_pages
        on_progress(0, n_pages, f"OCR {src.name}")
        timed_out = cancelled = False
        eof = False
        reported = 0
        while not eof:
            if time.monotonic() - started > limit:
                timed_out = True
            elif cancel is not None and cancel.is_set():
                cancelled = True
            if timed_out or cancelled:
                _kill(proc)
                break
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                eof = True
                break
            if line.startswith(PROGRESS_MARKER):
                reported = _report(line, n_pages, src.name, on_progress, reported)
            else:
                log.append(line.rstrip())
        try:
            code = proc.wait(timeout=max(1.0, limit - (time.monotonic() - started)))
        except subprocess.TimeoutExpired:
            _kill(proc)
            timed_out, code = True, -1
        reader.join(timeout=5)
        if proc.stderr is not None and not reader.is_alive():
            proc.stderr.close()
    if cancelled:
        return fail("OCR was cancelled", cancelled=True)
    if timed_out:
        return fail(f"OCR took longer than {limit:g} s and was stopped", timed_out=True)
    if code != 0:
        what = _EXIT_REASONS.get(code, f"OCRmyPDF stopped with exit code {code}")
        detail = _last_error(log)
        return fail(f"{what}{': ' + detail if detail else ''}")
    # The output must be a readable PDF with the same pages and the same image bytes.
    try:
        if _page_count(partial) != total_pages:
            return fail("OCR output has a different number of pages; not used")
        if image_digests(partial) != before:
            return fail("OCR output changed the page images; not used")
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        return fail(f"OCR output is not a readable PDF ({exc}); not used")
    texts = read_sidecar(sidecar, total_pages)
    sidecar.unlink(missing_ok=True)
    os.replace(partial, dst)
    if texts is None:  # not the layout we know: ask the PDF itself
        texts = page_texts(dst, wanted if wanted is not None else range(1, total_pages + 1))
    failed = tuple(p for p, text in sorted(texts.items()) if text == GAVE_UP_TEXT)
    for page in failed:
        del texts[page]
    ocred = sorted(texts)
    on_progress(n_pages, n_pages, f"OCR {src.name}: done")
    return OcrResult(
        ok=True,
        pages_ocred=tuple(ocred),
        pages_skipped=tuple(p for p in range(1, total_pages + 1)
                            if p not in set(ocred) and p not in failed),
        pages_failed=failed,
        text="\n\n".join(t for t in texts.values() if t),
        page_texts=texts,
        engine_versions=versions,
        seconds=time.monotonic() - started,
    )


def _report(
    line: str, n_pages: int, name: str, on_progress: ProgressCallback, reported: int
) -> int:
    """Turn one progress line of the plugin into whole pages; returns pages reported."""
    parts = line.split(maxsplit=3)
    try:
        done, total = int(parts[1]), int(parts[2])
    except (IndexError, ValueError):
        return reported
    desc = parts[3].strip() if len(parts) > 3 else ""
    if desc in ("OCR", "Image processing") and total:
        # Two steps per page (OCR, graft), over all pages of the file.
        pages_done = min(n_pages, round(done / total * n_pages))
        if pages_done > reported:
            on_progress(pages_done, n_pages, f"OCR {name}: page {pages_done} of {n_pages}")
            return pages_done
    return reported


def _last_error(log: list[str]) -> str:
    for line in reversed(log):
        text = line.strip()
        if text and "Opened a file" not in text and not text.startswith("Postprocessing"):
            return text[:300]
    return ""


_SKIPPED = re.compile(r"^\[OCR skipped on page\(s\) (\d+)(?:-(\d+))?\]$")


def read_sidecar(path: Path, total: int) -> dict[int, str] | None:
    """1-based page -> OCR text from OCRmyPDF's sidecar (pages separated by form feeds,
    runs of pages without OCR written as `[OCR skipped on page(s) a-b]`). None: the file
    does not account for exactly `total` pages."""
    try:
        chunks = path.read_text(encoding="utf-8", errors="replace").split("\f")
    except OSError:
        return None
    texts: dict[int, str] = {}
    page = 1
    for chunk in chunks:
        skipped = _SKIPPED.match(chunk.strip())
        if skipped:
            first, last = int(skipped.group(1)), int(skipped.group(2) or skipped.group(1))
            if first != page:
                return None
            page = last + 1
        else:
            texts[page] = chunk.strip()
            page += 1
    return texts if page - 1 == total else None
