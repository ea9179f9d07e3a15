"""Issue 14, defects 1-17: one test per defect seen when the window was tried role by role.

Each test drives real widgets on a real workspace (real PDFs, real SQLite ledger) and
asserts what the user sees or what lands on disk and in the ledger.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QSplitter

from intake_desktop.app import App, build_filer, open_app
from intake_desktop.core.ledger import Actor, DocStatus
from intake_desktop.core.workspace import init_workspace
from intake_desktop.qt.intake_page import BY_FOLDER

FLAG = re.compile(r"(?<![\w-])--[a-z]")


def _drag(widget: Any, mime: QMimeData, *, proposed: Qt.DropAction,
          possible: Qt.DropAction) -> tuple[QDragEnterEvent, QDropEvent]:
    enter = QDragEnterEvent(QPoint(10, 10), possible, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    enter.setDropAction(proposed)
    QApplication.sendEvent(widget, enter)
    drop = QDropEvent(QPointF(10, 10), possible, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    drop.setDropAction(proposed)
    if enter.isAccepted():
        QApplication.sendEvent(widget, drop)
    return enter, drop


def _file_urls(paths: list[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def _sentences_start_upper(text: str) -> bool:
    return all(s[0].isupper() or not s[0].isalpha()
               for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s)


@pytest.fixture
def immigration_app(tmp_path: Path) -> Any:
    """A workspace with the immigration naming rules active."""
    ws = init_workspace(tmp_path / "imm", preset="immigration")
    application = open_app(str(ws.root), create=False)
    yield application
    application.close()


def _window(qtbot: Any, app: App, role: str, **kw: Any) -> Any:
    from intake_desktop.qt.main_window import MainWindow
    from intake_desktop.qt.tasks import ImmediatePool

    window = MainWindow(app, actor=Actor("pat", role), pool=ImmediatePool(), tray=False, **kw)
    qtbot.addWidget(window)
    return window


# 1 ------------------------------------------------------------------------------------------

def test_01_review_assign_files_by_the_category_rule(qtbot, immigration_app, make_pdf):
    """GIVEN a scan in review WHEN assigned to a matter as "Civil Document" THEN the rule for
    that category decides folder and name (Civil Documents/, the firm's name)."""
    build_filer(immigration_app).ingest([make_pdf("scan 0042.pdf", 1, text="Registro")])
    window = _window(qtbot, immigration_app, "paralegal")
    page = window.pages["review"]
    page.select_row(0)
    r = page.assign_selected("2024-031 Okafor", "Civil Document")
    assert r is not None and r.resolved
    filed = r.document.filed_path
    assert filed.startswith("Matters/2024-031 Okafor/Civil Documents/"), filed
    assert not filed.endswith("/scan 0042.pdf")


# 2 ------------------------------------------------------------------------------------------

def test_02_drop_without_matter_asks_for_one(make_window, app, make_pdf):
    """GIVEN "From the Intake folder name" and a file from outside the workspace WHEN dropped
    THEN the page asks for the matter first and files into it; no message names a flag."""
    window = make_window("paralegal")
    page = window.pages["intake"]
    asked: list[list[Path]] = []
    page.matter_picker = lambda paths: (asked.append(paths), "2024-050 Reyes")[1]
    page.matter.setCurrentText(BY_FOLDER)
    letter = make_pdf("letter.pdf")
    _drag(page.drop_zone, _file_urls([letter]),
                        proposed=Qt.DropAction.CopyAction, possible=Qt.DropAction.CopyAction)
    assert asked == [[letter]]
    docs = app.ledger.docs.documents(status=DocStatus.FILED)
    assert [d.matter_id for d in docs] == ["2024-050 Reyes"]
    # Cancelled picker: nothing filed, the page says why in words.
    page.matter_picker = lambda paths: None
    other = make_pdf("other.pdf")
    _drag(page.drop_zone, _file_urls([other]), proposed=Qt.DropAction.CopyAction,
          possible=Qt.DropAction.CopyAction)
    assert app.ledger.docs.documents(status=DocStatus.REVIEW) == []
    assert "matter" in page.status.text().lower()
    texts = [page.status.text()] + [r.detail for r in page.model.rows]
    assert not any(FLAG.search(t) for t in texts), texts


# 3 ------------------------------------------------------------------------------------------

def test_03_data_labels_are_plain_text(make_window, app, make_pdf):
    """A reason with Intake/<matter>/ shows in full; labels with data are plain text."""
    build_filer(app).ingest([make_pdf("fax <1>.pdf")])
    window = make_window("paralegal")
    page = window.pages["review"]
    page.select_row(0)
    shown = page.reason.text()
    assert page.reason.textFormat() == Qt.TextFormat.PlainText
    assert "Intake/<matter>/" in shown
    assert "fax <1>.pdf" in shown
    assert not FLAG.search(shown)
    reason_cell = page.model.data(page.model.index(0, 2))
    assert not FLAG.search(reason_cell)
    why = shown.split("Why: ", 1)[1]
    assert _sentences_start_upper(why), why


# 4 ------------------------------------------------------------------------------------------

def test_04_messages_clear_when_state_changes(make_window, app, make_pdf):
    build_filer(app).ingest([make_pdf("a.pdf"), make_pdf("b.pdf")], matter="2024-1 A")
    window = make_window("attorney")
    assert not window.open_page("intake")
    assert "paralegal" in window.message_label.text()
    window.set_actor(Actor("pat", "paralegal"))
    assert window.message_label.text() == ""
    assert window.open_page("browser")
    builder = window.pages["builder"]
    assert window.open_page("builder")
    builder.start_build()
    assert "no documents" in window.message_label.text().lower()
    builder.add_document(0)
    assert window.message_label.text() == ""
    assert "no documents" not in builder.result.text().lower()
    # A page's message goes when another page is shown.
    builder.start_build  # noqa: B018
    window.show_error("something on the builder")
    window.open_page("browser")
    assert window.message_label.text() == ""


# 5 ------------------------------------------------------------------------------------------

def test_05_switching_profile_keeps_or_asks(make_window, app, make_pdf):
    build_filer(app).ingest([make_pdf(f"e{n}.pdf") for n in range(3)], matter="2024-1 A")
    window = make_window("paralegal")
    intake = window.pages["intake"]
    intake.matter.setCurrentText("2024-2 B")
    intake.file_paths([make_pdf("new.pdf")])
    builder = window.pages["builder"]
    builder.add_document(0)
    builder.add_document(1)
    window.set_actor(Actor("pat", "admin"))
    assert window.pages["builder"] is builder and len(builder.model.picks) == 2
    assert window.pages["intake"] is intake and len(intake.model.rows) == 1
    assert builder.session.actor.role == "admin"
    asked: list[str] = []
    window.confirm = lambda title, text: (asked.append(text), False)[1]
    assert not window.set_actor(Actor("pat", "attorney"))  # intake results would go
    assert asked and "Intake" in asked[0]
    assert window.session.actor.role == "admin"
    assert len(intake.model.rows) == 1
    window.confirm = lambda title, text: True
    assert window.set_actor(Actor("pat", "attorney"))
    assert window.session.actor.role == "attorney"
    assert window.pages["builder"] is builder and len(builder.model.picks) == 2


# 6 ------------------------------------------------------------------------------------------

def test_06_builder_dates_and_no_double_adds(make_window, app, make_pdf):
    filer = build_filer(app)
    filer.ingest([make_pdf("report.pdf", 2)], matter="2024-1 A")
    doc = app.ledger.docs.documents(status=DocStatus.FILED)[0]
    with app.ledger.transaction() as txn:
        txn.update_document(doc.id, document_date="2023-11-02")
    window = make_window("attorney")
    builder = window.pages["builder"]
    builder.refresh()
    builder.add_document(0)
    builder.add_document(0)
    assert len(builder.model.picks) == 1
    assert "already" in builder.result.text().lower()
    builder.start_build()
    built = builder.last
    assert built is not None
    index = next(p for p in built.files if p.suffix == ".csv")
    rows = list(csv.reader(index.open(encoding="utf-8")))
    header, first = rows[0], rows[1]
    date_col = next(i for i, h in enumerate(header) if "date" in h.lower())
    assert first[date_col] == "2023-11-02"


# 7 ------------------------------------------------------------------------------------------

def test_07_search_finds_words_inside_documents(make_window, app, make_pdf):
    build_filer(app).ingest(
        [make_pdf("letter.pdf", text="The roof leaked over the garage"),
         make_pdf("bill.pdf", text="Invoice for plumbing")], matter="2024-1 A")
    window = make_window("attorney")
    page = window.pages["browser"]
    page.search.setText("garage")
    page.apply_filter()
    assert page.model.total == 1
    assert Path(page.model.records[0].filed_path).name == "letter.pdf"
    page.search.setText("zzyzx")
    page.apply_filter()
    assert page.model.total == 0
    assert page.empty_note.isVisibleTo(page)
    assert "zzyzx" in page.empty_note.text()


# 8 ------------------------------------------------------------------------------------------

def test_08_drops_are_copies_and_non_files_are_explained(make_window, app, make_pdf):
    window = make_window("paralegal")
    page = window.pages["intake"]
    page.matter.setCurrentText("2024-1 A")
    pdf = make_pdf("x.pdf")
    both = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter, drop = _drag(page.drop_zone, _file_urls([pdf]), proposed=Qt.DropAction.MoveAction,
                        possible=both)
    assert enter.isAccepted()
    assert enter.dropAction() == Qt.DropAction.CopyAction
    assert drop.dropAction() == Qt.DropAction.CopyAction
    assert pdf.is_file()
    mail = QMimeData()
    mail.setText("Subject: Re: the lease")
    mail.setUrls([QUrl("https://example.com/lease")])
    enter, drop = _drag(page.drop_zone, mail, proposed=Qt.DropAction.CopyAction, possible=both)
    assert enter.isAccepted()  # so the drop can say what to do
    assert "save" in page.status.text().lower() and "file" in page.status.text().lower()


# 9 ------------------------------------------------------------------------------------------

def test_09_browser_columns_readable_at_default_size(make_window, app, make_pdf):
    build_filer(app).ingest([make_pdf("Letter_from_insurer-2024.pdf", 3)],
                            matter="2024-0117 Reyes v. Acme Insurance Company")
    window = make_window("attorney")
    window.show()
    page = window.pages["browser"]
    page.refresh()
    model = page.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal, 0)
               for c in range(model.columnCount())]
    cells = [str(model.data(model.index(0, c))) for c in range(model.columnCount())]
    assert not any("application/" in c for c in cells), cells
    assert "Letter from insurer 2024" in cells
    assert "3" in cells  # pages
    table = page.table
    width = table.viewport().width()
    for title in ("Category", "Date"):
        col = headers.index(title)
        assert not table.isColumnHidden(col)
        assert table.columnViewportPosition(col) + table.columnWidth(col) <= width, title
    assert table.textElideMode() == Qt.TextElideMode.ElideRight


# 10 -----------------------------------------------------------------------------------------

def _protected_pdf(make_pdf: Any, tmp_path: Path) -> Path:
    plain = make_pdf("plain.pdf", 2)
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="s3cret", owner_password="owner")
    out = tmp_path / "incoming" / "statement locked.pdf"
    with out.open("wb") as fh:
        writer.write(fh)
    return out


def test_10_review_wording_and_password(make_window, app, make_pdf, tmp_path):
    build_filer(app).ingest([_protected_pdf(make_pdf, tmp_path)])
    doc = app.ledger.docs.documents(status=DocStatus.REVIEW)[0]
    window = make_window("paralegal")
    page = window.pages["review"]
    page.select_row(0)
    banner = page.reason.text()
    assert doc.filed_path in banner  # where it is now
    assert str(tmp_path) not in banner.replace(doc.filed_path, "")
    assert banner.count("statement locked.pdf") <= 2  # the name, and once in the path
    note = page.preview.note.text()
    assert "filed copy" not in note.lower()
    assert page.preview.password.isVisibleTo(page.preview)
    page.preview.password.setText("s3cret")
    page.preview.unlock()
    assert page.preview.page_count() == 2


# 11 -----------------------------------------------------------------------------------------

def test_11_outcome_not_by_green_and_selection_kept(make_window, app, make_pdf):
    build_filer(app).ingest([make_pdf("a.pdf"), make_pdf("b.pdf"), make_pdf("c.pdf")])
    window = make_window("paralegal")
    page = window.pages["review"]
    page.select_row(1)
    keep = page.selected()
    page.retry_selected()
    assert page.result.objectName() != "okText"
    assert page.result.text().startswith("⚠")
    assert page.selected() is not None and page.selected().id == keep.id
    page.assign_selected("2024-1 A", "")
    assert page.result.objectName() == "okText" and page.result.text().startswith("✓")
    assert page.selected() is not None  # the next item, ready for the next decision


# 12 -----------------------------------------------------------------------------------------

def test_12_file_by_hand_dialog_stays_open_on_bad_folder(make_window, app, make_pdf):
    from intake_desktop.qt.review_page import FileDialog

    build_filer(app).ingest([make_pdf("a.pdf")], matter="2024-1 A")
    build_filer(app).ingest([make_pdf("b.pdf")])
    window = make_window("paralegal")
    page = window.pages["review"]
    page.select_row(0)
    dialog = FileDialog(page.session, page.selected(), by_hand=True, parent=page)
    dialog.confirm = lambda title, text: True
    dialog.matter.setCurrentText("2024-1 A")
    dialog.folder.setText("../../etc")
    dialog.filename.setText("kept.pdf")
    dialog.show()
    dialog.try_accept()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert "leaves the matter" in dialog.error.text()
    assert dialog.folder.text() == "../../etc" and dialog.filename.text() == "kept.pdf"
    dialog.folder.setText("Scans")
    dialog.try_accept()
    assert dialog.result() == QDialog.DialogCode.Accepted


# 13 -----------------------------------------------------------------------------------------

def test_13_rules_editor_errors_in_words(make_window, app, make_pdf):
    from tests.gui.test_gui_settings import FolderRulesBackend, admin_window

    window, editor = admin_window(make_window, app, make_pdf, FolderRulesBackend())
    window.resize(1024, 700)
    window.show()
    filler = "".join(f"# line {n}\n" for n in range(1, 160))
    editor.set_text(filler + 'folder = "Incoming\n')
    status = editor.status.text()
    assert not status.startswith("Not saved")
    assert "Illegal character" not in status and "\\n" not in status
    assert "line 160" in status.lower()
    assert not editor.preview_table.isEnabled()  # the preview is stale
    block = editor.editor.document().findBlockByLineNumber(159)
    rect = editor.editor.blockBoundingGeometry(block).translated(editor.editor.contentOffset())
    assert editor.editor.viewport().rect().intersects(rect.toRect())
    assert editor.preview_table.textElideMode() == Qt.TextElideMode.ElideLeft
    editor.set_text('folder = "Letters"\n')
    assert editor.preview_table.isEnabled()
    assert editor.save()
    assert editor.status.objectName() == "okText"


# 14 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["builder", "review", "browser"])
def test_14_small_window_keeps_panes(make_window, app, make_pdf, key):
    build_filer(app).ingest([make_pdf("a.pdf")], matter="2024-1 A")
    window = make_window("admin")
    window.resize(1024, 700)
    window.show()
    window.open_page(key)
    QApplication.processEvents()
    page = window.pages[key]
    for split in page.findChildren(QSplitter):
        assert not split.childrenCollapsible()
        for n in range(split.count()):
            child = split.widget(n)
            assert child.width() >= 180, (key, n, child.width())
    title = next(lb for lb in page.findChildren(QLabel) if lb.objectName() == "pageTitle")
    assert title.height() >= title.sizeHint().height()


# 15 -----------------------------------------------------------------------------------------

def test_15_sign_in_dialog(qtbot, app):
    from intake_desktop.core.roles import Profiles, Role
    from intake_desktop.qt.main import SignInDialog

    Profiles(app.ledger).save(app.actor.user, Role.ADMIN, "correct horse", acting=app.actor)
    dialog = SignInDialog(app)
    qtbot.addWidget(dialog)
    assert "8" in dialog.rules.text()  # the passphrase rule before any failure
    dialog.passphrase.setText("wrong one")
    dialog.try_sign_in()
    err = dialog.error.text()
    buttons = [b.text().replace("&", "") for b in dialog.buttons.buttons()]
    assert "Continue as paralegal" in buttons
    assert "Continue as paralegal" in err and "attorney" not in err
    dialog.reject()
    assert dialog.actor is None  # Cancel does not make anyone a paralegal
    dialog = SignInDialog(app)
    qtbot.addWidget(dialog)
    dialog.continue_as_paralegal()
    assert dialog.actor == Actor(app.actor.user, "paralegal")


# 16 -----------------------------------------------------------------------------------------

def _luminance(c: QColor) -> float:
    def ch(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("dark", [False, True])
def test_16_accessible_colours_focus_and_states(make_window, qapp, dark):
    from intake_desktop.qt import look

    look.apply_theme(qapp, dark=dark)
    try:
        background = qapp.palette().color(qapp.palette().ColorRole.Window)
        for kind in ("error", "ok", "warn"):
            colour = QColor(look.state_colour(kind, dark))
            assert _contrast(colour, background) >= 4.5, (kind, dark)
        window = make_window("paralegal")
        assert window.nav.focusPolicy() & Qt.FocusPolicy.TabFocus
        builder = window.pages["builder"]
        builder.start_build()
        assert builder.result.text().startswith("⚠")  # not by colour alone
        button = builder.build_button
        button.resize(button.sizeHint())
        enabled = button.grab().toImage().pixelColor(4, button.height() // 2)
        button.setEnabled(False)
        disabled = button.grab().toImage().pixelColor(4, button.height() // 2)
        assert enabled != disabled
        assert _contrast(disabled, background) < 1.6  # reads as inactive
    finally:
        look.apply_theme(qapp, dark=False)
        qapp.setStyleSheet("")


# 17 -----------------------------------------------------------------------------------------

@pytest.mark.qt_log_ignore("does not support")  # the offscreen platform, opening the popup
def test_17_date_filter_opens_at_this_month(make_window, app, qtbot):
    window = make_window("attorney")
    page = window.pages["browser"]
    window.show()
    edit = page.date_from
    edit.open_calendar()
    cal = edit.calendarWidget()
    today = date.today()
    assert (cal.yearShown(), cal.monthShown()) == (today.year, today.month)
    assert page.current_filter().date_from == ""


def test_17_assign_dialog_uses_active_rules_and_confirms_new_matter(
        qtbot, immigration_app, make_pdf):
    from intake_desktop.qt.review_page import FileDialog

    filer = build_filer(immigration_app)
    filer.ingest([make_pdf("scan 1.pdf", text="Registro")])
    filer.ingest([make_pdf("scan 2.pdf", text="Registro")])
    window = _window(qtbot, immigration_app, "paralegal")
    page = window.pages["review"]
    page.select_row(0)
    page.file_selected_by_hand("2024-031 Okafor", "Pleadings", "p.pdf", "Pleading")
    page.select_row(0)
    dialog = FileDialog(page.session, page.selected(), by_hand=False, parent=page)
    cats = [dialog.category.itemText(n) for n in range(dialog.category.count())]
    assert "Civil Document" in cats and "Pleading" not in cats
    asked: list[str] = []
    dialog.confirm = lambda title, text: (asked.append(text), False)[1]
    dialog.matter.setCurrentText("2024-999 Nobody")
    dialog.show()
    dialog.try_accept()
    assert asked and "2024-999 Nobody" in asked[0]
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_17_page_keys_stay_in_the_table(make_window, app, make_pdf, qtbot):
    build_filer(app).ingest([make_pdf("long.pdf", 3), make_pdf("b.pdf")], matter="2024-1 A")
    window = make_window("attorney")
    window.show()
    page = window.pages["browser"]
    page.refresh()
    page.select_row(0)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_PageDown)
    assert page.preview.current_page() == 0


def test_17_settings_show_intake_folder_and_no_flags(make_window, app):
    window = make_window("admin")
    page = window.pages["settings"]
    table = page.folders.table
    shown = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert str(app.workspace.intake) in shown
    courts = page.courts
    if hasattr(courts, "model"):
        m = courts.model
        cells = [str(m.data(m.index(r, c))) for r in range(m.rowCount())
                 for c in range(m.columnCount())]
        assert not any(FLAG.search(c) for c in cells)


# Rules editor like Picard's (issue 14, build) ----------------------------------------------

def test_rules_editor_line_numbers_rule_list_highlighting_and_did_you_mean(
        make_window, app, make_pdf):
    from intake_desktop.core.desks.rules_draft import DraftProblem
    from intake_desktop.qt.rules_editor import plain_problem
    from tests.gui.test_gui_settings import FolderRulesBackend, admin_window

    window, editor = admin_window(make_window, app, make_pdf, FolderRulesBackend())
    window.resize(1024, 700)
    window.show()
    text = ('folder = "Incoming"\n\n[[rule]]\nname = "medical"\ncategory = "Medical"\n\n'
            '[[rule]]\nname = "letters"\nfolder = "Correspondence"\n')
    editor.set_text(text)
    items = [editor.rule_list.item(n).text() for n in range(editor.rule_list.count())]
    assert items == ["medical  ·  line 3", "letters  ·  line 7"]
    editor.rule_list.itemClicked.emit(editor.rule_list.item(1))
    assert editor.editor.textCursor().blockNumber() == 6
    assert editor.editor.gutter.width() >= editor.editor.fontMetrics().horizontalAdvance("999")
    block = editor.editor.document().findBlockByLineNumber(3)
    formats = block.layout().formats()
    assert any(f.format.fontWeight() == 700 or f.format.foreground().color().isValid()
               for f in formats) and len(formats) >= 2  # key and string coloured
    said = plain_problem(DraftProblem("unknown filter 'uper' in filename", line=12))
    assert said.startswith("Line 12:") and "did you mean upper?" in said
