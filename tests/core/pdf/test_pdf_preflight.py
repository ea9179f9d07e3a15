"""Preflight: what courts reject is reported, and removed or flattened where the profile asks."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pikepdf
import pypdf
import pytest
from pikepdf import Name

from intake_desktop.core.courts import load_profile
from intake_desktop.core.pdf.fit import fit_pdf
from intake_desktop.core.pdf.preflight import fix_file, preflight
from intake_desktop.core.pdf.text import image_only_pages
from tests import fitpdfs


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_active_content_is_reported_then_removed(tmp_path: Path) -> None:
    """GIVEN JavaScript, an OpenAction, a Launch link, an attachment and a Screen annotation
    WHEN it is fitted for a CM/ECF court THEN all are gone, the web link and text stay."""
    src = fitpdfs.active_content_pdf(tmp_path / "active.pdf")
    before = sha(src)
    report = preflight(src, load_profile("cacd"))
    assert {"javascript", "open_action", "launch_action", "embedded_files", "multimedia"} <= (
        report.codes
    )
    result = fit_pdf(src, tmp_path / "out", limit_bytes=5_000_000, profile=load_profile("cacd"))
    assert result.ok, result.reason
    assert set(result.actions) >= {
        "removed_javascript", "removed_open_action", "removed_launch_action",
        "removed_embedded_files", "removed_multimedia",
    }
    out = result.parts[0].path
    with pikepdf.open(out) as pdf:
        assert Name.OpenAction not in pdf.Root
        assert Name.JavaScript not in pdf.Root.get(Name.Names, {})
        assert len(pdf.attachments) == 0
        assert Name.AA not in pdf.pages[0].obj
        annots = list(pdf.pages[0].obj.Annots)
        actions = [str(a.A.S) for a in annots if Name.A in a]
        assert actions == ["/URI"]  # the Launch link is left without its action
        assert "/Screen" not in [str(a.Subtype) for a in annots]
    raw = out.read_bytes()
    assert b"app.alert" not in raw and b"calc.exe" not in raw and b"secret attachment" not in raw
    assert "Page1marker" in pypdf.PdfReader(out).pages[0].extract_text()
    assert sha(src) == before
    again = preflight(out, load_profile("cacd"))
    assert not again.codes & {"javascript", "open_action", "launch_action", "embedded_files"}


def test_generic_limit_cleans_active_content_and_keeps_attachments(tmp_path: Path) -> None:
    """`fit --limit` without a court removes what every court rejects (issue 24 item 10);
    the attachment is kept as a file beside the output, never discarded."""
    src = fitpdfs.active_content_pdf(tmp_path / "active.pdf")
    result = fit_pdf(src, tmp_path / "out", limit_bytes=5_000_000)
    assert result.ok
    assert {"removed_javascript", "removed_open_action", "removed_launch_action",
            "removed_embedded_files"} <= set(result.actions)
    raw = result.parts[0].path.read_bytes()
    assert b"app.alert" not in raw and b"calc.exe" not in raw
    [kept] = result.kept
    assert kept.path == tmp_path / "out" / "removed" / "active" / "evidence.txt"
    assert kept.path.read_bytes() == b"secret attachment"


def test_form_is_flattened_and_its_values_become_page_text(tmp_path: Path) -> None:
    src = fitpdfs.form_pdf(tmp_path / "form.pdf")
    assert "forms" in preflight(src, None).codes
    assert "Jane Q Doe" not in pypdf.PdfReader(src).pages[0].extract_text()
    dst = tmp_path / "flat.pdf"
    actions = fix_file(src, dst, load_profile("cacd"))
    assert actions == ["flattened_forms"]
    with pikepdf.open(dst) as pdf:
        assert Name.AcroForm not in pdf.Root
        annots = pdf.pages[0].obj.get(Name.Annots, [])
        assert not [a for a in annots if a.get(Name.Subtype) == Name.Widget]
    assert "Jane Q Doe" in pypdf.PdfReader(dst).pages[0].extract_text()
    assert "forms" not in preflight(dst, None).codes


def test_annotations_removed_per_profile_links_kept(tmp_path: Path) -> None:
    src = fitpdfs.text_pdf(tmp_path / "notes.pdf", pages=1, words_per_page=20)
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        note = pikepdf.Dictionary(Type=Name.Annot, Subtype=Name.Text, Rect=[10, 10, 30, 30],
                                  Contents=pikepdf.String("privileged comment"))
        link = pikepdf.Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[50, 50, 90, 60],
                                  A=pikepdf.Dictionary(S=Name.URI, URI=pikepdf.String("https://x")))
        pdf.pages[0].obj.Annots = pikepdf.Array([pdf.make_indirect(note), pdf.make_indirect(link)])
        pdf.save(src)
    assert "annotations" in preflight(src, None).codes
    result = fit_pdf(src, tmp_path / "out", limit_bytes=5_000_000,
                     profile=load_profile("nyscef"))
    assert "removed_annotations" in result.actions
    with pikepdf.open(result.parts[0].path) as pdf:
        assert [str(a.Subtype) for a in pdf.pages[0].obj.Annots] == ["/Link"]
    assert b"privileged comment" not in result.parts[0].path.read_bytes()


def test_owner_password_is_removed_and_recorded(tmp_path: Path) -> None:
    src = fitpdfs.encrypted_pdf(tmp_path / "locked.pdf")
    assert "encrypted" in preflight(src, None).codes
    result = fit_pdf(src, tmp_path / "out", limit_bytes=5_000_000, profile=load_profile("cacd"))
    assert result.ok and "decrypted" in result.actions
    with pikepdf.open(result.parts[0].path) as pdf:
        assert not pdf.is_encrypted
    assert "Page1marker" in pypdf.PdfReader(result.parts[0].path).pages[0].extract_text()


def test_user_password_stops_with_a_clear_message(tmp_path: Path) -> None:
    src = fitpdfs.encrypted_pdf(tmp_path / "secret.pdf", user="open-sesame")
    before = sha(src)
    assert preflight(src, None).codes == {"user_password"}
    out = tmp_path / "out"
    result = fit_pdf(src, out, limit_bytes=5_000_000, profile=load_profile("cacd"))
    assert not result.ok and result.parts == []
    assert "user (open) password" in result.reason and "unlocked copy" in result.reason
    assert str(src) in result.reason
    assert sha(src) == before
    assert list(out.iterdir()) == []


def test_page_size_rotation_fonts_and_image_only_pages(tmp_path: Path) -> None:
    src = fitpdfs.rotated_pdf(tmp_path / "rotated.pdf")
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        pdf.pages[3].obj.MediaBox = [0, 0, 595, 842]  # A4 in a letter filing
        pdf.save(src)
    report = preflight(src, load_profile("cacd"))
    size = report.finding("page_size")
    assert size is not None and size.pages == (4,)  # rotated letter pages are letter pages
    fonts = report.finding("fonts_not_embedded")
    assert fonts is not None and "Helvetica" in fonts.message
    result = fit_pdf(src, tmp_path / "out", limit_bytes=5_000_000, profile=load_profile("cacd"))
    with pikepdf.open(result.parts[0].path) as pdf:
        assert [p.obj.get(Name.Rotate, 0) for p in pdf.pages] == [0, 90, 270, 0]
    assert any("letter size" in w for w in result.warnings)

    scan = fitpdfs.scan_pdf(tmp_path / "scan.pdf", pages=2, size_in=(2, 2), dpi=100)
    assert image_only_pages(scan) == [1, 2]
    assert image_only_pages(src) == []
    strict = replace(load_profile("cacd"), file_limit_bytes=5_000_000)
    finding = preflight(scan, strict).finding("image_only")
    assert finding is not None and "run OCR" in finding.message


def test_fix_file_never_overwrites(tmp_path: Path) -> None:
    src = fitpdfs.form_pdf(tmp_path / "form.pdf")
    before = sha(src)
    from intake_desktop.core.errors import IntakeError

    with pytest.raises(IntakeError, match="already exists"):
        fix_file(src, src, load_profile("cacd"))
    assert sha(src) == before
