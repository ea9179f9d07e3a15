"""Filing: one path from any source to Matters/ or Review/ (plan, then execute).

plan.py decides (matter, rule, folder, name, collisions, duplicates) without writing;
filer.py executes the DESIGN.md protocol for every entry point (ingest, the watcher, the
review actions) and recovers after a crash; claims.py keeps every file exactly once;
undo.py takes a filing back.
"""

from intake_desktop.core.filing.claims import (
    FILER_OWNER_PREFIX,
    claim_key,
    folder_label,
    new_owner_id,
    pid_alive,
)
from intake_desktop.core.filing.filer import LINK_REASON, MAX_CHILD_DEPTH, Filer
from intake_desktop.core.filing.plan import (
    FilingPlan,
    ReservingNamer,
    Source,
    SourceKind,
    Target,
    plan_filing,
)
from intake_desktop.core.filing.progress import IngestProgress, duration
from intake_desktop.core.filing.results import IngestResult, Outcome
from intake_desktop.core.filing.sidecars import sidecar_path
from intake_desktop.core.filing.translations import date_provenance, translation_pair
from intake_desktop.core.filing.undo import UndoError, find_target, undo_document

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
    "translation_pair",
    "undo_document",
]
