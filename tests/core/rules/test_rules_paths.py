"""Exact rendered paths for awkward input: reserved names, forbidden characters, Unicode
forms and the path budget (shortening the description, never date, matter or version)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path, PurePosixPath
from typing import Any

from intake_desktop.core.pipeline import Candidate
from intake_desktop.core.rules import RulesRouter, parse_rules

RULES = '''\
[settings]
path_budget = {budget}
filename = """{{{{ date | default(received) }}}}_{{{{ matter }}}}_{{{{ code }}}}_\\
{{{{ description | slug }}}}{{% if version %}}_{{{{ version }}}}{{% endif %}}"""

[[rule]]
name = "medical"
code = "MED"
folder = "Medical Records/{{{{ provider }}}}"
when.subfolder_regex = '^Medical/(?P<provider>[^/]+)'

[[rule]]
name = "other"
code = "DOC"
folder = "Documents"
'''


def route(rel: str, budget: int = 200, **kw: Any) -> tuple[str, str]:
    router = RulesRouter(
        parse_rules(RULES.format(budget=budget)),
        today=lambda: dt.date(2024, 3, 20),
        read_files=False,
    )
    cand = Candidate(
        source=Path("/nonexistent") / Path(rel).name,
        relative=PurePosixPath(rel),
        matter_hint=rel.split("/")[0],
        detected_type="application/pdf",
        sha256="0" * 64,
        size=10,
        **kw,
    )
    d = router.route(cand)
    assert d.review_reason is None, d.review_reason
    return d.folder, d.filename


def test_reserved_and_forbidden_names_in_folders() -> None:
    assert route("M-1/Medical/CON/scan.pdf") == (
        "Medical Records/CON_",
        "2024-03-20_M-1_MED_scan.pdf",
    )
    assert route("M-1/Medical/Dr. Lee: Ortho? /a.pdf")[0] == "Medical Records/Dr. Lee- Ortho-"
    assert route("M-1/Medical/../a.pdf")[0] == "Medical Records"
    assert route("M-1/Medical/lpt1.txt/a.pdf")[0] == "Medical Records/lpt1_.txt"


def test_names_are_nfc_and_keep_their_words() -> None:
    nfd = unicodedata.normalize("NFD", "Überweisung März 2024-02-01.pdf")
    _, name = route(f"M-1/{nfd}")
    assert name == "2024-02-01_M-1_DOC_Überweisung-März.pdf"
    assert unicodedata.is_normalized("NFC", name)


def test_description_is_shortened_to_the_budget_never_date_matter_or_version() -> None:
    long = "Letter regarding the second amended notice of deposition " * 5
    folder, name = route(f"M-1/2024-03-04 {long.strip()} v3.pdf", budget=120)
    full = f"Matters/M-1/{folder}/{name}"
    assert len(full) <= 120 - 5
    assert name.startswith("2024-03-04_M-1_DOC_Letter-regarding-the-second")
    assert name.endswith("_v03.pdf")


def test_family_names_keep_the_sequence() -> None:
    parent = "2024-03-05_M-1_DOC_" + "x" * 170 + ".eml"
    folder, name = route("M-1/attachment.pdf", child_index=2, parent_name=parent)
    assert name.endswith(".002.pdf") and name.startswith("2024-03-05_M-1_DOC_xxx")
    assert len(f"Matters/M-1/{folder}/{name}") <= 195


def test_a_path_that_cannot_fit_goes_to_review() -> None:
    router = RulesRouter(parse_rules(RULES.format(budget=80)), read_files=False)
    matter = "M" * 60
    d = router.route(
        Candidate(
            Path("/n/a.pdf"),
            PurePosixPath(f"{matter}/Medical/{'P' * 90}/a.pdf"),
            matter,
            "application/pdf",
            "0" * 64,
            1,
        )
    )
    assert d.review_reason is not None and "longer than 80 characters" in d.review_reason


def test_attachment_modes() -> None:
    def router(mode: str) -> RulesRouter:
        text = RULES.format(budget=200).replace(
            "[settings]\n", f'[settings]\nattachments = "{mode}"\n'
        )
        return RulesRouter(parse_rules(text), today=lambda: dt.date(2024, 3, 20), read_files=False)

    def cand(rel: str, **kw: Any) -> Candidate:
        return Candidate(
            Path("/n") / rel, PurePosixPath(rel), "M-1", "application/pdf", "0" * 64, 10, **kw
        )

    for mode, folder in (("with-parent", "Documents"), ("by-rule", "Medical Records/Clinic")):
        r = router(mode)
        parent = r.route(cand("M-1/2024-03-05 email.eml"))
        assert (parent.folder, parent.filename) == ("Documents", "2024-03-05_M-1_DOC_email.eml")
        child = r.route(
            cand("M-1/Medical/Clinic/x.pdf", parent_name=parent.filename, child_index=1)
        )
        assert (child.folder, child.filename) == (folder, "2024-03-05_M-1_DOC_email.001.pdf")
