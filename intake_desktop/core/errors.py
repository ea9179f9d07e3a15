"""Errors a person can act on: what happened, to which file, and what to do.

`format_message` is the one formatter for every message the app shows (command line and
window): sentence case, the file named once, then what to do. `explain` turns the OS and
database errors that reach a command (disk full, read-only, permission, broken pipe,
SQLite's OperationalError) into the same kind of message instead of a traceback.
"""

from __future__ import annotations

import errno
import re
from pathlib import Path


def sentence_case(text: str) -> str:
    """Capitalize the first letter of each sentence; leave the rest alone."""
    text = text.strip()
    if not text:
        return text

    def cap(match: re.Match[str]) -> str:
        return match.group(1) + match.group(2).upper()

    text = re.sub(r"^()([a-z])", cap, text, count=1)
    # not after abbreviations (e.g., i.e., v., p., Ex., etc.)
    return re.sub(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bv)(?<!\bp)(?<!\bEx)(?<!\betc)"
                  r"([.!?] +)([a-z])", cap, text)


def format_message(what: str, path: Path | str | None = None, fix: str = "") -> str:
    """`the/file: what happened. What to do.` (or `What happened. What to do.`).

    The file is named once: a `what` that already names it is not given it again. Each
    sentence starts with a capital letter (a message that starts with the file name keeps
    the file name as it is).
    """
    what = what.strip().rstrip(".")
    prefix = ""
    if path is not None and str(path):
        where = str(path)
        if what.startswith(f"{where}: "):
            what = what[len(where) + 2:]
        if not re.search(rf"(?<![\w/.-]){re.escape(where)}(?![\w/-])", what):
            prefix = f"{where}: "
    parts = [what]
    if fix.strip():
        parts.append(fix.strip().rstrip("."))
    text = sentence_case(". ".join(p for p in parts if p) + ".")
    if prefix:  # after the file name the sentence goes on in lower case
        first = what[:1]
        if re.fullmatch(r"[A-Z][a-z]+,?", what.split(" ", 1)[0]):  # not PDF, Pltf., names
            first = first.lower()
        text = prefix + first + text[1:]
    return text


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """`1 page`, `2 pages`, `0 duplicates`, `1 entry` / `3 entries` (with plural_form)."""
    if count == 1:
        return f"{count} {noun}"
    if plural_form is None:
        plural_form = noun[:-1] + "ies" if re.search(r"[^aeiou]y$", noun) else noun + "s"
    return f"{count} {plural_form}"


class IntakeError(Exception):
    """Base error. `str()` is a one-line message for a paralegal or admin."""

    def __init__(self, what: str, *, path: Path | str | None = None, fix: str = "") -> None:
        self.what = what
        self.path = str(path) if path is not None else None
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return format_message(self.what, self.path, self.fix)


class BadInputError(IntakeError):
    """What the person gave is wrong: a command-line value, a spec, a court profile. The
    command line exits with 2 for these (bad usage or a bad value), 1 for any other error."""


class UsageError(BadInputError):
    """The command was called wrongly, or given a bad value (exit code 2)."""


class WorkspaceError(IntakeError):
    """The workspace is missing, unreadable or not a workspace."""


class LedgerError(IntakeError):
    """The ledger database could not be opened or written."""


class FilingError(IntakeError):
    """One file could not be filed; the source is left where it was."""


class InjectedFault(BaseException):
    """Raised by the fault-injection hook in tests; BaseException so no handler swallows it."""


_OS_ERRORS = {
    errno.ENOSPC: ("the disk is full", "free some space, then run the command again"),
    errno.EDQUOT: ("the disk quota is used up", "free some space, then run the command again"),
    errno.EFBIG: ("the file is larger than this disk or account allows",
                  "free some space or raise the limit, then run the command again"),
    errno.EROFS: ("the disk is read-only", "use a folder on a writable disk"),
    errno.EACCES: ("permission denied", "check that you may read and write there"),
    errno.EPERM: ("operation not permitted", "check that you may read and write there"),
    errno.ENOENT: ("no such file or folder", "check the path and try again"),
    errno.EISDIR: ("this is a folder, not a file", "give a file"),
    errno.ENOTDIR: ("a part of this path is not a folder", "check the path and try again"),
    errno.ELOOP: ("too many symbolic links", "give the real folder, not a link"),
    errno.EIO: ("the disk reported a read or write error", "check the disk, then retry"),
}

_DB_ERRORS = (
    ("disk is full", "the ledger could not be written: the disk is full",
     "free some space, then run the command again (what was not finished is completed or "
     "rolled back then)"),
    ("disk i/o error", "the ledger could not be written (disk I/O error: the disk may be full, "
     "over a size limit or failing)",
     "free some space or check the disk, then run the command again (what was not finished "
     "is completed or rolled back then)"),
    ("readonly database", "the ledger is read-only",
     "check that you may write to the workspace's .intake folder (or the database)"),
    ("read-only", "the ledger is read-only",
     "check that you may write to the workspace's .intake folder (or the database)"),
    ("database is locked", "the ledger is busy (locked by another program)",
     "wait a moment and run the command again"),
    ("unable to open database", "the ledger database cannot be opened",
     "check that the workspace's .intake folder exists and you may write to it"),
    ("malformed", "the ledger database is damaged",
     "restore .intake/ledger.sqlite from a backup, then run `intake-desktop ledger verify`"),
    ("no such table", "the ledger database is incomplete or from another program",
     "check the --db URL or restore .intake/ledger.sqlite from a backup"),
)


def _is_database_error(exc: BaseException) -> bool:
    module = type(exc).__module__ or ""
    return module.startswith(("sqlalchemy", "sqlite3", "psycopg"))


def explain(exc: BaseException, path: Path | str | None = None) -> IntakeError | None:
    """An IntakeError for an OS or database error, or None when it is neither."""
    if isinstance(exc, IntakeError):
        return exc
    if isinstance(exc, OSError):
        what, fix = _OS_ERRORS.get(
            exc.errno or 0,
            (f"the operating system refused: {exc.strerror or exc}",
             "check the file and the disk, then retry"),
        )
        where = path if path is not None else exc.filename
        return IntakeError(what, path=where, fix=fix)
    if _is_database_error(exc):
        text = str(getattr(exc, "orig", None) or exc).lower()
        for needle, what, fix in _DB_ERRORS:
            if needle in text:
                return LedgerError(what, path=path, fix=fix)
        first = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        return LedgerError(
            f"the ledger database reported an error ({first})", path=path,
            fix="check the disk and the --db setting, then run `intake-desktop ledger verify`",
        )
    return None
