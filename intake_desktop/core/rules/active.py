"""The workspace's active rules: load with a last-good fallback, save, accept, record.

The rules in force are the last version an admin saved in the app (`save_rules`, a
`rules_changed` event) or accepted (`accept_rules`, a `rules_accepted` event); the ledger
holds its SHA-256 and `.intake/rules.last-good.toml` its text. `.intake/rules.toml` is
the file the app writes; when its bytes differ from the version in force it was changed
outside the app (a hand edit) and is not used until an admin accepts it: the rules in
force stay in force and the change is reported. A new workspace adopts its first rules
file (the preset `init` wrote) as the first version. A broken rules.toml, or any failure
while loading or applying rules, never stops filing: the last good rules stay in force
(or the file goes to Review/) and the error is reported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import Actor, EventKind, Ledger
from intake_desktop.core.mover import replace_file
from intake_desktop.core.pipeline import BuiltinRouter, Candidate, Decision, Router
from intake_desktop.core.rules.errors import RuleProblem, RulesError
from intake_desktop.core.rules.in_force import LazyRulesRouter, routes_with_rules, version_of
from intake_desktop.core.workspace import Workspace

if TYPE_CHECKING:
    from intake_desktop.core.rules.router import RulesRouter
    from intake_desktop.core.rules.ruleset import RuleSet

LAST_GOOD_NAME = "rules.last-good.toml"
# Ledger event kinds of rules versions (RULES_ACCEPTED: a hand edit an admin accepted).
RULES_ACCEPTED = EventKind.RULES_ACCEPTED
VERSION_EVENTS = (EventKind.RULES_CHANGED, EventKind.RULES_ACCEPTED)
OUTSIDE_FIX = ("an admin reviews the change and accepts it in Settings or with "
               "`intake-desktop rules accept --as NAME`; or restore the file")


@dataclass(frozen=True)
class RulesVersion:
    """One saved rules version, as recorded in the ledger."""

    version: str
    sha256: str
    name: str
    rule_count: int


@dataclass(frozen=True)
class ActiveRules:
    """The router to file with, and the error that kept a newer rules file out (if any)."""

    router: Router
    version: str
    error: RulesError | None = None
    ruleset: RuleSet | None = None
    pending: RulesVersion | None = None  # rules.toml changed outside the app, not in force


def last_good_path(workspace: Workspace) -> Path:
    return workspace.state / LAST_GOOD_NAME


def version_info(ruleset: RuleSet) -> RulesVersion:
    return RulesVersion(ruleset.version, ruleset.sha256, ruleset.name, len(ruleset.rules))


def _write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` so a crash leaves the old or the new file, never half
    (through the mover, which keeps the version replaced as `<name>.previous`)."""
    replace_file(path, text.encode("utf-8"))


def _version_detail(ruleset: RuleSet, source: str) -> dict[str, Any]:
    """What a rules event says about the version it records."""
    return {
        "version": ruleset.version,
        "sha256": ruleset.sha256,
        "rules": ruleset.name,
        "rule_count": len(ruleset.rules),
        "source": source,
    }


def _record(ledger: Ledger, ruleset: RuleSet, source: str,
            extra: dict[str, object] | None = None) -> None:
    ledger.chain.record(
        EventKind.RULES_CHANGED,
        rules_version=ruleset.version,
        detail={
            **_version_detail(ruleset, source),
            "text": ruleset.text,  # the version itself: history, diff and rollback
            **(extra or {}),
        },
    )


def _promote(workspace: Workspace, ledger: Ledger | None, ruleset: RuleSet, source: str,
             extra: dict[str, object] | None = None) -> None:
    """Make `ruleset` the last good version; record it when it is new."""
    last = last_good_path(workspace)
    try:
        previous = last.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        previous = None
    if previous == ruleset.text:
        return
    _write_atomic(last, ruleset.text)
    if ledger is not None:
        _record(ledger, ruleset, source, extra)


def _load(path: Path) -> RuleSet:
    """load_rules, with any failure (not only a rules error: a library bug, memory) turned
    into a RulesError naming the file, so the last-good fallback always applies."""
    from intake_desktop.core.rules.ruleset import load_rules

    try:
        return load_rules(path)
    except RulesError:
        raise
    except Exception as exc:
        note = f"{exc.__class__.__name__}: {exc}"[:300]
        raise RulesError([RuleProblem(
            str(path), None, None, None, f"the rules could not be loaded ({note})",
            "correct the file, or save the rules again in Settings")]) from exc


def accepted_sha256(ledger: Ledger) -> str | None:
    """SHA-256 of the rules version in force per the ledger (None: none recorded yet)."""
    event = ledger.chain.latest_event(VERSION_EVENTS)
    if event is None:
        return None
    sha = event.detail.get("sha256")
    return str(sha) if sha else None


def _in_force(workspace: Workspace, accepted: str | None) -> RuleSet:
    """The last good rules, checked against the ledger's version when there is one."""
    last = _load(last_good_path(workspace))
    if accepted is not None and last.sha256 != accepted:
        raise RulesError([RuleProblem(
            str(last_good_path(workspace)), None, None, None,
            f"the copy of the rules in force was changed or replaced (its SHA-256 "
            f"{last.sha256[:12]} is not the recorded {accepted[:12]})",
            "an admin saves the rules again in Settings or accepts rules.toml")])
    return last


def load_active_rules(
    workspace: Workspace, ledger: Ledger | None = None, *, promote: bool = True
) -> ActiveRules:
    """The rules to file with. No rules.toml: the built-in router. A broken one, or one
    changed outside the app: the version in force (or, without one, everything to
    Review/), with the error."""
    if not workspace.rules_path.exists():
        builtin = BuiltinRouter()
        return ActiveRules(builtin, builtin.rules_version)
    accepted = accepted_sha256(ledger) if ledger is not None else None
    in_force = _in_force_text(workspace, accepted)
    if in_force is not None:  # checked when it was saved or accepted: compiled when used
        return ActiveRules(LazyRulesRouter(in_force, str(workspace.rules_path)),
                           version_of(in_force))
    try:
        ruleset = _load(workspace.rules_path)
    except RulesError as exc:
        return _fallback(workspace, accepted, exc)
    if accepted is not None and ruleset.sha256 != accepted:
        problem = RuleProblem(
            str(workspace.rules_path), None, None, None,
            f"the rules file was changed outside the app (version {ruleset.version}, "
            f"{ruleset.name!r}) and is not used until an admin accepts it", OUTSIDE_FIX)
        return _fallback(workspace, accepted, RulesError([problem]), version_info(ruleset))
    if promote and accepted is None:
        # A new workspace's first rules file (the preset `init` wrote): the first version.
        _promote(workspace, ledger, ruleset, workspace.rules_path.name)
    elif promote and _read(last_good_path(workspace)) != ruleset.text:
        _write_atomic(last_good_path(workspace), ruleset.text)  # the copy of the version
    from intake_desktop.core.rules.router import RulesRouter

    return ActiveRules(RulesRouter(ruleset), ruleset.version, None, ruleset)


def _in_force_text(workspace: Workspace, accepted: str | None) -> str | None:
    """rules.toml's text when it is the version in force as the ledger records it and its
    last good copy holds the same text (nothing to check, record or copy), else None."""
    if accepted is None:
        return None
    text = _read(workspace.rules_path)
    if text is None or hashlib.sha256(text.encode("utf-8")).hexdigest() != accepted:
        return None
    return text if _read(last_good_path(workspace)) == text else None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _fallback(workspace: Workspace, accepted: str | None, exc: RulesError,
              pending: RulesVersion | None = None) -> ActiveRules:
    from intake_desktop.core.rules.router import ReviewRouter, RulesRouter

    try:
        fallback = _in_force(workspace, accepted)
    except RulesError as lost:
        reason = f"the naming rules cannot be used ({exc.message}; {lost.message})"
        if not last_good_path(workspace).exists():
            reason = f"the naming rules cannot be used ({exc.message})"
        return ActiveRules(ReviewRouter(reason), "none", exc, None, pending)
    return ActiveRules(RulesRouter(fallback), fallback.version, exc, fallback, pending)


def pending_rules(workspace: Workspace, ledger: Ledger) -> RulesVersion | None:
    """rules.toml when it was changed outside the app and waits for an admin (None: it is
    the version in force, absent, or there is no version yet). For the Settings panel."""
    active = load_active_rules(workspace, ledger, promote=False)
    return active.pending


def accept_rules(workspace: Workspace, ledger: Ledger, actor: Actor) -> RulesVersion:
    """An admin accepts rules.toml as changed outside the app: it becomes the version in
    force, recorded as `rules_accepted` ("changed outside the app", who accepted, the
    version it replaces). Raises IntakeError for a non-admin, RulesError for an invalid
    file (the rules in force stay in force either way)."""
    if actor.role != "admin":
        raise IntakeError(
            f"only an admin may accept a rules file changed outside the app ({actor.user} "
            f"acts as {actor.role})", fix="sign in as an admin (--as NAME) and try again")
    ruleset = _load(workspace.rules_path)
    previous = ledger.chain.latest_event(VERSION_EVENTS)
    if previous is not None and previous.detail.get("sha256") == ruleset.sha256:
        _write_atomic(last_good_path(workspace), ruleset.text)
        return version_info(ruleset)  # already the version in force
    _write_atomic(last_good_path(workspace), ruleset.text)
    ledger.chain.record(
        RULES_ACCEPTED,
        rules_version=ruleset.version,
        detail={
            **_version_detail(ruleset, "changed outside the app"),
            "accepted_by": actor.user,
            "accepted_role": actor.role,
            "previous_version": previous.detail.get("version") if previous else None,
            "previous_sha256": previous.detail.get("sha256") if previous else None,
            "text": ruleset.text,
        },
    )
    return version_info(ruleset)


def save_rules(workspace: Workspace, ledger: Ledger | None, text: str, *,
               source: str = "saved", extra: dict[str, object] | None = None) -> RulesVersion:
    """Validate `text` and make it the active rules (for the settings panel; a rollback
    passes its `source` and what it rolled back to in `extra`).

    Raises RulesError and leaves the current rules untouched when `text` is not valid.
    """
    from intake_desktop.core.rules.ruleset import parse_rules

    ruleset = parse_rules(text, str(workspace.rules_path))
    _write_atomic(workspace.rules_path, text)
    _promote(workspace, ledger, ruleset, source, extra)
    return version_info(ruleset)


class WorkspaceRulesRouter:
    """Routes with the workspace's active rules and picks up edits to rules.toml.

    Long-lived filers (the watcher, the window) keep working across an admin's edit: a
    changed rules.toml is loaded before the next file (recorded as `rules_changed`); a
    broken one is reported once through `on_warning` and the rules in force stay in force.
    """

    def __init__(
        self,
        workspace: Workspace,
        ledger: Ledger | None,
        on_warning: Callable[[str], None],
        *,
        promote: bool = True,
    ) -> None:
        self.workspace = workspace
        self.ledger = ledger
        self.on_warning = on_warning
        self.promote = promote
        self._stamp: tuple[int, int] | None = None
        self.active = self._load()

    @property
    def rules_version(self) -> str:
        return self.active.version

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.workspace.rules_path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def _load(self) -> ActiveRules:
        self._stamp = self._file_stamp()
        active = load_active_rules(self.workspace, self.ledger, promote=self.promote)
        if active.error is not None:
            kept = (
                f"the last good rules (version {active.version}) stay in force"
                if active.ruleset is not None
                else "no earlier good rules exist, so every file goes to Review/"
            )
            self.on_warning(f"{active.error.message} ({kept})")
        if self.promote and self.ledger is not None:
            # Events written outside a routing decision (source removal, recovery) name it.
            self.ledger.rules_version = active.version
        return active

    def reload_if_changed(self) -> bool:
        """Reload when rules.toml changed since it was read; True when it did."""
        if self._file_stamp() == self._stamp:
            return False
        previous = self.active
        self.active = self._load()
        if self.active.error is not None and previous.error is None:
            # Keep the router already in force (same rules as the last good copy).
            self.active = ActiveRules(
                previous.router, previous.version, self.active.error, previous.ruleset
            )
        return True

    def snapshot(self) -> RulesRouter | LazyRulesRouter | None:
        """The rules in force as a router without side effects, for a preparation worker
        to route with (None: they failed to load, so routing stays here, where the
        warnings are shown). Its decisions are taken through `accept`."""
        router = self.active.router
        if self.active.error is not None or not routes_with_rules(router):
            return None
        return router

    def accept(self, decision: Decision) -> bool:
        """Whether a decision a worker made with `snapshot` stands: the rules in force are
        still the version it used (rules.toml is checked as before every file). The
        router then remembers it as if it had made it (a parent's folder, for its
        attachments)."""
        self.reload_if_changed()
        router = self.active.router
        if (self.active.error is not None or decision.rules_version != self.rules_version
                or not routes_with_rules(router)):
            return False
        router.remember(decision)
        return True

    def route(self, candidate: Candidate) -> Decision:
        self.reload_if_changed()
        try:
            return self.active.router.route(candidate)
        except Exception as exc:
            return self._fall_back(candidate, exc)

    def _fall_back(self, candidate: Candidate, exc: Exception) -> Decision:
        """The rules in force failed on this file: try the last good version (when it is
        another version), else Review/ with the error. The error is shown either way."""
        what = str(exc) or exc.__class__.__name__
        try:
            last = _load(last_good_path(self.workspace))
        except RulesError:
            last = None
        if last is not None and last.version != self.active.version:
            from intake_desktop.core.rules.router import RulesRouter

            try:
                decision = RulesRouter(last).route(candidate)
            except Exception:
                pass
            else:
                self.on_warning(f"{candidate.source.name}: {what} (filed with the last good "
                                f"rules, version {last.version})")
                return decision
        self.on_warning(f"{candidate.source.name}: {what} (sent to Review/)")
        return Decision(
            matter=candidate.matter_hint,
            review_reason=f"the naming rules failed on this file: {what}. Correct the rule "
            "(rules check), then file it again from Review/",
            rule="rules-failed",
            rules_version=self.active.version,
        )
