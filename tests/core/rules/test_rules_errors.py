"""Bad rules files: each gives a precise error (file, line, rule, field, fix) and the rules
in force stay in force."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from intake_desktop.app import App, build_filer
from intake_desktop.core.filing import Outcome
from intake_desktop.core.ledger import Actor, EventKind
from intake_desktop.core.pipeline import BuiltinRouter
from intake_desktop.core.rules import RulesError, load_rules, parse_rules, save_rules
from intake_desktop.core.rules.active import WorkspaceRulesRouter, last_good_path
from intake_desktop.core.rules.router import ReviewRouter, RulesRouter
from intake_desktop.core.workspace import WorkspaceConfig
from tests.core.rules.samples import copy_preset

GOOD = """\
[settings]
name = "Test"
filename = "{{ date | default(received) }}_{{ matter }}_{{ code }}_{{ description | slug }}"

[[rule]]
name = "letters"
code = "CORR"
folder = "Correspondence"
when.name = "*letter*"

[[rule]]
name = "pdfs"
code = "DOC"
folder = "Documents"
when.type = "application/pdf"
"""


def _error(text: str) -> RulesError:
    with pytest.raises(RulesError) as info:
        parse_rules(text, "firm.toml")
    return info.value


def test_good_rules_load_and_version_is_short_sha256() -> None:
    rs = parse_rules(GOOD, "firm.toml")
    assert [r.name for r in rs.rules] == ["letters", "pdfs"]
    assert len(rs.version) == 12 and rs.sha256.startswith(rs.version)


def test_toml_syntax_error_names_the_line() -> None:
    text = GOOD.replace('folder = "Documents"', 'folder = "Documents')
    [p] = _error(text).problems
    assert (p.file, p.line) == ("firm.toml", 14)
    assert "not valid TOML" in p.error and "fix the syntax" in p.fix
    assert str(p).startswith("firm.toml:14: not valid TOML")


def test_unknown_variable_names_rule_field_line_and_choices() -> None:
    text = GOOD.replace('folder = "Correspondence"', 'folder = "{{ provder }}"')
    [p] = _error(text).problems
    assert (p.line, p.rule, p.field) == (8, "letters", "folder")
    assert p.error == "unknown variable 'provder'"
    assert "matter" in p.fix and "description" in p.fix


def test_unknown_filter() -> None:
    text = GOOD.replace('folder = "Documents"', 'folder = "{{ matter | shout }}"')
    [p] = _error(text).problems
    assert (p.line, p.rule, p.field) == (14, "pdfs", "folder")
    assert p.error == "unknown filter 'shout'"
    assert "slug" in p.fix and "truncate" in p.fix


def test_loops_are_refused() -> None:
    text = GOOD.replace('folder = "Documents"', 'folder = "{% for c in name %}{{ c }}{% endfor %}"')
    [p] = _error(text).problems
    assert (p.line, p.rule, p.field) == (14, "pdfs", "folder")
    assert p.error == "{% for %} is not allowed in a naming template"


def test_regex_that_does_not_compile() -> None:
    text = GOOD.replace('when.name = "*letter*"', "when.name_regex = '(?P<x>letter'")
    [p] = _error(text).problems
    assert (p.line, p.rule, p.field) == (9, "letters", "when.name_regex")
    assert "does not compile" in p.error and "missing )" in p.error


@pytest.mark.parametrize(
    "folder",
    ["../Other Matter", "Correspondence/../../x", "/etc", "C:/Windows", "{{ matter }}/../.."],
)
def test_template_that_renders_dotdot_or_absolute(folder: str) -> None:
    text = GOOD.replace('folder = "Correspondence"', f'folder = "{folder}"')
    [p] = _error(text).problems
    assert (p.line, p.rule, p.field) == (8, "letters", "folder")
    assert "leave the matter folder" in p.error or "absolute path" in p.error


def test_filename_template_with_a_separator() -> None:
    text = GOOD + 'filename = "x/{{ matter }}"\n'
    [p] = _error(text).problems
    assert (p.rule, p.field, p.line) == ("pdfs", "filename", 16)
    assert "folder separator" in p.error


def test_two_rules_with_the_same_name() -> None:
    text = GOOD.replace('name = "pdfs"', 'name = "letters"')
    [p] = _error(text).problems
    assert (p.line, p.rule, p.field) == (12, "letters", "name")
    assert "first is at line 6" in p.error


def test_unknown_condition_and_key_and_all_problems_reported() -> None:
    text = GOOD.replace('when.name = "*letter*"', 'when.nmae = "*letter*"').replace(
        'code = "DOC"', 'code = "DOC"\nfoldr = "x"'
    )
    problems = _error(text).problems
    assert [(p.line, p.rule, p.field) for p in problems] == [
        (9, "letters", "when.nmae"),
        (14, "pdfs", "foldr"),
    ]
    assert "unknown condition 'nmae'" in problems[0].error
    assert "subfolder" in problems[0].fix


def test_rule_after_a_catch_all_can_never_match() -> None:
    text = GOOD.replace('when.name = "*letter*"\n', "")
    [p] = _error(text).problems
    assert p.rule == "pdfs" and "can never match" in p.error and "'letters'" in p.fix


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_bytes(GOOD.encode() + b"# caf\xe9\n")
    with pytest.raises(RulesError) as info:
        load_rules(path)
    assert info.value.problems[0].line == 16 and "UTF-8" in info.value.problems[0].error


def test_presets_are_valid() -> None:
    from intake_desktop.core.paths import naming_rules_dir

    for name in ("litigation", "personal-injury", "immigration"):
        rs = load_rules(naming_rules_dir() / f"{name}.toml")
        assert len(rs.rules) >= 12


# ---- the rules in force stay in force ---------------------------------------------------


def _app(ws, ledger) -> App:  # type: ignore[no-untyped-def]
    return App(ws, WorkspaceConfig(), ledger, Actor("tester"))


def test_broken_rules_file_keeps_last_good_in_force(make_workspace: Callable) -> None:
    ws, ledger = make_workspace("personal-injury")
    warnings: list[str] = []
    good = build_filer(_app(ws, ledger), on_warning=warnings.append)
    assert isinstance(good.router, WorkspaceRulesRouter) and not warnings
    assert isinstance(good.router.active.router, RulesRouter)
    good_version = good.router.rules_version
    assert last_good_path(ws).read_text() == ws.rules_path.read_text()

    broken = ws.rules_path.read_text().replace('folder = "Lost Wages"', 'folder = "{{ wages }}"', 1)
    ws.rules_path.write_text(broken)
    filer = build_filer(_app(ws, ledger), on_warning=warnings.append)
    assert isinstance(filer.router, WorkspaceRulesRouter)
    assert isinstance(filer.router.active.router, RulesRouter)
    assert filer.router.rules_version == good_version
    [warning] = warnings
    assert "rule 'pay-stub': folder: unknown variable 'wages'" in warning
    assert f"the last good rules (version {good_version}) stay in force" in warning
    assert ws.rules_path.read_text() == broken  # the admin's file is not touched
    changes = [e for e in ledger.chain.events() if e.kind == EventKind.RULES_CHANGED]
    assert [e.detail["version"] for e in changes] == [good_version]


def test_broken_rules_without_last_good_send_everything_to_review(
    make_workspace: Callable, tmp_path: Path
) -> None:
    ws, ledger = make_workspace("litigation")
    ws.rules_path.write_text(GOOD.replace("[[rule]]", "[[rule]", 1))
    warnings: list[str] = []
    filer = build_filer(_app(ws, ledger), on_warning=warnings.append)
    assert isinstance(filer.router, WorkspaceRulesRouter)
    assert isinstance(filer.router.active.router, ReviewRouter)
    assert "every file goes to Review/" in warnings[0]
    src = ws.intake / "LIT-1" / "letter.txt"
    src.parent.mkdir(parents=True)
    src.write_text("Dear Counsel")
    [result] = filer.ingest([src])
    assert result.status is Outcome.REVIEW
    assert "the naming rules cannot be used" in (result.reason or "")
    assert Path(result.path or "").read_text() == "Dear Counsel"


def test_no_rules_file_uses_builtin_router(make_workspace: Callable) -> None:
    ws, ledger = make_workspace("litigation")
    ws.rules_path.unlink()
    filer = build_filer(_app(ws, ledger))
    assert isinstance(filer.router, WorkspaceRulesRouter)
    assert isinstance(filer.router.active.router, BuiltinRouter)


def test_save_rules_validates_writes_and_records_once(make_workspace: Callable) -> None:
    ws, ledger = make_workspace("litigation")
    before = ws.rules_path.read_bytes()
    with pytest.raises(RulesError) as info:
        save_rules(ws, ledger, GOOD.replace("slug", "slugify"))
    assert info.value.problems[0].error == "unknown filter 'slugify'"
    assert ws.rules_path.read_bytes() == before
    assert not [e for e in ledger.chain.events() if e.kind == EventKind.RULES_CHANGED]

    saved = save_rules(ws, ledger, GOOD)
    assert ws.rules_path.read_text() == GOOD and last_good_path(ws).read_text() == GOOD
    assert saved.name == "Test" and saved.rule_count == 2
    build_filer(_app(ws, ledger))  # sees the same version: no second event
    [event] = [e for e in ledger.chain.events() if e.kind == EventKind.RULES_CHANGED]
    assert event.rules_version == saved.version == event.detail["version"]
    assert event.detail["sha256"] == saved.sha256
    assert not list(ws.state.glob(".rules.toml.*"))  # no temporary left behind


def test_a_rules_file_replaced_by_hand_waits_for_an_admin(make_workspace: Callable) -> None:
    """GIVEN a workspace whose first rules were adopted WHEN rules.toml is replaced by hand
    THEN it is not used (and not recorded) until an admin accepts it (issue 24 item 9)."""
    from intake_desktop.core.rules.active import RULES_ACCEPTED, accept_rules

    ws, ledger = make_workspace("immigration")
    build_filer(_app(ws, ledger))
    copy_preset("litigation", ws.rules_path)
    warnings: list[str] = []
    filer = build_filer(_app(ws, ledger), on_warning=warnings.append)
    assert filer.router.active.ruleset.name == "Immigration"  # type: ignore[attr-defined]
    assert "changed outside the app" in warnings[0]
    accept_rules(ws, ledger, Actor("admin-1", "admin"))
    build_filer(_app(ws, ledger))
    events = [e for e in ledger.chain.events()
              if e.kind in (EventKind.RULES_CHANGED, RULES_ACCEPTED)]
    assert [(e.kind, e.detail["rules"]) for e in events] == [
        ("rules_changed", "Immigration"), ("rules_accepted", "Litigation")]
    assert events[0].detail["version"] != events[1].detail["version"]


def test_a_long_lived_filer_picks_up_edits_and_survives_a_broken_one(
    make_workspace: Callable,
) -> None:
    """GIVEN a filer running (as the watcher does) WHEN the admin saves new rules in the app
    THEN the next file uses them; a broken hand edit is reported once and ignored."""
    ws, ledger = make_workspace("litigation")
    warnings: list[str] = []
    filer = build_filer(_app(ws, ledger), on_warning=warnings.append)

    def ingest(name: str) -> str:
        src = ws.intake / "LIT-1" / name
        src.parent.mkdir(parents=True, exist_ok=True)
        src.write_text(f"Dear Counsel, {name}. Sincerely.")
        [result] = filer.ingest([src])
        return Path(result.path or "").relative_to(ws.root).as_posix()

    assert ingest("one.eml").startswith("Matters/LIT-1/Correspondence/Email/")
    save_rules(ws, ledger, GOOD)
    assert re.fullmatch(
        r"Matters/LIT-1/Correspondence/\d{4}-\d\d-\d\d_LIT-1_CORR_two-letter\.pdf",
        ingest("two letter.txt"),
    )
    test_version = filer.router.rules_version  # type: ignore[attr-defined]
    ws.rules_path.write_text(GOOD.replace("[[rule]]", "[[rule]", 1))
    assert ingest("three letter.txt").startswith("Matters/LIT-1/Correspondence/")
    assert ingest("four letter.txt").startswith("Matters/LIT-1/Correspondence/")
    assert len(warnings) == 1 and "not valid TOML" in warnings[0]
    assert filer.router.rules_version == test_version  # type: ignore[attr-defined]
    changes = [e.detail["rules"] for e in ledger.chain.events()
               if e.kind == EventKind.RULES_CHANGED]
    assert changes == ["Litigation", "Test"]
