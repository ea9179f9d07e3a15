"""Chain-of-custody checks and reports: verify, seal, export and history."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger import DocStatus, EventRecord, Ledger, Seal, utc_now
from intake_desktop.core.mover import write_new_file
from intake_desktop.core.progress import ProgressCallback, no_progress

EXPORT_COLUMNS = [
    "seq", "at", "kind", "document_id", "matter_id", "actor_user", "actor_role",
    "tool_version", "rules_version", "path_before", "path_after", "sha256_before",
    "sha256_after", "detail", "prev_hash", "row_hash",
]


@dataclass
class VerifyReport:
    ok: bool
    events: int
    first_bad_event: int | None
    missing_files: list[str] = field(default_factory=list)
    altered_files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    files_checked: int = 0
    seal: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def verify(
    ledger: Ledger,
    workspace_root: Path,
    *,
    seal_file: Path | None = None,
    check_files: bool = True,
    on_progress: ProgressCallback = no_progress,
) -> VerifyReport:
    """Recompute the hash chain, compare with a seal, and re-hash every kept file."""
    chain = ledger.verify_chain()
    report = VerifyReport(
        ok=chain.ok, events=chain.events, first_bad_event=chain.first_bad_event,
        problems=list(chain.problems),
    )
    if seal_file is not None:
        seal = read_seal(seal_file)
        report.seal = asdict(seal)
        at_seal = ledger.event_hash_at(seal.events)
        if at_seal != seal.head_hash:
            report.ok = False
            report.problems.append(
                f"the ledger does not match the seal of {seal.sealed_at}: event {seal.events} "
                "was rewritten or removed since"
            )
            if report.first_bad_event is None:
                report.first_bad_event = seal.events
    if check_files:
        docs = [
            d for d in ledger.documents()
            # An undone filing keeps its original (superseded): it is checked too.
            if d.status in (DocStatus.FILED, DocStatus.REVIEW, DocStatus.DUPLICATE,
                            DocStatus.UNDONE)
        ]
        for done, doc in enumerate(docs):
            on_progress(done, len(docs), doc.filed_path or "")
            checks = []
            if doc.original_path:
                checks.append((doc.original_path, doc.sha256))
            if doc.filed_path:
                checks.append((doc.filed_path, doc.filed_sha256 or doc.sha256))
            for rel, sha in checks:
                path = workspace_root / rel
                report.files_checked += 1
                if not path.is_file():
                    report.missing_files.append(rel)
                elif sha256_file(path) != sha:
                    report.altered_files.append(rel)
        if report.missing_files or report.altered_files:
            report.ok = False
    return report


def make_seal(ledger: Ledger) -> Seal:
    seq, head = ledger.head()
    return Seal(head_hash=head, events=seq, sealed_at=utc_now())


def write_seal(ledger: Ledger, exports: Path) -> tuple[Path, Seal]:
    """Write the head hash outside the database (Exports/ledger-seals/)."""
    seal = make_seal(ledger)
    stamp = seal.sealed_at.replace(":", "").replace("-", "")[:15]
    data = json.dumps(asdict(seal), indent=2).encode("utf-8")
    path = write_new_file(exports / "ledger-seals" / f"ledger-seal-{stamp}.json", data)
    return path, seal


def read_seal(path: Path) -> Seal:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Seal(
            head_hash=str(data["head_hash"]), events=int(data["events"]),
            sealed_at=str(data["sealed_at"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IntakeError(
            "this is not a readable ledger seal", path=path,
            fix="give the JSON file written by `intake-desktop ledger seal`",
        ) from exc


def event_row(event: EventRecord) -> dict[str, Any]:
    row = asdict(event)
    row["detail"] = json.dumps(event.detail, sort_keys=True, ensure_ascii=False)
    return row


def export_events(events: list[EventRecord], fmt: str) -> str:
    if fmt == "json":
        return "".join(
            json.dumps(asdict(e), ensure_ascii=False, sort_keys=True) + "\n" for e in events
        )
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for e in events:
        writer.writerow(event_row(e))
    return buf.getvalue()
