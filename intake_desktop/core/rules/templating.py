"""Folder and file-name templates: Jinja2 in a sandbox with a small, documented filter set.

Filters (the only ones a rules file may use):
  date(fmt)      reformat an ISO date: {{ date | date('%Y-%m') }}; strftime codes
  slug(sep='-')  words joined by `-` (case kept): "Letter re: MRI" -> "Letter-re-MRI"
  upper, lower, title
  code(n=4)      an upper-case letters-and-digits code: "Medical record" -> "MEDI"
  truncate(n)    at most n characters, cut at a word boundary when possible, no "..."
  default(x)     x when the value is missing or empty (unlike Jinja's, also for "")
  pad(n=3)       zero-padded number: {{ 7 | pad }} -> "007"
No globals (no range(), no lipsum), no other filters, no loops, macros or includes: an
unknown variable or filter is an error when the rules file is loaded, never during filing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import StrictUndefined, Template, meta, nodes
from jinja2.exceptions import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from intake_desktop.core.rules.limits import MAX_NESTING, BoundedSandbox, guarded, too_deep

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def _missing(value: Any) -> bool:
    return value is None or value == ""


def f_date(value: Any, fmt: str = "%Y-%m-%d") -> Any:
    if _missing(value):
        return value
    if len(str(fmt)) > 100:
        raise ValueError("the date format is too long (at most 100 characters)")
    try:
        return dt.date.fromisoformat(str(value)[:10]).strftime(fmt)
    except ValueError:
        return value


def f_slug(value: Any, sep: str = "-") -> Any:
    if _missing(value):
        return value
    text = unicodedata.normalize("NFC", str(value))
    return _NON_WORD.sub(sep, text.replace("_", " ")).strip(sep)


def f_upper(value: Any) -> Any:
    return value if _missing(value) else str(value).upper()


def f_lower(value: Any) -> Any:
    return value if _missing(value) else str(value).lower()


def f_title(value: Any) -> Any:
    return value if _missing(value) else str(value).title()


def f_code(value: Any, n: int = 4) -> Any:
    if _missing(value):
        return value
    ascii_text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", ascii_text).upper()[: max(int(n), 1)]


def f_truncate(value: Any, n: int = 60) -> Any:
    if _missing(value):
        return value
    text = str(value)
    n = max(int(n), 1)
    if len(text) <= n:
        return text
    cut = text[:n]
    boundary = max(cut.rfind("-"), cut.rfind(" "), cut.rfind("_"))
    if boundary >= n // 2:
        cut = cut[:boundary]
    return cut.rstrip(" -_.")


def f_default(value: Any, fallback: Any = "") -> Any:
    if isinstance(value, StrictUndefined) or _missing(value):
        return fallback
    return value


def f_pad(value: Any, n: int = 3) -> Any:
    try:
        return str(int(value)).zfill(max(int(n), 1))
    except (TypeError, ValueError):
        return value


FILTERS: dict[str, Callable[..., Any]] = {
    "date": f_date,
    "slug": f_slug,
    "upper": f_upper,
    "lower": f_lower,
    "title": f_title,
    "code": f_code,
    "truncate": f_truncate,
    "default": f_default,
    "pad": f_pad,
}


def make_environment() -> SandboxedEnvironment:
    """A sandbox with only our filters, no globals, and errors for undefined names; with
    operation limits (no power towers, no huge repetition, texts capped: see limits)."""
    env = BoundedSandbox(undefined=StrictUndefined, autoescape=False, cache_size=0)
    env.filters.clear()
    env.filters.update({name: guarded(func) for name, func in FILTERS.items()})
    env.globals.clear()
    env.tests = {k: v for k, v in env.tests.items() if k in {"defined", "none", "number", "string"}}
    return env


class TemplateProblem(Exception):
    """A template that cannot be used: `line` is 1-based within the template."""

    def __init__(self, message: str, fix: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.line = line


# Checked sources -> (compiled code, variables read), by environment class and finalize
# function (both shape the code); the code is bound to an environment only when used.
COMPILED_MAX = 4096
_COMPILED: dict[tuple[str, frozenset[str], type, object], tuple[Any, frozenset[str]]] = {}


def compile_template(
    env: SandboxedEnvironment, source: str, known: Iterable[str]
) -> tuple[Template, frozenset[str]]:
    """Compile `source`; raises TemplateProblem for syntax, unknown filters or variables.

    Returns the template and the variables it reads. A source already checked and compiled
    for the same kind of environment is not parsed and compiled again (a rules file is
    loaded on every change and by every router: 77 templates took a second each time).
    """
    known_set = frozenset(known)
    key = (source, known_set, type(env), env.finalize)
    hit = _COMPILED.get(key)
    if hit is not None:
        code, used = hit
        return env.template_class.from_code(env, code, env.make_globals(None)), used
    deep = too_deep(source)
    if deep is not None:
        raise TemplateProblem(
            f"the template is nested more than {MAX_NESTING} levels deep",
            "write a flatter template", deep + 1)
    try:
        ast = env.parse(source)
    except RecursionError:
        raise TemplateProblem("the template is nested too deeply",
                              "write a flatter template", None) from None
    except TemplateError as exc:
        raise TemplateProblem(
            f"template syntax error: {exc}",
            "check the {{ }} and {% %} pairs in this template",
            getattr(exc, "lineno", None),
        ) from exc
    for loop in ast.find_all(
        (
            nodes.For,
            nodes.Macro,
            nodes.CallBlock,
            nodes.Include,
            nodes.Import,
            nodes.FromImport,
            nodes.Extends,
        )
    ):
        raise TemplateProblem(
            f"{{% {type(loop).__name__.lower()} %}} is not allowed in a naming template",
            "use {{ variables }}, filters and {% if %} only",
            loop.lineno,
        )
    for node in ast.find_all(nodes.Filter):
        if node.name not in FILTERS:
            raise TemplateProblem(
                f"unknown filter {node.name!r}",
                f"use one of: {', '.join(sorted(FILTERS))}",
                node.lineno,
            )
    used = frozenset(meta.find_undeclared_variables(ast))
    unknown = sorted(used - known_set)
    if unknown:
        line = next((n.lineno for n in ast.find_all(nodes.Name) if n.name == unknown[0]), None)
        raise TemplateProblem(
            f"unknown variable {unknown[0]!r}",
            f"use one of: {', '.join(sorted(known_set))}",
            line,
        )
    try:
        code = env.compile(source)
        template = env.template_class.from_code(env, code, env.make_globals(None))
    except TemplateError as exc:
        raise TemplateProblem(
            f"template error: {exc}", "correct the template", getattr(exc, "lineno", None)
        ) from exc
    if len(_COMPILED) >= COMPILED_MAX:
        _COMPILED.clear()
    _COMPILED[key] = (code, used)
    return template, used
