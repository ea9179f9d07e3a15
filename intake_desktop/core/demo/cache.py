"""The demo's generated documents, built once per user and kept in the user's cache folder.

Generating the forty-odd documents (scans with noise, photos, PDFs, Office files) takes
seconds; the same seed always gives the same bytes, so the second and later demos read them
back. The cache is keyed by the app version, the seed, the generator's own source files and
the versions of the libraries that draw the bytes, so a changed generator never serves old
files. Every file read back is checked against the SHA-256 in the manifest; anything
missing, changed or unreadable means the documents are generated again (a cache is never a
reason to fail). The OCR of those documents is kept there too (`ocr_cache`, used by the demo
run only). `INTAKE_DEMO_CACHE=0` turns both off.
"""

from __future__ import annotations

import hashlib
import json
import logging
from importlib import metadata
from pathlib import Path

from intake_desktop import __version__
from intake_desktop.core.demo.documents import DemoDocument, Kind, generate_documents
from intake_desktop.core.mover import write_once
from intake_desktop.core.ocr.cache import OcrCache
from intake_desktop.core.shipped import package_dir
from intake_desktop.core.workspace import user_cache_folder

log = logging.getLogger(__name__)

CACHE_ENV = "INTAKE_DEMO_CACHE"  # "0": always generate; a folder: the cache's place
MANIFEST = "manifest.json"
# The generator: a change to any of these files makes a new key.
SOURCES = ("documents.py", "render.py", "cast.py", "cache.py")
# Libraries whose output is in the bytes (PDF writer, image encoder, Word, PDF encryption).
LIBRARIES = ("reportlab", "pillow", "python-docx", "pikepdf")


def cache_root() -> Path | None:
    """Where generated demo documents are kept (None: the cache is off)."""
    return user_cache_folder(CACHE_ENV, "demo")


def cache_key(seed: int) -> str:
    """A folder name for these documents: app version, seed and a digest of the generator."""
    digest = hashlib.sha256()
    here = package_dir("intake_desktop.core.demo")
    for name in SOURCES:
        digest.update(name.encode() + b"\0" + (here / name).read_bytes())
    for lib in LIBRARIES:
        try:
            version = metadata.version(lib)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{lib}={version}\0".encode())
    return f"{__version__}-seed{seed}-{digest.hexdigest()[:16]}"


def _read(folder: Path) -> list[DemoDocument] | None:
    try:
        entries = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        docs = []
        for entry in entries:
            data = (folder / entry["sha256"]).read_bytes()
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                return None
            docs.append(DemoDocument(entry["matter"], entry["relative"], Kind(entry["kind"]),
                                     entry["description"], data))
        return docs
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(folder: Path, docs: list[DemoDocument]) -> None:
    entries = []
    for doc in docs:
        write_once(folder / doc.sha256, doc.data)  # named by content: written once
        entries.append({"matter": doc.matter, "relative": doc.relative, "kind": str(doc.kind),
                        "description": doc.description, "sha256": doc.sha256})
    # The manifest last: a folder without one is never read.
    write_once(folder / MANIFEST, json.dumps(entries, indent=1).encode("utf-8"))


def ocr_cache(seed: int) -> OcrCache | None:
    """Where the OCR of these documents is kept between demo runs (None: the cache is off).
    The demo's scans and photos are the same bytes every time, and their OCR was most of
    the demo's time; only the demo's own, fictitious documents are ever kept there."""
    root = cache_root()
    if root is None:
        return None
    try:
        return OcrCache(root / cache_key(seed) / "ocr")
    except OSError:
        return None


def demo_documents(seed: int) -> list[DemoDocument]:
    """`generate_documents(seed)`, from the cache when an intact copy is there."""
    root = cache_root()
    if root is None:
        return generate_documents(seed)
    try:
        folder = root / cache_key(seed)
    except OSError:
        return generate_documents(seed)
    docs = _read(folder) if (folder / MANIFEST).is_file() else None
    if docs is not None:
        return docs
    docs = generate_documents(seed)
    try:
        _write(folder, docs)
    except OSError as exc:  # a full or read-only cache folder: the demo goes on
        log.info("the demo documents were not cached in %s: %s", folder, exc)
    return docs
