"""Filing: one path from any source to Matters/ or Review/ (plan, then execute).

plan.py decides (matter, rule, folder, name, collisions, duplicates) without writing;
filer.py executes the DESIGN.md protocol for every entry point (ingest, the watcher, the
review actions) and recovers after a crash; claims.py keeps every file exactly once;
undo.py takes a filing back; early.py starts an `ingest`'s preparation before the ledger
is open.

The names below load with the module that defines them, when first used: `ingest` starts
its preparation workers (early.py) before the ledger and the filer are imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake_desktop.core.lazy import exports

if TYPE_CHECKING:
    from intake_desktop.core.filing.claims import (
        FILER_OWNER_PREFIX,
        claim_key,
        folder_label,
        new_owner_id,
        pid_alive,
    )
    from intake_desktop.core.filing.early import start_early
    from intake_desktop.core.filing.filer import LINK_REASON, Filer
    from intake_desktop.core.filing.plan import (
        FilingPlan,
        ReservingNamer,
        Target,
        plan_filing,
    )
    from intake_desktop.core.filing.progress import IngestProgress, duration
    from intake_desktop.core.filing.results import IngestResult, Outcome
    from intake_desktop.core.filing.sidecars import sidecar_path
    from intake_desktop.core.filing.sources import MAX_CHILD_DEPTH, Source, SourceKind
    from intake_desktop.core.filing.translations import date_provenance, translation_pair
    from intake_desktop.core.filing.undo import UndoError, find_target, undo_document

# Each name and the module (core/filing/<module>.py) it comes from.
_HOMES = {
    "FILER_OWNER_PREFIX": "claims",
    "claim_key": "claims",
    "folder_label": "claims",
    "new_owner_id": "claims",
    "pid_alive": "claims",
    "start_early": "early",
    "LINK_REASON": "filer",
    "MAX_CHILD_DEPTH": "sources",
    "Filer": "filer",
    "FilingPlan": "plan",
    "ReservingNamer": "plan",
    "Target": "plan",
    "plan_filing": "plan",
    "IngestProgress": "progress",
    "duration": "progress",
    "IngestResult": "results",
    "Outcome": "results",
    "sidecar_path": "sidecars",
    "Source": "sources",
    "SourceKind": "sources",
    "date_provenance": "translations",
    "translation_pair": "translations",
    "UndoError": "undo",
    "find_target": "undo",
    "undo_document": "undo",
}


__getattr__ = exports(__name__, _HOMES)

__all__ = [
    "FILER_OWNER_PREFIX",
    "LINK_REASON",
    "MAX_CHILD_DEPTH",
    "Filer",
    "FilingPlan",
    "IngestProgress",
    "IngestResult",
    "Outcome",
    "ReservingNamer",
    "Source",
    "SourceKind",
    "Target",
    "UndoError",
    "claim_key",
    "date_provenance",
    "duration",
    "find_target",
    "folder_label",
    "new_owner_id",
    "pid_alive",
    "plan_filing",
    "sidecar_path",
    "start_early",
    "translation_pair",
    "undo_document",
]
