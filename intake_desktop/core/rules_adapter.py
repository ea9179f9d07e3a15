"""The settings panel's `RulesBackend` over the naming-rules engine (core.rules).

Imported only when `intake_desktop.core.rules` is installed (see rules_panel.default_backend).
"""

from __future__ import annotations

import importlib
from typing import Any

from intake_desktop.core.ledger import Ledger
from intake_desktop.core.pipeline import Router
from intake_desktop.core.rules_panel import RULES_PACKAGE, RuleProblem, RulesInvalid
from intake_desktop.core.workspace import Workspace


def _problems(exc: Any) -> list[RuleProblem]:
    out = []
    for p in getattr(exc, "problems", []):
        where = []
        if getattr(p, "rule", None):
            where.append(f"rule {p.rule!r}")
        if getattr(p, "field", None):
            where.append(str(p.field))
        prefix = (", ".join(where) + ": ") if where else ""
        fix = getattr(p, "fix", "")
        out.append(RuleProblem(f"{prefix}{p.error}" + (f". Fix: {fix}" if fix else ""),
                               line=getattr(p, "line", None)))
    return out or [RuleProblem(str(exc))]


class EngineBackend:
    """Validates and previews with the real rules engine; saving records the new version."""

    name = "naming rules"
    can_save = True

    def __init__(self, workspace: Workspace, ledger: Ledger) -> None:
        self._rules: Any = importlib.import_module(RULES_PACKAGE)
        self.workspace = workspace
        self.ledger = ledger

    def compile(self, text: str) -> Router:
        rules = self._rules
        try:
            ruleset = rules.parse_rules(text, str(self.workspace.rules_path))
        except rules.RulesError as exc:
            raise RulesInvalid(_problems(exc), path=self.workspace.rules_path) from exc
        router: Router = rules.RulesRouter(ruleset)
        return router

    def save(self, text: str) -> str:
        rules = self._rules
        try:
            version = rules.save_rules(self.workspace, self.ledger, text)
        except rules.RulesError as exc:
            raise RulesInvalid(_problems(exc), path=self.workspace.rules_path) from exc
        return str(version.version)
