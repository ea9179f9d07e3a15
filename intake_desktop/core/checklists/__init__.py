"""Matter checklists: what a matter expects, what has arrived, what is missing, and the
letter asking the client for it. Checklists are data (naming_rules/checklists/*.toml)."""

from intake_desktop.core.checklists.desk import (
    available_checklists,
    checklist_text,
    is_edited,
    save_checklist,
    shipped_checklist_path,
    workspace_checklist_path,
)
from intake_desktop.core.checklists.letter import LetterResult, write_request_letter
from intake_desktop.core.checklists.loader import (
    ChecklistError,
    ChecklistProblem,
    load_checklist,
    parse_checklist,
    shipped_checklists,
)
from intake_desktop.core.checklists.model import Checklist, ChecklistItem, Expected
from intake_desktop.core.checklists.status import (
    ChecklistUnavailable,
    ItemState,
    ItemStatus,
    MatterChecklist,
    assign_checklist,
    assigned_at,
    matter_checklist,
    waive_item,
)

__all__ = [
    "Checklist",
    "ChecklistError",
    "ChecklistItem",
    "ChecklistProblem",
    "ChecklistUnavailable",
    "Expected",
    "ItemState",
    "ItemStatus",
    "LetterResult",
    "MatterChecklist",
    "assign_checklist",
    "assigned_at",
    "available_checklists",
    "checklist_text",
    "is_edited",
    "load_checklist",
    "matter_checklist",
    "parse_checklist",
    "save_checklist",
    "shipped_checklist_path",
    "shipped_checklists",
    "waive_item",
    "workspace_checklist_path",
    "write_request_letter",
]
