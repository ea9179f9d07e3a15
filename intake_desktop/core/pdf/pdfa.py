"""PDF/A-2b output for courts that require it (NYSCEF), and the checks we can run here.

Conversion: OCRmyPDF's `--output-type pdfa-2` (Ghostscript underneath), optionally adding
the OCR text layer in the same pass; `--skip-text` never rasterizes pages that have text,
`--optimize 0` adds no lossy optimization, `--tesseract-timeout 0` turns OCR off when only
the conversion is wanted.

Validation: veraPDF (the reference validator) cannot be installed on this project's
machines (it ships as a Java application outside the package registries we use), so
`pdfa_problems` checks what pikepdf can see: the XMP identification (pdfaid:part 2,
conformance B), an OutputIntent with an ICC profile, every font embedded, no encryption,
no JavaScript, actions run on opening, Launch actions or embedded files, no LZW, a trailer
/ID, and transparency only with an output intent. It is a screen, not a certificate.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Name

from intake_desktop.core.ocr.engine import ocrmypdf_env
from intake_desktop.core.ocr.step import OcrEngine
from intake_desktop.core.pdf.text import unembedded_fonts

PDFA_PART = "2"
PDFA_CONFORMANCE = "B"
BASE_TIMEOUT_S = 120.0
PER_PAGE_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class PdfaResult:
    ok: bool
    reason: str = ""
    ocr: bool = False  # the text layer was added in the same pass
    seconds: float = 0.0
    versions: tuple[tuple[str, str], ...] = ()


def convert_pdfa(src: Path, dst: Path, engine: OcrEngine, *, ocr: bool) -> PdfaResult:
    """Write `dst`, a PDF/A-2b copy of `src` (with an OCR text layer on image-only pages
    when `ocr`). Never raises for conversion trouble: `ok=False` with the reason, and then
    `dst` does not exist. `src` is only read."""
    started = time.monotonic()
    avail = engine.availability()
    if avail.ocrmypdf is None:
        return PdfaResult(False, avail.message)
    try:
        with pikepdf.open(src) as pdf:
            pages = len(pdf.pages)
    except (pikepdf.PdfError, OSError) as exc:
        return PdfaResult(False, f"cannot read the PDF ({exc})")
    partial = dst.with_name(dst.name + ".part")
    settings = engine.settings
    cmd = [avail.ocrmypdf, "--quiet", "--skip-text", "--output-type", "pdfa-2",
           "--optimize", "0", "--jobs", str(max(1, settings.jobs)),
           "--language", settings.language]
    if not ocr or not avail.ok:
        cmd += ["--tesseract-timeout", "0"]
    cmd += ["--", str(src), str(partial)]
    limit = BASE_TIMEOUT_S + PER_PAGE_TIMEOUT_S * pages
    with ocrmypdf_env() as env:
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True, errors="replace",
                                    env=env, start_new_session=True)
        except OSError as exc:
            return PdfaResult(False, f"cannot start OCRmyPDF ({exc})")
        try:
            _out, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            partial.unlink(missing_ok=True)
            return PdfaResult(
                False, f"PDF/A conversion took longer than {limit:g} s and was stopped")
    if proc.returncode != 0 or not partial.exists():
        partial.unlink(missing_ok=True)
        last = next((ln for ln in reversed(err.splitlines()) if ln.strip()), "")
        return PdfaResult(False, f"OCRmyPDF could not make a PDF/A copy (exit "
                                 f"{proc.returncode}{': ' + last.strip() if last else ''})")
    with pikepdf.open(partial) as pdf:
        if len(pdf.pages) != pages:
            partial.unlink(missing_ok=True)
            return PdfaResult(False, "the PDF/A copy has a different number of pages; not used")
    os.replace(partial, dst)
    return PdfaResult(True, ocr=ocr and avail.ok, seconds=time.monotonic() - started,
                      versions=tuple(sorted(avail.versions.items())))


def is_pdfa(pdf: pikepdf.Pdf) -> bool:
    """Whether the XMP metadata claims PDF/A-2b."""
    try:
        meta = pdf.open_metadata()
    except Exception:  # damaged XMP: not PDF/A
        return False
    return (str(meta.get("pdfaid:part", "")) == PDFA_PART
            and str(meta.get("pdfaid:conformance", "")).upper() == PDFA_CONFORMANCE)


def _walk_names(tree: object, found: list[str], depth: int = 0) -> None:
    if depth > 16 or not isinstance(tree, pikepdf.Dictionary):
        return
    names = tree.get(Name.Names)
    if isinstance(names, pikepdf.Array):
        found += [str(names[i]) for i in range(0, len(names), 2)]
    kids = tree.get(Name.Kids)
    if isinstance(kids, pikepdf.Array):
        for kid in kids:
            _walk_names(kid, found, depth + 1)


def pdfa_problems(path: Path) -> list[str]:
    """What stops `path` from being PDF/A-2b, as far as pikepdf can tell (empty: none)."""
    problems: list[str] = []
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return ["encrypted"]
    with pdf:
        if pdf.is_encrypted:
            problems.append("encrypted")
        if not is_pdfa(pdf):
            problems.append("no PDF/A-2b identification (pdfaid:part 2, conformance B) in XMP")
        intents = pdf.Root.get(Name.OutputIntents)
        good_intent = isinstance(intents, pikepdf.Array) and any(
            isinstance(i, pikepdf.Dictionary) and i.get(Name.S) == Name.GTS_PDFA1
            and isinstance(i.get(Name.DestOutputProfile), pikepdf.Stream)
            for i in intents
        )
        if not good_intent:
            problems.append("no PDF/A output intent with an ICC profile")
        if "/ID" not in pdf.trailer:
            problems.append("no document /ID in the trailer")
        fonts = unembedded_fonts(pdf)
        if fonts:
            problems.append("fonts not embedded: " + ", ".join(sorted(fonts)[:6]))
        root = pdf.Root
        if Name.OpenAction in root and isinstance(root.OpenAction, pikepdf.Dictionary):
            problems.append("an action runs on opening")
        if Name.AA in root:
            problems.append("document-level actions (/AA)")
        names = root.get(Name.Names)
        if isinstance(names, pikepdf.Dictionary):
            if Name.JavaScript in names:
                problems.append("JavaScript")
            files: list[str] = []
            _walk_names(names.get(Name.EmbeddedFiles), files)
            if files:
                problems.append("embedded files: " + ", ".join(files[:6]))
        transparency = False
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                continue
            if isinstance(obj, pikepdf.Stream) and "/LZWDecode" in str(obj.get(Name.Filter, "")):
                problems.append("LZW-compressed streams")
                break
            action = obj.get(Name.S) if isinstance(obj, pikepdf.Dictionary) else None
            if action in (Name.JavaScript, Name.Launch) and "JavaScript" not in problems:
                problems.append(f"{str(action)[1:]} actions")
            group = obj.get(Name.Group)
            if isinstance(group, pikepdf.Dictionary) and group.get(Name.S) == Name.Transparency:
                transparency = True
        if transparency and not good_intent:
            problems.append("transparency without an output intent")
    return problems
