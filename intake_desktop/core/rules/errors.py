"""Problems found in a rules file: each names the file, the line, the rule and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from intake_desktop.core.errors import IntakeError


@dataclass(frozen=True)
class RuleProblem:
    """One thing wrong with a rules file."""

    file: str
    line: int | None
    rule: str | None
    field: str | None
    error: str
    fix: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        parts = [where]
        if self.rule:
            parts.append(f"rule {self.rule!r}")
        if self.field:
            parts.append(self.field)
        return f"{': '.join(parts)}: {self.error}. Fix: {self.fix.rstrip('.')}."

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "rule": self.rule,
            "field": self.field,
            "error": self.error,
            "fix": self.fix,
        }


class RulesError(IntakeError):
    """A rules file that cannot be used; `problems` lists every error found."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = list(problems)
        first = self.problems[0] if self.problems else None
        more = len(self.problems) - 1
        what = str(first) if first else "the rules file is not valid"
        if more > 0:
            plural = "s" if more > 1 else ""
            what += f" (and {more} more problem{plural}: run `intake-desktop rules check`)"
        super().__init__(what)

    @property
    def message(self) -> str:
        return self.what


class RuleFailure(Exception):
    """Applying the rules to one file failed (a regex over its time limit, a bug): the
    caller falls back to the last good rules, or sends the file to Review/ with this."""
