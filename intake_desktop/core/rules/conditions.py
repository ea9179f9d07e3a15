"""Rule conditions: what a rule's `when` table may test, compiled once at load time.

Every condition in a rule must hold (they are tested in the order written, stopping at the
first that fails). Globs are case-insensitive (`*` also crosses `/`); regexes are Python
syntax, case-sensitive unless they start with `(?i)`, and their named groups
(`(?P<provider>...)`) become template variables.

  subfolder, subfolder_regex   the intake subfolder below Intake/<matter>/ ("Medical/Clinic")
  name, name_regex             the file name as received ("MRI report.pdf")
  type                         detected MIME type glob(s): "application/pdf", "image/*"
  keywords                     any of these words in the first page's text
  keywords_all                 all of these words in the first page's text
  text_regex                   a regex over the first page's text
  email_from                   sender address glob(s): "*@opposing-firm.com"
  email_subject, email_subject_regex
  pdf_title, pdf_title_regex
  has_date                     true: a document date was found (facts or file name)
  capture_date                 true: an image with a camera capture date
  size_min, size_max           bytes, or "500KB", "25MB"
  matter, matter_regex         the matter number: "PI-*"
  attachment                   true: an email attachment / archive member; false: not one
  facts                        { fact_name = "regex" } for any other extracted fact
"""

from __future__ import annotations

import contextlib
import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import regex

from intake_desktop.core.rules.errors import RuleProblem
from intake_desktop.core.rules.limits import MAX_NESTING, BoundedRegex, regex_danger, too_deep

T = TypeVar("T")


@dataclass
class Subject:
    """What conditions look at for one file (computed once per file)."""

    name: str
    subfolder: str
    detected_type: str
    size: int
    matter: str
    attachment: bool
    has_date: bool
    facts: dict[str, Any]
    _text_lower: str | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return str(self.facts.get("first_page_text") or "")

    @property
    def text_lower(self) -> str:
        if self._text_lower is None:
            self._text_lower = self.text.casefold()
        return self._text_lower

    def fact(self, key: str) -> str:
        value = self.facts.get(key)
        return "" if value is None else str(value)


# A compiled condition: returns None when it fails, else the captured named groups.
Check = Callable[[Subject], dict[str, str] | None]
_EMPTY: dict[str, str] = {}


class ConditionError(Exception):
    def __init__(self, key: str, message: str, fix: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message
        self.fix = fix


def _strings(key: str, value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) and v for v in items):
        raise ConditionError(
            key,
            "expects a text or a list of texts",
            f'write {key} = "..." or {key} = ["...", "..."]',
        )
    return items


def _glob(key: str, value: Any) -> re.Pattern[str]:
    pats = _strings(key, value)
    return re.compile("|".join(fnmatch.translate(p) for p in pats), re.IGNORECASE | re.DOTALL)


def _regex(key: str, value: Any) -> BoundedRegex:
    if not isinstance(value, str) or not value:
        raise ConditionError(key, "expects a regular expression as text", f'write {key} = "..."')
    deep = too_deep(value)
    if deep is not None:
        raise ConditionError(
            key,
            f"the regular expression is nested more than {MAX_NESTING} levels deep",
            "write a flatter pattern",
        )
    _compiled(key, value, re.compile, re.error)  # Python syntax and its error messages
    danger = regex_danger(value)
    if danger:
        raise ConditionError(
            key,
            f"the regular expression {value!r} {danger}",
            "write the repeated part once, e.g. (a+)+ as a+, or anchor it with fixed text",
        )
    return _compiled(key, value, lambda v: BoundedRegex(v, f"when.{key}"), regex.error)


def _compiled(key: str, value: str, compile_: Callable[[str], T],
              error: type[Exception]) -> T:
    """`compile_(value)`, its failure (`error`, or a pattern too deep or too large to
    compile) as the condition's error with the fix."""
    try:
        return compile_(value)
    except (error, RecursionError, OverflowError) as exc:
        raise ConditionError(
            key,
            f"the regular expression {value!r} does not compile ({exc})",
            "correct the pattern (Python syntax; escape . ( ) [ ] with a backslash)",
        ) from exc


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConditionError(key, "expects true or false", f"write {key} = true")
    return value


_UNITS = {"": 1, "B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "KIB": 1024, "MIB": 1024**2}


def _size(key: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", value)
        if m and m.group(2).upper() in _UNITS:
            return int(float(m.group(1)) * _UNITS[m.group(2).upper()])
    raise ConditionError(key, f"{value!r} is not a size", f'write {key} = 5000 or {key} = "25MB"')


def _glob_on(get: Callable[[Subject], str]) -> Callable[[str, Any], Check]:
    def build(key: str, value: Any) -> Check:
        pat = _glob(key, value)
        return lambda s: _EMPTY if pat.match(get(s)) else None

    return build


def _regex_on(get: Callable[[Subject], str]) -> Callable[[str, Any], Check]:
    def build(key: str, value: Any) -> Check:
        pat = _regex(key, value)

        def check(s: Subject) -> dict[str, str] | None:
            m = pat.search(get(s))
            if m is None:
                return None
            return {k: v for k, v in m.groupdict().items() if v is not None}

        return check

    return build


def _keywords_any(key: str, value: Any) -> Check:
    # One scan of the text for all the words (a literal alternation: any word in it).
    words = re.compile("|".join(re.escape(w.casefold()) for w in _strings(key, value)))
    return lambda s: _EMPTY if words.search(s.text_lower) else None


def _keywords_all(key: str, value: Any) -> Check:
    words = [w.casefold() for w in _strings(key, value)]
    return lambda s: _EMPTY if all(w in s.text_lower for w in words) else None


def _flag(get: Callable[[Subject], bool]) -> Callable[[str, Any], Check]:
    def build(key: str, value: Any) -> Check:
        want = _bool(key, value)
        return lambda s: _EMPTY if get(s) == want else None

    return build


def _size_min(key: str, value: Any) -> Check:
    limit = _size(key, value)
    return lambda s: _EMPTY if s.size >= limit else None


def _size_max(key: str, value: Any) -> Check:
    limit = _size(key, value)
    return lambda s: _EMPTY if s.size <= limit else None


def _facts(key: str, value: Any) -> Check:
    if not isinstance(value, dict) or not value:
        raise ConditionError(
            key, "expects a table of fact = regex", 'write facts = { court = "(?i)superior" }'
        )
    checks = [(name, _regex(f"{key}.{name}", pat)) for name, pat in value.items()]

    def check(s: Subject) -> dict[str, str] | None:
        found: dict[str, str] = {}
        for name, pat in checks:
            m = pat.search(s.fact(name))
            if m is None:
                return None
            found.update({k: v for k, v in m.groupdict().items() if v is not None})
        return found

    return check


BUILDERS: dict[str, Callable[[str, Any], Check]] = {
    "subfolder": _glob_on(lambda s: s.subfolder),
    "subfolder_regex": _regex_on(lambda s: s.subfolder),
    "name": _glob_on(lambda s: s.name),
    "name_regex": _regex_on(lambda s: s.name),
    "type": _glob_on(lambda s: s.detected_type),
    "keywords": _keywords_any,
    "keywords_all": _keywords_all,
    "text_regex": _regex_on(lambda s: s.text),
    "email_from": _glob_on(lambda s: s.fact("email_from")),
    "email_subject": _glob_on(lambda s: s.fact("email_subject")),
    "email_subject_regex": _regex_on(lambda s: s.fact("email_subject")),
    "pdf_title": _glob_on(lambda s: s.fact("pdf_title")),
    "pdf_title_regex": _regex_on(lambda s: s.fact("pdf_title")),
    "has_date": _flag(lambda s: s.has_date),
    "capture_date": _flag(lambda s: bool(s.facts.get("capture_date"))),
    "size_min": _size_min,
    "size_max": _size_max,
    "matter": _glob_on(lambda s: s.matter),
    "matter_regex": _regex_on(lambda s: s.matter),
    "attachment": _flag(lambda s: s.attachment),
    "facts": _facts,
}


def group_names(key: str, value: Any) -> set[str]:
    """Named groups a regex condition captures (they become template variables)."""
    patterns: list[Any] = []
    if key.endswith("_regex"):
        patterns = [value]
    elif key == "facts" and isinstance(value, dict):
        patterns = list(value.values())
    names: set[str] = set()
    for p in patterns:
        if not isinstance(p, str) or too_deep(p) is not None:
            continue  # reported by the condition itself
        with contextlib.suppress(re.error, RecursionError, OverflowError):
            names |= set(re.compile(p).groupindex)
    return names


@dataclass(frozen=True)
class Conditions:
    """A rule's compiled `when` table."""

    checks: tuple[tuple[str, Check], ...]

    def match(self, subject: Subject) -> dict[str, str] | None:
        captured: dict[str, str] = {}
        for _key, check in self.checks:
            found = check(subject)
            if found is None:
                return None
            if found:
                captured.update(found)
        return captured


def compile_conditions(
    when: Any, *, file: str, rule: str, line_of: Callable[[str], int | None]
) -> tuple[Conditions, list[RuleProblem]]:
    """Compile a `when` table; returns the conditions and the problems found."""
    problems: list[RuleProblem] = []
    if when is None:
        return Conditions(()), problems
    if not isinstance(when, dict):
        problems.append(
            RuleProblem(
                file,
                line_of("when"),
                rule,
                "when",
                "expects a table of conditions",
                'write when = { name = "*.pdf" } or a [rule.when] table',
            )
        )
        return Conditions(()), problems
    checks: list[tuple[str, Check]] = []
    for key, value in when.items():
        builder = BUILDERS.get(key)
        if builder is None:
            problems.append(
                RuleProblem(
                    file,
                    line_of(key),
                    rule,
                    f"when.{key}",
                    f"unknown condition {key!r}",
                    f"use one of: {', '.join(sorted(BUILDERS))}",
                )
            )
            continue
        try:
            checks.append((key, builder(key, value)))
        except ConditionError as exc:
            problems.append(
                RuleProblem(
                    file,
                    line_of(exc.key.split(".")[-1]),
                    rule,
                    f"when.{exc.key}",
                    exc.message,
                    exc.fix,
                )
            )
    return Conditions(tuple(checks)), problems
