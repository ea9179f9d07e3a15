"""Exhibit sets: labels, Bates numbers, slip sheets, exhibit index, chronology, binders.

The front ends (commands/exhibits.py, the window's builder) use what is exported here.
"""

from intake_desktop.core.exhibits.build import BuildResult, build_set
from intake_desktop.core.exhibits.court import check_warnings, court_fit
from intake_desktop.core.exhibits.labels import exhibit_id, file_stem, full_label, letters
from intake_desktop.core.exhibits.model import BuildError, BuiltExhibit
from intake_desktop.core.exhibits.numbering import plan_numbers
from intake_desktop.core.exhibits.sources import ledger_resolver, number_exhibits, plan_exhibits
from intake_desktop.core.exhibits.spec import ExhibitSetSpec, load_spec

__all__ = [
    "BuildError",
    "BuildResult",
    "BuiltExhibit",
    "ExhibitSetSpec",
    "build_set",
    "check_warnings",
    "court_fit",
    "exhibit_id",
    "file_stem",
    "full_label",
    "ledger_resolver",
    "letters",
    "load_spec",
    "number_exhibits",
    "plan_exhibits",
    "plan_numbers",
]
