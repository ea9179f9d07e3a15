"""Errors a person can act on: what happened, to which file, and what to do."""

from __future__ import annotations

from pathlib import Path


class IntakeError(Exception):
    """Base error. `str()` is a one-line message for a paralegal or admin."""

    def __init__(self, what: str, *, path: Path | str | None = None, fix: str = "") -> None:
        self.what = what
        self.path = str(path) if path is not None else None
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [self.what]
        if self.path:
            parts[0] = f"{self.path}: {self.what}"
        if self.fix:
            parts.append(self.fix)
        return ". ".join(p.rstrip(".") for p in parts) + "."


class UsageError(IntakeError):
    """The command was called wrongly (exit code 2)."""


class WorkspaceError(IntakeError):
    """The workspace is missing, unreadable or not a workspace."""


class LedgerError(IntakeError):
    """The ledger database could not be opened or written."""


class FilingError(IntakeError):
    """One file could not be filed; the source is left where it was."""


class InjectedFault(BaseException):
    """Raised by the fault-injection hook in tests; BaseException so no handler swallows it."""
