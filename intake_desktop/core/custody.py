"""Chain-of-custody checks and reports: verify, seals, the ledger's workspace, export."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from intake_desktop.core.errors import IntakeError, LedgerError
from intake_desktop.core.filing.sidecars import SIDECAR_SUFFIX
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger import (
    DocStatus,
    EventKind,
    EventRecord,
    Ledger,
    Seal,
    Txn,
    utc_now,
)
from intake_desktop.core.ledger.holdings import (
    PROOF_KINDS,
    DocumentState,
    FileRole,
    HeldFile,
    document_states,
    held_files,
    passphrase_digest,
    profile_states,
)
from intake_desktop.core.mover import discard_dead_temps, write_new_file, write_once
from intake_desktop.core.progress import ProgressCallback, no_progress
from intake_desktop.core.workspace import Workspace

EXPORT_COLUMNS = [
    "seq", "at", "kind", "document_id", "matter_id", "actor_user", "actor_role",
    "tool_version", "rules_version", "path_before", "path_after", "sha256_before",
    "sha256_after", "detail", "prev_hash", "row_hash",
]


JUNK_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})  # OS metadata, not evidence
JUNK_DIRS = frozenset({"@eaDir", ".Trashes", ".Spotlight-V100", ".fseventsd"})
SEALS_DIR = "ledger-seals"
DEFAULT_URL_LABEL = "default (.intake/ledger.sqlite)"


@dataclass
class VerifyReport:
    """What `ledger verify` found. `ok` only when the chain, the seals, the files on disk,
    the documents table and the profiles all agree with the chained events."""

    ok: bool
    events: int
    first_bad_event: int | None
    missing_files: list[str] = field(default_factory=list)
    altered_files: list[str] = field(default_factory=list)
    unrecorded_files: list[str] = field(default_factory=list)  # under Matters/, Review/
    writable_originals: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files_checked: int = 0
    seal: dict[str, Any] | None = None  # the newest seal compared (None: no seal found)
    seals_compared: list[str] = field(default_factory=list)
    triggers_missing: list[str] = field(default_factory=list)
    triggers_restored: list[str] = field(default_factory=list)
    workspace_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def fail(self, problem: str, seq: int | None = None) -> None:
        self.ok = False
        self.problems.append(problem)
        if seq is not None and (self.first_bad_event is None or seq < self.first_bad_event):
            self.first_bad_event = seq


def verify(
    ledger: Ledger,
    workspace_root: Path,
    *,
    seal_file: Path | None = None,
    check_files: bool = True,
    mirror: Path | None = None,
    restore_triggers: bool = False,
    on_progress: ProgressCallback = no_progress,
) -> VerifyReport:
    """Prove the ledger and the workspace against the chained events.

    Recomputes the hash chain; compares it with `seal_file` and with the newest seal in
    Exports/ledger-seals/ and in `mirror`; checks the append-only triggers (putting them
    back when `restore_triggers`); re-hashes every file the events say is kept, against
    the hash the events recorded (never the `documents` table); lists files under
    Matters/ and Review/ that no event accounts for, and originals that are writable;
    reports rows of `documents` and `users` that disagree with their events.
    """
    ws = Workspace(workspace_root)
    report = VerifyReport(ok=True, events=0, first_bad_event=None)
    _check_triggers(ledger, report, restore=restore_triggers)
    chain = ledger.chain.verify_chain()
    report.events = chain.events
    if not chain.ok:
        report.ok = False
        report.first_bad_event = chain.first_bad_event
        report.problems += chain.problems
    from intake_desktop.core.ledger.migrate_to import desk_chain_problems

    for problem in desk_chain_problems(ledger):  # desks merged into a firm ledger
        report.fail(problem)
    events = ledger.chain.events(kinds=PROOF_KINDS)
    report.workspace_id = ws.workspace_id()
    _check_attachment(ledger, ws, events, report)
    _check_seals(ledger, ws, report, seal_file=seal_file, mirror=mirror)
    states = document_states(events)
    if check_files:
        _check_files(ws, held_files(states.values()), report, on_progress)
    _check_documents_table(ledger, states, report)
    _check_profiles(ledger, events, report)
    return report


def _check_triggers(ledger: Ledger, report: VerifyReport, *, restore: bool) -> None:
    missing = ledger.missing_triggers()
    if not missing:
        return
    report.triggers_missing = missing
    names = ", ".join(missing)
    if restore:
        try:
            report.triggers_restored = ledger.restore_triggers()
        except LedgerError as exc:
            report.fail(f"the ledger's append-only protection ({names}) is missing: {exc}")
            return
        with ledger.transaction() as txn:
            txn.add_event(EventKind.REPAIRED, detail={"restored_triggers": missing})
        report.fail(
            f"the ledger's append-only protection ({names}) had been removed; it is restored "
            "now, but events may have been changed while it was off"
        )
    else:
        report.fail(
            f"the ledger's append-only protection ({names}) is missing: events can be "
            "changed; run `intake-desktop ledger verify` to restore it"
        )


def _check_attachment(
    ledger: Ledger, ws: Workspace, events: list[EventRecord], report: VerifyReport
) -> None:
    carried = {
        str(e.detail.get("workspace_id")) for e in events
        if e.kind == EventKind.LEDGER_ATTACHED and e.detail.get("workspace_id")
    }
    ws_id = report.workspace_id
    if ws_id and carried and ws_id not in carried:
        report.fail(
            f"the ledger at {ledger.display_url} belongs to another workspace "
            f"({', '.join(sorted(carried))}); this workspace is {ws_id}"
        )


def _seal_candidates(folder: Path, workspace_id: str | None) -> list[tuple[Path, Seal]]:
    found: list[tuple[Path, Seal]] = []
    if not folder.is_dir():
        return found
    for path in folder.glob("ledger-seal-*.json"):
        try:
            seal = read_seal(path)
        except IntakeError:
            continue
        found.append((path, seal))
    return found


def newest_seal(folder: Path, workspace_id: str | None) -> tuple[Path, Seal] | None:
    """The seal in `folder` covering the most events (the latest one on a tie)."""
    found = _seal_candidates(folder, workspace_id)
    return max(found, key=lambda ps: (ps[1].events, ps[1].sealed_at)) if found else None


def seal_folders(ws: Workspace, mirror: Path | None) -> list[Path]:
    """Where seals are written and looked for: Exports/ledger-seals/ and the mirror."""
    folders = [ws.exports / SEALS_DIR]
    if mirror is not None:
        folders.append(mirror / (ws.workspace_id() or "workspace"))
    return folders


def discard_dead_seal_temps(ws: Workspace, mirror: Path | None) -> None:
    """Remove the half-written seals of processes killed while sealing (mover's rule)."""
    for folder in seal_folders(ws, mirror):
        discard_dead_temps(folder)


def _check_seals(
    ledger: Ledger, ws: Workspace, report: VerifyReport, *,
    seal_file: Path | None, mirror: Path | None,
) -> None:
    seals: list[tuple[Path, Seal]] = []
    if seal_file is not None:
        seals.append((seal_file, read_seal(seal_file)))
    for folder in seal_folders(ws, mirror):
        if mirror is not None and folder.parent == mirror and not mirror.is_dir():
            report.warnings.append(
                f"the seal mirror {mirror} cannot be reached: compared with Exports/ only"
            )
            continue
        newest = newest_seal(folder, report.workspace_id)
        if newest is not None:
            seals.append(newest)
    for path, seal in seals:
        report.seals_compared.append(str(path))
        if seal.workspace_id and seal.workspace_id != report.workspace_id:
            report.fail(
                f"the seal {path} was written for workspace {seal.workspace_id}, but this "
                f"workspace is {report.workspace_id or 'without an id'}: its id or its "
                "ledger was replaced since"
            )
        if report.seal is None or seal.events > int(report.seal["events"]):
            report.seal = {**asdict(seal), "path": str(path)}
        if seal.events > report.events:
            report.fail(
                f"the seal of {seal.sealed_at} ({path}) covers {seal.events} events but the "
                f"ledger has {report.events}: events were removed since",
                seq=report.events + 1,
            )
        elif seal.events and ledger.chain.event_hash_at(seal.events) != seal.head_hash:
            report.fail(
                f"the ledger does not match the seal of {seal.sealed_at} ({path}): event "
                f"{seal.events} was rewritten or removed since",
                seq=seal.events,
            )


def _skipped(rel_parts: tuple[str, ...]) -> bool:
    if rel_parts[0] == "Review" and rel_parts[-1].endswith(SIDECAR_SUFFIX):
        return True  # a Review/ file's reason in words (core/filing/sidecars), not evidence
    return rel_parts[-1] in JUNK_NAMES or any(p in JUNK_DIRS for p in rel_parts[:-1])


def files_on_disk(ws: Workspace) -> list[str]:
    """Every file (and link) under Matters/ and Review/, workspace-relative, sorted."""
    found: list[str] = []
    for top in (ws.matters, ws.review):
        for folder, dirs, files in os.walk(top):
            rel_dir = Path(folder).relative_to(ws.root)
            links = [d for d in dirs if (Path(folder) / d).is_symlink()]
            for name in [*files, *links]:
                rel = (rel_dir / name).as_posix()
                if not _skipped(tuple(rel.split("/"))):
                    found.append(rel)
    return sorted(found)


def _writable(path: Path) -> bool:
    mode = path.stat().st_mode
    return bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _check_files(
    ws: Workspace, held: dict[str, HeldFile], report: VerifyReport,
    on_progress: ProgressCallback,
) -> None:
    for done, (rel, kept) in enumerate(sorted(held.items())):
        on_progress(done, len(held), rel)
        path = ws.root / rel
        report.files_checked += 1
        if path.is_symlink() or not path.is_file():
            report.missing_files.append(rel)
        elif sha256_file(path) != kept.sha256:
            report.altered_files.append(rel)
        elif kept.role == FileRole.ORIGINAL and _writable(path):
            report.writable_originals.append(rel)
    on_progress(len(held), len(held), "")
    on_disk = files_on_disk(ws)
    report.unrecorded_files = [rel for rel in on_disk if rel not in held]
    if report.missing_files:
        report.fail(
            f"{_files(len(report.missing_files))} the ledger keeps "
            f"{'is' if len(report.missing_files) == 1 else 'are'} missing from the disk"
        )
    if report.altered_files:
        report.fail(
            f"{_files(len(report.altered_files))} on disk "
            f"{'differs' if len(report.altered_files) == 1 else 'differ'} from the SHA-256 "
            "recorded in the ledger's events: restore them from a backup"
        )
    if report.unrecorded_files:
        if not held:
            report.fail(
                f"Matters/ and Review/ hold {len(on_disk)} files but the ledger "
                f"({report.events} events) records none of them: this is not the ledger "
                "they were filed with; restore the workspace's ledger from a backup"
            )
        else:
            n = len(report.unrecorded_files)
            report.fail(
                f"{_files(n)} under Matters/ or Review/ {'is' if n == 1 else 'are'} not "
                "named by any ledger event (put there outside the app, or left by an "
                "interrupted filing: run `intake-desktop watch --once` to finish those)"
            )
    if report.writable_originals:
        n = len(report.writable_originals)
        report.warnings.append(
            f"{n} original{'' if n == 1 else 's'} can be written to; originals should be "
            "read-only (the bytes still match the ledger)"
        )


def _files(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"


def _check_documents_table(
    ledger: Ledger, states: dict[int, DocumentState], report: VerifyReport
) -> None:
    """The `documents` table is the filer's working index: it must agree with the events."""
    for doc in ledger.docs.documents():
        state = states.get(doc.id)
        if doc.status == DocStatus.PENDING or state is None:
            continue
        label = f"document {doc.id} ({doc.filed_path or doc.source_path})"
        if doc.status == DocStatus.ROLLED_BACK:
            if state.original or state.copy:
                report.fail(
                    f"{label} is marked rolled back in the documents table, but its events "
                    "say it was kept; its files must still be there",
                    seq=None,
                )
            continue
        if doc.status not in (DocStatus.FILED, DocStatus.REVIEW, DocStatus.DUPLICATE):
            continue  # statuses this check does not know (e.g. undone) are not judged
        wrong: list[str] = []
        if doc.status != state.status:
            wrong.append("status")
        if state.copy is not None:
            if doc.filed_path != state.copy.path:
                wrong.append("filed_path")
            if (doc.filed_sha256 or doc.sha256) != state.copy.sha256:
                wrong.append("filed_sha256")
        if state.original is not None:
            if doc.original_path != state.original.path:
                wrong.append("original_path")
            if doc.sha256 != state.original.sha256:
                wrong.append("sha256")
        if wrong:
            report.fail(
                f"{label}: the documents table disagrees with the chained events "
                f"({', '.join(wrong)}); it was edited outside the app"
            )


def _check_profiles(ledger: Ledger, events: list[EventRecord], report: VerifyReport) -> None:
    chained = profile_states(events)
    rows = {u.name: u for u in ledger.people.users()}
    for name, row in sorted(rows.items()):
        state = chained.get(name)
        if state is None:
            report.fail(f"the profile {name!r} ({row.role}) was added outside the app")
        elif state.role != row.role:
            report.fail(
                f"the profile {name!r} is {row.role} in the users table but {state.role} in "
                f"its events (event {state.seq}): it was changed outside the app"
            )
        elif state.passphrase_sha256 is not None and state.passphrase_sha256 != (
            passphrase_digest(row.passphrase_hash)
        ):
            report.fail(
                f"the passphrase of the profile {name!r} was changed outside the app "
                f"(it differs from event {state.seq})"
            )
    for name in sorted(set(chained) - set(rows)):
        report.fail(f"the profile {name!r} was removed outside the app")


def make_seal(ledger: Ledger, workspace_id: str = "") -> Seal:
    seq, head = ledger.chain.head()
    return Seal(head_hash=head, events=seq, sealed_at=utc_now(), workspace_id=workspace_id)


def _seal_bytes(seal: Seal) -> bytes:
    return json.dumps(asdict(seal), indent=2).encode("utf-8")


def _seal_name(seal: Seal) -> str:
    stamp = seal.sealed_at.replace(":", "").replace("-", "").replace(".", "")[:22]
    return f"ledger-seal-{stamp}.json"


def write_seal(
    ledger: Ledger, exports: Path, *, workspace_id: str = ""
) -> tuple[Path, Seal]:
    """Write the head hash outside the database (Exports/ledger-seals/)."""
    seal = make_seal(ledger, workspace_id)
    path = write_new_file(exports / SEALS_DIR / _seal_name(seal), _seal_bytes(seal))
    return path, seal


@dataclass
class SealOutcome:
    """What an automatic seal did: the files written, and what went wrong (in words)."""

    seal: Seal | None = None
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def seal_after_batch(ledger: Ledger, ws: Workspace, mirror: Path | None) -> SealOutcome:
    """Seal the chain head into Exports/ledger-seals/ and the mirror (after each batch).

    Refuses to seal a ledger that no longer matches the newest earlier seal (a rewritten
    or shortened chain is never blessed by a new seal); an unreachable mirror is a warning.
    """
    outcome = SealOutcome()
    ws_id = ws.workspace_id() or ""
    seq, head = ledger.chain.head()
    for folder in seal_folders(ws, mirror):
        newest = newest_seal(folder, ws_id)
        if newest is None:
            continue
        path, prev = newest
        if prev.events > seq or (
            prev.events and ledger.chain.event_hash_at(prev.events) != prev.head_hash
        ):
            outcome.warnings.append(
                f"the ledger no longer matches the seal {path}: no new seal was written; "
                "run `intake-desktop ledger verify`"
            )
            return outcome
    seal = Seal(head_hash=head, events=seq, sealed_at=utc_now(), workspace_id=ws_id)
    outcome.seal = seal
    for folder in seal_folders(ws, mirror):
        if mirror is not None and folder.parent == mirror and not mirror.is_dir():
            # Never create the mount point of an unplugged USB key or a dropped share.
            outcome.warnings.append(
                f"the seal mirror {mirror} cannot be reached; the seal is kept in "
                "Exports/ledger-seals/ only: connect it and run `intake-desktop ledger seal`"
            )
            continue
        newest = newest_seal(folder, ws_id)
        if newest is not None and newest[1].events == seq and newest[1].head_hash == head:
            continue
        try:
            outcome.written.append(write_new_file(folder / _seal_name(seal), _seal_bytes(seal)))
        except OSError as exc:
            outcome.warnings.append(
                f"could not write the ledger seal to {folder} ({exc.strerror or exc}); "
                "check that the share or USB key is connected"
            )
    return outcome


def read_seal(path: Path) -> Seal:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Seal(
            head_hash=str(data["head_hash"]), events=int(data["events"]),
            sealed_at=str(data["sealed_at"]), workspace_id=str(data.get("workspace_id", "")),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IntakeError(
            "this is not a readable ledger seal", path=path,
            fix="give the JSON file written by `intake-desktop ledger seal`",
        ) from exc


# ---- which workspace a ledger serves -------------------------------------------------------


def ledger_url_label(ws: Workspace, url: str, display_url: str) -> str:
    return DEFAULT_URL_LABEL if url == ws.default_ledger_url() else display_url


def attach_ledger(ledger: Ledger, ws: Workspace, url: str) -> None:
    """Refuse a ledger that is not this workspace's; record the attachment on first write.

    The workspace's id lives in .intake/workspace-id (written with the first attachment)
    and, through `ledger_attached` events, in the ledger. A ledger carrying other
    workspaces' ids is refused; for a workspace that had a ledger, an empty ledger is
    refused while Matters/ or Review/ hold files (the real ledger is elsewhere);
    a first use, a ledger from before workspace ids, or a new URL for this workspace's
    ledger is recorded as `ledger_attached` with the URL (password hidden).
    """
    ws_id = ws.workspace_id()
    attached = ledger.chain.kind_events(EventKind.LEDGER_ATTACHED)
    carried = [e for e in attached if e.detail.get("workspace_id")]
    label = ledger_url_label(ws, url, ledger.display_url)
    fix = (
        "point [ledger] url in .intake/config.toml (or --db) back at this workspace's "
        "ledger; `intake-desktop ledger verify` shows what does not match"
    )
    mine = [e for e in carried if ws_id and e.detail.get("workspace_id") == ws_id]
    if carried and not mine:
        others = sorted({str(e.detail["workspace_id"]) for e in carried})
        raise LedgerError(
            f"the ledger at {ledger.display_url} belongs to another workspace "
            f"({', '.join(others)}), not to this one ({ws_id or 'no id yet'})",
            path=ws.root, fix=fix,
        )
    previous = str(mine[-1].detail.get("url", "")) if mine else None
    if mine and previous == label:
        return
    if ws_id and not mine and ledger.chain.event_count() == 0:
        # This workspace had a ledger (its id was written when one was attached): an empty
        # one beside its files is a deleted ledger or another database. A new workspace
        # may start with files copied in by hand; `verify` lists them as not recorded.
        held = files_on_disk(ws)
        if held:
            raise LedgerError(
                f"the ledger at {ledger.display_url} is empty but Matters/ and Review/ hold "
                f"{len(held)} files: it is not the ledger they were filed with",
                path=ws.root,
                fix="restore the workspace's ledger from a backup, or " + fix,
            )

    def record(txn: Txn) -> None:
        write_once(ws.workspace_id_path, (uuid.uuid4().hex + "\n").encode("ascii"))
        detail: dict[str, Any] = {"workspace_id": ws.workspace_id(), "url": label}
        if previous is not None:
            detail["previous_url"] = previous
        elif attached or ledger.chain.event_count():
            detail["adopted"] = "a ledger from before workspace ids"
        txn.add_event(EventKind.LEDGER_ATTACHED, detail=detail)

    ledger.on_first_write(record)


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
