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
from intake_desktop.core.rules.history import (
    RulesHistoryEntry,
    diff_text,
    rollback_rules,
    rules_history,
)
from intake_desktop.core.rules.plan_preview import PreviewResult, preview
from intake_desktop.core.rules.router import ReviewRouter, RulesRouter
from intake_desktop.core.rules.ruleset import RuleSet, load_rules, parse_rules, version_of
from intake_desktop.core.rules.templating import FILTERS
from intake_desktop.core.rules.vocabulary import FILTER_WORDS, VARIABLE_WORDS

__all__ = [
    "FILTERS",
    "FILTER_WORDS",
    "VARIABLE_WORDS",
    "ActiveRules",
    "PreviewResult",
    "ReviewRouter",
    "RuleProblem",
    "RuleSet",
    "RulesError",
    "RulesHistoryEntry",
    "RulesRouter",
    "RulesVersion",
    "WorkspaceRulesRouter",
    "accept_rules",
    "diff_text",
    "load_active_rules",
    "load_rules",
    "parse_rules",
    "preview",
    "rollback_rules",
    "rules_history",
    "save_rules",
    "version_of",
]
