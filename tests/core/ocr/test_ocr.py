"""OCR layer: real OCRmyPDF + Tesseract on small rendered scans (one page each)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

import img2pdf
import pikepdf
import pypdf
import pytest

from intake_desktop.core.courts import generic_profile
from intake_desktop.core.ocr import (
    INSTALL_COMMAND,
    OcrAvailability,
    OcrEngine,
    OcrSettings,
    add_text_layer,
    image_only_pages,
    ocr_available,
    text_layer_step,
)
from intake_desktop.core.ocr.engine import image_digests
from intake_desktop.core.pdf.fit import fit_pdf
from intake_desktop.core.progress import CancelFlag
from tests.ocr_pdfs import (
    first_image,
    image_streams,
    mixed_pdf,
    page_content,
    scanned_pdf,
    text_pdf,
)
from tests.watching import once_it_appears

needs_ocr = pytest.mark.skipif(
    not ocr_available().ok, reason="tesseract-ocr/ocrmypdf not installed (packaging/system-deps.sh)"
)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def extracted(path: Path, index: int) -> str:
    return pypdf.PdfReader(path).pages[index].extract_text() or ""


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scans")


def _ocr_case(folder: Path, name: str, **kwargs: object) -> tuple[Path, Path, list[str]]:
    src, texts = scanned_pdf(folder / f"{name}.pdf", [7], **kwargs)  # type: ignore[arg-type]
    dst = folder / f"{name}.ocr.pdf"
    progress: list[tuple[int, int, str]] = []
    result = add_text_layer(src, dst, on_progress=lambda d, t, m: progress.append((d, t, m)))
    assert result.ok, result.reason
    assert result.pages_ocred == (1,)
    assert progress[0][:2] == (0, 1) and progress[-1][:2] == (1, 1)
    # Reported from inside the OCRmyPDF process by the progress plugin:
    assert (1, 1, f"OCR {src.name}: page 1 of 1") in progress
    assert result.engine_versions["tesseract"] and result.engine_versions["ocrmypdf"]
    return src, dst, words(" ".join(texts[0]))


@needs_ocr
@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("flatbed-300dpi", {}),
        ("phone-photo-skewed", {"skew_degrees": 3.5, "fmt": "JPEG", "noise": True}),
    ],
)
def test_ocr_adds_text_and_keeps_images_byte_identical(
    scans: Path, name: str, options: dict[str, object]
) -> None:
    src, dst, expected = _ocr_case(scans, name, **options)
    source_bytes = src.read_bytes()
    assert extracted(src, 0).strip() == ""  # really image-only before
    found = words(extracted(dst, 0))
    missing = [w for w in expected if w not in found]
    assert len(missing) <= len(expected) // 10, (missing, found)  # >= 90% word recall
    before, after = image_streams(src), image_streams(dst)
    assert len(before) == 1 and before == after  # raw encoded bytes, not re-rendered
    with pikepdf.open(src) as a, pikepdf.open(dst) as b:
        img_a, img_b = first_image(a, 0), first_image(b, 0)
        assert img_a.get("/Filter") == img_b.get("/Filter")
        assert (img_a.Width, img_a.Height) == (img_b.Width, img_b.Height)
        assert a.pages[0].mediabox == b.pages[0].mediabox
    assert src.read_bytes() == source_bytes  # the input is only read
    assert image_only_pages(src) == [1]
    assert image_only_pages(dst) == []  # the invisible OCR text counts as text


@needs_ocr
def test_page_with_text_is_left_alone(tmp_path: Path) -> None:
    scanned, texts = scanned_pdf(tmp_path / "scan.pdf", [11])
    born_digital = text_pdf(tmp_path / "typed.pdf", ["Retainer agreement signed by the client"])
    src = mixed_pdf(tmp_path / "mixed.pdf", born_digital, scanned)
    assert image_only_pages(src) == [2]
    dst = tmp_path / "mixed.ocr.pdf"
    result = add_text_layer(src, dst, pages=image_only_pages(src))
    assert result.ok, result.reason
    assert result.pages_ocred == (2,) and result.pages_skipped == (1,)
    assert page_content(dst, 0) == page_content(src, 0)
    assert extracted(dst, 0) == extracted(src, 0)
    with pikepdf.open(src) as a, pikepdf.open(dst) as b:
        assert sorted(a.pages[0].obj.keys()) == sorted(b.pages[0].obj.keys())
        fonts_a = a.pages[0].Resources.Font
        fonts_b = b.pages[0].Resources.Font
        assert sorted(fonts_a.keys()) == sorted(fonts_b.keys())
    assert "retainer" not in words(result.text)  # only page 2 was OCRed
    expected = words(" ".join(texts[0]))
    assert sum(w in words(result.page_texts[2]) for w in expected) >= 0.9 * len(expected)
    assert image_digests(src) == image_digests(dst)


def test_missing_tesseract_is_reported_in_words(tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    avail = ocr_available(search_path=str(empty))
    assert not avail.ok
    assert "Tesseract" in avail.message and INSTALL_COMMAND in avail.message
    src, _ = scanned_pdf(tmp_path / "scan.pdf", [3])
    dst = tmp_path / "out.pdf"
    result = add_text_layer(src, dst, search_path=str(empty))
    assert not result.ok and INSTALL_COMMAND in (result.reason or "")
    assert not dst.exists()


@pytest.mark.skipif(shutil.which("ocrmypdf") is None, reason="ocrmypdf not installed")
def test_ocrmypdf_without_tesseract_fails_cleanly(tmp_path: Path) -> None:
    """The real boundary: OCRmyPDF runs, finds no Tesseract on PATH and exits."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    ocrmypdf = shutil.which("ocrmypdf")
    assert ocrmypdf
    (bindir / "ocrmypdf").symlink_to(ocrmypdf)
    for tool in ("gs", "qpdf"):
        if found := shutil.which(tool):
            (bindir / tool).symlink_to(found)
    avail = ocr_available(search_path=str(bindir))
    assert not avail.ok and "Tesseract is not installed" in avail.message
    src, _ = scanned_pdf(tmp_path / "scan.pdf", [4])
    forced = OcrAvailability(True, "forced", {"ocrmypdf": "?"}, ocrmypdf=str(bindir / "ocrmypdf"))
    dst = tmp_path / "out.pdf"
    result = add_text_layer(src, dst, search_path=str(bindir), availability=forced)
    assert not result.ok
    assert "missing" in (result.reason or "").lower() or "tesseract" in (result.reason or "")
    assert not dst.exists() and not list(tmp_path.glob("out.pdf*"))


@needs_ocr
def test_timeout_and_cancel_stop_the_process(tmp_path: Path) -> None:
    src, _ = scanned_pdf(tmp_path / "scan.pdf", [5])
    dst = tmp_path / "out.pdf"
    result = add_text_layer(src, dst, timeout=0.2)
    assert not result.ok and result.timed_out and "longer than" in (result.reason or "")
    assert not dst.exists() and not list(tmp_path.glob("out.pdf*"))
    cancel = CancelFlag()
    cancel.set()
    result = add_text_layer(src, dst, cancel=cancel)
    assert not result.ok and result.cancelled
    assert not dst.exists()


@needs_ocr
def test_stopped_ocr_leaves_no_page_images_behind(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """OCRmyPDF renders each page into a temporary folder that it removes only when it ends
    by itself: stopped (the time limit, a cancel), it left the images of the client's pages
    in the system's temporary folder for good (one folder per stopped run, found by the
    dozen on a machine that had run the benchmarks)."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    src, _ = scanned_pdf(tmp_path / "scan.pdf", [5])
    cancel = CancelFlag()
    with once_it_appears(temp, "*.png", then=cancel.set) as rendered:
        result = add_text_layer(src, tmp_path / "out.pdf", cancel=cancel)
    assert rendered, "OCRmyPDF rendered no page into the temporary folder"
    assert not result.ok and result.cancelled
    assert list(temp.iterdir()) == []


def _dot_lattice_page(path: Path) -> Path:
    """A one-page PDF of a photo of a flat colour with a regular lattice of white dots (a
    pattern bench_convert's photos once had, like a photographed halftone print): Tesseract
    5.3 works on it for minutes."""
    from PIL import Image

    img = Image.new("RGB", (1600, 1200), (222, 34, 120))
    for x in range(0, 1600, 16):
        for y in range(6, 1200, 40):
            img.putpixel((x, y), (255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85, dpi=(72, 72))  # as cameras declare (at 96: no trouble)
    data = img2pdf.convert(buf.getvalue())
    assert data is not None
    path.write_bytes(data)
    return path


@needs_ocr
def test_a_page_tesseract_gives_up_on_is_said_not_filed_as_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """OCRmyPDF stops Tesseract on a page at its per-page limit and writes "[skipped page]" as
    that page's text: it was taken for the page's OCR text (searchable as such) and the
    document called text-searchable. The page is now said to have no text layer, and the
    pages OCR did read keep theirs."""
    from intake_desktop.core.ocr import engine as ocr_engine

    monkeypatch.setattr(ocr_engine, "TESSERACT_PAGE_TIMEOUT_S", 8.0)
    first, texts = scanned_pdf(tmp_path / "first.pdf", [11])
    last, last_texts = scanned_pdf(tmp_path / "last.pdf", [12])
    lattice = _dot_lattice_page(tmp_path / "photo.pdf")
    src = tmp_path / "record.pdf"
    with pikepdf.new() as out:
        for part in (first, lattice, last):
            with pikepdf.open(part) as pdf:
                out.pages.extend(pdf.pages)
        out.save(src)
    step = text_layer_step(src, tmp_path, engine=OcrEngine())
    assert step.result is not None
    assert step.result.pages_failed == (2,) and step.result.pages_ocred == (1, 3)
    assert "skipped page" not in step.result.text and 2 not in step.result.page_texts
    assert set(words(" ".join(texts[0]))) <= set(words(step.result.page_texts[1])) | {"l"}
    assert set(words(" ".join(last_texts[0]))) & set(words(step.result.page_texts[3]))
    assert step.changed and step.pdf != src  # pages 1 and 3 keep their text layer
    assert step.flags == ("ocr_failed", "not_text_searchable")
    assert step.facts["text_searchable"] is False and step.facts["ocr_failed_pages"] == [2]
    assert step.note is not None and "page 2" in step.note
    assert step.event is not None and step.event["pages_failed"] == "2"
    alone = text_layer_step(lattice, tmp_path / "alone", engine=OcrEngine())  # the photo alone
    assert not alone.changed and alone.pdf == lattice
    assert alone.flags == ("ocr_failed", "not_text_searchable")
    assert alone.note == ("OCR failed, filed without a text layer: Tesseract gave up on page 1 "
                          "at its time limit for a page")
    assert alone.event is not None and alone.event["ok"] is False
    assert not list((tmp_path / "alone").glob("*.pdf"))
    # A court-ready copy for a court that wants text says which page has none (the preflight
    # of every fitted copy looks for pages without a text layer).
    fitted = fit_pdf(src, tmp_path / "court", limit_bytes=25 << 20, ocr=OcrEngine(),
                     profile=dataclasses.replace(generic_profile(25 << 20), text_searchable=True))
    assert fitted.ok and fitted.actions[0] == "ocr"
    assert any("no text layer (page 2)" in w for w in fitted.warnings), fitted.warnings


@needs_ocr
def test_failed_ocr_reports_the_reason(tmp_path: Path) -> None:
    """An owner-password PDF opens for reading but OCRmyPDF refuses it: a reason, no output."""
    plain, _ = scanned_pdf(tmp_path / "plain.pdf", [6])
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(plain) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="firm", user="", R=6))
    engine = OcrEngine()
    step = text_layer_step(locked, tmp_path, engine=engine)
    assert step.needed and not step.changed and step.pdf == locked
    assert step.flags == ("ocr_failed", "not_text_searchable")
    assert step.event is not None and step.event["ok"] is False
    assert "encrypted" in step.event["reason"]
    assert step.event["sha256_before"] == step.event["sha256_after"]


def test_signed_pdf_is_not_rewritten(tmp_path: Path) -> None:
    src, _ = scanned_pdf(tmp_path / "scan.pdf", [8])
    signed = tmp_path / "signed.pdf"
    with pikepdf.open(src) as pdf:
        pdf.Root.AcroForm = pdf.make_indirect(pikepdf.Dictionary(
            Fields=pikepdf.Array(), SigFlags=3))
        pdf.save(signed)
    step = text_layer_step(signed, tmp_path, engine=OcrEngine())
    assert not step.changed and step.flags == ("not_text_searchable",)
    assert step.event is not None and "signature" in step.event["reason"]
    assert list(tmp_path.glob("*.ocr*.pdf")) == []


def test_text_pdf_needs_no_ocr(tmp_path: Path) -> None:
    src = text_pdf(tmp_path / "typed.pdf", ["Nothing to OCR here"])
    empty = tmp_path / "no-tools"
    empty.mkdir()
    engine = OcrEngine(OcrSettings(search_path=str(empty)))
    step = text_layer_step(src, tmp_path, engine=engine)
    assert not step.needed and step.event is None and step.flags == ()
    assert engine.notice_once() is not None  # nothing was said yet: still to be said once
    assert engine.notice_once() is None


def test_sidecar_pages_are_numbered_across_skipped_runs(tmp_path: Path) -> None:
    from intake_desktop.core.ocr.engine import read_sidecar

    side = tmp_path / "side.txt"
    side.write_text("[OCR skipped on page(s) 1-2]\fwitness statement\n\f\f[OCR skipped on "
                    "page(s) 5]\flease", encoding="utf-8")
    assert read_sidecar(side, 6) == {3: "witness statement", 4: "", 6: "lease"}
    assert read_sidecar(side, 7) is None  # does not account for every page
    assert read_sidecar(tmp_path / "missing.txt", 1) is None


def test_page_ranges_for_the_ledger() -> None:
    from intake_desktop.core.ocr.step import page_ranges

    assert page_ranges([7, 1, 2, 3, 9, 10]) == "1-3,7,9-10"
    assert page_ranges([]) == "" and page_ranges([4]) == "4"


def _fake_ocrmypdf(bindir: Path, body: str) -> OcrAvailability:
    """A stand-in `ocrmypdf` (shell script) to observe how the engine runs the real one."""
    bindir.mkdir(exist_ok=True)
    script = bindir / "ocrmypdf"
    script.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    script.chmod(0o755)
    return OcrAvailability(True, "fake", {"ocrmypdf": "fake"}, ocrmypdf=str(script))


def test_ocrmypdf_is_run_with_options_that_keep_images(tmp_path: Path) -> None:
    args_file = tmp_path / "args.txt"
    env_file = tmp_path / "env.txt"
    # Record the arguments, then copy the input to the output (last two arguments).
    avail = _fake_ocrmypdf(tmp_path / "bin", (
        f'printf "%s\\n" "$@" > "{args_file}"\n'
        f'echo "$OMP_THREAD_LIMIT" > "{env_file}"\n'
        'for a in "$@"; do prev="$last"; last="$a"; done\n'
        'cp "$prev" "$last"\n'
    ))
    src, _ = scanned_pdf(tmp_path / "scan.pdf", [9])
    result = add_text_layer(src, tmp_path / "out.pdf", pages=[1], availability=avail)
    assert result.ok, result.reason
    args = args_file.read_text(encoding="utf-8").split("\n")
    for option in (["--skip-text"], ["--output-type", "pdf"], ["--optimize", "0"],
                   ["--jobs", "2"], ["--pages", "1"]):
        i = args.index(option[0])
        assert args[i:i + len(option)] == option
    for forbidden in ("--force-ocr", "--redo-ocr", "--deskew", "--clean-final",
                      "--rotate-pages", "--remove-background", "pdfa"):
        assert forbidden not in args
    assert env_file.read_text(encoding="utf-8").strip() == "1"  # one thread per Tesseract


def test_timeout_stops_ocrmypdf_and_its_children(tmp_path: Path) -> None:
    import os

    pid_file = tmp_path / "child.pid"
    avail = _fake_ocrmypdf(tmp_path / "bin", f'sleep 120 &\necho $! > "{pid_file}"\nwait\n')
    src, _ = scanned_pdf(tmp_path / "scan.pdf", [10])
    result = add_text_layer(src, tmp_path / "out.pdf", timeout=1.5, availability=avail)
    assert not result.ok and result.timed_out
    child = int(pid_file.read_text(encoding="utf-8"))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        try:
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            break
        if state == "Z":
            break  # killed, waiting for init to reap it
        time.sleep(0.05)
    else:
        pytest.fail("the Tesseract-like child process outlived the timeout")


def test_ocr_settings_from_the_workspace_config(tmp_path: Path) -> None:
    from intake_desktop.core.errors import WorkspaceError
    from intake_desktop.core.ocr.settings import load_ocr_settings

    config = tmp_path / "config.toml"
    assert load_ocr_settings(config) == OcrSettings()  # no file: defaults
    config.write_text('[ledger]\nurl = ""\n', encoding="utf-8")
    assert load_ocr_settings(config) == OcrSettings()
    config.write_text('[ocr]\nenabled = false\nlanguage = "eng+spa"\njobs = 1\n'
                      "timeout_seconds = 600\n", encoding="utf-8")
    assert load_ocr_settings(config) == OcrSettings(
        enabled=False, jobs=1, language="eng+spa", timeout_s=600.0)
    for bad, field in (('language = "English"', "language"), ("jobs = 0", "jobs"),
                       ('enabled = "yes"', "enabled"), ("timeout_seconds = -1", "timeout"),
                       ("dpi = 300", "dpi")):
        config.write_text(f"[ocr]\n{bad}\n", encoding="utf-8")
        with pytest.raises(WorkspaceError) as err:
            load_ocr_settings(config)
        assert str(config) in err.value.message and field in err.value.message
    off = OcrEngine(OcrSettings(enabled=False))
    assert not off.availability().ok and "turned off" in off.availability().message


def test_one_ocr_run_at_a_time_per_app(tmp_path: Path) -> None:
    """Two filing workers OCR at once: the engine runs them one after the other."""
    import os

    log = tmp_path / "runs.log"
    bindir = tmp_path / "bin"
    _fake_ocrmypdf(bindir, (
        'if [ "$1" = "--version" ]; then echo 14.0.1; exit 0; fi\n'
        f'echo start >> "{log}"\nsleep 0.5\necho end >> "{log}"\n'
        'for a in "$@"; do prev="$last"; last="$a"; done\ncp "$prev" "$last"\n'
    ))
    tesseract = bindir / "tesseract"
    tesseract.write_text('#!/bin/sh\nif [ "$1" = "--list-langs" ]; then\n'
                         '  echo "List of available languages (1):"; echo eng; exit 0\nfi\n'
                         'echo "tesseract 5.3.0"\n', encoding="utf-8")
    tesseract.chmod(0o755)
    engine = OcrEngine(OcrSettings(search_path=f"{bindir}{os.pathsep}/usr/bin:/bin"))
    assert engine.availability().versions == {"ocrmypdf": "14.0.1", "tesseract": "5.3.0"}
    src, _ = scanned_pdf(tmp_path / "scan.pdf", [12])
    results = []
    threads = [threading.Thread(target=lambda n=n: results.append(
        engine.add_text_layer(src, tmp_path / f"out{n}.pdf"))) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [r.ok for r in results] == [True, True]
    assert log.read_text(encoding="utf-8").split() == ["start", "end", "start", "end"]


@needs_ocr
def test_the_demo_cache_reuses_ocr_of_the_same_page_content_and_checks_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN an engine with a cache (the demo's) and a scan OCRed once WHEN the same page
    content comes again in a PDF made anew (another creation date) THEN the earlier output
    is used, without running OCRmyPDF, with the same text; a cached output whose images do
    not match the scan is never used; the step's `ocr` event says where the text came from."""
    from intake_desktop.core.ocr import engine as engine_module
    from intake_desktop.core.ocr.cache import OcrCache
    from intake_desktop.core.ocr.step import OcrEngine, text_layer_step
    from tests.ocr_pdfs import render_page, text_lines

    page = render_page(text_lines(71))
    first = tmp_path / "first.pdf"
    first.write_bytes(img2pdf.convert(_png(page), creationdate=dt.datetime(2024, 1, 1)))
    again = tmp_path / "again.pdf"
    again.write_bytes(img2pdf.convert(_png(page), creationdate=dt.datetime(2025, 6, 1)))
    assert first.read_bytes() != again.read_bytes()
    engine = OcrEngine()
    engine.cache = OcrCache(tmp_path / "cache")
    made_step = text_layer_step(first, tmp_path / "work1", engine=engine)
    made = made_step.result
    assert made is not None and made.ok and not made.cached
    runs: list[object] = []
    real = engine_module.add_text_layer

    def counting(*args: object, **kwargs: object) -> object:
        runs.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("intake_desktop.core.ocr.step.add_text_layer", counting)
    step = text_layer_step(again, tmp_path / "work", engine=engine)
    assert runs == [] and step.changed and step.result is not None and step.result.cached
    assert step.result.page_texts == made.page_texts
    assert image_digests(step.pdf) == image_digests(again)
    assert step.event is not None and step.event["ok"] and "cached" in step.event
    # A cached output whose page images differ from the scan is not used: OCR runs.
    other = tmp_path / "other.pdf"
    other.write_bytes(img2pdf.convert(_png(render_page(text_lines(72)))))
    for cached_pdf in (tmp_path / "cache").glob("*.pdf"):
        cached_pdf.chmod(0o644)
        cached_pdf.write_bytes(other.read_bytes())
    redo = text_layer_step(again, tmp_path / "work3", engine=engine)
    assert redo.result is not None and redo.result.ok and not redo.result.cached
    assert len(runs) == 1 and "cached" not in (redo.event or {})
    assert image_digests(redo.pdf) == image_digests(again)


def _png(image: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")  # type: ignore[attr-defined]
    return buf.getvalue()
