"""Exhibit sets: labels, Bates numbers, slip sheets, exhibit index, chronology, binders."""
