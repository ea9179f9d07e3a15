"""Limits that keep a rules file from hanging or exhausting filing.

- Regexes: patterns with nested repetition (`(a+)+$`, `(\\w*)*x`), which can take
  exponential time, are refused at load; every match runs with a time limit (the `regex`
  module's timeout), so a slow pattern the check cannot see stops instead of hanging.
- Templates: the sandbox refuses huge powers and repetition, oversized numbers given to
  filters and string methods, and any text longer than `MAX_TEXT`.
- Nesting: brackets nested deeper than `MAX_NESTING` are refused with the line, before
  a parser can hit Python's recursion limit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import regex
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

MAX_NESTING = 100  # brackets/parentheses nested inside one value
MAX_TEXT = 2000  # characters of any text a template builds (a path is far shorter)
MAX_NUMBER_BITS = 64  # a template's arithmetic stays within 64-bit numbers
REGEX_TIMEOUT = 0.5  # seconds one regex may spend on one file's text

try:  # Python 3.11+: the parser behind `re`
    import re._parser as _sre_parse  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - older layout
    import sre_parse as _sre_parse  # type: ignore[no-redef,unused-ignore]

_REPEATS = {_sre_parse.MAX_REPEAT, _sre_parse.MIN_REPEAT}
_POSSESSIVE = getattr(_sre_parse, "POSSESSIVE_REPEAT", None)


class TemplateLimit(SecurityError):
    """A template went past a limit while being filled in."""


class RegexTimeout(Exception):
    """A regex took longer than its time limit on one file."""

    def __init__(self, key: str, pattern: str, seconds: float) -> None:
        self.key = key
        self.pattern = pattern
        self.seconds = seconds
        super().__init__(
            f"the regular expression {pattern!r} in {key} took longer than {seconds:g} s "
            "on this file and was stopped")


# ---- nesting -----------------------------------------------------------------------------


def too_deep(text: str, limit: int = MAX_NESTING, *, opening: str = "([{",
             closing: str = ")]}") -> int | None:
    """0-based line (within `text`) where brackets first nest deeper than `limit`."""
    depth = 0
    line = 0
    for ch in text:
        if ch == "\n":
            line += 1
        elif ch in opening:
            depth += 1
            if depth > limit:
                return line
        elif ch in closing:
            depth = max(0, depth - 1)
    return None


# ---- regexes -----------------------------------------------------------------------------


def _has_repeat(items: Any) -> bool:
    for op, av in items:
        if op in _REPEATS and av[1] > 1:
            return True
        if _child_has(op, av, _has_repeat):
            return True
    return False


def _child_has(op: Any, av: Any, test: Callable[[Any], bool]) -> bool:
    if op in _REPEATS or (_POSSESSIVE is not None and op == _POSSESSIVE):
        return test(av[2])
    if op == _sre_parse.SUBPATTERN:
        return test(av[-1])
    if op == _sre_parse.BRANCH:
        return any(test(branch) for branch in av[1])
    if op in (_sre_parse.ASSERT, _sre_parse.ASSERT_NOT):
        return test(av[1])
    if op == getattr(_sre_parse, "ATOMIC_GROUP", None):
        return False  # an atomic group never backtracks into itself
    return False


def _nested_repeat(items: Any) -> bool:
    for op, av in items:
        # An unbounded repeat of something that itself repeats: exponential backtracking.
        # ({0,6} around a repeat is polynomial; the run-time limit covers it.)
        if op in _REPEATS and av[1] == _sre_parse.MAXREPEAT and _has_repeat(av[2]):
            return True
        if _child_has(op, av, _nested_repeat):
            return True
    return False


def regex_danger(pattern: str) -> str | None:
    """Why `pattern` can take exponential time (None: no nested repetition found)."""
    try:
        parsed = _sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None  # the compile step reports it
    if _nested_repeat(parsed):
        return ("has nested repetition (a repeated group that itself repeats, like "
                "(a+)+), which can take exponential time on some file names or text")
    return None


class BoundedRegex:
    """A compiled pattern whose searches stop after `timeout` seconds."""

    def __init__(self, pattern: str, key: str, timeout: float = REGEX_TIMEOUT) -> None:
        self.pattern = pattern
        self.key = key
        self.timeout = timeout
        self.compiled = regex.compile(pattern, regex.VERSION0)
        self.groupindex = dict(self.compiled.groupindex)

    def search(self, text: str) -> Any:
        try:
            return self.compiled.search(text, timeout=self.timeout)
        except TimeoutError:
            raise RegexTimeout(self.key, self.pattern, self.timeout) from None

    def match(self, text: str) -> Any:
        try:
            return self.compiled.match(text, timeout=self.timeout)
        except TimeoutError:
            raise RegexTimeout(self.key, self.pattern, self.timeout) from None


# ---- templates -----------------------------------------------------------------------------


def _check_text(value: Any) -> Any:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_TEXT:
        raise TemplateLimit(f"the template builds a text too long (more than {MAX_TEXT:,} "
                            "characters)")
    return value


def _check_number(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and (
            value.bit_length() > MAX_NUMBER_BITS):
        raise TemplateLimit("the template uses a number too large")


def _check_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_TEXT:
            raise TemplateLimit(f"the template passes a number too large ({value:,}; "
                                f"at most {MAX_TEXT:,})")
        _check_text(value)


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that refuses oversized arguments and results."""

    def call(value: Any, *args: Any, **kwargs: Any) -> Any:
        _check_args(args, kwargs)
        return _check_text(func(value, *args, **kwargs))

    call.__name__ = getattr(func, "__name__", "filter")
    call.__doc__ = func.__doc__
    return call


class BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox plus operation limits: no power towers, no huge repetition, no
    oversized arguments to methods, every text at most MAX_TEXT characters."""

    intercepted_binops = frozenset({"**", "*", "%", "+", "//", "/"})
    intercepted_unops = frozenset({"-"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_number(left)
        _check_number(right)
        if operator == "**":
            if isinstance(left, (int, float)) and isinstance(right, (int, float)):
                base = abs(float(left))
                if right > 0 and base > 1 and right * math.log2(base) > MAX_NUMBER_BITS:
                    raise TemplateLimit("the template computes a number too large "
                                        f"({left!r} ** {right!r})")
        elif operator == "*":
            for seq, times in ((left, right), (right, left)):
                if (isinstance(seq, (str, list, tuple)) and isinstance(times, int)
                        and len(seq) * max(times, 0) > MAX_TEXT):
                    raise TemplateLimit(
                        "the template builds a text too long (more than "
                        f"{MAX_TEXT:,} characters)")
        elif operator == "%" and isinstance(left, str) and len(left) > MAX_TEXT:
            raise TemplateLimit("the template builds a text too long")
        result = super().call_binop(context, operator, left, right)
        _check_number(result)
        return _check_text(result)

    def call_unop(self, context: Any, operator: str, arg: Any) -> Any:
        _check_number(arg)
        return super().call_unop(context, operator, arg)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_args(args, kwargs)
        return _check_text(super().call(__context, __obj, *args, **kwargs))


def render_bounded(template: Any, context: dict[str, Any]) -> str:
    """Render and refuse output longer than MAX_TEXT."""
    text = template.render(context)
    if len(text) > MAX_TEXT:
        raise TemplateLimit(f"the template renders a text longer than {MAX_TEXT:,} "
                            "characters")
    return str(text)
