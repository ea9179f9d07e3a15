"""Property tests over hostile file names, metadata and templates: no rendered path leaves
the matter folder, none is illegal on Windows, none exceeds the budget, and two documents
never get the same path."""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from pathlib import Path, PurePosixPath

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from intake_desktop.core.filing import Filer, Outcome
from intake_desktop.core.junk import is_junk_path
from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.pipeline import Candidate, Decision
from intake_desktop.core.rules import RulesError, RulesRouter, parse_rules
from intake_desktop.core.rules.router import COUNTER_RESERVE
from intake_desktop.core.workspace import init_workspace
from tests.core.rules.samples import TODAY, EmailAttachmentPreparer, make_pdf, preset_router

# An oracle written from Microsoft's naming rules, independent of the implementation.
_FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])$", re.IGNORECASE)


def windows_problem(component: str) -> str | None:
    if component in ("", ".", ".."):
        return "empty or dot name"
    if any(ch in _FORBIDDEN for ch in component):
        return "forbidden character"
    if component[-1] in " .":
        return "trailing dot or space"
    if _RESERVED.match(component.split(".")[0].rstrip(" ")):
        return "reserved device name"
    if len(component.encode("utf-8")) > 255:
        return "over 255 bytes"
    if unicodedata.normalize("NFC", component) != component:
        return "not NFC"
    return None


HOSTILE = [
    "..",
    ".",
    "../../etc/passwd",
    "..\\..\\Windows",
    "C:\\evil",
    "/abs",
    "CON",
    "con.pdf",
    "NUL .txt",
    "LPT1.tar.gz",
    "COM¹",
    "aux",
    "name. ",
    " lead",
    "~$lock",
    "a:b*c?d|e",
    "e\u0301cole",
    "\u0000x",
    "tab\there",
    "new\nline",
    "%00",
    "#hash",
    "x" * 300,
    "日本語の文書" * 30,
    "Ωmega",
    "\u202eevil",
    "desktop.ini",
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=120),
    st.lists(st.sampled_from([*HOSTILE, "-", " ", "/", "."]), max_size=6).map("".join),
)
matters = st.one_of(
    st.sampled_from(["LIT-24-0113", "PI-24-0042", "IMM-24-0031", "M1", "A" * 40]),
    hostile_text,
)
facts = st.fixed_dictionaries(
    {},
    optional={
        "email_subject": hostile_text,
        "email_from": hostile_text,
        "pdf_title": hostile_text,
        "document_date": st.one_of(
            st.sampled_from(["2024-02-29", "1999-12-31", "garbage"]), hostile_text
        ),
        "capture_date": st.sampled_from(["2024-01-15", "2023-13-45", ""]),
        "first_page_text": st.one_of(
            hostile_text,
            hostile_text.map(lambda t: f"{t} Clinic\nMRI\nDate of Service: March 1, 2024"),
            hostile_text.map(lambda t: f"DEPOSITION OF {t.upper()}\nCourt reporter"),
            hostile_text.map(lambda t: f"EARNINGS STATEMENT {t}\nNet Pay 1.00"),
        ),
    },
)
types = st.sampled_from(
    ["application/pdf", "image/jpeg", "message/rfc822", "text/plain", "application/octet-stream"]
)


@st.composite
def candidates(draw: st.DrawFn) -> Candidate:
    matter = draw(matters)
    subfolders = draw(st.lists(hostile_text.filter(lambda t: t not in ("", ".", "..")), max_size=3))
    subfolders = [s.replace("/", "-") for s in subfolders if s.replace("/", "-").strip("/")]
    name = draw(hostile_text) + draw(
        st.sampled_from(["", ".pdf", ".eml", ".jpg", ".TXT", ".tar.gz", ".x" * 20])
    )
    name = name.replace("/", "-") or "unnamed"
    relative = PurePosixPath(matter.replace("/", "-") or "m", *subfolders, name)
    child = draw(st.integers(0, 3))
    parent = draw(st.one_of(st.none(), hostile_text)) if child else None
    return Candidate(
        source=Path("/nonexistent") / "x",
        relative=relative,
        matter_hint=matter or None,
        detected_type=draw(types),
        sha256="0" * 64,
        size=draw(st.integers(1, 10**9)),
        facts=draw(facts),
        parent_name=parent,
        child_index=child if parent else 0,
    )


def assert_safe(decision: Decision, candidate: Candidate, budget: int) -> None:
    if decision.review_reason:
        assert decision.rule, "a review decision names the rule (or catch-all)"
        return
    assert decision.matter == candidate.matter_hint
    matter = decision.matter
    assert matter is not None and windows_problem(matter) is None
    parts = [p for p in decision.folder.split("/") if p] if decision.folder else []
    assert "\\" not in decision.folder
    for component in [*parts, decision.filename]:
        assert windows_problem(component) is None, (component, windows_problem(component))
        assert len(component.encode("utf-8")) <= 200
    full = PurePosixPath("Matters", matter, *parts, decision.filename)
    assert ".." not in full.parts and not full.is_absolute()
    assert len(full.as_posix()) <= budget - COUNTER_RESERVE, full


# The candidates are synthetic (no file behind them): facts come from the strategies.
ROUTERS = {
    p: preset_router(p, read_files=False) for p in ("litigation", "personal-injury", "immigration")
}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(candidates(), st.sampled_from(sorted(ROUTERS)))
def test_hostile_names_and_metadata_give_safe_paths(candidate: Candidate, preset: str) -> None:
    router = ROUTERS[preset]
    assert_safe(router.route(candidate), candidate, router.ruleset.path_budget)


FRAGMENTS = [
    "..",
    "/",
    "\\",
    ":",
    "C:",
    "CON",
    " ",
    ".",
    "~",
    "*",
    "Reports",
    "x" * 90,
    "{{ name }}",
    "{{ email_subject }}",
    "{{ matter }}",
    "{{ description | slug }}",
    "{{ pdf_title | upper }}",
    "{{ date | date('%Y/%m') }}",
    "{{ subfolder }}",
    "{{ first }}",
    "{{ name | nosuch }}",
    "{% if x %}",
    "{{ code | code(3) }}",
    "{{ email_from | truncate(5) }}",
    "{{ version | default('v01') }}",
    "{{ ext }}",
]
templates = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6).map("".join)


@settings(max_examples=300, deadline=None)
@given(templates, templates, st.lists(candidates(), min_size=1, max_size=4))
def test_hostile_templates_are_rejected_or_render_safely(
    folder: str, filename: str, cands: list[Candidate]
) -> None:
    def toml_str(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    text = (
        f'[settings]\npath_budget = 120\n[[rule]]\nname = "any"\ncode = "DOC"\n'
        f"folder = {toml_str(folder)}\nfilename = {toml_str(filename)}\n"
    )
    try:
        ruleset = parse_rules(text, "hostile.toml")
    except RulesError as exc:
        assert exc.problems and all(p.file == "hostile.toml" and p.fix for p in exc.problems)
        assert all(p.rule == "any" and p.line for p in exc.problems)
        return
    router = RulesRouter(ruleset, today=lambda: TODAY, read_files=False)
    for candidate in cands:
        assert_safe(router.route(candidate), candidate, 120)


# ---- end to end: real files filed by the Filer never share a path ------------------------

names = st.lists(
    st.one_of(
        st.sampled_from(HOSTILE),
        st.text(
            st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
            min_size=1,
            max_size=40,
        ),
    ).map(lambda t: (t.replace("/", "-") + ".pdf")[:200]),
    min_size=2,
    max_size=6,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(names, st.sampled_from(sorted(ROUTERS)))
def test_filed_documents_never_share_a_path(file_names: list[str], preset: str) -> None:
    unique = sorted(
        {
            n
            for n in file_names
            if n not in (".", "..")
            and "\x00" not in n
            and not is_junk_path(Path(n))
            and len(n.encode("utf-8")) < 250
        }
    )
    assume(len(unique) >= 2)
    root = Path(tempfile.mkdtemp(prefix="rules-prop-"))
    try:
        ws = init_workspace(root / "ws", preset)
        ledger = Ledger.open(ws.default_ledger_url(), Actor("tester"))
        try:
            folder = ws.intake / "LIT-1"
            folder.mkdir(parents=True)
            for i, name in enumerate(unique):
                # Every document says the same thing apart from a serial: same date, same rule.
                make_pdf(
                    folder / name,
                    [
                        "March 4, 2024",
                        "Dear Counsel:",
                        f"Serial {i}",
                        "Sincerely,",
                        "Counsel for Defendant Acme Corp.",
                    ],
                )
            filer = Filer(
                ws, ledger, router=preset_router(preset), preparer=EmailAttachmentPreparer()
            )
            results = filer.ingest([folder])
            paths = [r.path for r in results]
            assert all(r.status is Outcome.FILED for r in results), results
            assert len(set(paths)) == len(paths) == len(unique)
            for r in results:
                rel = Path(r.path or "").relative_to(ws.root)
                if rel.parts[0] == "Review":
                    continue  # named by the filer (mover.safe_name), not by the rules
                assert len(rel.as_posix()) <= 200
                for component in rel.parts:
                    assert windows_problem(component) is None, component
        finally:
            ledger.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
