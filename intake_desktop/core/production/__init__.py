"""Productions: Bates-numbered volumes with DAT/OPT load files, families, hashes and a
privilege log (issue 19). `intake-desktop produce` uses what is exported here."""

from intake_desktop.core.production.build import ProductionResult, earlier_productions, produce
from intake_desktop.core.production.plan import number_documents, plan_production
from intake_desktop.core.production.spec import ProductionSpec, load_production_spec

__all__ = [
    "ProductionResult",
    "ProductionSpec",
    "earlier_productions",
    "load_production_spec",
    "number_documents",
    "plan_production",
    "produce",
]
