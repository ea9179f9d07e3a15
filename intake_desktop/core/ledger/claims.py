"""Watch claims as plain values: which watcher process took which intake file."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ClaimState(enum.StrEnum):
    ACTIVE = "active"  # a watcher is filing this file now
    FAILED = "failed"  # filing failed; kept so nobody retries it before `retry_failed_after`


@dataclass(frozen=True)
class ClaimRecord:
    key: str
    owner: str
    state: str
    source: str
    reason: str | None
    claimed_at: float
    updated_at: float


@dataclass(frozen=True)
class OwnerRecord:
    owner: str
    host: str
    pid: int
    started_at: float
    heartbeat_at: float
