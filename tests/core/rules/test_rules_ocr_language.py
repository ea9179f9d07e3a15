"""A foreign-language scan is OCRed again in its own language and filed by rule (issue 23):
a French and a Spanish birth certificate, image-only, land in Civil Documents with their
date of issue, never in Review/ for want of English keywords; the certified English
translation that follows is filed beside it, named after it and linked to it in the ledger."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from intake_desktop.core.ledger import EventKind
from intake_desktop.core.ocr.engine import ocr_available
from tests.core.rules.samples import make_pdf
from tests.ocr_pdfs import image_pdf, render_page

CASES = {
    "fra": (
        "Acte de naissance.pdf",
        ["RÉPUBLIQUE FRANÇAISE", "EXTRAIT D'ACTE DE NAISSANCE", "Née le 9 mars 1991 à Lyon",
         "Père : Émile Durand", "Délivré le 12 juin 2019"],
        "2019-06-12", "French", ["Délivré", "Née"],
    ),
    "spa": (
        "Acta de nacimiento.pdf",
        ["ESTADOS UNIDOS MEXICANOS", "ACTA DE NACIMIENTO", "Nacido el 3 de abril de 1990",
         "Registro Civil de Oaxaca", "Fecha de expedición: 5 de mayo de 2020"],
        "2020-05-05", "Spanish", ["expedición"],
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("code", sorted(CASES))
def test_foreign_scan_is_ocred_in_its_language_and_filed_by_rule(
    code: str, make_workspace: Callable
) -> None:
    if not ocr_available(None, f"{code}+eng").ok:
        pytest.skip(f"Tesseract language data for {code} is not installed (system-deps.sh)")
    from intake_desktop.app import App, build_filer
    from intake_desktop.core.ledger import Actor
    from intake_desktop.core.workspace import WorkspaceConfig

    name, lines, date, language, accented = CASES[code]
    ws, ledger = make_workspace("immigration")
    matter = "IMM-24-0031"
    image_pdf(ws.intake / matter / name, [render_page(lines, width_in=6.5, height_in=3.2)])
    filer = build_filer(App(ws, WorkspaceConfig(), ledger, Actor("tester")))
    [result] = filer.ingest([ws.intake / matter])
    assert result.path is not None
    rel = Path(result.path).relative_to(ws.matter_dir(matter)).as_posix()
    assert rel == f"Civil Documents/{date}_{matter}_CIV_Birth-Certificate.pdf"
    ocr = [e for e in ledger.chain.events(document_id=result.document_id) if e.kind == "ocr"]
    assert ocr and ocr[-1].detail["language"] == f"{code}+eng"
    text = Path(result.path).read_bytes()
    assert text.startswith(b"%PDF")
    import subprocess

    extracted = subprocess.run(["pdftotext", result.path, "-"], capture_output=True,
                               text=True, check=True).stdout
    for word in accented:  # the accents come out of the second, French/Spanish, pass
        assert word in extracted, (word, extracted)
    assert language in {"French", "Spanish"}

    # The certified translation arrives: filed beside the original, named after it, linked.
    make_pdf(ws.intake / matter / "Certified translation.pdf", [
        "CERTIFIED ENGLISH TRANSLATION", "Translation date: July 1, 2020",
        f"Birth certificate (translated from {language})", "Born: 1990",
        f"I certify that I am competent to translate from {language} into English and that "
        "the above is a true and accurate translation."])
    [translated] = filer.ingest([ws.intake / matter])
    assert translated.path is not None
    assert Path(translated.path).parent == Path(result.path).parent
    assert Path(translated.path).name.endswith("_CIV_Birth-Certificate_EN-translation.pdf")
    linked = [(e.document_id, e.detail["translation_of"], e.detail["language"])
              for e in ledger.chain.kind_events(EventKind.TRANSLATION_LINKED)]
    assert linked == [(translated.document_id, result.document_id, "EN")]
    assert ledger.chain.verify_chain().ok
