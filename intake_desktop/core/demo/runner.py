"""Run the demo: create a separate workspace, drop the generated documents into Intake/,
file them with the user's own filer, and build the example exhibit set.

Three matters, one per shipped preset, share one workspace while a workspace has one
active `rules.toml`. The demo files each matter while that matter's preset is the active
rules (made active the way the admin panel does it, so each switch is a `rules_changed`
event and every filing event names the rules version that decided it), and leaves the
litigation preset active at the end. Files added later to the injury or immigration
matter are therefore routed by the litigation rules; `intake-desktop rules preview` shows
where.

The composition root is not importable from core, so the caller passes `open_app` and
`build_filer` (the CLI and the window pass `intake_desktop.app`'s functions).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from intake_desktop.core import shipped
from intake_desktop.core.checklists import assign_checklist, shipped_checklists
from intake_desktop.core.demo.cache import demo_documents, ocr_cache
from intake_desktop.core.demo.cast import MATTER_CHECKLISTS, MATTER_PRESETS
from intake_desktop.core.demo.documents import DEFAULT_SEED, DemoDocument
from intake_desktop.core.demo.early import EarlyPreparation
from intake_desktop.core.demo.supervision import (
    SupervisionOutcome,
    attorney_decides,
    attorney_signs_off,
    create_people,
)
from intake_desktop.core.empty_workspace import workspace_is_empty
from intake_desktop.core.errors import IntakeError, WorkspaceError
from intake_desktop.core.exhibits.build import build_set
from intake_desktop.core.exhibits.labels import file_stem
from intake_desktop.core.exhibits.sources import ledger_resolver
from intake_desktop.core.exhibits.spec import load_spec
from intake_desktop.core.filing import Filer, IngestResult, Outcome
from intake_desktop.core.ledger import Ledger
from intake_desktop.core.mover import write_new_file
from intake_desktop.core.ocr import OcrEngine
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress
from intake_desktop.core.rules import save_rules
from intake_desktop.core.signoff import OutputKind, record_draft
from intake_desktop.core.workspace import (
    Workspace,
    default_demo_dir,
    default_workspace_dir,
    init_workspace,
    read_preset,
)

FINAL_PRESET = "litigation"
EXAMPLE_SPEC = "exhibits-reyes-v-acme.toml"
TIME_BUDGET_S = 60.0
WORKSPACE_COURTS = "courts"  # the workspace's own court profiles, in .intake/


def examples_dir() -> Path:
    """The repository's examples/ folder (specs a user can copy)."""
    return shipped.examples_dir()


class DemoApp(Protocol):
    """What the demo needs from an opened workspace (`intake_desktop.app.App` has it)."""

    @property
    def workspace(self) -> Workspace: ...

    @property
    def ledger(self) -> Ledger: ...

    def close(self) -> None: ...


AppT = TypeVar("AppT", bound=DemoApp)


@dataclass
class DocumentOutcome:
    """What the pipeline did with one generated document."""

    document: DemoDocument
    status: str  # filed, review, duplicate, ignored, error, missing
    path: str | None = None
    reason: str | None = None
    rule: str = ""
    category: str = ""
    document_id: int | None = None
    children: list[dict[str, Any]] = field(default_factory=list)
    source_path: str = ""  # where it lay in Intake/ before filing

    @property
    def short_reason(self) -> str:
        """The reason without the intake path some stages put in front of it."""
        reason = self.reason or ""
        prefix = f"{self.source_path}: "
        return reason[len(prefix):] if self.source_path and reason.startswith(prefix) else reason

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.document.relative,
            "matter": self.document.matter,
            "kind": str(self.document.kind),
            "description": self.document.description,
            "sha256": self.document.sha256,
            "status": self.status,
            "path": self.path,
            "reason": self.reason,
            "rule": self.rule,
            "category": self.category,
            "document_id": self.document_id,
            "children": self.children,
        }


@dataclass
class ExhibitOutcome:
    spec: str
    built: bool
    out_dir: str | None = None
    exhibits: int = 0
    index: list[str] = field(default_factory=list)
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"spec": self.spec, "built": self.built, "out": self.out_dir,
                "exhibits": self.exhibits, "index": self.index, "reason": self.reason}


@dataclass
class DemoReport:
    workspace: Path
    seed: int
    outcomes: list[DocumentOutcome]
    rules: dict[str, str]  # matter -> the rules that filed it
    active_rules: str
    exhibit_set: ExhibitOutcome | None
    elapsed_s: float = 0.0
    generate_s: float = 0.0
    cancelled: bool = False
    supervision: SupervisionOutcome | None = None
    # Documents of a later matter prepared (converted) early, beside the filing before it.
    prepared_early: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def ok(self) -> bool:
        filed = all(
            o.status in (Outcome.FILED, Outcome.REVIEW, Outcome.DUPLICATE) for o in self.outcomes
        )
        built = self.exhibit_set is None or self.exhibit_set.built
        return filed and built and not self.cancelled

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": str(self.workspace),
            "seed": self.seed,
            "documents": len(self.outcomes),
            "filed": self.count(Outcome.FILED),
            "review": self.count(Outcome.REVIEW),
            "duplicates": self.count(Outcome.DUPLICATE),
            "errors": sum(o.status not in (Outcome.FILED, Outcome.REVIEW, Outcome.DUPLICATE)
                          for o in self.outcomes),
            "rules": self.rules,
            "active_rules": self.active_rules,
            "exhibit_set": self.exhibit_set.to_json() if self.exhibit_set else None,
            "supervision": self.supervision.to_json() if self.supervision else None,
            "prepared_early": self.prepared_early,
            "elapsed_s": round(self.elapsed_s, 2),
            "generate_s": round(self.generate_s, 2),
            "within_budget": self.elapsed_s < TIME_BUDGET_S,
            "ok": self.ok,
        }


# ---- the empty-workspace check (the window offers the demo on an empty workspace) -------------


def is_workspace_empty(app: DemoApp) -> bool:
    """True for a workspace with nothing in it yet: the window then offers the demo."""
    return workspace_is_empty(app.workspace, app.ledger)


def _check_target(root: Path) -> None:
    """Refuse the user's real workspace and any folder that already holds files."""
    if root.resolve() == default_workspace_dir().resolve():
        raise WorkspaceError(
            "the demo never fills your real workspace",
            path=root,
            fix=f"omit --workspace (the demo goes to {default_demo_dir()}) or choose an "
            "empty folder",
        )
    if not root.exists():
        return
    if not root.is_dir():
        raise WorkspaceError("this is a file, not a folder", path=root,
                             fix="choose a new or empty folder for the demo")
    ws = Workspace(root)
    if ws.is_initialized():
        if workspace_is_empty(ws, None):
            return  # the ledger is checked once it is open
        raise WorkspaceError(
            "this workspace already has documents, and the demo only fills a new or empty "
            "folder; nothing was changed",
            path=root,
            fix="to look at it, give this folder to `intake-desktop --workspace`; for a "
            f"fresh demo run `intake-desktop demo` (it goes to {default_demo_dir()}) or give a new "
            "folder with --workspace",
        )
    if any(root.iterdir()):
        raise WorkspaceError(
            "this folder is not empty and is not a workspace",
            path=root,
            fix="choose a new or empty folder for the demo",
        )


# ---- rules: one preset per matter -----------------------------------------------------------


def _activate_preset(workspace: Workspace, ledger: Ledger, preset: str) -> str:
    """Make `preset` the active rules the way the admin panel saves them; say what is in force."""
    version = save_rules(workspace, ledger, read_preset(preset))
    return f"{preset} preset (rules version {version.version})"


def _assign_checklist(ledger: Ledger, matter: str) -> None:
    """The demo matter follows its practice's checklist (a recorded event)."""
    wanted = MATTER_CHECKLISTS.get(matter)
    chosen = next((c for c in shipped_checklists() if c.id == wanted), None)
    if chosen is not None:
        assign_checklist(ledger, matter, chosen)


# ---- the example exhibit set -------------------------------------------------------------


def build_example_exhibits(
    workspace: Workspace,
    ledger: Ledger,
    spec_path: Path | None = None,
    out_dir: Path | None = None,
    on_progress: ProgressCallback = no_progress,
) -> ExhibitOutcome:
    """Build examples/exhibits-reyes-v-acme.toml (default: into Exports/<set name>/) the way
    `intake-desktop exhibits build` does."""
    spec_path = spec_path or examples_dir() / EXAMPLE_SPEC
    if not spec_path.is_file():
        return ExhibitOutcome(str(spec_path), False, reason="the example spec is missing")
    try:
        spec = load_spec(spec_path)
        result = build_set(
            spec,
            out_dir or workspace.exports / file_stem(spec.name),
            ledger,
            resolve=ledger_resolver(ledger, workspace.root),
            workspace_root=workspace.root,
            scratch_dir=workspace.work,
            courts_dir=workspace.state / WORKSPACE_COURTS,
            on_progress=on_progress,
        )
    except IntakeError as exc:
        return ExhibitOutcome(str(spec_path), False, reason=exc.message)
    first = next((e.bates_first for e in result.exhibits if e.bates_first), None)
    last = next((e.bates_last for e in reversed(result.exhibits) if e.bates_last), None)
    record_draft(ledger, result.out_dir, workspace.root, kind=OutputKind.EXHIBIT_SET,
                 name=spec.name, spec=spec_path, matter=spec.matter, bates_first=first,
                 bates_last=last)  # a draft until the attorney signs it off
    return ExhibitOutcome(
        str(spec_path), True, out_dir=str(result.out_dir), exhibits=len(result.exhibits),
        index=[str(p) for p in result.index_files],
    )


# ---- the run -----------------------------------------------------------------------------


def _outcome(doc: DemoDocument, result: IngestResult | None) -> DocumentOutcome:
    if result is None:
        return DocumentOutcome(doc, "missing", reason="the pipeline returned no result")
    return DocumentOutcome(
        doc, str(result.status), path=result.path, reason=result.reason, rule=result.rule,
        category=result.category, document_id=result.document_id,
        children=[child.to_json() for child in result.children], source_path=result.source,
    )


def drop_documents(workspace: Workspace, docs: list[DemoDocument]) -> dict[Path, DemoDocument]:
    """Write the documents into Intake/<matter>/... as a person dropping them would."""
    placed = {}
    for doc in docs:
        dest = workspace.intake / doc.matter / Path(*doc.relative.split("/"))
        final = write_new_file(dest, doc.data)
        placed[final.resolve()] = doc
    return placed


def run_demo(
    workspace_root: Path | None = None,
    on_progress: ProgressCallback = no_progress,
    *,
    open_app: Callable[[Path], AppT],
    build_filer: Callable[[AppT], Filer],
    cancel: CancelFlag | None = None,
    seed: int = DEFAULT_SEED,
) -> DemoReport:
    """Create the demo workspace and file the generated matters through the real pipeline."""
    started = time.perf_counter()
    root = Path(workspace_root) if workspace_root else default_demo_dir()
    _check_target(root)
    matters = list(MATTER_PRESETS)
    on_progress(0, 1, "generating documents")
    docs = demo_documents(seed)  # generated once, then read back from the user's cache
    generated = time.perf_counter() - started
    total = len(docs) + 2
    init_workspace(root, FINAL_PRESET)
    app = open_app(root)
    engine = getattr(app, "ocr", None)
    if isinstance(engine, OcrEngine):  # the demo's scans were OCRed on an earlier run
        engine.cache = ocr_cache(seed)
    if not is_workspace_empty(app):
        app.close()
        raise WorkspaceError(
            "this workspace's ledger already has documents",
            path=root,
            fix="give the demo a new or empty folder with --workspace",
        )
    outcomes: list[DocumentOutcome] = []
    rules_used: dict[str, str] = {}
    exhibit: ExhibitOutcome | None = None
    cancelled = False
    people = SupervisionOutcome()
    prepared_early: list[str] = []  # documents a background process prepared (early.py)
    try:
        ws = app.workspace
        # A paralegal files and builds; the attorney signs off what goes out.
        app.ledger.actor = create_people(app.ledger)
        done = 1
        dropped: dict[str, dict[Path, DemoDocument]] = {}
        early: dict[str, EarlyPreparation] = {}  # by matter: started beside the first one
        try:
            for number, matter in enumerate(matters):
                if cancel is not None and cancel.is_set():
                    cancelled = True
                    break
                batch = [d for d in docs if d.matter == matter]
                rules_used[matter] = _activate_preset(ws, app.ledger, MATTER_PRESETS[matter])
                _assign_checklist(app.ledger, matter)
                placed = dropped.pop(matter, None) or drop_documents(ws, batch)
                base = done

                def progress(n: int, _total: int, message: str, base: int = base) -> None:
                    on_progress(min(base + n, total - 1), total,
                                f"filing {Path(message).name}")

                filer = build_filer(app)
                if number == 0:
                    # Every later matter's long conversions start now, beside this filing.
                    for following in matters[1:]:
                        dropped[following] = drop_documents(
                            ws, [d for d in docs if d.matter == following])
                        early[following] = EarlyPreparation(filer, list(dropped[following]))
                        prepared_early += [dropped[following][path].relative
                                           for path in early[following].started]
                if matter in early:  # started while the matters before were filed
                    filer.prepared_ahead.update(early[matter].take())
                try:
                    results = filer.ingest(
                        [ws.intake / matter], on_progress=progress, cancel=cancel
                    )
                finally:
                    if matter in early:
                        early.pop(matter).close()
                by_source = {Path(r.source).resolve(): r for r in results}
                outcomes += [_outcome(doc, by_source.get(path)) for path, doc in placed.items()]
                done += len(batch)
        finally:
            for waiting in early.values():
                waiting.close()
        active = _activate_preset(ws, app.ledger, FINAL_PRESET)
        if not cancelled and not (cancel is not None and cancel.is_set()):
            on_progress(total - 1, total, "building the example exhibit set")
            exhibit = build_example_exhibits(ws, app.ledger)
            if exhibit.built and exhibit.out_dir:
                try:
                    attorney_signs_off(app.ledger, Path(exhibit.out_dir), ws.root, people)
                except IntakeError as exc:
                    people.reason = exc.message
            attorney_decides(app.ledger, people)
        else:
            cancelled = True
    finally:
        app.close()
    on_progress(total, total, "done")
    return DemoReport(
        workspace=root, seed=seed, outcomes=outcomes, rules=rules_used, active_rules=active,
        exhibit_set=exhibit, elapsed_s=time.perf_counter() - started, generate_s=generated,
        cancelled=cancelled, supervision=people, prepared_early=prepared_early,
    )
