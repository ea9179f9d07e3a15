"""OCR output kept for bytes that are OCRed again and again: the demo's own generated scans.

Only the demo turns it on (core/demo/runner.py, in the user's cache folder beside the
generated documents), never a real workspace: a client's text must not be copied out of the
workspace. An entry is found by the SHA-256 of the PDF given to OCR, the pages asked for,
the language and the engine versions, and is used only when the copy it gives has the same
page count and the same image bytes as that PDF (the check every OCR output passes,
core/ocr/engine.py); anything else, and the OCR runs as usual. The `ocr` event says when
the text layer came from the cache.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pikepdf

from intake_desktop.core.mover import write_once
from intake_desktop.core.ocr.engine import OcrResult, image_digests

OPTIONS = "--skip-text --output-type pdf --optimize 0"  # what the engine runs (engine.py)


def page_content(path: Path) -> list[str]:
    """What OCR sees of each page, and nothing else: its boxes, rotation, drawing
    instructions and image bytes. A PDF made again from the same photo differs only in its
    creation date, so it is the same entry."""
    found: list[str] = []
    with pikepdf.open(path) as pdf:
        found.append(f"pages={len(pdf.pages)}")
        for page in pdf.pages:
            digest = hashlib.sha256()
            for box in ("/MediaBox", "/CropBox", "/Rotate"):
                digest.update(f"{box}={page.obj.get(box)!r};".encode())
            contents = page.obj.get("/Contents")
            streams = [contents] if isinstance(contents, pikepdf.Stream) else list(
                contents if isinstance(contents, pikepdf.Array) else [])
            for stream in streams:
                if isinstance(stream, pikepdf.Stream):
                    digest.update(stream.read_bytes())
            found.append(digest.hexdigest())
    found.extend(image_digests(path))
    return found


class OcrCache:
    """OCRed PDFs and their page texts, by what they were made from."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def key(self, src: Path, pages: list[int] | None, language: str,
            versions: dict[str, str]) -> str:
        content = page_content(src)
        asked = sorted(set(pages)) if pages is not None else None
        parts = {"pages": content, "asked": asked, "language": language,
                 "versions": versions, "options": OPTIONS}
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def fetch(self, key: str, src: Path, dst: Path) -> OcrResult | None:
        """Write the cached output for `key` to `dst` (a new file) and say what OCR found;
        None when there is no usable entry (then `dst` is not written)."""
        meta, pdf = self.folder / f"{key}.json", self.folder / f"{key}.pdf"
        try:
            saved = json.loads(meta.read_text(encoding="utf-8"))
            data = pdf.read_bytes()
            if hashlib.sha256(data).hexdigest() != saved["sha256"]:
                return None
            if not write_once(dst, data):
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        try:
            with pikepdf.open(dst) as out, pikepdf.open(src) as before:
                same = len(out.pages) == len(before.pages)
            same = same and image_digests(dst) == image_digests(src)
        except (pikepdf.PdfError, OSError, ValueError):
            same = False
        if not same:
            dst.unlink(missing_ok=True)
            return None
        texts = {int(k): str(v) for k, v in saved["page_texts"].items()}
        return OcrResult(
            ok=True, pages_ocred=tuple(saved["pages_ocred"]),
            pages_skipped=tuple(saved["pages_skipped"]),
            text="\n\n".join(t for t in texts.values() if t), page_texts=texts,
            engine_versions=dict(saved["engine_versions"]), cached=True)

    def store(self, key: str, dst: Path, result: OcrResult) -> None:
        """Keep a successful run's output (never raises: a cache is no reason to fail)."""
        if not result.ok or result.cached or result.pages_failed:  # only whole runs
            return
        try:
            data = dst.read_bytes()
            write_once(self.folder / f"{key}.pdf", data)
            saved = {"sha256": hashlib.sha256(data).hexdigest(),
                     "pages_ocred": list(result.pages_ocred),
                     "pages_skipped": list(result.pages_skipped),
                     "page_texts": {str(k): v for k, v in result.page_texts.items()},
                     "engine_versions": result.engine_versions}
            write_once(self.folder / f"{key}.json", json.dumps(saved).encode("utf-8"))
        except OSError:
            return
