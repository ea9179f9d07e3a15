"""Build a production volume: reserve Bates numbers, stamp each document's pages, copy
natives behind slip sheets, write the text, the DAT and OPT load files, the cover letter and
the privilege log, then record every produced and withheld document in the ledger.

Everything is made in a scratch folder and copied into the output folder by the mover only
when the whole volume is built; on failure or cancel the copies made so far are removed and
the Bates reservation is given back, so a failed production leaves neither files nor a gap.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from intake_desktop.core.exhibits.tables import WRITERS
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.ledger import EventKind, Ledger
from intake_desktop.core.mover import Mover
from intake_desktop.core.pdf.stamp import (
    Corner,
    PageLines,
    PageStamp,
    StampError,
    StampStyle,
    stamp_pages,
)
from intake_desktop.core.pdf.stamp_place import PlacementPolicy
from intake_desktop.core.production.documents import (
    NATIVE_TITLE,
    WITHHELD_TITLE,
    CoverLetter,
    cover_letter,
    cover_letter_docx,
    privilege_table,
    slip_sheet,
)
from intake_desktop.core.production.images import render_page_images
from intake_desktop.core.production.loadfiles import dat_bytes, opt_bytes, opt_line
from intake_desktop.core.production.plan import (
    PlannedDoc,
    ProductionError,
    ProductionLedger,
    Treatment,
    number_documents,
    plan_production,
)
from intake_desktop.core.production.spec import ProductionSpec
from intake_desktop.core.progress import CancelFlag, ProgressCallback, no_progress
from intake_desktop.core.search_text import index_stamps

PRODUCED = EventKind.PRODUCED  # a document produced, with its Bates range and volume
WITHHELD = EventKind.WITHHELD_PRIVILEGED  # a document withheld, with the basis
EXPORTED = EventKind.EXPORTED  # a load file, cover letter or privilege log written
IMAGES, TEXT, NATIVES, DATA = "IMAGES", "TEXT", "NATIVES", "DATA"


@dataclass(frozen=True)
class Hashes:
    md5: str
    sha1: str
    sha256: str


def file_hashes(path: Path) -> Hashes:
    md5, sha1, sha256 = hashlib.md5(), hashlib.sha1(), hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            md5.update(chunk)
            sha1.update(chunk)
            sha256.update(chunk)
    return Hashes(md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest())


def pdf_text(path: Path) -> str:
    """The text layer of every page, pages separated by a form feed."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            try:
                pages.append(str(textpage.get_text_range()))
            finally:
                textpage.close()
                page.close()
        return "\f".join(pages)
    finally:
        pdf.close()


@dataclass
class ProducedDoc:
    """A planned document after the build: its files (relative to the output folder)."""

    plan: PlannedDoc
    image: Path | None = None
    native: Path | None = None
    text: Path | None = None
    hashes: Hashes | None = None
    begattach: str = ""
    endattach: str = ""
    shrunk_pages: int = 0
    # image_format "tiff": one image per page (TIFF G4 or JPEG), `image` is the first
    page_images: list[Path] = field(default_factory=list)


@dataclass
class ProductionResult:
    spec: ProductionSpec
    out_dir: Path
    docs: list[ProducedDoc]
    dat: Path
    opt: Path
    cover_letter: Path
    privilege_log: list[Path]
    bates_first: str
    bates_last: str
    pages: int
    warnings: list[str]

    @property
    def volume_dir(self) -> Path:
        return self.out_dir / self.spec.volume

    def as_json(self) -> dict[str, Any]:
        bates = self.spec.bates

        def num(n: int | None) -> str | None:
            return bates.number(n) if n is not None else None

        return {
            "volume": self.spec.volume,
            "out": str(self.out_dir),
            "bates_first": self.bates_first,
            "bates_last": self.bates_last,
            "pages": self.pages,
            "dat": str(self.dat),
            "opt": str(self.opt),
            "cover_letter": str(self.cover_letter),
            "privilege_log": [str(p) for p in self.privilege_log],
            "documents": [
                {
                    "document": d.plan.record.id,
                    "treatment": d.plan.treatment.value,
                    "bates_first": num(d.plan.bates_first),
                    "bates_last": num(d.plan.bates_last),
                    "control": d.plan.control or None,
                    "pages": d.plan.pages,
                    "begattach": d.begattach,
                    "endattach": d.endattach,
                    "image": str(self.out_dir / d.image) if d.image else None,
                    "native": str(self.out_dir / d.native) if d.native else None,
                }
                for d in self.docs
            ],
            "warnings": self.warnings,
        }


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ProductionError("the output path is a file, not a folder", path=out_dir,
                              fix="choose a new or empty folder with --out")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ProductionError(
            "the output folder is not empty", path=out_dir,
            fix="choose a new or empty folder with --out (earlier productions are never "
            "overwritten)")


def _link(path: Path) -> str:
    """A load-file link: relative to the output folder, Windows separators (as platforms
    expect)."""
    return "\\".join(path.parts)


def _lines_for(spec: ProductionSpec, doc: PlannedDoc) -> Callable[[int], PageLines]:
    first = doc.bates_first
    assert first is not None
    position = spec.stamp_position
    side = Corner.BOTTOM_LEFT if position.value.startswith("bottom") else Corner.TOP_LEFT

    def lines(index: int) -> PageLines:
        out: dict[Corner, list[str]] = {position: [spec.bates.number(first + index)]}
        if doc.confidentiality:
            out[side] = [doc.confidentiality]
        return out

    return lines


def earlier_productions(ledger: ProductionLedger, spec: ProductionSpec,
                         docs: list[PlannedDoc]) -> list[str]:
    """Warnings: the volume name was used before; documents produced before get new numbers
    (the other side then holds two copies under different Bates numbers)."""
    ids = {d.record.id for d in docs}
    volumes: set[str] = set()
    again: dict[int, str] = {}
    for event in ledger.chain.events():
        if event.kind not in (PRODUCED, WITHHELD):
            continue
        volumes.add(str(event.detail.get("volume")))
        if event.kind == PRODUCED and event.document_id in ids:
            again[event.document_id] = (f"{event.detail.get('volume')} as "
                                        f"{event.detail.get('bates_first')}")
    out = []
    if spec.volume in volumes:
        out.append(f"a volume named {spec.volume} was produced before; name this one "
                   "differently so the two are never confused")
    if again:
        shown = "; ".join(f"document {k} in {v}" for k, v in sorted(again.items())[:5])
        more = f" and {len(again) - 5} more" if len(again) > 5 else ""
        out.append(f"{len(again)} document(s) were produced before and get new numbers now "
                   f"({shown}{more})")
    return out


def produce(
    spec: ProductionSpec,
    out_dir: Path,
    ledger: ProductionLedger,
    *,
    workspace_root: Path,
    scratch_dir: Path | None = None,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelFlag | None = None,
    today: dt.date | None = None,
) -> ProductionResult:
    """Build the volume into `out_dir` (new or empty) and record it in the ledger."""
    out_dir = out_dir.absolute()
    _check_out_dir(out_dir)
    docs, warnings = plan_production(spec, ledger, workspace_root)
    warnings += earlier_productions(ledger, spec, docs)
    total = sum(d.pages for d in docs)
    first: int | None = None
    if total:
        first = ledger.bates.reserve_bates(
            spec.bates.prefix, total, spec.bates.start,
            detail={"production": spec.volume, "spec": str(spec.path), "documents": len(docs)})
        number_documents(docs, first)
    scratch_root = scratch_dir if scratch_dir is not None else out_dir.parent
    scratch_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".intake-production-", dir=scratch_root))
    mover = Mover()
    placed: list[Path] = []
    try:
        result = _build(spec, docs, staging, warnings, on_progress, cancel, total,
                        today or dt.date.today())
        if cancel is not None and cancel.is_set():
            raise ProductionError("the production was cancelled; nothing was written",
                                  path=spec.path)
        on_progress(total, total, "placing the volume")
        for src in sorted(p for p in staging.rglob("*") if p.is_file()):
            dest = out_dir / src.relative_to(staging)
            mover.place_copy(src, dest, sha256_file(src), tag="production")
            placed.append(dest)
    except BaseException as exc:
        for path in placed:
            mover.discard(path)  # this failed production's outputs only
        if first is not None:
            ledger.bates.release_bates(spec.bates.prefix, first, total,
                                       reason=f"production {spec.volume} failed: {exc}")
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result.out_dir = out_dir
    for attr in ("dat", "opt", "cover_letter"):
        setattr(result, attr, out_dir / getattr(result, attr))
    result.privilege_log = [out_dir / p for p in result.privilege_log]
    _record(ledger, result, workspace_root)
    if isinstance(ledger, Ledger):  # searching a produced Bates number finds the document
        for p in result.docs:
            d = p.plan
            if d.bates_first is not None and d.withhold is None:
                index_stamps(ledger, d.record.id, spec.volume, spec.bates.number(d.bates_first),
                             spec.bates.number(d.bates_last or d.bates_first))
    on_progress(total, total, "done")
    return result


def _build(spec: ProductionSpec, docs: list[PlannedDoc], staging: Path, warnings: list[str],
           on_progress: ProgressCallback, cancel: CancelFlag | None, total: int,
           today: dt.date) -> ProductionResult:
    vol = Path(spec.volume)
    for sub in (IMAGES, TEXT, NATIVES, DATA):
        (staging / vol / sub).mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="work-", dir=staging.parent))
    style = StampStyle()
    policy = PlacementPolicy()
    produced: list[ProducedDoc] = []
    done = 0
    try:
        for doc in docs:
            if cancel is not None and cancel.is_set():
                raise ProductionError("the production was cancelled; nothing was written",
                                      path=spec.path)
            on_progress(done, total, f"producing document {doc.record.id}")
            produced.append(_produce_one(spec, doc, staging, vol, work, style, policy))
            done += doc.pages
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _attach_ranges(spec, produced)
    for p in produced:
        if p.shrunk_pages:
            warnings.append(f"document {p.plan.record.id}: {p.shrunk_pages} page(s) had no "
                            "blank place for the stamp; the content was shrunk to make room")

    on_progress(done, total, "writing the load files")
    rows, opt_lines = [], []
    for p in produced:
        if p.plan.bates_first is None:
            continue
        rows.append(_dat_row(spec, p))
        assert p.image is not None
        for i in range(p.plan.pages):
            page_image = p.page_images[i] if p.page_images else p.image
            opt_lines.append(opt_line(spec.bates.number(p.plan.bates_first + i), spec.volume,
                                      _link(page_image), i == 0, p.plan.pages))
    dat = vol / DATA / f"{spec.volume}.dat"
    opt = vol / DATA / f"{spec.volume}.opt"
    (staging / dat).write_bytes(dat_bytes(rows))
    (staging / opt).write_bytes(opt_bytes(opt_lines))

    log_rows = [_log_row(spec, p) for p in produced if p.plan.withhold is not None]
    log_paths: list[Path] = []
    if log_rows:
        table = privilege_table(spec.volume, spec.matter or "", spec.producing_party, log_rows)
        for ext in spec.privilege_log_formats:
            rel = Path(f"{spec.volume} privilege log.{ext}")
            WRITERS[ext](table, staging / rel)
            log_paths.append(rel)

    numbered = [p for p in produced if p.plan.bates_first is not None]
    first_no = spec.bates.number(numbered[0].plan.bates_first or 0) if numbered else ""
    last_no = spec.bates.number(numbered[-1].plan.bates_last or 0) if numbered else ""
    kinds = Counter(p.plan.treatment for p in produced)
    families = {p.plan.family for p in produced if len(
        [q for q in produced if q.plan.family == p.plan.family]) > 1}
    conf = Counter(p.plan.confidentiality or "none" for p in produced
                   if p.plan.treatment != Treatment.WITHHELD)
    counts = [
        ("Documents produced as searchable PDF" if spec.image_format == "pdf" else
         "Documents produced as page images (TIFF, JPEG for colour) with text",
         str(kinds[Treatment.IMAGED])),
        ("Documents produced in native format", str(kinds[Treatment.NATIVE])),
        ("Documents withheld as privileged", str(kinds[Treatment.WITHHELD])),
        ("Pages (Bates numbers)", str(total)),
        ("Families (e-mails with attachments)", str(len(families))),
        *((f"Designated {k}", str(v)) for k, v in sorted(conf.items())),
    ]
    cover = Path(f"{spec.volume} cover letter.pdf")
    letter = CoverLetter(
        volume=spec.volume, matter=spec.matter or "", producing_party=spec.producing_party,
        served_on=spec.served_on, date=spec.date or today, bates_first=first_no,
        bates_last=last_no, counts=counts,
        load_files=[_link(dat), _link(opt)],
        privilege_log=[p.name for p in log_paths])
    cover_letter(staging / cover, letter)
    cover_letter_docx(staging / cover.with_suffix(".docx"), letter)
    return ProductionResult(spec, staging, produced, dat, opt, cover, log_paths, first_no,
                            last_no, total, warnings)


def _produce_one(spec: ProductionSpec, doc: PlannedDoc, staging: Path, vol: Path, work: Path,
                 style: StampStyle, policy: PlacementPolicy) -> ProducedDoc:
    out = ProducedDoc(doc)
    if doc.treatment != Treatment.WITHHELD:
        out.hashes = file_hashes(doc.original)
        expected = doc.record.sha256 if doc.record.original_path else (
            doc.record.filed_sha256 or doc.record.sha256)
        if out.hashes.sha256 != expected:
            raise ProductionError(
                f"document {doc.record.id}: the original no longer matches its SHA-256 in the "
                "ledger", path=doc.original,
                fix="run `intake-desktop ledger verify`; restore the original before producing")
    if doc.bates_first is None:  # withheld, logged under a control number only
        return out
    name = spec.bates.number(doc.bates_first)
    if doc.treatment == Treatment.IMAGED:
        assert doc.image_source is not None
        source = doc.image_source
        text = pdf_text(source)
    else:
        source = work / f"{name} slip sheet.pdf"
        if doc.treatment == Treatment.NATIVE:
            lines = [f"File name: {doc.meta.filename}",
                     f"Produced as {spec.bates.number(doc.bates_first)}"
                     f"{doc.original.suffix.lower()}"]
            slip_text = slip_sheet(source, NATIVE_TITLE, lines)
            native = vol / NATIVES / f"{name}{doc.original.suffix.lower()}"
            shutil.copyfile(doc.original, staging / native)
            out.native = native
            # the text a reviewer searches: the filed rendering of the native, if any
            text = pdf_text(doc.image_source) if doc.image_source is not None else slip_text
        else:
            w = doc.withhold
            assert w is not None
            text = slip_sheet(source, WITHHELD_TITLE, [f"Privilege asserted: {w.privilege_text}",
                                                       "See the privilege log."])
    images = spec.image_format != "pdf"
    image = vol / IMAGES / f"{name}.pdf"
    stamped_pdf = work / f"{name} stamped.pdf" if images else staging / image
    try:
        stamped: list[PageStamp] = stamp_pages(source, stamped_pdf,
                                               _lines_for(spec, doc), style, policy=policy)
    except StampError as exc:
        raise ProductionError(f"document {doc.record.id}: {exc.what}", path=exc.path,
                              fix=exc.fix) from exc
    out.shrunk_pages = sum(1 for s in stamped if s.scale is not None)
    if images:
        first = doc.bates_first
        numbers = [spec.bates.number(first + i) for i in range(doc.pages)]
        written = render_page_images(stamped_pdf, staging / vol / IMAGES, numbers)
        stamped_pdf.unlink()
        out.page_images = [p.relative_to(staging) for p in written]
        image = out.page_images[0]
    out.image = image
    out.text = vol / TEXT / f"{name}.txt"
    (staging / out.text).write_text(text, encoding="utf-8", newline="")
    return out


def _attach_ranges(spec: ProductionSpec, produced: list[ProducedDoc]) -> None:
    """BEGATTACH/ENDATTACH: the first and last Bates number of each numbered family."""
    by_family: dict[str, list[ProducedDoc]] = {}
    for p in produced:
        if p.plan.bates_first is not None:
            by_family.setdefault(p.plan.family, []).append(p)
    for members in by_family.values():
        if len(members) < 2:
            continue
        first = members[0].plan.bates_first
        last = members[-1].plan.bates_last
        assert first is not None and last is not None
        for p in members:
            p.begattach = spec.bates.number(first)
            p.endattach = spec.bates.number(last)


def _dat_row(spec: ProductionSpec, p: ProducedDoc) -> dict[str, object]:
    d = p.plan
    assert d.bates_first is not None and d.bates_last is not None
    withheld = d.withhold is not None
    h = p.hashes
    return {
        "BEGBATES": spec.bates.number(d.bates_first),
        "ENDBATES": spec.bates.number(d.bates_last),
        "BEGATTACH": p.begattach,
        "ENDATTACH": p.endattach,
        "PAGECOUNT": d.pages,
        "PRODVOL": spec.volume,
        "CUSTODIAN": spec.custodian,
        "FILENAME": "" if withheld else d.meta.filename,
        "FILEEXT": "" if withheld else d.original.suffix.lstrip(".").lower(),
        "DOCDATE": d.meta.doc_date,
        "FROM": "" if withheld else d.meta.sent_from,
        "TO": "" if withheld else d.meta.to,
        "CC": "" if withheld else d.meta.cc,
        "SUBJECT": "" if withheld else d.meta.subject,
        "MD5HASH": h.md5 if h else "",
        "SHA1HASH": h.sha1 if h else "",
        "SHA256HASH": h.sha256 if h else "",
        "CONFIDENTIALITY": d.confidentiality,
        "PRIVILEGE": f"Withheld - {d.withhold.privilege_text}" if d.withhold else "",
        "NATIVELINK": _link(p.native) if p.native else "",
        "TEXTLINK": _link(p.text) if p.text else "",
    }


def _log_row(spec: ProductionSpec, p: ProducedDoc) -> list[str]:
    d = p.plan
    w = d.withhold
    assert w is not None
    number = spec.bates.number(d.bates_first) if d.bates_first is not None else d.control
    recipients = w.recipients or "; ".join(x for x in (d.meta.to, d.meta.cc) if x)
    date = d.meta.doc_date or (f"{w.date:%m/%d/%Y}" if w.date else "")
    return [number, date, w.author or d.meta.sent_from, recipients,
            w.document_type or d.record.category or "Document", w.privilege_text,
            w.description]


def _record(ledger: ProductionLedger, result: ProductionResult,
            workspace_root: Path) -> None:
    """One ledger event per produced or withheld document and per output file."""

    def rel(path: Path) -> str:
        try:
            return path.resolve().relative_to(workspace_root.resolve()).as_posix()
        except ValueError:
            return str(path.resolve())

    spec = result.spec
    for p in result.docs:
        d = p.plan
        detail: dict[str, Any] = {
            "volume": spec.volume, "prefix": spec.bates.prefix,
            "bates_first": spec.bates.number(d.bates_first) if d.bates_first else None,
            "bates_last": spec.bates.number(d.bates_last) if d.bates_last else None,
            "pages": d.pages, "treatment": d.treatment.value, "family": d.family,
            "begattach": p.begattach or None, "endattach": p.endattach or None,
            "confidentiality": d.confidentiality,
            "native": rel(result.out_dir / p.native) if p.native else None,
        }
        image = result.out_dir / p.image if p.image else None
        common: dict[str, Any] = {
            "document_id": d.record.id, "matter_id": d.record.matter_id,
            "path_before": rel(d.original), "sha256_before": d.record.sha256,
            "path_after": rel(image) if image else None,
            "sha256_after": sha256_file(image) if image else None,
        }
        if d.withhold is not None:
            detail.update(control=d.control or None, privilege=list(d.withhold.privileges),
                          description=d.withhold.description)
            ledger.chain.record(WITHHELD, **common, detail=detail)
        else:
            ledger.chain.record(PRODUCED, **common, detail=detail)
    outputs = [("dat", result.dat), ("opt", result.opt), ("cover_letter", result.cover_letter),
               ("cover_letter", result.cover_letter.with_suffix(".docx"))]
    outputs += [("privilege_log", p) for p in result.privilege_log]
    for kind, path in outputs:
        ledger.chain.record(EXPORTED, matter_id=spec.matter, path_after=rel(path),
                            sha256_after=sha256_file(path),
                            detail={"production": spec.volume, "output": kind,
                                    "format": path.suffix[1:], "bates_first": result.bates_first,
                                    "bates_last": result.bates_last, "pages": result.pages})
