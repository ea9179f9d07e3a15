"""Rules that cannot hurt (issue 24 item 5): catastrophic regexes, runaway templates and
deep nesting are refused at load or bounded at run time; any failure keeps the last good
rules in force with the error shown."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from intake_desktop.app import App, build_filer
from intake_desktop.core.filing import Outcome
from intake_desktop.core.ledger import Actor
from intake_desktop.core.rules import RulesError, parse_rules
from intake_desktop.core.workspace import WorkspaceConfig
from tests.core.rules.test_rules_errors import GOOD


def _within(seconds: float, func: Callable[..., Any], *args: Any) -> Any:
    """Run func in a thread; fail (not hang) when it takes longer than `seconds`."""
    out: dict[str, Any] = {}

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
        raise out["error"]
    return out.get("value")


def _problems(text: str) -> list[str]:
    with pytest.raises(RulesError) as info:
        _within(20, parse_rules, text, "firm.toml")
    return [str(p) for p in info.value.problems]


def _with_letters_when(when: str) -> str:
    return GOOD.replace('when.name = "*letter*"', when)


def test_catastrophic_regex_is_refused_by_rules_check() -> None:
    [problem] = _problems(_with_letters_when('when.name_regex = "(a+)+$"'))
    assert problem.startswith("firm.toml:9: rule 'letters': when.name_regex:")
    assert "nested repetition" in problem and "(a+)+$" in problem


@pytest.mark.parametrize("pattern", [r"(\\w*)*x", r"(?:a|b+)+$", r"((ab)*c?)+$"])
def test_other_nested_repetitions_are_refused(pattern: str) -> None:
    [problem] = _problems(_with_letters_when(f'when.name_regex = "{pattern}"'))
    assert "nested repetition" in problem


@pytest.mark.parametrize("pattern", [r"(?P<clinic>[A-Z][a-z]+) (Clinic|Hospital)",
                                     r"^\\d{4}-\\d{2}", r"(ab)+c", r"(?i)invoice\\s+#?\\d+"])
def test_ordinary_regexes_still_load(pattern: str) -> None:
    parse_rules(_with_letters_when(f'when.name_regex = "{pattern}"'), "firm.toml")


def test_slow_regex_is_bounded_at_run_time(make_workspace: Callable) -> None:
    """A pattern the load check cannot see as dangerous still stops after its time limit:
    the file goes to Review/ with the reason, the batch goes on."""
    ws, ledger = make_workspace("litigation")
    ws.rules_path.write_text(_with_letters_when('when.name_regex = "^(a|a)*$"'))
    warnings: list[str] = []
    filer = build_filer(App(ws, WorkspaceConfig(), ledger, Actor("tester")),
                        on_warning=warnings.append)
    src = ws.intake / "LIT-1" / ("a" * 40 + "!.txt")
    src.parent.mkdir(parents=True)
    src.write_text("Dear Counsel")
    [result] = _within(60, filer.ingest, [src])
    assert result.status is Outcome.REVIEW
    assert "took longer than" in (result.reason or "")
    assert "name_regex" in (result.reason or "") and "'letters'" in (result.reason or "")
    assert Path(result.path or "").read_text() == "Dear Counsel"
    assert any("took longer than" in w for w in warnings)


@pytest.mark.parametrize("template,expected", [
    ("{{ 9**(9**9) }}", "too large"),
    ("{{ 'a' * 10**9 }}", "too long"),
    ("{{ date | date('%Y' * 10**8) }}", "too long"),
    ("{{ name | pad(10**9) }}", "too large"),
    ("{{ name.ljust(10**9) }}", "too large"),
    ("{{ (name ~ name ~ name ~ name) | replace('S', name) | replace('S', name) "
     "| replace('S', name) }}", ""),
])
def test_runaway_templates_are_refused_at_load(template: str, expected: str) -> None:
    problems = _problems(GOOD.replace('folder = "Correspondence"', f'folder = "{template}"'))
    assert any("rule 'letters': folder:" in p for p in problems), problems
    assert any(expected in p for p in problems), problems


def test_template_output_is_capped() -> None:
    problems = _problems(GOOD.replace('folder = "Correspondence"',
                                      'folder = "{{ \'x\' * 1500 }}{{ \'y\' * 1500 }}"'))
    assert any("longer than" in p for p in problems), problems


@pytest.mark.parametrize("where", ["template", "regex", "toml"])
def test_deep_nesting_gives_a_line_numbered_error(where: str) -> None:
    deep = "(" * 3000 + "x" + ")" * 3000
    if where == "template":
        text = GOOD.replace('folder = "Documents"', f'folder = "{{{{ {deep} }}}}"')
        line = 14
    elif where == "regex":
        text = GOOD.replace('when.type = "application/pdf"', f'when.name_regex = "{deep}"')
        line = 15
    else:
        text = GOOD + "\n[extra]\nvalue = " + "[" * 3000 + "]" * 3000 + "\n"
        line = 18
    problems = _problems(text)
    assert any(p.startswith(f"firm.toml:{line}:") and "nested" in p for p in problems), problems
