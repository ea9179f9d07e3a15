"""A certified translation is linked in the ledger to its original (issue 23 item 3): by the
preset's names (`..._CIV_Birth-Certificate.pdf` and `..._CIV_Birth-Certificate_EN-translation.pdf`
in the same folder of the same matter), whichever arrives first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from intake_desktop.core.filing.translations import pair_key, translation_pair
from intake_desktop.core.ledger import DocStatus, EventKind, Ledger
from tests.core.rules.samples import make_pdf, rules_filer

MATTER = "IMM-24-0031"
ORIGINAL = ["ACTE DE NAISSANCE", "Nom: NWOSU  Prenoms: Adaeze", "Nee le: 9 mars 1991",
            "Delivre le 2 fevrier 2024 par l'officier de l'etat civil"]


def translation_of(person: str) -> list[str]:
    return ["CERTIFIED ENGLISH TRANSLATION", "Translation date: February 20, 2024",
            f"Birth certificate of {person} (French)", "Born: March 9, 1991",
            "I certify that I am competent to translate from French into English and that "
            "the above is a true and accurate translation."]


def links(ledger: Ledger) -> list[tuple[int | None, int]]:
    return [(e.document_id, e.detail["translation_of"])
            for e in ledger.chain.kind_events(EventKind.TRANSLATION_LINKED)]


def test_pair_key_reads_the_preset_names() -> None:
    folder = "Matters/M/Civil Documents"
    assert pair_key(f"{folder}/2024-02-02_M_CIV_Birth-Certificate.pdf") == (
        f"{folder}/M_CIV_Birth-Certificate", None)
    assert pair_key(f"{folder}/rcvd-2026-12-03_M_CIV_Birth-Certificate_EN-translation (2).pdf") == (
        f"{folder}/M_CIV_Birth-Certificate", "EN")
    assert pair_key(f"{folder}/undated_M_CIV_Birth-Certificate.pdf")[0] == (
        f"{folder}/M_CIV_Birth-Certificate")


def test_translation_after_its_original_is_linked_when_filed(make_workspace: Callable) -> None:
    ws, ledger = make_workspace("immigration")
    filer = rules_filer(ws, ledger, "immigration")
    [orig] = filer.ingest([make_pdf(ws.intake / MATTER / "acte.pdf", ORIGINAL)])
    assert links(ledger) == []
    [trans] = filer.ingest([make_pdf(ws.intake / MATTER / "translation.pdf",
                                     translation_of("Adaeze Nwosu"))])
    assert Path(trans.path or "").name.endswith("_CIV_Birth-Certificate_EN-translation.pdf")
    assert Path(orig.path or "").name.endswith("_CIV_Birth-Certificate.pdf")
    assert links(ledger) == [(trans.document_id, orig.document_id)]
    o, t = ledger.docs.document(orig.document_id or 0), ledger.docs.document(trans.document_id or 0)
    assert translation_pair(ledger, t) == (o, []) and translation_pair(ledger, o) == (None, [t])
    # Filing anything else links nothing more.
    filer.ingest([make_pdf(ws.intake / MATTER / "letter.pdf", ["Dear Ms. Okafor,", "Thanks."])])
    assert len(links(ledger)) == 1
    assert ledger.chain.verify_chain().ok


def test_each_party_s_translation_pairs_with_that_party_s_original(
    make_workspace: Callable,
) -> None:
    """Petitioner and beneficiary both have a birth certificate with the same file name, in
    their own folders: each translation pairs with the original beside it."""
    ws, ledger = make_workspace("immigration")
    filer = rules_filer(ws, ledger, "immigration")
    got = {}
    for party in ("Petitioner", "Beneficiary"):
        got[party, "t"] = filer.ingest([make_pdf(ws.intake / MATTER / party / "translation.pdf",
                                                 translation_of(party))])[0]
    for party in ("Beneficiary", "Petitioner"):
        got[party, "o"] = filer.ingest([make_pdf(ws.intake / MATTER / party / "acte.pdf",
                                                 [*ORIGINAL, party])])[0]
    assert "Civil Documents/Petitioner/" in (got["Petitioner", "o"].path or "")
    assert sorted(links(ledger)) == sorted(
        (got[p, "t"].document_id, got[p, "o"].document_id) for p in ("Petitioner", "Beneficiary"))


def test_a_translation_whose_original_was_undone_waits_for_the_next_one(
    make_workspace: Callable,
) -> None:
    from intake_desktop.core.filing.undo import undo_document

    ws, ledger = make_workspace("immigration")
    filer = rules_filer(ws, ledger, "immigration")
    [orig] = filer.ingest([make_pdf(ws.intake / MATTER / "acte.pdf", ORIGINAL)])
    [trans] = filer.ingest([make_pdf(ws.intake / MATTER / "translation.pdf",
                                     translation_of("Adaeze Nwosu"))])
    t = ledger.docs.document(trans.document_id or 0)
    assert t is not None
    undo_document(filer, orig.document_id or 0)
    assert ledger.docs.document(orig.document_id or 0).status != DocStatus.FILED  # type: ignore[union-attr]
    assert translation_pair(ledger, t) == (None, [])
    [again] = filer.ingest([make_pdf(ws.intake / MATTER / "acte-rescanned.pdf",
                                     [*ORIGINAL, "Rescanned"])])
    assert links(ledger)[-1] == (trans.document_id, again.document_id)
    assert translation_pair(ledger, t)[0] == ledger.docs.document(again.document_id or 0)


def test_a_crash_before_the_link_is_made_good_at_start_up(make_workspace: Callable) -> None:
    """GIVEN the translation's filing interrupted just after its row was marked done
    WHEN the next start-up recovers unfinished rows
    THEN the translation is linked to its original, once."""
    from intake_desktop.core.errors import InjectedFault
    from intake_desktop.core.filing import Filer
    from tests.core.rules.samples import EmailAttachmentPreparer, preset_router

    ws, ledger = make_workspace("immigration")
    [orig] = rules_filer(ws, ledger, "immigration").ingest(
        [make_pdf(ws.intake / MATTER / "acte.pdf", ORIGINAL)])

    def crash(step: str) -> None:
        if step == "marked_done":
            raise InjectedFault(step)

    crashing = Filer(ws, ledger, router=preset_router("immigration"),
                     preparer=EmailAttachmentPreparer(), fault=crash)
    src = make_pdf(ws.intake / MATTER / "translation.pdf", translation_of("Adaeze Nwosu"))
    with pytest.raises(InjectedFault):
        crashing.ingest([src])
    assert links(ledger) == []
    restarted = rules_filer(ws, ledger, "immigration")
    restarted.recover()
    [trans] = [d for d in ledger.docs.documents(status=DocStatus.FILED)
               if (d.filed_path or "").endswith("_EN-translation.pdf")]
    assert links(ledger) == [(trans.id, orig.document_id)]
    restarted.recover()
    assert len(links(ledger)) == 1
