"""The chronology: date-ordered rows with a Bates (or page) cite, treatment gaps flagged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from intake_desktop.core.exhibits.model import BuiltExhibit

GAP_DAYS = 30
CHRONOLOGY_COLUMNS = ("Date", "Provider", "Description", "Billed", "Exhibit", "Cite", "Gap")
CHRONOLOGY_WIDTHS = (8, 14, 30, 8, 10, 18, 14)


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


def order_and_flag(rows: Sequence[ChronologyRow], gap_days: int = GAP_DAYS) -> list[ChronologyRow]:
    """Oldest first (undated rows last) and flag every gap of `gap_days` or more."""
    dated = sorted((r for r in rows if r.date), key=lambda r: (r.date, r.position))
    undated = [r for r in rows if not r.date]
    out: list[ChronologyRow] = []
    previous: dt.date | None = None
    for row in dated:
        assert row.date is not None
        if previous is not None and (row.date - previous).days >= gap_days:
            row = replace(row, gap_days=(row.date - previous).days, gap_from=previous)
        out.append(row)
        previous = row.date
    return out + undated


def chronology_rows(exhibits: Sequence[BuiltExhibit]) -> list[ChronologyRow]:
    rows = []
    for ex in exhibits:
        if ex.entry.entries:
            for en in ex.entry.entries:
                first = en.first_page or 1
                last = en.last_page or (en.first_page or ex.pages)
                rows.append(ChronologyRow(
                    en.date, en.description, en.provider or ex.entry.provider, ex.label,
                    ex.cite(first, last), ex.entry.position, amount=en.amount,
                ))
        else:
            rows.append(ChronologyRow(
                ex.entry.date, ex.entry.description, ex.entry.provider, ex.label, ex.cite(),
                ex.entry.position, amount=ex.entry.amount,
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
