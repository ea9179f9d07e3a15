"""What the window's Production page needs from core: the candidate documents of a matter
(by category or by a saved browser search), the spec the page's choices make (TOML, so the
same volume can be rebuilt with `intake-desktop produce`), a dry run that numbers everything
without taking a Bates number, and the build, which keeps the spec beside the volume."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.exhibits.spec import SpecError
from intake_desktop.core.ledger import DocStatus, DocumentRecord, EventKind, Ledger
from intake_desktop.core.mover import Mover
from intake_desktop.core.production.build import (
    PRODUCED,
    WITHHELD,
    ProductionResult,
    earlier_productions,
    produce,
)
from intake_desktop.core.production.plan import (
    PlannedDoc,
    ProductionError,
    number_documents,
    plan_production,
)
from intake_desktop.core.production.spec import (
    CONFIDENTIALITY_DEFAULT,
    ProductionSpec,
    parse_production_spec,
)
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress
from intake_desktop.core.saved_searches import load_searches, search_documents
from intake_desktop.core.signoff import OutputKind, record_draft
from intake_desktop.core.workspace import Workspace

PRODUCTIONS_FOLDER = "Productions"  # under Exports/
CONFIDENTIALITY_CHOICES = ("", CONFIDENTIALITY_DEFAULT,
                           "HIGHLY CONFIDENTIAL - ATTORNEYS' EYES ONLY")


@dataclass(frozen=True)
class WithholdChoice:
    """A document withheld as privileged, as the attorney described it in the window."""

    document_id: int
    privileges: tuple[str, ...] = ("attorney-client",)
    description: str = ""


@dataclass(frozen=True)
class ProductionChoices:
    """Everything the Production page asks for."""

    matter: str
    documents: tuple[int, ...]  # in production order (families are completed by the plan)
    volume: str
    prefix: str
    digits: int = 6
    start: int | None = None  # None: the prefix's next free number
    confidentiality: str = CONFIDENTIALITY_DEFAULT
    image_format: str = "pdf"
    withheld: tuple[WithholdChoice, ...] = ()
    custodian: str = ""
    producing_party: str = ""
    served_on: str = ""


@dataclass
class DryRun:
    """What a build would produce, numbered from the next free Bates number; no number is
    taken and nothing is written."""

    spec: ProductionSpec
    docs: list[PlannedDoc]
    first: int
    pages: int
    warnings: list[str] = field(default_factory=list)

    @property
    def bates_first(self) -> str:
        return self.spec.bates.number(self.first) if self.pages else ""

    @property
    def bates_last(self) -> str:
        return self.spec.bates.number(self.first + self.pages - 1) if self.pages else ""


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def candidates(ledger: Ledger, ws: Workspace, matter: str, *, categories: Sequence[str] = (),
               search: str | None = None) -> list[DocumentRecord]:
    """The filed documents of `matter` in these categories (all when none), or those a saved
    browser search lists (limited to the matter), oldest document date first."""
    if search:
        saved = load_searches(ws).get(search)
        if saved is None:
            raise ProductionError(f"there is no saved search named {search!r}",
                                  fix="save it in the exhibit browser or pick another")
        found = [d for d in search_documents(ledger.docs, saved)
                 if d.status == DocStatus.FILED and d.filed_path
                 and (not matter or d.matter_id == matter)]
        return found
    docs = [d for d in ledger.docs.documents(status=DocStatus.FILED, matter_id=matter or None)
            if d.filed_path and (not categories or d.category in categories)]
    return sorted(docs, key=lambda d: (d.document_date or "9999", d.id))


def next_volume(ledger: Ledger) -> str:
    """PROD001, or the number after the highest PROD volume produced so far."""
    highest = 0
    for kind in (PRODUCED, WITHHELD):
        for event in ledger.chain.kind_events(kind):
            found = re.fullmatch(r"PROD(\d+)", str(event.detail.get("volume", "")))
            if found:
                highest = max(highest, int(found.group(1)))
    return f"PROD{highest + 1:03d}"


def spec_toml(choices: ProductionChoices) -> str:
    """The production spec these choices make (annotated, for `intake-desktop produce`)."""
    out = [
        "# Made in the window's Production page; rebuild the same selection with",
        "#   intake-desktop produce THIS-FILE --out NEW-FOLDER",
        "[production]",
        f"volume = {_q(choices.volume)}",
        f"matter = {_q(choices.matter)}",
        f"image_format = {_q(choices.image_format)}",
        f"confidentiality = {_q(choices.confidentiality)}",
    ]
    for key in ("custodian", "producing_party", "served_on"):
        value = getattr(choices, key)
        if value:
            out.append(f"{key} = {_q(value)}")
    out += ["", "[bates]", f"prefix = {_q(choices.prefix)}", f"digits = {choices.digits}"]
    if choices.start is not None:
        out.append(f"start = {choices.start}")
    withheld = {w.document_id for w in choices.withheld}
    for doc_id in choices.documents:
        if doc_id not in withheld:
            out += ["", "[[documents]]", f"document = {doc_id}"]
    for w in choices.withheld:
        privileges = ", ".join(_q(p) for p in w.privileges)
        out += ["", "[[withhold]]", f"document = {w.document_id}",
                f"privilege = [{privileges}]", f"description = {_q(w.description)}"]
    return "\n".join(out) + "\n"


def spec_from_choices(choices: ProductionChoices, path: Path) -> ProductionSpec:
    """Validate the choices as a spec; a mistake is told in the page's words."""
    if not choices.documents and not choices.withheld:
        raise ProductionError("no documents are chosen for the production",
                              fix="tick the documents to produce")
    for w in choices.withheld:
        if not w.description.strip():
            raise ProductionError(
                f"document {w.document_id} is withheld without a description for the "
                "privilege log", fix="describe it without revealing the privileged content, "
                "e.g. “Letter from counsel to client giving legal advice”")
    try:
        return parse_production_spec(spec_toml(choices), path)
    except SpecError as exc:
        # The spec is generated: name the field, not the generated file's line.
        what = re.sub(r"^line \d+[,:]?\s*", "", exc.what)
        raise ProductionError(what, fix=exc.fix) from exc


def dry_run(spec: ProductionSpec, ledger: Ledger, ws: Workspace) -> DryRun:
    """Plan and number the production as a build would, without reserving numbers."""
    docs, warnings = plan_production(spec, ledger, ws.root)
    warnings += earlier_productions(ledger, spec, docs)
    following = ledger.bates.next_bates(spec.bates.prefix)
    first = spec.bates.start if spec.bates.start is not None else following
    if spec.bates.start is not None and spec.bates.start < following:
        warnings.append(f"{spec.bates.number(spec.bates.start)} was used before; the next free "
                        f"number is {spec.bates.number(following)} (the build will refuse "
                        "numbers already used)")
    number_documents(docs, first)
    return DryRun(spec, docs, first, sum(d.pages for d in docs), warnings)


def default_out_dir(ws: Workspace, volume: str) -> Path:
    return ws.root / "Exports" / PRODUCTIONS_FOLDER / volume


def build_production(
    choices: ProductionChoices,
    ledger: Ledger,
    ws: Workspace,
    out_dir: Path,
    *,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
    today: dt.date | None = None,
) -> ProductionResult:
    """Build the volume into `out_dir` and keep its spec there (`<VOL> spec.toml`)."""
    spec_path = out_dir / f"{choices.volume} spec.toml"
    spec = spec_from_choices(choices, spec_path)
    result = produce(spec, out_dir, ledger, workspace_root=ws.root, scratch_dir=ws.work,
                     on_progress=on_progress, cancel=cancel, today=today)
    text = spec_toml(choices).encode("utf-8")
    try:
        Mover().place_bytes(spec_path, text, tag="spec")
    except IntakeError:
        kept = False  # the volume stands; only the spec's copy is missing
    else:
        kept = True
    # A draft until an attorney signs it off (issue 17), as `produce` records it.
    record_draft(ledger, result.out_dir, ws.root, kind=OutputKind.PRODUCTION,
                 name=choices.volume, spec=spec_path if kept else None, matter=choices.matter,
                 bates_first=result.bates_first or None, bates_last=result.bates_last or None)
    if not kept:
        return result
    try:
        recorded = spec_path.resolve().relative_to(ws.root.resolve()).as_posix()
    except ValueError:
        recorded = str(spec_path.resolve())
    ledger.chain.record(EventKind.EXPORTED, matter_id=choices.matter, path_after=recorded,
                  sha256_after=hashlib.sha256(text).hexdigest(),
                  detail={"production": choices.volume, "output": "spec", "format": "toml"})
    return result
