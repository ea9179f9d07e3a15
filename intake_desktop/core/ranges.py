"""Page numbers as compact ranges ([1, 2, 3, 7] -> "1-3, 7"), for reports and the ledger."""

from __future__ import annotations

from collections.abc import Iterable


def spans(pages: Iterable[int]) -> list[tuple[int, int]]:
    """Runs of consecutive page numbers, sorted and without repeats: [(1, 3), (7, 7)]."""
    runs: list[list[int]] = []
    for page in sorted(set(pages)):
        if runs and page == runs[-1][1] + 1:
            runs[-1][1] = page
        else:
            runs.append([page, page])
    return [(a, b) for a, b in runs]


def ranges(pages: Iterable[int], sep: str = ", ") -> str:
    """[1, 2, 3, 7] -> "1-3, 7" (`sep` between the runs)."""
    return sep.join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans(pages))
