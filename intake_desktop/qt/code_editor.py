"""A text editor for naming rules, like Picard's script editor: line numbers, syntax
highlighting for TOML with {{ templates }}, and the list of rules to jump to."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from PySide6.QtCore import QRect, QRegularExpression, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QTextEdit, QWidget

from intake_desktop.qt.look import icon, is_dark

RULE_KEYS = ("name", "category", "code", "folder", "filename", "review", "when", "keywords",
             "name_regex", "extension", "type", "matter", "from", "subject", "rule",
             "settings", "date_format", "priority")


def did_you_mean(word: str, vocabulary: Iterable[str]) -> str:
    """The closest known word, or "" (for "unknown filter 'uper'" -> "upper")."""
    found = difflib.get_close_matches(word, list(vocabulary), n=1, cutoff=0.7)
    return found[0] if found else ""


def table_names(text: str, table: str, key: str) -> list[tuple[int, str]]:
    """(1-based line, name) of each [[table]] in the text, in order; the name is the table's
    `key = "..."` when it has one, else "<table> N"."""
    out: list[tuple[int, str]] = []
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if line.strip().startswith(f"[[{table}]]"):
            name = f"{table} {len(out) + 1}"
            for follow in lines[n + 1:n + 12]:
                m = re.match(rf'\s*{key}\s*=\s*"([^"]*)"', follow)
                if m:
                    name = m.group(1)
                    break
                if follow.strip().startswith("["):
                    break
            out.append((n + 1, name))
    return out


def rule_names(text: str) -> list[tuple[int, str]]:
    """(1-based line, name) of each [[rule]] in the text, in order."""
    return table_names(text, "rule", "name")


class TomlHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        dark = is_dark()

        def fmt(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
            f = QTextCharFormat()
            f.setForeground(QColor(color))
            if bold:
                f.setFontWeight(QFont.Weight.Bold)
            f.setFontItalic(italic)
            return f

        self.rules = [
            (QRegularExpression(r"^\s*[A-Za-z0-9_.\-]+(?=\s*=)"),
             fmt("#7cc4ff" if dark else "#0b5394")),
            (QRegularExpression(r"\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'"),
             fmt("#b5e08a" if dark else "#1e6b3c")),
            (QRegularExpression(r"\{\{[^}]*\}\}|\{%[^%]*%\}"),
             fmt("#ffcc66" if dark else "#8a3b00", bold=True)),
            (QRegularExpression(r"^\s*\[\[?[^\]]+\]\]?"),
             fmt("#e6a8ff" if dark else "#6a1b9a", bold=True)),
            (QRegularExpression(r"#.*$"), fmt("#9aa6b2" if dark else "#5d6975", italic=True)),
        ]

    def highlightBlock(self, text: str) -> None:
        for pattern, f in self.rules:
            it = pattern.globalMatch(text)
            while it.hasNext():
                m = it.next()
                self.setFormat(m.capturedStart(), m.capturedLength(), f)


class _Gutter(QWidget):
    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.editor.paint_gutter(event)


class CodeEditor(QPlainTextEdit):
    """QPlainTextEdit with line numbers in a gutter (Qt's code editor example)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gutter = _Gutter(self)
        self.blockCountChanged.connect(lambda *_: self._update_width())
        self.updateRequest.connect(self._update_gutter)
        self._update_width()
        self.highlighter = TomlHighlighter(self.document())

    def gutter_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 12 + self.fontMetrics().horizontalAdvance("9") * max(3, digits)

    def _update_width(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        cr = self.contentsRect()
        self.gutter.setGeometry(QRect(cr.left(), cr.top(), self.gutter_width(), cr.height()))

    def paint_gutter(self, event: QPaintEvent) -> None:
        painter = QPainter(self.gutter)
        dark = is_dark()
        painter.fillRect(event.rect(), QColor("#1b2430" if dark else "#eef2f6"))
        painter.setPen(QColor("#9aa6b2" if dark else "#5d6975"))
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        bottom = top + round(self.blockBoundingRect(block).height())
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                painter.drawText(0, top, self.gutter.width() - 6, self.fontMetrics().height(),
                                 Qt.AlignmentFlag.AlignRight, str(number + 1))
            block = block.next()
            top = bottom
            bottom = top + round(self.blockBoundingRect(block).height())
            number += 1
        painter.end()

    def mark_lines(self, marks: Iterable[tuple[int | None, str]]) -> None:
        """Tint each (1-based line, tooltip) across the editor's width; no line: skipped."""
        selections = []
        for line, tip in marks:
            block = self.document().findBlockByLineNumber(line - 1) if line else None
            if block is None or not block.isValid():
                continue
            sel = QTextEdit.ExtraSelection()
            sel.format.setBackground(QColor(217, 83, 79, 60))
            sel.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            sel.format.setToolTip(tip)
            sel.cursor = QTextCursor(block)
            selections.append(sel)
        self.setExtraSelections(selections)

    def go_to_line(self, line: int) -> None:
        block = self.document().findBlockByLineNumber(max(0, line - 1))
        if block.isValid():
            self.setTextCursor(QTextCursor(block))
            self.centerCursor()
            self.setFocus()


class TomlFilePane(QWidget):
    """An admin's editor of one TOML file (naming rules, checklists): the text, checked
    `CHECK_AFTER_MS` after typing stops; a status line of at most three lines (a long
    error must not push the line it is about out of view); Validate-and-save and Revert.
    Subclasses give `check` and `save`, call `_build_editor` where the editor belongs in
    their tab order, and connect the Revert button."""

    CHECK_AFTER_MS = 300
    editor: CodeEditor
    status: QLabel
    save_button: QPushButton
    revert_button: QPushButton

    def _build_editor(self) -> None:
        self.editor = CodeEditor(self)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setLineWrapMode(CodeEditor.LineWrapMode.NoWrap)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(self.CHECK_AFTER_MS)
        self._debounce.timeout.connect(self.check)
        self.editor.textChanged.connect(lambda: self._debounce.start())
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setMaximumHeight(self.fontMetrics().lineSpacing() * 3 + 6)
        self.save_button = QPushButton(icon("save"), "Validate and save", self)
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(lambda: self.save())
        self.revert_button = QPushButton("Revert", self)

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the text and check it at once (what typing does after a pause)."""
        self.editor.setPlainText(text)
        self.check()

    def check(self) -> bool:
        raise NotImplementedError

    def save(self) -> bool:
        raise NotImplementedError
