"""Bounded work on hostile input (issue 24 items 3, 4, 6): time and memory stay small."""

from __future__ import annotations

import base64
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pikepdf
import pytest

from intake_desktop.app import App
from intake_desktop.core.convert import ConvertingPreparer
from intake_desktop.core.convert.base import ConvertLimits
from intake_desktop.core.convert.render import TextPdf
from intake_desktop.core.filing import Filer, Outcome
from intake_desktop.core.pdf.streams import DecodeCapError, bounded_decode
from tests.conftest import REPO
from tests.core.convert import samples as s


def _within(seconds: float, func, *args):  # type: ignore[no-untyped-def]
    """Run func in a thread; fail (not hang) when it takes longer than `seconds`."""
    out: dict[str, object] = {}

    def run() -> None:
        try:
            out["value"] = func(*args)
        except BaseException as exc:
            out["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    if "error" in out:
        raise out["error"]  # type: ignore[misc]
    return out.get("value")


# ---- item 4: text to PDF is linear in line length ------------------------------------


@pytest.mark.parametrize("content", ["word", "space"])
def test_one_line_mebibyte_text_converts_in_seconds(
    preparer: ConvertingPreparer, inbox: Path, workdir: Path, content: str
) -> None:
    """GIVEN a 1 MiB text file that is one line (one huge word, or words)
    WHEN it is converted THEN it finishes in bounded time and every character is kept."""
    src = inbox / "dump.txt"
    if content == "word":
        body = ("ABCDEFGHIJ" * (1 << 17))[: 1 << 20]
    else:
        body = ("lorem ipsum " * (1 << 17))[: 1 << 20]
    src.write_text(body)
    prepared = _within(60, preparer.prepare, src, "0" * 64, workdir)
    pdf = prepared.filed_from
    assert pdf.suffix == ".pdf"
    text = "".join("".join(p.split()) for p in s.pdf_text(pdf))
    assert text == "".join(body.split())


def test_wrapped_lines_fit_the_page_width(tmp_path: Path) -> None:
    """Each line the wrapper makes fits the text width and the cut loses nothing."""
    from reportlab.pdfbase import pdfmetrics

    writer = TextPdf(tmp_path / "x.pdf")
    raw = "short words then " + "W" * 5000 + " and a tail " + "i" * 3000
    lines = writer._wrap(raw, writer.body_font)
    assert "".join(lines).replace(" ", "") == raw.replace(" ", "")
    for line in lines:
        assert pdfmetrics.stringWidth(line, writer.body_font, writer.size) <= writer.width + 0.01
    assert len(lines) > 10
    writer.close()


# ---- item 3: nested archives share one budget ---------------------------------------


def _deflated_zip(path: Path, members: dict[str, bytes]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _nested_bomb(path: Path, copies: int = 4, members: int = 300) -> Path:
    """Zips of zips: every member is under 1 MiB and every level under its own total,
    yet the whole tree declares copies x members x 1,000,000 bytes."""
    inner = path.parent / "inner.zip"
    _deflated_zip(inner, {f"page{i:03d}.txt": b"\0" * 1_000_000 for i in range(members)})
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for n in range(copies):
            zf.write(inner, f"part{n}.zip")
    inner.unlink()
    return path


def test_nested_zip_bomb_is_refused_before_anything_is_extracted(
    preparer: ConvertingPreparer, inbox: Path, workdir: Path
) -> None:
    src = _nested_bomb(inbox / "upload.zip")
    assert src.stat().st_size < 1_500_000
    from intake_desktop.core.convert.base import ConversionError

    with pytest.raises(ConversionError) as caught:
        preparer.prepare(src, "0" * 64, workdir)
    message = str(caught.value)
    assert "compression ratio" in message and "part0.zip/page000.txt" in message
    assert "(zip bomb)" in message
    assert "over_limit" in caught.value.flags or "unsafe_archive" in caught.value.flags
    written = sum(p.stat().st_size for p in workdir.rglob("*") if p.is_file())
    assert written == 0


def test_nested_archives_count_bytes_and_members_across_levels(
    inbox: Path, workdir: Path
) -> None:
    """Members of ordinary ratio: the total across levels is what is limited."""
    import random
    import zipfile

    rng = random.Random(7)
    inner = inbox / "inner.zip"
    _deflated_zip(inner, {f"scan{i}.bin": rng.randbytes(40_000) for i in range(10)})
    src = inbox / "outer.zip"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_STORED) as zf:
        for n in range(3):
            zf.write(inner, f"batch{n}.zip")
    limits = ConvertLimits(max_archive_total=1_500_000, max_children=1000)
    from intake_desktop.core.convert.base import ConversionError

    with pytest.raises(ConversionError) as caught:
        ConvertingPreparer(limits=limits).prepare(src, "0" * 64, workdir)
    assert "across nested archives" in str(caught.value)
    # the same tree within the budget is extracted, inner archives as children
    prepared = ConvertingPreparer(
        limits=ConvertLimits(max_archive_total=4_000_000)).prepare(src, "0" * 64, workdir)
    assert [p.name for p in prepared.children] == ["batch0.zip", "batch1.zip", "batch2.zip"]
    assert prepared.children[0].read_bytes() == inner.read_bytes()
    limits = ConvertLimits(max_archive_total=4_000_000, max_children=25)
    with pytest.raises(ConversionError) as caught:
        ConvertingPreparer(limits=limits).prepare(src, "0" * 64, workdir / "again")
    assert "33 files across nested archives" in str(caught.value)


def test_small_members_with_a_bomb_ratio_are_refused(
    preparer: ConvertingPreparer, inbox: Path, workdir: Path
) -> None:
    src = _deflated_zip(inbox / "notes.zip", {f"n{i}.txt": b"\0" * 900_000 for i in range(3)})
    from intake_desktop.core.convert.base import ConversionError

    with pytest.raises(ConversionError) as caught:
        preparer.prepare(src, "0" * 64, workdir)
    assert "'n0.txt': compression ratio" in str(caught.value)


# ---- item 6a: every filter stage of every stream is bounded --------------------------


def _ingest_in_child(app: App, src: Path, *, address_space: int = 3 << 30
                     ) -> tuple[dict[str, object], float]:
    """`ingest --json` in a child process under an address-space limit (so a regression
    fails here instead of eating the machine): (the JSON record, peak RSS in MB)."""
    app.close()
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    proc = subprocess.Popen(
        [sys.executable, "-m", "intake_desktop", "--workspace", str(app.workspace.root),
         "--json", "ingest", str(src), "--matter", "2024-031 Reyes"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=limit,
    )
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, err.decode()
    (record,) = [json.loads(line) for line in out.splitlines()]
    return record, usage.ru_maxrss / 1024


def test_double_flate_pdf_stays_under_the_caps(app: App, inbox: Path) -> None:
    """GIVEN a PDF of a few KB whose page content is 4 GiB behind
    /Filter [/FlateDecode /FlateDecode] WHEN it is ingested THEN memory stays bounded."""
    src = s.multi_filter_pdf(inbox / "statement.pdf", inflated=4 << 30, stages=2)
    assert src.stat().st_size < 20_000
    record, peak_mb = _ingest_in_child(app, src)
    print(f"double-flate PDF: peak RSS {peak_mb:.0f} MB")
    assert peak_mb < 600, f"peak RSS {peak_mb:.0f} MB"
    assert record["status"] in ("filed", "review")
    kept = Path(str(record["original"] or record["path"]))
    assert kept.read_bytes() == src.read_bytes()


@pytest.mark.parametrize("stages", [2, 3])
def test_bounded_decode_refuses_every_stage_over_the_cap(tmp_path: Path, stages: int) -> None:
    src = s.multi_filter_pdf(tmp_path / "x.pdf", inflated=256 << 20, stages=stages)
    with pikepdf.open(src) as pdf:
        contents = pdf.pages[0].obj.Contents
        with pytest.raises(DecodeCapError, match="decodes to more than 16 MB"):
            bounded_decode(contents, 16 << 20, what="the page content")


def test_bounded_decode_reads_ordinary_filter_chains(tmp_path: Path) -> None:
    """Chains and predictors still decode to the exact bytes qpdf gives."""
    import zlib

    payload = b"BT /F1 12 Tf 72 700 Td (Exhibit 4) Tj ET\n" * 500
    pdf = pikepdf.new()
    cases = {
        "hex+flate": (zlib.compress(payload).hex().encode() + b">",
                      ["/ASCIIHexDecode", "/FlateDecode"]),
        "a85+flate": (base64.a85encode(zlib.compress(payload)) + b"~>",
                      ["/ASCII85Decode", "/FlateDecode"]),
        "flate+flate": (zlib.compress(zlib.compress(payload)),
                        ["/FlateDecode", "/FlateDecode"]),
        "runlength": (bytes([127]) + payload[:128] + bytes([257 - 100]) + b"x" + b"\x80",
                      ["/RunLengthDecode"]),
    }
    for name, (data, filters) in cases.items():
        stream = pikepdf.Stream(pdf, data)
        stream.Filter = pikepdf.Array([pikepdf.Name(f) for f in filters])
        level = pikepdf.StreamDecodeLevel.specialized  # qpdf's RunLength needs this level
        assert bounded_decode(stream) == bytes(stream.read_bytes(level)), name
    # PNG predictor (Up) on 4-byte rows
    rows = [bytes([2]) + bytes([i % 7, 1, 2, 3]) for i in range(64)]
    stream = pikepdf.Stream(pdf, zlib.compress(b"".join(rows)))
    stream.Filter = pikepdf.Name.FlateDecode
    stream.DecodeParms = pikepdf.Dictionary(Predictor=12, Columns=4)
    assert bounded_decode(stream) == bytes(stream.read_bytes())
    assert len(bounded_decode(stream)) == 64 * 4


# ---- item 6b: Office files inspected before LibreOffice, LibreOffice memory-limited ---


def test_docx_bomb_is_refused_before_libreoffice(
    app: App, filer: Filer, inbox: Path
) -> None:
    """GIVEN a .docx whose document.xml inflates to 300 MB WHEN it is ingested
    THEN it is refused (Review/ with the reason), not filed as conversion_failed."""
    src = s.docx_bomb(inbox / "witness statement.docx")
    assert src.stat().st_size < 2_000_000
    result = filer.ingest_file(src, matter="2024-031 Reyes")
    assert result.status is Outcome.REVIEW, result
    assert "refused before conversion" in (result.reason or "")
    assert "'word/document.xml' has a compression ratio" in (result.reason or "")
    assert Path(result.path or "").read_bytes() == src.read_bytes()
    assert "conversion_failed" not in result.flags
    assert not list(app.workspace.work.rglob("office"))  # LibreOffice never started


def test_office_package_inspection_counts_parts_and_declared_bytes(
    inbox: Path, workdir: Path
) -> None:
    from intake_desktop.core.convert.base import ConversionError
    from intake_desktop.core.convert.office import inspect_package

    plain = s.docx(inbox / "letter.docx", ["Letter", "Dear Ms. Reyes"])
    inspect_package(plain, "application/docx", ConvertLimits())  # an ordinary file passes
    with pytest.raises(ConversionError, match="parts, more than the limit of 5"):
        inspect_package(plain, "application/docx", ConvertLimits(max_office_members=5))
    with pytest.raises(ConversionError, match="bytes uncompressed, more than the limit"):
        inspect_package(plain, "application/docx", ConvertLimits(max_office_inflated=1000))


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_libreoffice_over_its_memory_limit_is_refused(inbox: Path, workdir: Path) -> None:
    """LibreOffice runs under a memory limit; past it the document is refused (the
    limit here is below what LibreOffice needs for any file, to show the mechanism)."""
    from intake_desktop.core.convert.base import ConversionError

    src = s.docx(inbox / "letter.docx", ["Letter", "Dear Ms. Reyes"])
    preparer = ConvertingPreparer(limits=ConvertLimits(office_memory=60 << 20))
    with pytest.raises(ConversionError) as caught:
        preparer.prepare(src, "0" * 64, workdir)
    assert "refused: LibreOffice needed more than 60 MB of memory" in str(caught.value)
    assert caught.value.flags == ("over_limit",)
    assert not (workdir / "office").exists()
    # the same file converts under the default limit
    prepared = ConvertingPreparer().prepare(src, "0" * 64, workdir / "ok")
    assert "Dear Ms. Reyes" in s.pdf_text(prepared.filed_from)[0]


def test_libreoffice_address_space_limit_is_refused(inbox: Path, workdir: Path) -> None:
    from intake_desktop.core.convert.base import ConversionError

    if not shutil.which("soffice"):
        pytest.skip("LibreOffice not installed")
    src = s.docx(inbox / "letter.docx", ["Letter", "Dear Ms. Reyes"])
    preparer = ConvertingPreparer(limits=ConvertLimits(office_address_space=200 << 20))
    with pytest.raises(ConversionError, match="refused: LibreOffice needed more than"):
        preparer.prepare(src, "0" * 64, workdir)


# ---- item 6c: processor-time budgets for image and text conversion -------------------


def test_multi_frame_tiff_over_the_cpu_budget_is_refused(
    inbox: Path, workdir: Path
) -> None:
    """GIVEN a 12-frame TIFF of noise, each frame within the pixel limit, WHEN the
    processor-time budget is smaller than its conversion THEN it is refused with the
    reason, not converted for minutes."""
    from PIL import Image

    from intake_desktop.core.convert.base import ConversionError

    frames = [Image.effect_noise((2400, 2400), 60 + i).convert("RGB") for i in range(12)]
    src = inbox / "records.tif"
    frames[0].save(src, "TIFF", save_all=True, append_images=frames[1:],
                   compression="tiff_lzw")
    preparer = ConvertingPreparer(limits=ConvertLimits(cpu_seconds=0.5))
    with pytest.raises(ConversionError) as caught:
        preparer.prepare(src, "0" * 64, workdir)
    assert "converting the image took more than 0.5 s of processor time" in str(
        caught.value)
    assert caught.value.flags == ("over_limit",)


def test_text_over_the_cpu_budget_is_refused(inbox: Path, workdir: Path) -> None:
    from intake_desktop.core.convert.base import ConversionError

    src = inbox / "log.txt"
    src.write_text("".join(f"line {i} of the server log\n" for i in range(200_000)))
    preparer = ConvertingPreparer(limits=ConvertLimits(cpu_seconds=0.2))
    with pytest.raises(ConversionError, match="converting the text to PDF took more than"):
        preparer.prepare(src, "0" * 64, workdir)


# ---- item 10: repairable PDFs are filed (repaired copy), the original untouched -------


def _long_pdf(pages: int) -> bytes:
    return s.pdf_bytes([f"Deposition of J. Reyes, page {i + 1}\nQ. Where were you?"
                        for i in range(pages)])


@pytest.mark.parametrize("damage", ["broken startxref", "bytes after %%EOF"])
def test_repairable_pdf_is_filed_as_a_verified_repaired_copy(
    app: App, filer: Filer, inbox: Path, damage: str
) -> None:
    import re

    data = _long_pdf(117)
    if damage == "broken startxref":
        data = re.sub(rb"startxref\s+\d+", b"startxref\n99999999", data)
    else:
        data = data + b"\r\n" + b"Sent from the scanner at reception. " * 60
    src = inbox / "deposition.pdf"
    src.write_bytes(data)
    with pikepdf.open(src) as check:
        assert check.get_warnings()  # qpdf has to reconstruct it
    result = filer.ingest_file(src, matter="2024-031 Reyes")
    assert result.status is Outcome.FILED, result.reason
    assert "repaired" in result.flags
    filed, original = Path(result.path or ""), Path(result.original or "")
    assert original.read_bytes() == data  # the file as received, untouched
    with pikepdf.open(filed) as pdf:
        assert len(pdf.pages) == 117 and not pdf.get_warnings()
    text = s.pdf_text(filed)
    assert "Deposition of J. Reyes, page 117" in text[116]
    converted = [e for e in app.ledger.chain.events(document_id=result.document_id)
                 if e.kind == "converted"]
    assert converted and converted[0].detail["method"] == "repaired"


def test_truncated_pdf_is_not_repaired(app: App, filer: Filer, inbox: Path) -> None:
    src = inbox / "contract.pdf"
    src.write_bytes(_long_pdf(40)[: 9000])
    result = filer.ingest_file(src, matter="2024-031 Reyes")
    assert result.status is Outcome.REVIEW
    assert "pages may be missing" in (result.reason or "")
    assert Path(result.path or "").read_bytes() == src.read_bytes()
