"""The builder like Acrobat's Bates dialog (issue 14): start, prefix, suffix, digits,
position, font size, the next free number, a live stamp preview, per-exhibit date and
witness."""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt

from intake_desktop.app import build_filer


def _changed(a, b, x0: int, y0: int, x1: int, y1: int) -> int:
    """Pixels darker in `a` (the stamped page) than in `b` (the page as filed)."""
    return sum(1 for x in range(x0, x1) for y in range(y0, y1)
               if a.pixelColor(x, y).lightness() + 60 < b.pixelColor(x, y).lightness())


def _render(path, size):
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument()
    doc.load(str(path))
    rendered = doc.render(0, size)
    out = QImage(size, QImage.Format.Format_RGB32)
    out.fill(QColor("white"))
    p = QPainter(out)
    p.drawImage(0, 0, rendered)
    p.end()
    return out


def test_bates_options_preview_and_per_exhibit_details(make_window, app, make_pdf):
    build_filer(app).ingest([make_pdf("deposition.pdf", 2), make_pdf("letter.pdf", 1)],
                            matter="2024-1 A")
    window = make_window("paralegal")
    window.resize(1180, 760)
    window.show()
    page = window.pages["builder"]
    page.refresh()
    page.bates_prefix.setText("REYES")
    page.bates_digits.setValue(6)
    page.bates_suffix.setText("-C")
    assert page.next_free.text() == "Next free number for REYES: REYES000001-C"
    page.add_document(0)
    page.add_document(1)
    page.table.selectRow(0)
    page.position.setCurrentIndex(page.position.findData("top-left"))
    page.font_size.setValue(16)
    assert page.update_stamp_preview()
    image = page.stamp_image
    w, h = image.width(), image.height()
    doc = app.ledger.docs.document(page.model.picks[0].document_id)
    plain = _render(app.workspace.root / doc.filed_path, image.size())
    # The stamp lands in the top-left corner, nowhere near the bottom-right one.
    assert _changed(image, plain, 0, 0, w // 2, h // 8) > 30
    assert _changed(image, plain, w // 2, 7 * h // 8, w, h) == 0
    assert not list(app.workspace.work.glob("stamp-preview*"))  # scratch files removed

    model = page.model
    assert model.setData(model.index(0, model.COL_DATE), "2024-02-10", Qt.ItemDataRole.EditRole)
    assert not model.setData(model.index(1, model.COL_DATE), "10/02/2024",
                             Qt.ItemDataRole.EditRole)
    assert model.setData(model.index(0, model.COL_WITNESS), "Dr. Lee", Qt.ItemDataRole.EditRole)
    page.start_build()
    built = page.last
    assert built is not None
    first = built.summary["exhibits"][0]
    assert first["bates_first"] == "REYES000001-C"
    spec = built.spec_file.read_text(encoding="utf-8")
    assert 'stamp_position = "top-left"' in spec and "font_size = 16" in spec
    assert 'witness = "Dr. Lee"' in spec
    index = next(p for p in built.files if p.suffix == ".csv")
    rows = list(csv.reader(index.open(encoding="utf-8")))
    assert "2024-02-10" in rows[1]
    assert page.next_free.text() == "Next free number for REYES: REYES000004-C"
