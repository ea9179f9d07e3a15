"""What the settings panel needs from the naming-rules engine: check, preview, save.

The panel talks to a `RulesBackend`; `default_backend()` is the naming-rules engine
(`intake_desktop.core.rules`), and tests hand the panel a fake one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import DocumentRecord, Ledger
from intake_desktop.core.paths import is_within
from intake_desktop.core.pipeline import Candidate, Decision, Router
from intake_desktop.core.rules import RulesError, RulesRouter, parse_rules, save_rules
from intake_desktop.core.workspace import Workspace


@dataclass(frozen=True)
class DraftProblem:
    """One error in a rules text, at a 1-based line and column when known."""

    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else ""
        if where and self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}" if where else self.message


class RulesInvalid(IntakeError):
    """The rules text does not validate; `problems` says where."""

    def __init__(self, problems: list[DraftProblem], *, path: Path | None = None) -> None:
        self.problems = problems
        super().__init__(
            "; ".join(str(p) for p in problems) or "the rules are not valid",
            path=path,
            fix="correct the lines shown and save again",
        )


class RulesBackend(Protocol):
    name: str
    can_save: bool

    def compile(self, text: str) -> Router:
        """A router for `text`; raises RulesInvalid naming the line and the fix."""

    def save(self, text: str) -> str:
        """Validate, write the active rules and record the new version; returns the version."""


def _problems(exc: RulesError) -> list[DraftProblem]:
    out = []
    for p in exc.problems:
        where = []
        if p.rule:
            where.append(f"rule {p.rule!r}")
        if p.field:
            where.append(str(p.field))
        prefix = (", ".join(where) + ": ") if where else ""
        out.append(DraftProblem(f"{prefix}{p.error}" + (f". Fix: {p.fix}" if p.fix else ""),
                                line=p.line))
    return out or [DraftProblem(exc.message)]


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


def default_backend(workspace: Workspace, ledger: Ledger) -> RulesBackend:
    """The naming-rules engine over this workspace's rules."""
    return EngineBackend(workspace, ledger)


# ---- the before/after preview ------------------------------------------------------------


@dataclass(frozen=True)
class PreviewRow:
    """Where one recent file goes under the saved rules (before) and the edited ones (after)."""

    name: str
    before: str
    after: str
    rule: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def describe(decision: Decision) -> str:
    """A decision as a workspace path (with the approval a rule asks for), or
    `Review/ (reason)`."""
    if decision.review_reason or not decision.matter:
        return f"Review/ ({decision.review_reason or 'no matter'})"
    path = PurePosixPath("Matters", decision.matter)
    if decision.folder:
        path /= decision.folder
    where = (path / (decision.filename or "?")).as_posix()
    if decision.approval:
        where += f" (provisional: needs an {decision.approval}'s approval)"
    return where


def sample_candidates(
    workspace: Workspace,
    ledger: Ledger,
    intake_folders: list[Path],
    *,
    limit: int = 20,
) -> list[Candidate]:
    """Candidates rebuilt from the latest documents, read from their preserved copies."""
    out = []
    for doc in ledger.docs.recent_documents(limit):
        candidate = candidate_from_document(workspace, doc, intake_folders)
        if candidate is not None:
            out.append(candidate)
    return out


def candidate_from_document(
    workspace: Workspace, doc: DocumentRecord, intake_folders: list[Path]
) -> Candidate | None:
    kept = doc.original_path or doc.filed_path
    if not kept:
        return None
    source = workspace.root / kept
    src = Path(doc.source_path)
    relative = PurePosixPath(src.name)
    hint = doc.matter_id
    for folder in [workspace.intake, *intake_folders]:
        if is_within(src, folder):
            relative = PurePosixPath(src.resolve().relative_to(folder.resolve()).as_posix())
            if folder == workspace.intake and len(relative.parts) > 1:
                hint = relative.parts[0]
            break
    return Candidate(
        source=source, relative=relative, matter_hint=hint, detected_type=doc.detected_type,
        sha256=doc.sha256, size=doc.size,
    )


def before_and_after(
    before: Router, after: Router, candidates: list[Candidate]
) -> list[PreviewRow]:
    """Route each candidate with both routers (touching nothing)."""
    rows = []
    for c in candidates:
        try:
            a = describe(before.route(c))
        except IntakeError as exc:
            a = f"error: {exc.what}"
        try:
            decision = after.route(c)
            b, rule = describe(decision), decision.rule
        except IntakeError as exc:
            b, rule = f"error: {exc.what}", ""
        rows.append(PreviewRow(name=c.relative.as_posix(), before=a, after=b, rule=rule))
    return rows
