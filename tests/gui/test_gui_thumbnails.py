"""Thumbnails in the browser: each document's first page, rendered with QtPdf on a worker
thread, cached in memory and on disk (by the filed copy's SHA-256)."""

from __future__ import annotations

import threading

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from intake_desktop.app import build_filer
from intake_desktop.core.ledger import Actor
from intake_desktop.qt.browser_page import BrowserPage
from intake_desktop.qt.thumbnails import THUMB_PX, ThumbnailCache

LEFT = Qt.MouseButton.LeftButton
MATTER = "2024-001 Jones"


def ink(image: QImage) -> tuple[float, int]:
    """Share of pixels with ink on them, and the first row that has ink."""
    inked, first = 0, image.height()
    for y in range(image.height()):
        for x in range(image.width()):
            if image.pixelColor(x, y).lightness() < 200:
                inked += 1
                first = min(first, y)
    return inked / (image.width() * image.height()), first


def file_docs(app, make_pdf, tmp_path):
    photo = tmp_path / "incoming" / "site photo.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (400, 300), (200, 40, 40)).save(photo)
    results = build_filer(app).ingest(
        [make_pdf("Deposition transcript.pdf", 3, text="DEPOSITION " * 6), photo],
        matter=MATTER)
    return {r.source.rsplit("/", 1)[-1]: r for r in results}


def test_thumbnail_view_shows_first_pages_and_caches_them(qtbot, make_window, app, make_pdf,
                                                          tmp_path) -> None:
    filed = file_docs(app, make_pdf, tmp_path)
    window = make_window("attorney")
    window.open_page("browser")
    window.show()
    qtbot.waitExposed(window)
    page = window.pages["browser"]
    assert isinstance(page, BrowserPage)
    assert page.thumbs.isHidden()
    qtbot.mouseClick(page.thumbs_button, LEFT)
    assert not page.thumbs.isHidden() and page.table.isHidden()

    col = page.model.column_index("description")
    images = {}
    for row in range(page.model.rowCount()):
        doc = page.model.record(row)
        page.model.data(page.model.index(row, col), Qt.ItemDataRole.DecorationRole)
        images[doc.id] = page.thumbnails.image(doc)
    pdf_doc = filed["Deposition transcript.pdf"].document_id
    jpg_doc = filed["site photo.jpg"].document_id
    pdf_img, jpg_img = images[pdf_doc], images[jpg_doc]
    assert pdf_img is not None and max(pdf_img.width(), pdf_img.height()) == THUMB_PX
    assert pdf_img.height() > pdf_img.width()  # a letter page, upright
    share, first_row = ink(pdf_img)
    assert 0.002 < share < 0.1  # the page's one line of text, on white
    assert first_row < pdf_img.height() * 0.15  # near the top, where it is drawn
    assert jpg_img is not None and jpg_img.pixelColor(20, 20).red() > 150  # the red photo

    cached = sorted(p.name for p in page.thumbnails.cache_dir.glob("*.png"))
    sha = app.ledger.docs.document(pdf_doc).filed_sha256
    assert f"{sha}-{THUMB_PX}.png" in cached
    rendered = page.thumbnails.rendered

    # Selecting a thumbnail selects the document (the preview follows).
    rect = page.thumbs.visualRect(page.model.index(0, col))
    qtbot.mouseClick(page.thumbs.viewport(), LEFT, pos=rect.center())
    assert page.selected() is not None and page.selected().id == page.model.record(0).id

    # Another window reads them from the disk cache: nothing is rendered again.
    again = make_window("admin")
    other = again.pages["browser"]
    fresh = other.thumbnails.image(app.ledger.docs.document(pdf_doc))
    assert fresh is not None and fresh.size() == pdf_img.size()
    assert other.thumbnails.rendered == 0 and page.thumbnails.rendered == rendered

    qtbot.mouseClick(page.list_button, LEFT)
    assert page.thumbs.isHidden() and not page.table.isHidden()


def test_rendering_runs_on_a_worker_thread(qtbot, app, make_pdf, tmp_path) -> None:
    from intake_desktop.qt.main_window import MainWindow

    filed = file_docs(app, make_pdf, tmp_path)
    window = MainWindow(app, actor=Actor("pat", "attorney"), tray=False)  # a real pool
    qtbot.addWidget(window)
    cache: ThumbnailCache = window.pages["browser"].thumbnails
    threads: list[str] = []
    cache.on_render = lambda: threads.append(threading.current_thread().name)
    doc = app.ledger.docs.document(filed["Deposition transcript.pdf"].document_id)
    assert cache.image(doc) is None  # asked for: it comes later
    with qtbot.waitSignal(cache.ready, timeout=20_000) as got:
        pass
    assert got.args == [doc.id]
    assert cache.image(doc) is not None
    assert threads and threads[0] != threading.main_thread().name
