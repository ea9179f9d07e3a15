"""Naming rules: admin-editable TOML that decides each document's folder and name."""

from intake_desktop.core.rules.active import (
    ActiveRules,
    RulesVersion,
    WorkspaceRulesRouter,
    load_active_rules,
    save_rules,
)
from intake_desktop.core.rules.errors import RuleProblem, RulesError
from intake_desktop.core.rules.router import ReviewRouter, RulesRouter
from intake_desktop.core.rules.ruleset import RuleSet, load_rules, parse_rules, version_of

__all__ = [
    "ActiveRules",
    "ReviewRouter",
    "RuleProblem",
    "RuleSet",
    "RulesError",
    "RulesRouter",
    "RulesVersion",
    "WorkspaceRulesRouter",
    "load_active_rules",
    "load_rules",
    "parse_rules",
    "save_rules",
    "version_of",
]
