"""The settings panel's `RulesBackend` over the naming-rules engine (core.rules)."""

from __future__ import annotations

from intake_desktop.core.desks.rules_draft import RuleProblem, RulesInvalid
from intake_desktop.core.ledger import Ledger
from intake_desktop.core.pipeline import Router
from intake_desktop.core.rules import RulesError, RulesRouter, parse_rules, save_rules
from intake_desktop.core.workspace import Workspace


def _problems(exc: RulesError) -> list[RuleProblem]:
    out = []
    for p in exc.problems:
        where = []
        if p.rule:
            where.append(f"rule {p.rule!r}")
        if p.field:
            where.append(str(p.field))
        prefix = (", ".join(where) + ": ") if where else ""
        out.append(RuleProblem(f"{prefix}{p.error}" + (f". Fix: {p.fix}" if p.fix else ""),
                               line=p.line))
    return out or [RuleProblem(exc.message)]


class EngineBackend:
    """Validates and previews with the real rules engine; saving records the new version."""

    name = "naming rules"
    can_save = True

    def __init__(self, workspace: Workspace, ledger: Ledger) -> None:
        self.workspace = workspace
        self.ledger = ledger

    def compile(self, text: str) -> Router:
        try:
            ruleset = parse_rules(text, str(self.workspace.rules_path))
        except RulesError as exc:
            raise RulesInvalid(_problems(exc), path=self.workspace.rules_path) from exc
        return RulesRouter(ruleset)

    def save(self, text: str) -> str:
        try:
            version = save_rules(self.workspace, self.ledger, text)
        except RulesError as exc:
            raise RulesInvalid(_problems(exc), path=self.workspace.rules_path) from exc
        return version.version
