"""The chronology: date-ordered rows with a Bates (or page) cite, treatment gaps flagged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from intake_desktop.core.exhibits.model import BuiltExhibit
from intake_desktop.core.exhibits.tables import TableData

GAP_DAYS = 30
TREATMENT = "treatment"
EVENT = "event"


def row_kind(kind: str, provider: str, amount: str) -> str:
    """The row's kind as written, else treatment when it names a provider or an amount."""
    return kind or (TREATMENT if provider or amount else EVENT)


CHRONOLOGY_COLUMNS = ("Date", "Provider", "Description", "Billed", "Exhibit", "Cite", "Gap")
OPTIONAL_COLUMNS = ("Provider", "Billed", "Gap")  # printed only when some row fills them


@dataclass(frozen=True)
class ChronologyRow:
    date: dt.date | None
    description: str
    provider: str
    exhibit: str
    cite: str
    position: int  # exhibit's place in the set, to keep same-day rows in set order
    amount: str = ""
    gap_days: int | None = None
    gap_from: dt.date | None = None
    kind: str = EVENT

    @property
    def gap_text(self) -> str:
        if self.gap_days is None:
            return ""
        return f"GAP: {self.gap_days} days since {self.gap_from}"

    def cells(self) -> list[str]:
        return [
            self.date.isoformat() if self.date else "undated",
            self.provider,
            self.description,
            self.amount,
            self.exhibit,
            self.cite,
            self.gap_text,
        ]


def order_and_flag(rows: Sequence[ChronologyRow], gap_days: int = GAP_DAYS,
                   flagged: Sequence[str] = (TREATMENT,)) -> list[ChronologyRow]:
    """Oldest first (undated rows last); flag every gap of `gap_days` or more between rows
    of the same kind, for the kinds in `flagged` (a gap in treatment, not the years
    between an accident report and a bill)."""
    dated = sorted((r for r in rows if r.date), key=lambda r: (r.date, r.position))
    undated = [r for r in rows if not r.date]
    out: list[ChronologyRow] = []
    previous: dict[str, dt.date] = {}
    for row in dated:
        date = row.date
        assert date is not None
        last = previous.get(row.kind)
        if row.kind in flagged and last is not None and (date - last).days >= gap_days:
            row = replace(row, gap_days=(date - last).days, gap_from=last)
        out.append(row)
        previous[row.kind] = date
    return out + undated


def chronology_rows(exhibits: Sequence[BuiltExhibit]) -> list[ChronologyRow]:
    rows = []
    for ex in exhibits:
        if ex.entry.entries:
            for en in ex.entry.entries:
                first = en.first_page or 1
                last = en.last_page or (en.first_page or ex.pages)
                provider = en.provider or ex.entry.provider
                rows.append(ChronologyRow(
                    en.date, en.description, provider, ex.label,
                    ex.cite(first, last), ex.entry.position, amount=en.amount,
                    kind=row_kind(en.kind or ex.entry.kind, provider, en.amount),
                ))
        else:
            rows.append(ChronologyRow(
                ex.entry.date, ex.entry.description, ex.entry.provider, ex.label, ex.cite(),
                ex.entry.position, amount=ex.entry.amount,
                kind=row_kind(ex.entry.kind, ex.entry.provider, ex.entry.amount),
            ))
    return order_and_flag(rows)


def total_billed_row(rows: Sequence[ChronologyRow]) -> list[str]:
    """The 'Total billed' row under the table, or [] when no row has an amount."""
    amounts = [float(r.amount.replace(",", "")) for r in rows if r.amount]
    if not amounts:
        return []
    cells = [""] * len(CHRONOLOGY_COLUMNS)
    cells[CHRONOLOGY_COLUMNS.index("Description")] = "Total billed"
    cells[CHRONOLOGY_COLUMNS.index("Billed")] = f"{sum(amounts):,.2f}"
    return cells


def chronology_table(set_name: str, rows: Sequence[ChronologyRow], *,
                     printed: bool = True) -> TableData:
    """The chronology as a table for the Word and PDF writers (`printed`: the provider,
    billed and gap columns only when some row fills them, so a litigation set's chronology
    has no empty medical columns), or with every column for the CSV (a stable shape)."""
    names = list(CHRONOLOGY_COLUMNS)
    body = [r.cells() for r in rows]
    footer = total_billed_row(rows)
    if printed:
        shown = [n for n, name in enumerate(names)
                 if name not in OPTIONAL_COLUMNS or any(cells[n] for cells in body)]
        names = [names[n] for n in shown]
        body = [[cells[n] for n in shown] for cells in body]
        footer = [footer[n] for n in shown] if footer else footer
    flex = [names.index(name) for name in ("Description", "Provider") if name in names]
    return TableData(
        f"{set_name} - Chronology",
        f"Oldest first; gaps of {GAP_DAYS} days or more between treatment dates are flagged. "
        f"{len(rows)} entries." if any(r.kind == TREATMENT for r in rows) else
        f"Oldest first. {len(rows)} entries.",
        tuple(names), body,
        flex=flex,
        keep=[names.index("Date"), names.index("Cite"), names.index("Exhibit")],
        highlight=[n for n, r in enumerate(rows) if r.gap_days is not None],
        footer=footer,
    )
