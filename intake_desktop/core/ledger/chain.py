"""The hash chain: row_hash = SHA256(prev_hash || canonical serialization of the row)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from intake_desktop.core.ledger.schema import GENESIS_HASH


def canonical_detail(detail: dict[str, Any] | None) -> str:
    """Detail dicts are stored as sorted, compact JSON so they hash the same everywhere."""
    return json.dumps(detail or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(prev_hash: str, values: Sequence[Any]) -> str:
    """Hash of one event: the previous hash followed by its hashed columns as a JSON array."""
    payload = json.dumps(list(values), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


@dataclass
class ChainReport:
    ok: bool = True
    events: int = 0
    head_hash: str = GENESIS_HASH
    first_bad_event: int | None = None
    problems: list[str] = field(default_factory=list)

    def fail(self, seq: int, problem: str) -> None:
        if self.first_bad_event is None:
            self.first_bad_event = seq
        self.ok = False
        self.problems.append(f"event {seq}: {problem}")


def verify_rows(rows: Iterable[Sequence[Any]]) -> ChainReport:
    """Check rows of (hashed columns..., prev_hash, row_hash) in seq order.

    Reports the first event whose hash, link or sequence number is wrong.
    """
    report = ChainReport()
    prev = GENESIS_HASH
    expected_seq = 1
    for row in rows:
        values = row[:-2]
        stored_prev, stored_hash = row[-2], row[-1]
        seq = int(values[0])
        if seq != expected_seq:
            report.fail(expected_seq, f"event {expected_seq} is missing (next found: {seq})")
        if stored_prev != prev:
            report.fail(expected_seq, "link to the previous event is broken")
        if row_hash(stored_prev, values) != stored_hash:
            report.fail(expected_seq, "contents do not match the stored hash")
        prev = stored_hash
        expected_seq = seq + 1
        report.events += 1
    report.head_hash = prev
    return report
