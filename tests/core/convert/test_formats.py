"""Each format on a real generated sample: what the converted PDF shows, pages, facts."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from intake_desktop.core.convert import ConversionError, ConvertingPreparer, LibreOffice
from intake_desktop.core.convert.office import find_soffice
from intake_desktop.core.convert.text import _csv_lines
from tests.core.convert import samples as s


def _convert_in_worker(preparer: ConvertingPreparer, src: Path,
                       work: Path) -> tuple[Path, str]:
    from intake_desktop.core.convert import office

    prepared = preparer.prepare(src, "", work)
    return office._profiles[os.getpid()], s.pdf_text(prepared.filed_from)[0]


def _embedded_images(pdf_path: Path) -> list[tuple[bytes, Image.Image]]:
    """(raw stream bytes, decoded picture) of every image, page by page."""
    out = []
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            for obj in page.get_images().values():
                pil = pikepdf.PdfImage(obj).as_pil_image()
                pil.load()
                out.append((obj.read_raw_bytes(), pil))
    return out


class TestPdfAsReceived:
    def test_text_pdf_is_filed_as_is_with_title_date_and_first_page_text(
        self, preparer: ConvertingPreparer, inbox: Path, workdir: Path
    ) -> None:
        src = s.write_pdf(inbox / "letter.pdf", ["Demand letter\nRe: claim 4471", "page two",
                                                 "page three"],
                          title="Demand letter to insurer", created="D:20230917103000Z")
        prepared = preparer.prepare(src, "", workdir)
        assert prepared.filed_from == src
        assert prepared.conversions == ()
        assert prepared.detected_type == "application/pdf"
        assert prepared.facts["page_count"] == 3
        assert prepared.facts["pdf_title"] == "Demand letter to insurer"
        assert prepared.facts["document_date"] == "2023-09-17"
        assert "Re: claim 4471" in prepared.facts["first_page_text"]
        assert "page two" not in prepared.facts["first_page_text"]
        assert prepared.flags == ()

    def test_date_in_the_name_wins_over_pdf_metadata(
        self, preparer: ConvertingPreparer, inbox: Path, workdir: Path
    ) -> None:
        src = s.write_pdf(inbox / "MRI report 03.05.24.pdf", ["MRI"], created="D:20240401")
        facts = preparer.prepare(src, "", workdir).facts
        assert facts["document_date"] == "2024-03-05"
        assert facts["document_date_source"] == "filename"

    def test_scan_without_text_is_flagged_not_text_searchable(
        self, preparer: ConvertingPreparer, inbox: Path, workdir: Path
    ) -> None:
        prepared = preparer.prepare(s.scanned_pdf(inbox / "scan.pdf", pages=3), "", workdir)
        assert "not_text_searchable" in prepared.flags
        assert prepared.facts["image_only_pages"] == 3
        assert prepared.facts["page_count"] == 3

    def test_owner_password_only_is_filed_and_flagged(
        self, preparer: ConvertingPreparer, inbox: Path, workdir: Path
    ) -> None:
        prepared = preparer.prepare(s.encrypted_pdf(inbox / "locked.pdf"), "", workdir)
        assert prepared.flags == ("encrypted_owner_password",)
        assert prepared.filed_from == inbox / "locked.pdf"
        assert "Confidential settlement terms" in prepared.facts["first_page_text"]

    def test_user_password_goes_to_review_with_the_reason(
        self, preparer: ConvertingPreparer, inbox: Path, workdir: Path
    ) -> None:
        with pytest.raises(ConversionError) as info:
            preparer.prepare(s.encrypted_pdf(inbox / "locked.pdf", user="1234"), "", workdir)
        assert "password-protected, ask the client for the password" in info.value.message


class TestImages:
    def test_jpeg_is_embedded_byte_for_byte_and_exif_rotation_becomes_page_rotate(
        self, preparer: ConvertingPreparer, inbox: Path, workdir: Path
    ) -> None:
        src = s.photo(inbox / "IMG_0042.jpg", size=(320, 200), orientation=6)
        prepared = preparer.prepare(src, "", workdir)
        assert prepared.filed_from.parent == workdir
        with pikepdf.open(prepared.filed_from) as pdf:
            assert len(pdf.pages) == 1
            assert int(pdf.pages[0].obj.get("/Rotate", 0)) == 90
            (image,) = pdf.pages[0].get_images().values()
            assert image.read_raw_bytes() == src.read_bytes()  # lossless: the same JPEG
        (conversion,) = prepared.conversions
        assert conversion["tool"] == "img2pdf" and conversion["pages"] == 1
        assert conversion["lossless"] is True and conversion["exif_orientation"] == 6
        assert prepared.facts["capture_date"] == "2024-03-05"
        assert prepared.facts["document_date"] == "2024-03-05"
        assert prepared.facts["page_count"] == 1

    def test_mirrored_exif_orientation_is_applied_to_the_pixels(
        self, preparer: ConvertingPreparer, inbox: Path, workdir: Path
    ) -> None:
        # Orientation 5 (transpose): img2pdf cannot express it as /Rotate.
        src = s.photo(inbox / "mirror.jpg", size=(320, 200), orientation=5)
        prepared = preparer.prepare(src, "", workdir)
        ((_, pil),) = _embedded_images(prepared.filed_from)
        assert pil.size == (200, 320)  # upright: portrait
        red, green, _blue = pil.convert("RGB").getpixel((5, 5))
        assert red > 200 and green < 60  # the marker stays top-left under a transpose
        assert prepared.conversions[0]["method"].endswith("PNG")

    @pytest.mark.parametrize("fmt,name", [("PNG", "x.png"), ("BMP", "x.bmp"),
                                          ("WEBP", "x.webp"), ("HEIF", "x.heic")])
    def test_other_formats_make_one_page_of_the_right_shape(
        self, preparer: ConvertingPreparer, inbox: Path, workdir: Path, fmt: str, name: str
    ) -> None:
        src = s.photo(inbox / name, size=(300, 150), fmt=fmt)
        prepared = preparer.prepare(src, "", workdir)
        with pikepdf.open(prepared.filed_from) as pdf:
            assert len(pdf.pages) == 1
            box = pdf.pages[0].mediabox
            assert float(box[2]) / float(box[3]) == pytest.approx(2.0, rel=0.01)
        assert prepared.conversions[0]["lossless"] is (fmt != "HEIF")
        assert prepared.facts["page_count"] == 1

    def test_heic_phone_photo_keeps_its_capture_date(
        self, preparer: ConvertingPreparer, inbox: Path, workdir: Path
    ) -> None:
        # HEIF orientation lives in the container (irot), applied by libheif on decoding;
        # pillow-heif then reports EXIF orientation 1, so nothing is rotated twice.
        src = s.photo(inbox / "phone.heic", size=(300, 150), fmt="HEIF",
                      taken="2023:12:24 18:00:00")
        prepared = preparer.prepare(src, "", workdir)
        assert prepared.facts["capture_date"] == "2023-12-24"
        ((raw, pil),) = _embedded_images(prepared.filed_from)
        assert pil.size == (300, 150)
        assert raw[:2] == b"\xff\xd8"  # stored as JPEG (a PDF cannot hold HEIC)
        assert prepared.conversions[0]["lossless"] is False

    def test_multipage_tiff_and_animated_gif_make_one_page_per_frame(
        self, preparer: ConvertingPreparer, inbox: Path, tmp_path: Path
    ) -> None:
        for src, frames in ((s.multipage_tiff(inbox / "fax.tif", 4), 4),
                            (s.animated_gif(inbox / "anim.gif", 3), 3)):
            work = tmp_path / f"w-{src.suffix}"
            work.mkdir()
            prepared = preparer.prepare(src, "", work)
            assert s.pdf_pages(prepared.filed_from) == frames
            assert prepared.conversions[0]["pages"] == frames
            colors = [pil.convert("RGB").getpixel((1, 1))
                      for _, pil in _embedded_images(prepared.filed_from)]
            assert colors[0] == (255, 0, 0) and colors[1][1] > 100  # red, then green


class TestTextCsvHtml:
    def test_text_keeps_non_latin_characters(
        self, preparer: ConvertingPreparer, inbox: Path, workdir: Path
    ) -> None:
        src = inbox / "notes 2024-02-29.txt"
        src.write_text("Señora Müller paid 100 €\n\nCall Ørsted re: Zoë's claim\n" +
                       "line\n" * 120, encoding="utf-8")
        prepared = preparer.prepare(src, "", workdir)
        text = s.pdf_text(prepared.filed_from)
        assert len(text) == 3  # 123 lines at 10 pt on letter paper
        assert "Señora Müller paid 100 €" in text[0]
        assert "Zoë" in text[0]
        assert prepared.facts["document_date"] == "2024-02-29"
        assert prepared.facts["page_count"] == 3
        assert prepared.conversions[0]["encoding"] == "utf-8"

    def test_windows_1252_text_is_decoded(
        self, preparer: ConvertingPreparer, inbox: Path, workdir: Path
    ) -> None:
        src = inbox / "old.txt"
        src.write_bytes("Café façade – 50 €".encode("cp1252"))
        prepared = preparer.prepare(src, "", workdir)
        assert "Café façade – 50 €" in s.pdf_text(prepared.filed_from)[0]

    def test_csv_becomes_aligned_columns(
        self, preparer: ConvertingPreparer, inbox: Path, workdir: Path
    ) -> None:
        src = inbox / "billing.csv"
        src.write_text("provider,date,amount\nCity Hospital,2024-01-03,1200.00\n"
                       "Dr. Ng,2024-01-10,85.50\n")
        prepared = preparer.prepare(src, "", workdir)
        page = s.pdf_text(prepared.filed_from)[0]
        assert "provider" in page and "City Hospital" in page and "85.50" in page
        lines, wide = _csv_lines(src.read_text())
        assert lines[1].index("|") == lines[2].index("|")  # padded to one width
        assert not wide

    def test_doc_that_is_really_html_is_shown_as_text_and_flagged(
        self, preparer: ConvertingPreparer, inbox: Path, workdir: Path
    ) -> None:
        src = inbox / "statement.doc"
        src.write_text("<html><head><style>p{color:red}</style><script>alert('x')</script>"
                       "</head><body><h1>Witness statement</h1><p>I saw the blue car.</p>"
                       "<ul><li>first</li><li>second</li></ul></body></html>")
        prepared = preparer.prepare(src, "", workdir)
        assert prepared.detected_type == "text/html"
        assert "extension_mismatch" in prepared.flags
        assert prepared.facts["extension_mismatch"] is True
        text = s.pdf_text(prepared.filed_from)[0]
        assert "Witness statement" in text and "I saw the blue car." in text
        assert "alert" not in text and "color:red" not in text


class TestOffice:
    @pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is installed by .ci/run")
    def test_docx_through_real_libreoffice(
        self, preparer: ConvertingPreparer, inbox: Path, workdir: Path
    ) -> None:
        src = s.docx(inbox / "Engagement letter.docx",
                     ["Engagement letter", "Dear Ms. Okafor,", "Scope of work.", "Fees."],
                     page_break=True)
        prepared = preparer.prepare(src, "", workdir)
        text = s.pdf_text(prepared.filed_from)
        assert len(text) == 3
        assert "Dear Ms. Okafor," in text[0] and "Scope of work." in text[1]
        (conversion,) = prepared.conversions
        assert conversion["tool"] == "LibreOffice" and conversion["pages"] == 3
        assert "LibreOffice" in conversion["tool_version"]
        assert prepared.facts["page_count"] == 3
        assert "Dear Ms. Okafor" in prepared.facts["first_page_text"]
        assert not (workdir / "office").exists()  # the per-run profile is gone

    @pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is installed by .ci/run")
    def test_docx_named_pdf_is_converted_as_word(
        self, preparer: ConvertingPreparer, inbox: Path, workdir: Path
    ) -> None:
        src = s.docx(inbox / "contract.pdf", ["Contract", "Clause one."])
        prepared = preparer.prepare(src, "", workdir)
        assert "extension_mismatch" in prepared.flags
        assert "Clause one." in s.pdf_text(prepared.filed_from)[0]

    @pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is installed by .ci/run")
    def test_one_profile_per_process_reused_and_a_worker_has_its_own(
        self, preparer: ConvertingPreparer, inbox: Path, tmp_path: Path
    ) -> None:
        """GIVEN two Word files converted one after the other in one process WHEN LibreOffice
        runs THEN both use that process's one profile, set up once (a new profile costs a
        second per start); a forked worker converts with a profile of its own, removed when
        the worker ends."""
        from intake_desktop.core.convert import office

        first = preparer.prepare(s.docx(inbox / "a.docx", ["Alpha letter", "One."]), "",
                                 tmp_path / "w1")
        home = office._profiles[os.getpid()]
        assert (home / "profile" / "user" / "registrymodifications.xcu").is_file()
        marker = home / "profile" / "set-up-once"
        marker.touch()
        second = preparer.prepare(s.docx(inbox / "b.docx", ["Bravo letter", "Two."]), "",
                                  tmp_path / "w2")
        assert office._profiles[os.getpid()] == home and marker.is_file()
        assert "Alpha letter" in s.pdf_text(first.filed_from)[0]
        assert "Bravo letter" in s.pdf_text(second.filed_from)[0]
        assert not (tmp_path / "w2" / "office").exists()
        src = s.docx(inbox / "c.docx", ["Charlie letter", "Three."])
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            worker_home, text = pool.submit(_convert_in_worker, preparer, src,
                                            tmp_path / "w3").result()
        assert worker_home != home and "Charlie letter" in text
        assert not worker_home.exists()  # the worker's profile went with the worker
        assert home.is_dir()

    def test_without_libreoffice_the_original_is_filed_with_an_install_hint(
        self, inbox: Path, workdir: Path
    ) -> None:
        preparer = ConvertingPreparer(office=LibreOffice(None))
        src = s.docx(inbox / "memo.docx", ["Memo", "Text."])
        prepared = preparer.prepare(src, "", workdir)
        assert prepared.filed_from == src
        assert prepared.flags == ("needs_conversion",)
        (note,) = prepared.facts["notes"]
        assert "sudo apt-get install libreoffice-writer-nogui" in note
        assert prepared.conversions == ()

    def test_libreoffice_timeout_kills_it_and_files_the_original_flagged(
        self, inbox: Path, workdir: Path, tmp_path: Path
    ) -> None:
        pidfile = tmp_path / "pid"
        fake = tmp_path / "slow-soffice"
        fake.write_text(f"#!/bin/sh\necho $$ > '{pidfile}'\nexec sleep 30\n")
        fake.chmod(0o755)
        preparer = ConvertingPreparer(office=LibreOffice(str(fake), timeout=0.5))
        src = s.docx(inbox / "memo.docx", ["Memo", "Text."])
        before = hashlib.sha256(src.read_bytes()).hexdigest()
        prepared = preparer.prepare(src, "", workdir)
        # LibreOffice failing says nothing about the file: filed as received, flagged.
        assert prepared.filed_from == src
        assert prepared.flags == ("conversion_failed",)
        assert "LibreOffice did not finish converting within 0.5 s" in prepared.facts[
            "notes"][0]
        pid = int(pidfile.read_text())
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(
            f"/proc/{pid}/stat").read_text().split()[2]
        assert hashlib.sha256(src.read_bytes()).hexdigest() == before
        from intake_desktop.core.convert import office

        assert os.getpid() not in office._profiles  # a stopped run's profile is thrown away


def test_extension_lie_jpeg_named_pdf_is_converted_as_an_image(
    preparer: ConvertingPreparer, inbox: Path, workdir: Path
) -> None:
    src = s.photo(inbox / "invoice.pdf")
    prepared = preparer.prepare(src, "", workdir)
    assert prepared.detected_type == "image/jpeg"
    assert prepared.flags[0] == "extension_mismatch"
    assert prepared.facts["extension_mismatch"] is True
    assert prepared.facts["original_name"] == "invoice.pdf"
    assert s.pdf_pages(prepared.filed_from) == 1
    ((raw, _),) = _embedded_images(prepared.filed_from)
    assert raw == src.read_bytes()
    assert Image.open(io.BytesIO(raw)).format == "JPEG"


def test_work_folder_is_created_only_when_something_is_written(
    preparer: ConvertingPreparer, inbox: Path, tmp_path: Path
) -> None:
    pdf_work, image_work = tmp_path / "not yet" / "pdf", tmp_path / "not yet" / "image"
    preparer.prepare(s.write_pdf(inbox / "a.pdf", ["A"]), "", pdf_work)
    assert not pdf_work.exists()
    prepared = preparer.prepare(s.photo(inbox / "b.jpg"), "", image_work)
    assert prepared.filed_from.parent == image_work and prepared.filed_from.is_file()
