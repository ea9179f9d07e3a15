"""First-page thumbnails for the browser: rendered with QtPdf (or read from the image) on the
thread pool, kept in memory and on disk under .intake/thumbnails/ by the filed copy's SHA-256
(so a thumbnail is never stale and is made once per workspace)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter

from intake_desktop.core.ledger import DocumentRecord
from intake_desktop.core.progress import CancelFlag, ProgressCallback
from intake_desktop.qt.tasks import Pool, TaskRunner

THUMB_PX = 160  # the longer side
CACHE_FOLDER = "thumbnails"  # inside .intake/
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"}
MEMORY_LIMIT = 2_000  # thumbnails kept in memory (the disk cache keeps the rest)


def render_first_page(path: Path, px: int = THUMB_PX) -> QImage | None:
    """The first page of a PDF (or the image itself), `px` on its longer side, on white."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from PySide6.QtPdf import QPdfDocument

        doc = QPdfDocument()
        try:
            if doc.load(str(path)) != QPdfDocument.Error.None_ or doc.pageCount() < 1:
                return None
            points = doc.pagePointSize(0)
            if points.width() <= 0 or points.height() <= 0:
                return None
            scale = px / max(points.width(), points.height())
            size = QSize(max(1, round(points.width() * scale)),
                         max(1, round(points.height() * scale)))
            page = doc.render(0, size)
        finally:
            doc.close()
        if page.isNull():
            return None
        out = QImage(page.size(), QImage.Format.Format_RGB32)
        out.fill(QColor("white"))
        painter = QPainter(out)
        painter.drawImage(0, 0, page)
        painter.end()
        return out
    if suffix in IMAGE_SUFFIXES:
        image = QImage(str(path))
        if image.isNull():
            return None
        return image.scaled(px, px, Qt.AspectRatioMode.KeepAspectRatio,
                            Qt.TransformationMode.SmoothTransformation)
    return None


def _png(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs want bytes; Qt str
    buffer.close()
    return bytes(data.data())


class ThumbnailCache(QObject):
    """`image(doc)` gives the thumbnail when it is ready (else None, and `ready(doc_id)` is
    emitted once it is)."""

    ready = Signal(int)

    def __init__(self, pool: Pool, root: Path, state: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = TaskRunner(pool, self)  # its own: thumbnails never look like filing
        self.root = root
        self.cache_dir = state / CACHE_FOLDER
        self._images: dict[str, QImage] = {}
        self._pending: set[str] = set()
        self.rendered = 0  # thumbnails made (not read from the disk cache) by this cache
        self.on_render: Callable[[], None] | None = None  # tests: called on the worker

    def _key(self, doc: DocumentRecord) -> str | None:
        if not doc.filed_path:
            return None
        suffix = Path(doc.filed_path).suffix.lower()
        if suffix != ".pdf" and suffix not in IMAGE_SUFFIXES:
            return None
        return f"{doc.filed_sha256 or doc.sha256}-{THUMB_PX}"

    def image(self, doc: DocumentRecord) -> QImage | None:
        key = self._key(doc)
        if key is None:
            return None
        if key in self._images:
            kept = self._images[key]
            return None if kept.isNull() else kept
        disk = self.cache_dir / f"{key}.png"
        if disk.is_file():
            image = QImage(str(disk))
            if not image.isNull():
                self._keep(key, image)
                return image
        if key not in self._pending:
            self._render(key, doc.id, self.root / str(doc.filed_path), disk)
        found = self._images.get(key)  # a pool that runs at once has made it already
        return None if found is None or found.isNull() else found

    def _render(self, key: str, doc_id: int, path: Path, disk: Path) -> None:
        self._pending.add(key)
        hook = self.on_render

        def work(on_progress: ProgressCallback, cancel: CancelFlag) -> tuple[str, int, Any]:
            from intake_desktop.core.mover import write_once

            if hook is not None:
                hook()
            image = render_first_page(path) if path.is_file() else None
            if image is not None:
                with contextlib.suppress(OSError):  # a cache: the thumbnail shows all the same
                    write_once(disk, _png(image))
            return key, doc_id, image

        self.runner.run(work, on_success=self._done, on_error=lambda _: self._failed(key))

    def _done(self, result: tuple[str, int, QImage | None]) -> None:
        key, doc_id, image = result
        self._pending.discard(key)
        self._keep(key, image if image is not None else QImage())
        if image is not None:
            self.rendered += 1
            self.ready.emit(doc_id)

    def _failed(self, key: str) -> None:
        self._pending.discard(key)
        self._keep(key, QImage())

    def _keep(self, key: str, image: QImage) -> None:
        if len(self._images) >= MEMORY_LIMIT:
            self._images.pop(next(iter(self._images)))
        self._images[key] = image
