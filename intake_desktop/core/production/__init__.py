"""Productions: Bates-numbered volumes with DAT/OPT load files, families, hashes and a
privilege log (issue 19). `intake-desktop produce` uses what is exported here."""

from intake_desktop.core.production.build import ProductionResult, earlier_productions, produce
from intake_desktop.core.production.desk import (
    CONFIDENTIALITY_CHOICES,
    DryRun,
    ProductionChoices,
    WithholdChoice,
    build_production,
    candidates,
    default_out_dir,
    dry_run,
    next_volume,
    spec_from_choices,
)
from intake_desktop.core.production.lookup import productions_of
from intake_desktop.core.production.plan import number_documents, plan_production
from intake_desktop.core.production.spec import IMAGE_FORMATS, ProductionSpec, load_production_spec

__all__ = [
    "CONFIDENTIALITY_CHOICES",
    "IMAGE_FORMATS",
    "DryRun",
    "ProductionChoices",
    "ProductionResult",
    "ProductionSpec",
    "WithholdChoice",
    "build_production",
    "candidates",
    "default_out_dir",
    "dry_run",
    "earlier_productions",
    "load_production_spec",
    "next_volume",
    "number_documents",
    "plan_production",
    "produce",
    "productions_of",
    "spec_from_choices",
]
