"""Court-fit in the ledger: one event per output part, linked to the input by path and hash
(the same events whether `intake-desktop fit` or the window made the parts)."""

from __future__ import annotations

from intake_desktop.core.courts import CourtProfile
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger import EventKind, Ledger
from intake_desktop.core.pdf.compress import Cancelled
from intake_desktop.core.pdf.fit import STEPS, FitResult, fit_pdf
from intake_desktop.core.pdf.fit_plan import FitPlan, plan_fit

__all__ = ["STEPS", "Cancelled", "FitPlan", "FitResult", "fit_pdf", "plan_fit", "record_fit"]


def record_fit(ledger: Ledger, result: FitResult, profile: CourtProfile, limit: int) -> None:
    """Record what `fit_pdf` made of one input (OCR first when the court wanted text)."""
    before = sha256_file(result.input)
    if result.ocr is not None:  # the court wanted a text layer: OCR came first
        ledger.chain.record(
            EventKind.OCR,
            path_before=str(result.input.resolve()),
            sha256_before=result.ocr.get("sha256_before", before),
            sha256_after=result.ocr.get("sha256_after", before),
            detail={**result.ocr, "operation": "fit", "court": profile.id},
        )
    kind = EventKind.SPLIT if len(result.parts) > 1 else EventKind.CONVERTED
    for n, part in enumerate(result.parts, 1):
        ledger.chain.record(
            kind,
            path_before=str(result.input.resolve()),
            path_after=str(part.path.resolve()),
            sha256_before=before,
            sha256_after=sha256_file(part.path),
            detail={
                "operation": "fit",
                "part": n,
                "parts": len(result.parts),
                "first_page": part.first_page,
                "last_page": part.last_page,
                "bytes": part.bytes,
                "actions": list(result.actions),
                "changes": result.changes,
                "kept": [k.as_json() for k in result.kept],
                "court": profile.id,
                "limit_bytes": limit,
            },
        )
