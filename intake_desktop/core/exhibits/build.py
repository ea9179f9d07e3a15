"""Build an exhibit set: reserve Bates numbers, stamp every exhibit, slip sheets, binder,
exhibit index and chronology, then record every output in the ledger.

Everything is written into a scratch folder and placed into the output folder by the mover
only when the whole set is built; on failure the scratch folder is removed and the
Bates reservation is given back (when nothing was reserved after it), so a failed build
leaves neither files nor a gap in the numbering.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pikepdf

from intake_desktop.core.exhibits import court
from intake_desktop.core.exhibits.binder import make_binder, navigate_part, slip_sheet
from intake_desktop.core.exhibits.chronology import (
    ChronologyRow,
    chronology_rows,
    chronology_table,
)
from intake_desktop.core.exhibits.court import CourtFit, court_fit
from intake_desktop.core.exhibits.index import index_tables, write_index
from intake_desktop.core.exhibits.labels import file_stem
from intake_desktop.core.exhibits.model import (
    BuildError,
    BuiltExhibit,
    OutputPart,
    Resolver,
)
from intake_desktop.core.exhibits.numbering import (
    BATES_REUSED,
    first_assigned_at,
    plan_numbers,
    sources_of,
)
from intake_desktop.core.exhibits.sources import file_resolver, number_exhibits, plan_exhibits
from intake_desktop.core.exhibits.spec import ExhibitSetSpec
from intake_desktop.core.exhibits.tables import write_all
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger.records import EventKind
from intake_desktop.core.mover import Mover
from intake_desktop.core.ocr.step import OcrEngine
from intake_desktop.core.pdf.stamp import (
    Corner,
    PageStamp,
    StampError,
    StampStyle,
    stamp_file,
    stamp_pages,
)
from intake_desktop.core.pdf.stamp_fonts import EMBEDDED, HELVETICA
from intake_desktop.core.pdf.stamp_place import PlacementPolicy
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress
from intake_desktop.core.ranges import ranges

EXHIBITS_DIR = "Exhibits"
SLIP_DIR = "Slip sheets"
BINDER_DIR = "Binder"
INDEX_STEM = "Exhibit index"
CHRONOLOGY_STEM = "Chronology"
EXPORTED = EventKind.EXPORTED


class BatesCounter(Protocol):
    """The ledger's Bates counters (`ledger.bates`)."""

    def next_bates(self, prefix: str) -> int: ...

    def reserve_bates(
        self, prefix: str, count: int, start: int | None = None, *,
        detail: dict[str, Any] | None = None,
    ) -> int: ...

    def release_bates(self, prefix: str, first: int, count: int, *, reason: str = "") -> bool: ...

    def latest_bates_reservation(self, prefix: str) -> dict[str, Any] | None: ...

    def bates_reservations(self, prefix: str) -> list[dict[str, Any]]: ...


class EventRecorder(Protocol):
    """The ledger's chained events (`ledger.chain`)."""

    def record(self, kind: EventKind, **fields: Any) -> int: ...


class BatesBook(Protocol):
    """What the build needs from the ledger (the real Ledger, or a fake in tests)."""

    @property
    def bates(self) -> BatesCounter: ...

    @property
    def chain(self) -> EventRecorder: ...


@dataclass
class BuildResult:
    spec: ExhibitSetSpec
    out_dir: Path
    exhibits: list[BuiltExhibit]
    index_files: list[Path]
    chronology_files: list[Path]
    binder_parts: list[OutputPart]
    chronology: list[ChronologyRow]
    warnings: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "set": self.spec.name,
            "out": str(self.out_dir),
            "index": [str(p) for p in self.index_files],
            "chronology": [str(p) for p in self.chronology_files],
            "binder": [p.as_json() for p in self.binder_parts],
            "exhibits": [
                {
                    "label": e.label,
                    "description": e.entry.description,
                    "bates_first": e.bates_first,
                    "bates_last": e.bates_last,
                    "pages": e.pages,
                    "parts": [p.as_json() for p in e.parts],
                    "actions": e.actions,
                    "source": str(e.source.path),
                    "sha256": e.source_sha256,
                    "produced_as": e.production_numbers,
                    "shrunk_pages": sorted(e.shrunk),
                }
                for e in self.exhibits
            ],
            "warnings": self.warnings,
        }


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildError("the output path is a file, not a folder", path=out_dir,
                         fix="choose a new or empty folder with --out")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise BuildError(
            "the output folder is not empty",
            path=out_dir,
            fix="choose a new or empty folder with --out (earlier builds are never "
            "overwritten)",
        )


def _part(path: Path, first: int, last: int) -> OutputPart:
    return OutputPart(path, path.stat().st_size, first, last, sha256_file(path))


def _first_page_only(corner: Corner, text: str) -> Callable[[int], dict[Corner, list[str]]]:
    def lines(index: int) -> dict[Corner, list[str]]:
        return {corner: [text]} if index == 0 else {}

    return lines


def _place(
    whole: Path,
    folder: Path,
    fit: CourtFit,
    pages: int,
    title: str,
    style: StampStyle,
    corner: Corner,
    warnings: list[str],
    finish: Callable[[Path, int, int], None] | None = None,
    actions: list[str] | None = None,
    before: Path | None = None,
) -> list[OutputPart]:
    """Move a finished PDF into `folder`; over the court's limit, fit it as `fit` does
    (compression first, then split into parts).

    Each part's first page then says which part it is ("Exhibit A, Part 1 of 2, pages
    1-40 of 85"), as courts ask of split filings, unless that would push it over the limit;
    where the court asks for a cover page on each part, the cover says it instead.
    `finish(part, first, last)` runs on each part first (the binder's bookmarks and links).
    """
    whole = court.ensure_pdfa(fit, whole)
    if not (fit.limit_bytes and fit.profile and whole.stat().st_size > fit.limit_bytes):
        target = folder / court.court_name(fit, whole.name)
        os.replace(whole, target)
        return court_checked([_part(target, 1, pages)], fit, title, warnings, before)
    parts = court.fit_parts(fit, whole, folder, actions if actions is not None else [])
    whole.unlink()  # our own scratch copy; the parts replace it
    if len(parts) == 1:
        return court_checked([_part(parts[0].path, 1, pages)], fit, title, warnings, before)
    out = []
    for n, p in enumerate(parts, start=1):
        path, first, last = Path(p.path), int(p.first_page), int(p.last_page)
        if finish is not None:
            keep = path.with_name(f".unfinished-{path.name}")
            shutil.copyfile(path, keep)
            finish(path, first, last)
            if path.stat().st_size > fit.limit_bytes:
                os.replace(keep, path)
                warnings.append(f"{path.name}: no bookmarks, they would go over the court's "
                                "limit")
            else:
                keep.unlink()
        if fit.cover_pages:
            court.add_cover_page(path, title, n, len(parts), first, last, pages,
                                 fit.profile.name if fit.profile else "the court")
            out.append(_part(path, first, last))
            continue
        text = f"{title}, Part {n} of {len(parts)}, pages {first}-{last} of {pages}"
        labelled = path.with_name(f".labelled-{path.name}")
        stamp_file(path, labelled, _first_page_only(corner, text), style)
        if labelled.stat().st_size <= fit.limit_bytes:
            os.replace(labelled, path)
        else:
            labelled.unlink()
            warnings.append(f"{path.name}: no part label, it would go over the court's limit")
        out.append(_part(path, first, last))
    return court_checked(out, fit, title, warnings, None)


def court_checked(parts: list[OutputPart], fit: CourtFit, title: str, warnings: list[str],
                  before: Path | None) -> list[OutputPart]:
    """The court's checks on finished files (bookmarks, PDF/A, blank areas)."""
    if fit.profile is None:
        return parts
    for n, part in enumerate(parts, 1):
        name = title if len(parts) == 1 else f"{title}, Part {n} of {len(parts)}"
        warnings += court.finish_output(fit, part.path, name, before if len(parts) == 1 else None)
        parts[n - 1] = _part(part.path, part.first_page, part.last_page)
    return parts


def _publish(staging: Path, out_dir: Path, mover: Mover, placed: list[Path]) -> None:
    """Copy every finished output into `out_dir` through the mover (hash-checked, fsynced,
    never replacing a file); `placed` collects what is already in place."""
    for src in sorted(p for p in staging.rglob("*") if p.is_file()):
        dest = out_dir / src.relative_to(staging)
        mover.place_copy(src, dest, sha256_file(src), tag="exhibits")
        placed.append(dest)


def _rebase(path: Path, staging: Path, out_dir: Path) -> Path:
    return out_dir / path.relative_to(staging)


def build_set(
    spec: ExhibitSetSpec,
    out_dir: Path,
    book: BatesBook,
    *,
    resolve: Resolver = file_resolver,
    workspace_root: Path | None = None,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
    scratch_dir: Path | None = None,
    courts_dir: Path | None = None,
    reuse_numbers: bool = False,
    ocr: OcrEngine | None = None,
) -> BuildResult:
    """Build the whole set into `out_dir` (new or empty) and record it through `book`.

    `reuse_numbers`: a set built before keeps its earlier Bates range when its documents
    are the same (otherwise BuildError); without it a rebuild takes new numbers and warns.

    Outputs are made in a scratch folder (`scratch_dir`, default beside `out_dir`) and
    copied into place by the mover only when all of them are finished.
    """
    out_dir = out_dir.absolute()
    _check_out_dir(out_dir)
    fit = court_fit(spec.court, spec.path, courts_dir, ocr)
    warnings = list(spec.warnings)
    total_ex = len(spec.exhibits)

    exhibits = plan_exhibits(spec, resolve, unlock=fit.preflight is not None,
                             on_progress=on_progress)
    total_pages = sum(ex.pages for ex in exhibits)

    first_number = None
    reserved = False
    if spec.bates is not None:
        plan = plan_numbers(spec, exhibits, book, reuse=reuse_numbers)
        warnings += plan.warnings
        if plan.release is not None:
            book.bates.release_bates(spec.bates.prefix, int(plan.release["first"]),
                                     int(plan.release["count"]),
                                     reason=f"rebuild of set {spec.name!r}")
        detail = {"set": spec.name, "spec": str(spec.path), "exhibits": total_ex,
                  "sources": sources_of(exhibits)}
        if plan.release is not None:  # a rebuild keeps when its numbers were first assigned
            detail["first_assigned_at"] = first_assigned_at(plan.release)
        if plan.reserve:
            first_number = book.bates.reserve_bates(spec.bates.prefix, total_pages, plan.start,
                                                    detail=detail)
            reserved = True
        else:
            first_number = plan.first
            book.chain.record(BATES_REUSED, matter_id=spec.matter,
                              detail={**detail, "prefix": spec.bates.prefix, "first": plan.first,
                                      "last": plan.first + total_pages - 1, "count": total_pages,
                                      "reserved_at": (plan.previous or {}).get("at")})
        number_exhibits(exhibits, first_number)

    scratch_root = scratch_dir if scratch_dir is not None else out_dir.parent
    scratch_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".intake-exhibits-", dir=scratch_root))
    work = staging / ".work"
    mover = Mover()
    placed: list[Path] = []
    try:
        result = _build_outputs(spec, exhibits, staging, work, fit, on_progress, cancel,
                                total_pages, warnings, workspace_root)
        shutil.rmtree(work)
        on_progress(total_pages, total_pages, "placing the outputs")
        _publish(staging, out_dir, mover, placed)
    except BaseException as exc:
        for path in placed:
            mover.discard(path)  # outputs of this failed build only
        if spec.bates is not None and first_number is not None and reserved:
            book.bates.release_bates(spec.bates.prefix, first_number, total_pages,
                                     reason=f"build failed: {exc}")
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result.out_dir = out_dir
    for ex in exhibits:
        ex.parts = [
            OutputPart(_rebase(p.path, staging, out_dir), p.bytes, p.first_page, p.last_page,
                       p.sha256)
            for p in ex.parts
        ]
        if ex.slip_sheet is not None:
            ex.slip_sheet = _rebase(ex.slip_sheet, staging, out_dir)
    result.binder_parts = [
        OutputPart(_rebase(p.path, staging, out_dir), p.bytes, p.first_page, p.last_page,
                   p.sha256)
        for p in result.binder_parts
    ]
    result.index_files = [_rebase(p, staging, out_dir) for p in result.index_files]
    result.chronology_files = [_rebase(p, staging, out_dir) for p in result.chronology_files]
    _record(book, result, workspace_root)
    on_progress(total_pages, total_pages, "done")
    return result


def _lines_for(
    ex: BuiltExhibit, spec: ExhibitSetSpec, position: Corner
) -> Callable[[int], dict[Corner, list[str]]]:
    def lines(index: int) -> dict[Corner, list[str]]:
        return {position: ex.page_lines(index + 1, spec)}

    return lines


def _prepare_for(
    ex: BuiltExhibit, preflight: Callable[[pikepdf.Pdf], list[str]]
) -> Callable[[pikepdf.Pdf], None]:
    def prepare(pdf: pikepdf.Pdf) -> None:
        ex.actions = preflight(pdf)

    return prepare


def _note_placement(ex: BuiltExhibit, stamped: list[PageStamp], warnings: list[str]) -> None:
    """Record on the exhibit (and warn) where the stamp had to avoid the page's content."""
    numbers: dict[str, None] = {}
    for n, page in enumerate(stamped, start=1):
        if page.scale is not None:
            ex.shrunk[n] = round(page.scale, 4)
        if page.moved:
            ex.moved[n] = ", ".join(c.value for c in page.moved.values())
        for number in page.numbers:
            numbers.setdefault(number, None)
    ex.production_numbers = list(numbers)
    if ex.shrunk:
        least = min(ex.shrunk.values())
        warnings.append(
            f"{ex.label}: page{'s' if len(ex.shrunk) > 1 else ''} "
            f"{ranges(list(ex.shrunk))} had no blank place for the stamp; the content "
            f"was shrunk (to {least:.0%} at least) to leave a blank strip for it"
        )
    if ex.moved:
        places = sorted(set(ex.moved.values()))
        warnings.append(
            f"{ex.label}: on page{'s' if len(ex.moved) > 1 else ''} "
            f"{ranges(list(ex.moved))} the stamp went {' / '.join(places)} to stay "
            "clear of what is printed there"
        )


def _build_outputs(
    spec: ExhibitSetSpec,
    exhibits: list[BuiltExhibit],
    staging: Path,
    work: Path,
    fit: CourtFit,
    on_progress: ProgressCallback,
    cancel: CancelFlag | None,
    total_pages: int,
    warnings: list[str],
    workspace_root: Path | None,
) -> BuildResult:
    for folder in (work, staging / EXHIBITS_DIR):
        folder.mkdir(parents=True)
    if spec.slip_sheets:
        (staging / SLIP_DIR).mkdir()
    position = spec.stamp_position or fit.stamp_position or Corner.BOTTOM_RIGHT
    court.check_stamp_corner(fit, position, spec.path)
    font = spec.font or (EMBEDDED if fit.pdfa else HELVETICA)
    style = StampStyle(font_size=spec.font_size, margin_x=spec.margin_x,
                       margin_y=spec.margin_y, backing=spec.backing, font=font)
    policy = PlacementPolicy(positions=tuple(c.value for c in spec.stamp_positions),
                             shrink=spec.shrink_to_fit)
    # Part labels go on the other edge from the Bates stamp, centred.
    part_corner = Corner.TOP_CENTER if position.value.startswith("bottom") else (
        Corner.BOTTOM_CENTER)
    part_corner = court.label_corner(fit, part_corner)
    prepared: dict[int, Path] = {}
    done = 0
    whole: dict[int, Path] = {}
    stems: set[str] = set()
    for ex in exhibits:
        if cancel is not None and cancel.is_set():
            raise BuildError("the build was cancelled; nothing was written",
                             path=spec.path)
        on_progress(done, total_pages, f"stamping {ex.label}")
        stem = file_stem(ex.label)
        if stem.lower() in stems:
            raise BuildError(f"two exhibits would share the file name {stem!r}",
                             path=spec.path, fix="use distinct label prefixes")
        stems.add(stem.lower())
        target = work / f"{stem}.pdf"
        prepare = _prepare_for(ex, fit.preflight) if fit.preflight is not None else None
        # The court's text layer and PDF/A come before the stamps (OCR skips pages with text).
        ready = court.prepare_source(fit, ex.source.path, work / "court" / stem, ex.label,
                                     staging / EXHIBITS_DIR / "removed")
        warnings += ready.warnings
        prepared[ex.entry.position] = ready.path
        try:
            stamped = stamp_pages(ready.path, target, _lines_for(ex, spec, position),
                                  style, prepare=prepare,
                                  allow_owner_encrypted=fit.preflight is not None,
                                  policy=policy)
        except StampError as exc:
            raise BuildError(f"{ex.label}: {exc.what}", path=exc.path, fix=exc.fix) from exc
        _note_placement(ex, stamped, warnings)
        ex.actions = ready.actions + [a for a in ex.actions if a not in ready.actions]
        if sha256_file(ex.source.path) != ex.source_sha256:
            raise BuildError(
                f"{ex.label}: the source changed while the set was being built",
                path=ex.source.path, fix="wait until nobody is editing it and build again",
            )
        whole[ex.entry.position] = target
        if spec.slip_sheets:
            ex.slip_sheet = staging / SLIP_DIR / f"{stem} - slip sheet.pdf"
            slip_sheet(ex.slip_sheet, ex.label, ex.entry.description,
                       ex.cite() if ex.bates else f"{ex.pages} pages")
        done += ex.pages

    binder_parts: list[OutputPart] = []
    if spec.binder:
        on_progress(done, total_pages, "assembling the binder")
        (work / "binder").mkdir()
        binder_path = work / "binder" / f"{file_stem(spec.name)} - Binder.pdf"
        layout = make_binder(binder_path, exhibits, whole, spec.name)
        (staging / BINDER_DIR).mkdir()
        with pikepdf.open(binder_path) as b:
            binder_pages = len(b.pages)

        def navigate(part: Path, first: int, last: int) -> None:
            navigate_part(part, layout, first, last)

        binder_parts = _place(binder_path, staging / BINDER_DIR, fit, binder_pages,
                              f"{spec.name} - Binder", style, part_corner, warnings,
                              finish=navigate)

    for ex in exhibits:
        ex.parts = _place(whole[ex.entry.position], staging / EXHIBITS_DIR, fit, ex.pages,
                          ex.label, style, part_corner, warnings,
                          actions=ex.actions, before=prepared[ex.entry.position])
        if len(ex.parts) > 1:
            warnings.append(f"{ex.label} is over the court's limit and was split into "
                            f"{len(ex.parts)} parts")

    def display(path: Path) -> str:
        for base in (workspace_root, spec.path.parent):
            if base is None:
                continue
            try:
                return path.resolve().relative_to(base.resolve()).as_posix()
            except ValueError:
                continue
        return str(path)

    on_progress(done, total_pages, "writing the exhibit index and chronology")
    index_files = write_index(index_tables(spec, exhibits, display), staging, INDEX_STEM)
    chronology = chronology_rows(exhibits)
    chronology_files = write_all(
        chronology_table(spec.name, chronology), staging, CHRONOLOGY_STEM,
        csv_table=chronology_table(spec.name, chronology, printed=False))
    return BuildResult(spec, staging, exhibits, index_files, chronology_files, binder_parts,
                       chronology, warnings)


def _record(book: BatesBook, result: BuildResult, workspace_root: Path | None) -> None:
    """One ledger event per output: inputs, outputs, hashes and Bates ranges."""

    def rel(path: Path) -> str:
        if workspace_root is not None:
            try:
                return path.resolve().relative_to(workspace_root.resolve()).as_posix()
            except ValueError:
                pass
        return str(path.resolve())

    name = result.spec.name
    for ex in result.exhibits:
        for n, part in enumerate(ex.parts, start=1):
            book.chain.record(
                EventKind.STAMPED,
                document_id=ex.source.document_id,
                matter_id=ex.source.matter_id or result.spec.matter,
                path_before=rel(ex.source.path),
                path_after=rel(part.path),
                sha256_before=ex.source_sha256,
                sha256_after=part.sha256,
                detail={
                    "set": name, "label": ex.label, "bates_first": ex.bates_at(part.first_page),
                    "bates_last": ex.bates_at(part.last_page), "pages": ex.pages,
                    "first_page": part.first_page, "last_page": part.last_page,
                    "part": n, "parts": len(ex.parts), "actions": ex.actions,
                    "shrunk_pages": {str(k): v for k, v in ex.shrunk.items()},
                    "moved_pages": {str(k): v for k, v in ex.moved.items()},
                    "production_numbers": ex.production_numbers,
                },
            )
        if ex.slip_sheet is not None:
            book.chain.record(EXPORTED, path_after=rel(ex.slip_sheet),
                              sha256_after=sha256_file(ex.slip_sheet),
                              matter_id=result.spec.matter,
                              detail={"set": name, "output": "slip_sheet", "label": ex.label})
    bates = {
        "bates_first": result.exhibits[0].bates_first if result.exhibits else None,
        "bates_last": result.exhibits[-1].bates_last if result.exhibits else None,
    }
    for n, part in enumerate(result.binder_parts, start=1):
        book.chain.record(EXPORTED, path_after=rel(part.path), sha256_after=part.sha256,
                          matter_id=result.spec.matter,
                          detail={"set": name, "output": "binder", "part": n,
                                  "parts": len(result.binder_parts), "first_page": part.first_page,
                                  "last_page": part.last_page, **bates})
    for kind, files in (("index", result.index_files), ("chronology", result.chronology_files)):
        for path in files:
            book.chain.record(EXPORTED, path_after=rel(path), sha256_after=sha256_file(path),
                              matter_id=result.spec.matter,
                              detail={"set": name, "output": kind, "format": path.suffix[1:],
                                      "exhibits": len(result.exhibits), **bates})
