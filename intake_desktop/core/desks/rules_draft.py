"""What the settings panel needs from a naming-rules engine: check, preview, save.

The panel talks to a `RulesBackend`. `default_backend()` uses the naming-rules engine
(`intake_desktop.core.rules`) when it is installed, and otherwise a TOML-syntax-only
backend that routes with the built-in router and cannot save.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import DocumentRecord, Ledger
from intake_desktop.core.paths import is_within
from intake_desktop.core.pipeline import BuiltinRouter, Candidate, Decision, Router
from intake_desktop.core.workspace import Workspace

RULES_PACKAGE = "intake_desktop.core.rules"


@dataclass(frozen=True)
class RuleProblem:
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

    def __init__(self, problems: list[RuleProblem], *, path: Path | None = None) -> None:
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


_LINE_COL = re.compile(r"at line (\d+), column (\d+)")


def toml_problems(text: str) -> list[RuleProblem]:
    """TOML syntax errors with their line and column (an empty list when it parses)."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = _LINE_COL.search(message)
        clean = _LINE_COL.sub("", message).strip(" ()")
        if m:
            return [RuleProblem(clean, int(m.group(1)), int(m.group(2)))]
        return [RuleProblem(clean)]
    return []


class SyntaxOnlyBackend:
    """Used while the naming-rules engine is not installed: TOML syntax only, built-in routes."""

    name = "built-in (naming rules not installed)"
    can_save = False

    def compile(self, text: str) -> Router:
        problems = toml_problems(text)
        if problems:
            raise RulesInvalid(problems)
        return BuiltinRouter()

    def save(self, text: str) -> str:
        raise IntakeError(
            "this build has no naming-rules engine, so rules cannot be saved here",
            fix="install the naming-rules feature, or edit .intake/rules.toml by hand",
        )


def rules_engine_installed() -> bool:
    return importlib.util.find_spec(RULES_PACKAGE) is not None


def default_backend(workspace: Workspace, ledger: Ledger) -> RulesBackend:
    """The naming-rules engine when installed, else the syntax-only backend."""
    if rules_engine_installed():
        from intake_desktop.core.desks.rules_backend import EngineBackend

        return EngineBackend(workspace, ledger)
    return SyntaxOnlyBackend()


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
    """A decision as a workspace path, or `Review/ (reason)`."""
    if decision.review_reason or not decision.matter:
        return f"Review/ ({decision.review_reason or 'no matter'})"
    path = PurePosixPath("Matters", decision.matter)
    if decision.folder:
        path /= decision.folder
    return (path / (decision.filename or "?")).as_posix()


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


def preview(before: Router, after: Router, candidates: list[Candidate]) -> list[PreviewRow]:
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
