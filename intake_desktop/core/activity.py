"""Who did what to which document, when (issue 17 item 5): recent activity by person and
by matter for the Supervision page, and the per-matter activity report (CSV and PDF) of
`intake-desktop ledger report MATTER`. Everything is read from the chained events."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake_desktop.core.ledger import EventKind, EventRecord, Ledger
from intake_desktop.core.shipped import package_file

# What each kind of event means, in words a supervising lawyer reads.
ACTIONS: dict[str, str] = {
    EventKind.RECEIVED: "received",
    EventKind.ORIGINAL_PRESERVED: "preserved the original",
    EventKind.FILED: "filed",
    EventKind.DUPLICATE: "set aside as a duplicate",
    EventKind.ROUTED_TO_REVIEW: "sent to review",
    EventKind.SOURCE_REMOVED: "cleared from intake",
    EventKind.RECOVERED: "recovered after an interruption",
    EventKind.ROLLED_BACK: "rolled back",
    EventKind.REVIEW_RESOLVED: "resolved in review",
    EventKind.UNDONE: "undid the filing",
    EventKind.SUPERSEDED: "superseded",
    EventKind.REPAIRED: "repaired",
    EventKind.CONVERTED: "converted to PDF",
    EventKind.OCR: "made text-searchable (OCR)",
    EventKind.SPLIT: "split for the court",
    EventKind.STAMPED: "stamped into an exhibit set",
    EventKind.EXPORTED: "exported",
    EventKind.BATES_RESERVED: "reserved Bates numbers",
    EventKind.BATES_RELEASED: "released Bates numbers",
    EventKind.BATES_REUSED: "reused Bates numbers",
    EventKind.OPENED: "opened the workspace",
    EventKind.SIGNED_IN: "signed in",
    EventKind.PROFILE_SAVED: "saved a profile",
    EventKind.MATTER_SAVED: "saved the matter's details",
    EventKind.RULES_CHANGED: "changed the naming rules",
    EventKind.RULES_ACCEPTED: "accepted edited naming rules",
    EventKind.LEDGER_ATTACHED: "attached the ledger",
    EventKind.SEALED: "sealed the ledger",
    EventKind.CHECKLIST_ASSIGNED: "assigned a checklist",
    EventKind.CHECKLIST_WAIVED: "waived a checklist item",
    EventKind.CHECKLIST_LETTER: "wrote a client request letter",
    EventKind.PRODUCED: "produced",
    EventKind.WITHHELD_PRIVILEGED: "withheld as privileged",
    EventKind.DRAFT_BUILT: "built a draft",
    EventKind.SIGNED_OFF: "signed off",
    EventKind.APPROVAL_REQUESTED: "filed provisionally (needs a lawyer's approval)",
    EventKind.APPROVED: "approved",
    EventKind.RETURNED: "returned to review",
    EventKind.CAPABILITY_REFUSED: "was refused",
}
# Bookkeeping that says nothing about a document: left out of the activity views.
QUIET = {EventKind.SOURCE_REMOVED, EventKind.ORIGINAL_PRESERVED, EventKind.SEALED,
         EventKind.LEDGER_ATTACHED, EventKind.OPENED}
REPORT_COLUMNS = ("When (UTC)", "Who", "Role", "What", "Document", "Details", "Event")


def action_words(kind: str) -> str:
    return ACTIONS.get(kind, kind.replace("_", " "))


@dataclass(frozen=True)
class ActivityRow:
    """One line of the activity report."""

    at: str
    person: str
    role: str
    action: str
    document: str  # the document's path (or what the event names), "" when none
    details: str
    seq: int
    kind: str
    matter: str | None

    def cells(self) -> list[str]:
        return [self.at.replace("T", " ").removesuffix("Z")[:19], self.person, self.role,
                self.action, self.document, self.details, str(self.seq)]


def _details(e: EventRecord) -> str:
    d = e.detail
    bits = []
    for key in ("reason", "note", "rule", "category", "label", "set", "action", "checklist"):
        value = d.get(key)
        if value not in (None, "", [], {}):
            bits.append(f"{key}: {value}")
    if d.get("bates_first") and d.get("bates_last"):
        bits.append(f"Bates {d['bates_first']} - {d['bates_last']}")
    return "; ".join(str(b) for b in bits)[:300]


class DocumentNames:
    """A document's path and number as the report shows it, looked up once each."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.known: dict[int, str] = {}

    def __call__(self, doc_id: int) -> str:
        if doc_id not in self.known:
            doc = self.ledger.docs.document(doc_id)
            self.known[doc_id] = (f"{doc.filed_path or doc.source_path} (no. {doc_id})"
                                  if doc is not None else f"no. {doc_id}")
        return self.known[doc_id]


def _document(e: EventRecord, names: DocumentNames) -> str:
    """The document as this event left it (its path then, and its ledger number)."""
    then = e.path_after if e.path_after and not e.path_after.startswith("/") else None
    if e.document_id is not None:
        return f"{then} (no. {e.document_id})" if then else names(e.document_id)
    return e.path_after or e.path_before or ""


def to_row(e: EventRecord, names: DocumentNames) -> ActivityRow:
    return ActivityRow(e.at, e.actor_user, e.actor_role, action_words(e.kind),
                       _document(e, names), _details(e), e.seq, e.kind, e.matter_id)


def matter_activity(ledger: Ledger, matter: str) -> list[ActivityRow]:
    """Every event about the matter or one of its documents, oldest first."""
    names = DocumentNames(ledger)
    return [to_row(e, names) for e in ledger.chain.matter_events(matter)
            if e.kind not in QUIET]


def recent_activity(ledger: Ledger, limit: int = 200) -> list[ActivityRow]:
    """The latest events, newest first (bookkeeping left out)."""
    names = DocumentNames(ledger)
    return [to_row(e, names) for e in ledger.chain.recent_events(limit, exclude=QUIET)]


@dataclass(frozen=True)
class ActivitySummary:
    """Activity of one person or one matter: how many actions, the latest, and which."""

    who: str
    events: int
    last_at: str
    last_action: str
    top: str  # the most frequent actions, "filed 12, sent to review 3"


def summarize(rows: list[ActivityRow], by: str) -> list[ActivitySummary]:
    """Group rows (newest first) by "person" or "matter"; most recent group first."""
    groups: dict[str, list[ActivityRow]] = {}
    for row in rows:
        key = row.person if by == "person" else (row.matter or "(no matter)")
        groups.setdefault(key, []).append(row)
    out = []
    for key, items in groups.items():
        latest = max(items, key=lambda r: r.seq)
        counts = Counter(r.action for r in items).most_common(3)
        out.append(ActivitySummary(key, len(items), latest.at, latest.action,
                                   ", ".join(f"{a} {n}" for a, n in counts)))
    return sorted(out, key=lambda s: s.last_at, reverse=True)


def report_csv(rows: list[ActivityRow]) -> bytes:
    """The report as CSV (UTF-8 with BOM, so spreadsheets open it with accents intact)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    for row in rows:
        writer.writerow(row.cells())
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def report_pdf(rows: list[ActivityRow], matter: str, *, generated_at: str,
               generated_by: str, matter_name: str = "") -> bytes:
    """The report as a landscape PDF table, repeated header, page numbers."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import inch
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    fonts = package_file("reportlab", "fonts")
    pdfmetrics.registerFont(TTFont("Vera", str(fonts / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont("VeraBd", str(fonts / "VeraBd.ttf")))
    cell = ParagraphStyle("c", fontName="Vera", fontSize=7.5, leading=9)
    head_cell = ParagraphStyle("hc", fontName="VeraBd", fontSize=7.5, leading=9)
    title = ParagraphStyle("t", fontName="VeraBd", fontSize=14, leading=18)
    normal = ParagraphStyle("n", fontName="Vera", fontSize=9, leading=12)
    heading = f"Activity report: {matter}" + (f" ({matter_name})" if matter_name
                                               and matter_name != matter else "")
    people = sorted({r.person for r in rows})
    story: list[Any] = [
        Paragraph(escape(heading), title),
        Paragraph(escape(f"Who did what to which document, when. {len(rows)} events"
                         + (f" by {', '.join(people)}" if people else "")
                         + f". Generated {generated_at[:19].replace('T', ' ')} UTC by "
                         f"{generated_by} from the chain-of-custody ledger."), normal),
        Spacer(1, 0.15 * inch),
    ]
    data: list[list[Any]] = [[Paragraph(escape(c), head_cell) for c in REPORT_COLUMNS]]
    for row in rows:
        data.append([Paragraph(escape(c), cell) for c in row.cells()])
    if not rows:
        data.append([Paragraph("No activity recorded for this matter.", cell)] +
                    [""] * (len(REPORT_COLUMNS) - 1))
    widths = [1.15, 0.8, 0.65, 1.45, 3.0, 2.3, 0.45]
    table = Table(data, colWidths=[w * inch for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf2")),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#4a5568")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f8fa")]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    story.append(table)

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Vera", 7.5)
        canvas.drawString(0.5 * inch, 0.35 * inch, heading)
        canvas.drawRightString(10.5 * inch, 0.35 * inch, f"Page {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=landscape(letter), title=heading,
                      author=generated_by, leftMargin=0.5 * inch, rightMargin=0.5 * inch,
                      topMargin=0.5 * inch, bottomMargin=0.6 * inch,
                      invariant=1).build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def write_report(ledger: Ledger, matter: str, fmt: str, out: Path) -> Path:
    """Write the matter's activity report (`fmt` "pdf" or "csv") as a new file at `out`
    (a taken name gets " (2)") and record it as exported; returns the path written."""
    from intake_desktop.core.errors import UsageError
    from intake_desktop.core.hashing import sha256_file
    from intake_desktop.core.ledger import utc_now
    from intake_desktop.core.mover import write_export

    known = {m.id: m for m in ledger.matter_book.matter_list()}
    if matter not in known:
        raise UsageError(f"there is no matter {matter!r} in this workspace's ledger",
                         fix="give a matter number as listed under Matters/ "
                         f"({', '.join(sorted(known)[:5]) or 'none yet'})")
    if fmt not in ("pdf", "csv"):
        raise UsageError(f"unknown report format {fmt!r}", fix="use --format pdf or csv")
    rows = matter_activity(ledger, matter)
    data = report_csv(rows) if fmt == "csv" else report_pdf(
        rows, matter, generated_at=utc_now(), generated_by=ledger.actor.user,
        matter_name=known[matter].name)
    written = write_export(out, data)
    ledger.chain.record(EventKind.EXPORTED, matter_id=matter, path_after=str(written),
                  sha256_after=sha256_file(written),
                  detail={"output": "activity_report", "format": fmt, "events": len(rows)})
    return written
