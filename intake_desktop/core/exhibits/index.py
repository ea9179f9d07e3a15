"""The exhibit index as an AO 187 exhibit list: caption (court, case number, judge, parties,
attorneys), separate plaintiff and defendant number columns, Date Offered, Marked,
Admitted, Witness, Description and the Bates range of each exhibit.

Two copies: the *court copy* (PDF and Word) carries nothing internal; the *file copy*
(CSV, Word, PDF) adds each exhibit's source document and SHA-256 for the firm's records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from intake_desktop.core.exhibits.model import BuiltExhibit
from intake_desktop.core.exhibits.spec import CaptionSpec, ExhibitSetSpec
from intake_desktop.core.exhibits.tables import Caption, TableData, write_all

# The CSV (file copy, pure data): one row per exhibit.
INDEX_COLUMNS = (
    "Plf. No.",
    "Def. No.",
    "Label",
    "Date Offered",
    "Marked",
    "Admitted",
    "Witness",
    "Description",
    "Date",
    "Bates begin",
    "Bates end",
    "Bates range",
    "Pages",
    "Produced as",
    "Objections",
    "Source document",
    "SHA-256",
)
# The printed AO 187 table (court and file copies); "Produced as" only when a page had one.
PRINTED_COLUMNS = (
    "Plf. No.", "Def. No.", "Date Offered", "Marked", "Admitted", "Witness",
    "Description of exhibits", "Date", "Bates range", "Pages",
)
PRODUCED_AS = "Produced as"
SOURCE_COLUMNS = ("Exhibit", "Source document", "SHA-256")
FORM_TITLE = "EXHIBIT AND WITNESS LIST"
COURT_COPY = "court copy"


def party_of(spec: ExhibitSetSpec) -> str:
    """Whose exhibits: the caption's `party`, else read from the label prefix."""
    if spec.caption.party:
        return spec.caption.party
    prefix = spec.label_prefix.lower()
    if prefix.startswith(("def", "resp")):
        return "defendant"
    if prefix.startswith("joint"):
        return "joint"
    return "plaintiff"


def caption_of(caption: CaptionSpec) -> Caption:
    heading = [line for line in (caption.court, caption.district) if line]
    parties = []
    if caption.plaintiff or caption.defendant:
        parties = [caption.plaintiff or "_______________", "v.",
                   caption.defendant or "_______________"]
    return Caption(
        heading=heading,
        parties=parties,
        form_title=FORM_TITLE,
        case_number=caption.case_number,
        boxes=[
            ("Presiding judge", caption.judge),
            ("Plaintiff's attorney", caption.plaintiff_attorneys),
            ("Defendant's attorney", caption.defendant_attorneys),
            ("Trial date(s)", caption.trial_dates),
            ("Court reporter", caption.court_reporter),
            ("Courtroom deputy", caption.courtroom_deputy),
        ],
    )


@dataclass(frozen=True)
class IndexTables:
    data: TableData  # CSV: every field
    file_copy: TableData  # printed, with the source documents and hashes below
    court_copy: TableData  # printed, nothing internal


def _numbers(party: str, ident: str) -> tuple[str, str]:
    if party == "defendant":
        return "", ident
    if party == "joint":
        return ident, ident
    return ident, ""


def index_tables(spec: ExhibitSetSpec, exhibits: Sequence[BuiltExhibit],
                 display: Callable[[Path], str]) -> IndexTables:
    party = party_of(spec)
    produced = any(ex.production_numbers for ex in exhibits)
    data_rows, printed, sources = [], [], []
    for ex in exhibits:
        plf, dfn = _numbers(party, ex.ident)
        date = ex.entry.date.isoformat() if ex.entry.date else ""
        data_rows.append([
            plf, dfn, ex.label, "", "", "", ex.entry.witness, ex.entry.description, date,
            ex.bates_first or "", ex.bates_last or "", ex.bates_range, str(ex.pages),
            ex.produced_as, "", display(ex.source.path), ex.source_sha256,
        ])
        row = [plf, dfn, "", "", "", ex.entry.witness, ex.entry.description, date,
               ex.bates_range, str(ex.pages)]
        if produced:
            row.append(ex.produced_as)
        printed.append(row)
        sources.append([ex.label, display(ex.source.path), ex.source_sha256])
    columns = PRINTED_COLUMNS + ((PRODUCED_AS,) if produced else ())
    keep = [columns.index("Bates range"), columns.index("Date")]
    if produced:
        keep.append(columns.index(PRODUCED_AS))
    total = sum(ex.pages for ex in exhibits)
    subtitle = f"{spec.name}: {len(exhibits)} exhibits, {total} pages"
    caption = caption_of(spec.caption)
    title = f"{party.capitalize()}'s exhibits" if party != "joint" else "Joint exhibits"
    blank = [columns.index(c) for c in ("Date Offered", "Marked", "Admitted")]
    court = TableData(title, subtitle, columns, printed,
                      flex=[columns.index("Description of exhibits")], keep=keep,
                      blank=blank, caption=caption)
    appendix = TableData(
        "Source documents (file copy: not for filing)",
        "The document each exhibit was made from and its SHA-256 before stamping.",
        SOURCE_COLUMNS, sources, flex=[1], keep=[0, 2],
    )
    file_copy = TableData(title, subtitle + " - file copy", columns, printed,
                          flex=court.flex, keep=keep, blank=blank, caption=caption,
                          appendix=appendix)
    data = TableData(title, subtitle, INDEX_COLUMNS, data_rows)
    return IndexTables(data, file_copy, court)


def write_index(tables: IndexTables, folder: Path, stem: str) -> list[Path]:
    """File copy as CSV, Word and PDF (`stem`.*), court copy as Word and PDF
    (`stem - court copy`.*); returns the paths in that order."""
    paths = write_all(tables.file_copy, folder, stem, csv_table=tables.data)
    paths += write_all(tables.court_copy, folder, f"{stem} - {COURT_COPY}",
                       formats=("docx", "pdf"))
    return paths
