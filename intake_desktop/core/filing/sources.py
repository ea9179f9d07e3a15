"""What is filed from where, and a file's preparation: the steps before the ledger.

Where a file comes from (`source_in`), the matter its folder names (`hint_for`), the files
a command's paths name (`expand`), a file's preparation (`prepare_file`) and the facts
routing sees (`make_candidate`). They need the workspace and its configuration, never the
ledger, so the preparation workers of an `ingest` can start before the command has opened
the ledger (core/filing/early.py); the filer uses the same functions.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.junk import is_junk_path
from intake_desktop.core.mime import detect_type
from intake_desktop.core.paths import is_within, nfc
from intake_desktop.core.pipeline import Candidate, Prepared, Preparer
from intake_desktop.core.workspace import IntakeFolder

if TYPE_CHECKING:
    from intake_desktop.core.ledger import DocumentRecord


# How deep attachments of attachments (archive members of an e-mail's archive...) are filed.
MAX_CHILD_DEPTH = 3


class SourceKind(enum.StrEnum):
    """Where the bytes being filed come from."""

    INTAKE = "intake"  # an intake folder: removed once filed
    OUTSIDE = "outside"  # a path outside the workspace: left in place
    MEMBER = "member"  # an archive member or an email attachment (a work-folder file)
    REVIEW = "review"  # the copy waiting in Review/ (a review action): removed once filed
    UNDO = "undo"  # a filed document going back (undo)


@dataclass(frozen=True)
class Source:
    """One file to file and where it came from."""

    kind: SourceKind
    path: Path  # the file read now
    relative: PurePosixPath  # below its intake folder, or just the name
    intake: IntakeFolder | None = None
    parent: DocumentRecord | None = None  # MEMBER: the archive or email
    member: str = ""  # MEMBER: the name inside the parent
    document: DocumentRecord | None = None  # REVIEW/UNDO: the document acted on

    @property
    def removable(self) -> bool:
        """Whether filing removes the source afterwards (intake files, Review/ copies)."""
        return self.kind in (SourceKind.INTAKE, SourceKind.REVIEW)


def absolute(path: Path) -> str:
    """The absolute, normalised form of a path as given (links not resolved)."""
    return os.path.normpath(os.path.abspath(path))


def within_unresolved(path: Path, folder: Path) -> bool:
    try:
        Path(absolute(path)).relative_to(absolute(folder))
    except ValueError:
        return False
    return True


def relative_to(path: Path, folder: Path) -> str:
    try:
        return Path(absolute(path)).relative_to(absolute(folder)).as_posix()
    except ValueError:
        return path.resolve().relative_to(folder.resolve()).as_posix()


def expand(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and files inside folders named, in a stable order; junk skipped.
    Links are listed (filing refuses them) but never followed into."""
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            found: list[Path] = []
            for top, dirs, names in os.walk(path, followlinks=False):
                here = Path(top)
                found += [here / d for d in dirs if (here / d).is_symlink()]
                found += [here / n for n in names]
            for sub in sorted(found):
                if (sub.is_symlink() or sub.is_file()) and not is_junk_path(sub, path):
                    yield sub
        else:
            yield path


def source_in(path: Path, folders: Sequence[IntakeFolder], root: Path) -> Source:
    """Where `path` comes from: one of the workspace's intake `folders`, or outside the
    workspace at `root` (IntakeError: inside the workspace, outside its intake folders)."""
    for folder in folders:
        if within_unresolved(path, folder.path) or is_within(path, folder.path):
            rel = relative_to(path, folder.path)
            return Source(SourceKind.INTAKE, path, PurePosixPath(rel), intake=folder)
    if is_within(path, root):
        raise IntakeError(
            "this file is already inside the workspace, outside Intake/",
            path=path,
            fix="ingest takes new files from Intake/ or from outside the workspace; "
            "to re-file a document use the Review queue",
        )
    return Source(SourceKind.OUTSIDE, path, PurePosixPath(path.name))


def hint_for(origin: Source, explicit: str | None, intake: Path) -> str | None:
    """The matter a file is filed under before its rules decide: the one given, else its
    intake folder's, else the Intake/<matter>/ folder it is in (`intake`: Intake/)."""
    if explicit:
        return nfc(explicit)
    if origin.intake is None:
        return None
    if origin.intake.matter:
        return nfc(origin.intake.matter)
    if origin.intake.path == intake and len(origin.relative.parts) > 1:
        return nfc(origin.relative.parts[0])
    return None


def is_link(path: Path, source: Source) -> bool:
    """A link (or a file reached through a linked folder) inside an intake folder."""
    if source.intake is None:
        return False
    if path.is_symlink():
        return True
    here = Path(absolute(source.intake.path))
    for part in source.relative.parts[:-1]:
        here = here / part
        if here.is_symlink():
            return True
    return False


Ahead = dict[Path, tuple[Prepared, str | None]]


def prepare_file(preparer: Preparer, ahead: Ahead, path: Path, sha: str,
                 workdir: Path) -> tuple[Prepared, str | None]:
    """Run the preparer. A file it cannot prepare (an IntakeError: damaged, locked,
    hostile) goes to Review/ unchanged with the reason; so does an unexpected failure,
    so one bad file never stops the rest. Returns (prepared, review reason or None).
    `ahead`: attachments a worker prepared with their parent, given without running
    again (taken from it)."""
    done = ahead.pop(path, None)
    if done is not None:
        return done
    if path.stat().st_size == 0:
        return Prepared(detected_type="application/x-empty", filed_from=path), None
    try:
        return preparer.prepare(path, sha, workdir), None
    except IntakeError as exc:
        reason = exc.message
        detected = getattr(exc, "detected_type", None)
        flags = tuple(getattr(exc, "flags", ()))
    except Exception as exc:  # a converter bug or a library crash on odd input
        note = f"{exc.__class__.__name__}: {exc}"[:300]
        reason = (f"{path}: could not be prepared for filing ({note}). The file is kept "
                  "unchanged; check it by hand")
        detected, flags = None, ()
    detected = detected or detect_type(path)
    return Prepared(detected_type=detected, filed_from=path, flags=flags), reason


def make_candidate(
    source: Source, prepared: Prepared, sha: str, size: int, matter_hint: str | None,
    *, parent_name: str | None = None, child_index: int = 0, category: str = "",
) -> Candidate:
    """What routing sees of a prepared file."""
    filed_suffix = ""
    if prepared.filed_from != source.path:
        filed_suffix = prepared.filed_from.suffix.lower()
    facts = dict(prepared.facts)
    if category:
        facts["assigned_category"] = category
    return Candidate(
        source=source.path,
        relative=source.relative,
        matter_hint=matter_hint,
        detected_type=prepared.detected_type,
        sha256=sha,
        size=size,
        facts=facts,
        family_id=source.parent.family_id if source.parent else None,
        parent_name=parent_name,
        child_index=child_index,
        filed_suffix=filed_suffix,
    )
