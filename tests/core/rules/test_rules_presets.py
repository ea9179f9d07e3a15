"""Each preset files the issue's realistic samples to exact paths (through the real Filer)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from intake_desktop.core.filing import IngestResult, Outcome
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger import EventKind
from tests.core.rules.samples import make_pdf, rules_filer

MATTERS = {
    "litigation": "LIT-24-0113",
    "personal-injury": "PI-24-0042",
    "immigration": "IMM-24-0031",
}

# Where the production letter attached to the sample email goes (attachments by rule).
LETTER_FOLDER = {
    "litigation": "Discovery/Productions Received",
    "personal-injury": "Correspondence",
    "immigration": "Correspondence",
}
EMAIL_NAME = "2024-03-05_{m}_EMAIL_RE-Smith-v-Acme-document-production"
EXPECTED: dict[str, dict[str, str]] = {
    "litigation": {
        "mri": "Medical Records/Valley Imaging Center/2024-02-03_{m}_MED_MRI-lumbar-spine.pdf",
        "paystub": "Review/paystub feb 2024.pdf",
        "passport": "Photos/2024-01-15_{m}_PHOTO_passport-scan.jpg",
        "deposition": "Depositions/2024-03-01_{m}_DEPO_Transcript-Jane-R-Doe.pdf",
        "email": f"Correspondence/Email/{EMAIL_NAME}.eml",
        "opposing_letter": "Correspondence/Opposing Counsel/"
        "2024-03-04_{m}_CORR_Letter-re-deposition-scheduling.pdf",
    },
    "personal-injury": {
        "mri": "Medical Records/Valley Imaging Center/2024-02-03_{m}_MED_MRI-lumbar-spine.pdf",
        "paystub": "Lost Wages/2024-02-16_{m}_WAGE_paystub-feb-2024.pdf",
        "passport": "Photos/2024-01-15_{m}_PHOTO_passport-scan.jpg",
        "deposition": "Depositions/2024-03-01_{m}_DEPO_Transcript-Jane-R-Doe.pdf",
        "email": f"Correspondence/Email/{EMAIL_NAME}.eml",
        "opposing_letter": "Correspondence/2024-03-04_{m}_CORR_Letter-re-deposition-scheduling.pdf",
    },
    "immigration": {
        "mri": "Review/MRI lumbar spine.pdf",
        "paystub": "Financial/Pay Stubs/2024-02-16_{m}_FIN_paystub-feb-2024.pdf",
        "passport": "Identity Documents/2024-01-15_{m}_PASS_passport-scan.jpg",
        "deposition": "Review/doe transcript final.pdf",
        "email": f"Correspondence/Email/{EMAIL_NAME}.eml",
        "opposing_letter": "Correspondence/2024-03-04_{m}_CORR_Letter-re-deposition-scheduling.pdf",
    },
}


def _rel(ws_root: Path, result: IngestResult, matter: str) -> str:
    assert result.path is not None
    path = Path(result.path).relative_to(ws_root)
    if path.parts[0] == "Matters":
        return path.relative_to(Path("Matters") / matter).as_posix()
    return path.as_posix()


@pytest.mark.parametrize("preset", sorted(EXPECTED))
def test_preset_files_samples_to_exact_paths(
    preset: str, make_workspace: Callable, samples: Callable
) -> None:
    """GIVEN a workspace on a preset and the six samples in Intake/<matter>/
    WHEN they are ingested through the rules
    THEN each lands at the exact expected path, byte-identical, with the rules version."""
    ws, ledger = make_workspace(preset)
    matter = MATTERS[preset]
    files = samples(ws.intake / matter)
    hashes = {k: sha256_file(p) for k, p in files.items()}
    filer = rules_filer(ws, ledger, preset)
    results = {Path(r.source).name: r for r in filer.ingest([ws.intake / matter])}
    for key, source in files.items():
        result = results[source.name]
        expected = EXPECTED[preset][key].format(m=matter)
        assert _rel(ws.root, result, matter) == expected, key
        assert sha256_file(Path(result.path or "")) == hashes[key]
        if expected.startswith("Review/"):
            assert result.status is Outcome.REVIEW
            assert result.reason == "no rule matched"
        else:
            assert result.status is Outcome.FILED
    version = filer.router.rules_version  # type: ignore[attr-defined]
    filed = [e for e in ledger.chain.events() if e.kind == EventKind.FILED]
    assert filed and all(e.rules_version == version for e in filed)


@pytest.mark.parametrize("preset", sorted(EXPECTED))
def test_preset_paths_through_the_converting_pipeline(
    preset: str, make_workspace: Callable, samples: Callable
) -> None:
    """The same samples through build_filer (the real converting preparer): photos and
    emails are filed as PDFs, the originals kept; the paths are otherwise the same."""
    from intake_desktop.app import App, build_filer
    from intake_desktop.core.ledger import Actor
    from intake_desktop.core.workspace import WorkspaceConfig

    ws, ledger = make_workspace(preset)
    matter = MATTERS[preset]
    files = samples(ws.intake / matter)
    hashes = {k: sha256_file(p) for k, p in files.items()}
    filer = build_filer(App(ws, WorkspaceConfig(), ledger, Actor("tester")))
    results = {Path(r.source).name: r for r in filer.ingest([ws.intake / matter])}
    for key, source in files.items():
        result = results[source.name]
        expected = EXPECTED[preset][key].format(m=matter)
        if not expected.startswith("Review/"):
            expected = expected.rsplit(".", 1)[0] + ".pdf"
        assert _rel(ws.root, result, matter) == expected, key
        if expected.startswith("Review/"):
            assert result.reason == "no rule matched", key
        elif key in ("passport", "email"):
            assert Path(result.path or "").read_bytes().startswith(b"%PDF"), key
        assert sha256_file(Path(result.original or result.path or "")) == hashes[key]
    email = results[files["email"].name]
    stem = EMAIL_NAME.format(m=matter)
    assert [_rel(ws.root, c, matter) for c in email.children] == [
        f"{LETTER_FOLDER[preset]}/{stem}.001.pdf",
        f"Correspondence/Email/{stem}.002.pdf",
    ]


def test_every_filing_event_names_the_rules_version(
    make_workspace: Callable, samples: Callable
) -> None:
    """Through the composition root: rules_changed first, then every document event."""
    from intake_desktop.app import App, build_filer
    from intake_desktop.core.ledger import Actor
    from intake_desktop.core.workspace import WorkspaceConfig

    ws, ledger = make_workspace("litigation")
    samples(ws.intake / "LIT-24-0113")
    filer = build_filer(App(ws, WorkspaceConfig(), ledger, Actor("tester")))
    results = filer.ingest([ws.intake])
    assert {r.status for r in results} == {Outcome.FILED, Outcome.REVIEW}
    events = ledger.chain.events()
    assert events[0].kind == EventKind.RULES_CHANGED
    version = events[0].detail["version"]
    doc_events = [e for e in events if e.document_id is not None]
    kinds = {e.kind for e in doc_events}
    assert {"received", "original_preserved", "filed", "source_removed"} <= kinds
    assert all(e.rules_version == version for e in doc_events)


@pytest.mark.parametrize("preset", sorted(EXPECTED))
def test_email_attachments_take_the_parent_name_plus_sequence(
    preset: str, make_workspace: Callable, samples: Callable
) -> None:
    ws, ledger = make_workspace(preset)
    matter = MATTERS[preset]
    files = samples(ws.intake / matter)
    filer = rules_filer(ws, ledger, preset)
    [result] = filer.ingest([files["email"]])
    assert result.status is Outcome.FILED
    stem = EMAIL_NAME.format(m=matter)
    children = [_rel(ws.root, c, matter) for c in result.children]
    # Attachments are routed by their own content ("by-rule"), still named as the family;
    # one that no rule matches stays beside its email.
    assert children == [
        f"{LETTER_FOLDER[preset]}/{stem}.001.pdf",
        f"Correspondence/Email/{stem}.002.txt",
    ]
    assert Path(result.children[1].path or "").read_bytes() == b"Production notes\n"
    docs = {d.filed_path: d for d in ledger.docs.documents()}
    parent = docs[f"Matters/{matter}/Correspondence/Email/{stem}.eml"]
    child = docs[f"Matters/{matter}/{LETTER_FOLDER[preset]}/{stem}.001.pdf"]
    assert child.parent_id == parent.id and child.family_id == parent.family_id


def test_second_document_with_the_same_name_gets_a_counter(
    make_workspace: Callable, samples: Callable, tmp_path: Path
) -> None:
    ws, ledger = make_workspace("personal-injury")
    first = samples(ws.intake / "PI-24-0042")["paystub"]
    other = make_pdf(
        tmp_path / "other" / first.name,
        [
            "ACME LOGISTICS INC.",
            "EARNINGS STATEMENT",
            "Pay Period: 02/01/2024 - 02/15/2024",
            "Pay Date: 02/16/2024",
            "Gross Pay 2,450.00",
            "Net Pay 1,873.23 (corrected)",
        ],
    )
    filer = rules_filer(ws, ledger, "personal-injury")
    a, b = filer.ingest([first]) + filer.ingest([other], matter="PI-24-0042")
    assert Path(a.path or "").name == "2024-02-16_PI-24-0042_WAGE_paystub-feb-2024.pdf"
    assert Path(b.path or "").name == "2024-02-16_PI-24-0042_WAGE_paystub-feb-2024 (2).pdf"
    assert sha256_file(Path(a.path or "")) != sha256_file(Path(b.path or ""))


def test_a_preset_loaded_again_reuses_its_compiled_templates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN a preset parsed once WHEN it is parsed again (every save and every router loads
    the rules) THEN no template is parsed or compiled again, and both rule sets name a
    document the same way; a template with a problem is still reported every time."""
    from jinja2.sandbox import SandboxedEnvironment

    from intake_desktop.core.rules import parse_rules
    from intake_desktop.core.rules.errors import RulesError
    from intake_desktop.core.workspace import read_preset

    text = read_preset("litigation")
    first = parse_rules(text)
    compiled: list[str] = []
    real = SandboxedEnvironment.compile

    def counting(self: SandboxedEnvironment, source: object, *args: object,
                 **kwargs: object) -> object:
        compiled.append(str(source))
        return real(self, source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SandboxedEnvironment, "compile", counting)
    second = parse_rules(text)
    assert compiled == []
    assert [r.name for r in second.rules] == [r.name for r in first.rules]
    context = {name: "x" for name in ("matter", "category", "description", "date")}
    for a, b in zip(first.rules, second.rules, strict=True):
        if a.filename is not None and b.filename is not None:
            assert a.filename.environment is not b.filename.environment
            try:
                assert a.filename.render(context) == b.filename.render(context)
            except Exception as exc:  # the same error from both
                with pytest.raises(type(exc)):
                    b.filename.render(context)
    broken = text.replace("{{ ", "{{ nosuchvariable_", 1)
    for _ in range(2):
        with pytest.raises(RulesError, match="nosuchvariable_"):
            parse_rules(broken)
