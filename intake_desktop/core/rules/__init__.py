"""Naming rules: admin-editable TOML that decides each document's folder and name.

The names below load with the module that defines them, when first used: a preparation
worker routes with router.py and ruleset.py alone, without the ledger that active.py and
history.py need (core/filing/early.py starts workers before the ledger is imported).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake_desktop.core.lazy import exports

if TYPE_CHECKING:
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
    from intake_desktop.core.rules.in_force import LazyRulesRouter, version_of
    from intake_desktop.core.rules.plan_preview import PreviewResult, preview
    from intake_desktop.core.rules.router import ReviewRouter, RulesRouter
    from intake_desktop.core.rules.ruleset import RuleSet, load_rules, parse_rules
    from intake_desktop.core.rules.templating import FILTERS
    from intake_desktop.core.rules.vocabulary import FILTER_WORDS, VARIABLE_WORDS

# Each name and the module (core/rules/<module>.py) it comes from.
_HOMES = {
    "ActiveRules": "active",
    "RulesVersion": "active",
    "WorkspaceRulesRouter": "active",
    "accept_rules": "active",
    "load_active_rules": "active",
    "save_rules": "active",
    "RuleProblem": "errors",
    "RulesError": "errors",
    "RulesHistoryEntry": "history",
    "diff_text": "history",
    "rollback_rules": "history",
    "rules_history": "history",
    "PreviewResult": "plan_preview",
    "preview": "plan_preview",
    "LazyRulesRouter": "in_force",
    "ReviewRouter": "router",
    "RulesRouter": "router",
    "RuleSet": "ruleset",
    "load_rules": "ruleset",
    "parse_rules": "ruleset",
    "version_of": "in_force",
    "FILTERS": "templating",
    "FILTER_WORDS": "vocabulary",
    "VARIABLE_WORDS": "vocabulary",
}


__getattr__ = exports(__name__, _HOMES)

__all__ = [
    "FILTERS",
    "FILTER_WORDS",
    "VARIABLE_WORDS",
    "ActiveRules",
    "LazyRulesRouter",
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
