"""Naming rules: admin-editable TOML that decides each document's folder and name."""

from intake_desktop.core.rules.active import (
    ActiveRules,
    RulesVersion,
    WorkspaceRulesRouter,
    accept_rules,
    load_active_rules,
    save_rules,
)
from intake_desktop.core.rules.errors import RuleProblem, RulesError
from intake_desktop.core.rules.plan_preview import PreviewResult, preview
from intake_desktop.core.rules.router import ReviewRouter, RulesRouter
from intake_desktop.core.rules.ruleset import RuleSet, load_rules, parse_rules, version_of
from intake_desktop.core.rules.templating import FILTERS

__all__ = [
    "FILTERS",
    "ActiveRules",
    "PreviewResult",
    "ReviewRouter",
    "RuleProblem",
    "RuleSet",
    "RulesError",
    "RulesRouter",
    "RulesVersion",
    "WorkspaceRulesRouter",
    "accept_rules",
    "load_active_rules",
    "load_rules",
    "parse_rules",
    "preview",
    "save_rules",
    "version_of",
]
