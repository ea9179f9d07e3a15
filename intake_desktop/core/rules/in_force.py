"""The rules in force, as the filing step holds them: their version and a router that
compiles them only when a file is routed.

The version in force was checked when an admin saved or accepted it, so nothing needs
compiling to file with it: the filing step of a run whose workers route
(core/filing/pool.py) never compiles the rules, and never loads the template and pattern
libraries for them (jinja2, regex, the rules' own modules: 0.1 s of an `ingest`'s start on
2 cores, on the filing step's path before its first file). Each worker compiles them once.
"""

from __future__ import annotations

import hashlib
from collections import deque
from typing import TYPE_CHECKING, TypeGuard

if TYPE_CHECKING:
    from intake_desktop.core.pipeline import Candidate, Decision
    from intake_desktop.core.rules.router import RulesRouter
    from intake_desktop.core.rules.ruleset import RuleSet

# Parents' folders a router remembers for their attachments.
PARENT_CACHE = 2048


def version_of(text: str) -> str:
    """The rules version: the first 12 hex digits of the SHA-256 of the file's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


class LazyRulesRouter:
    """A `RulesRouter` for rules already checked (the version in force), whose templates
    and patterns are compiled the first time a file is routed (0.2 s for the litigation
    preset, and the libraries' loading before it)."""

    def __init__(self, text: str, source: str) -> None:
        self.text, self.source = text, source
        self.rules_version = version_of(text)
        self._router: RulesRouter | None = None
        self._remembered: deque[Decision] = deque(maxlen=PARENT_CACHE)

    @property
    def router(self) -> RulesRouter:
        if self._router is None:
            from intake_desktop.core.rules.router import RulesRouter
            from intake_desktop.core.rules.ruleset import parse_rules

            self._router = RulesRouter(parse_rules(self.text, self.source))
            for decision in self._remembered:
                self._router.remember(decision)
            self._remembered.clear()
        return self._router

    @property
    def ruleset(self) -> RuleSet:
        return self.router.ruleset

    def route(self, candidate: Candidate) -> Decision:
        return self.router.route(candidate)

    def remember(self, decision: Decision) -> None:
        """As `RulesRouter.remember`, without compiling the rules for it."""
        if self._router is None:
            self._remembered.append(decision)
        else:
            self._router.remember(decision)


def routes_with_rules(router: object) -> TypeGuard[RulesRouter | LazyRulesRouter]:
    """Whether `router` routes with rules (compiled, or compiled when first used), not the
    built-in router or everything to Review/."""
    if isinstance(router, LazyRulesRouter):
        return True
    from intake_desktop.core.rules.router import RulesRouter

    return isinstance(router, RulesRouter)
