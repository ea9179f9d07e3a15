"""Settings (admins only): naming rules, intake folders, Bates defaults, courts, profiles."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.core import courts
from intake_desktop.core.desks.rules_draft import RulesBackend, default_backend
from intake_desktop.core.desks.settings_files import (
    BATES_POSITIONS,
    BatesDefaults,
    check_bates,
    load_bates,
    save_bates,
    save_intake_folders,
    validate_intake_folders,
)
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.roles import Capability, can
from intake_desktop.core.workspace import IntakeFolder
from intake_desktop.qt.checklist_editor import ChecklistEditor
from intake_desktop.qt.look import icon
from intake_desktop.qt.models import Column, RecordTableModel
from intake_desktop.qt.people_page import PeoplePage
from intake_desktop.qt.rules_editor import RulesEditor
from intake_desktop.qt.session import Session
from intake_desktop.qt.widgets import page_layout, page_title
from intake_desktop.qt.wording import for_window, say


def _result_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    return label


def _say(label: QLabel, text: str, ok: bool) -> None:
    say(label, text, "ok" if ok else "error")


class IntakeFoldersEditor(QWidget):
    """Extra watched folders (a scanner's output, a shared drive) in .intake/config.toml."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["Folder", "Matter (optional)", "Poll (network)"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self._builtin = 0
        ws_intake = session.app.workspace.intake
        self.add_row(str(ws_intake), "from the folder name (Intake/<matter>/)", False)
        for c in range(3):
            item = self.table.item(0, c)
            if item is not None:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip("The workspace's own Intake folder: always watched")
        self._builtin = 1
        for f in session.app.config.intake_folders:
            if f.path.resolve() != ws_intake.resolve():
                self.add_row(str(f.path), f.matter, f.polling)
        add = QPushButton(icon("add"), "Add folder…", self)
        add.clicked.connect(self._browse)
        remove = QPushButton("Remove", self)
        remove.clicked.connect(lambda: self.remove_row(self.table.currentRow()))
        save = QPushButton(icon("save"), "Validate and save", self)
        save.setProperty("primary", True)
        save.clicked.connect(lambda: self.save())
        self.result = _result_label(self)
        hint = QLabel("Files appearing in these folders are filed like files dropped in "
                      "Intake/. Use polling for network shares (they send no change events).")
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        buttons.addWidget(save)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.result)

    def add_row(self, path: str, matter: str = "", polling: bool = False) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(path))
        self.table.setItem(row, 1, QTableWidgetItem(matter))
        check = QTableWidgetItem()
        check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        check.setCheckState(Qt.CheckState.Checked if polling else Qt.CheckState.Unchecked)
        self.table.setItem(row, 2, check)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder to watch")
        if folder:
            self.add_row(folder)

    def remove_row(self, row: int) -> None:
        if row >= self._builtin:
            self.table.removeRow(row)

    def folders(self) -> list[IntakeFolder]:
        """The extra folders (the workspace's own Intake/ is always watched)."""
        out = []
        for r in range(self._builtin, self.table.rowCount()):
            path_item, matter_item, poll = (self.table.item(r, c) for c in range(3))
            out.append(IntakeFolder(
                path=Path((path_item.text() if path_item else "").strip() or "."),
                matter=(matter_item.text() if matter_item else "").strip(),
                polling=bool(poll and poll.checkState() == Qt.CheckState.Checked),
            ))
        return out

    def save(self) -> bool:
        folders = self.folders()
        problems = validate_intake_folders(folders)
        if problems:
            _say(self.result, "Not saved: " + "; ".join(problems), False)
            return False
        try:
            save_intake_folders(self.session.app.workspace, folders)
        except IntakeError as exc:
            _say(self.result, exc.message, False)
            return False
        _say(self.result, "Saved. The watcher picks the folders up when it next starts.", True)
        return True


class BatesEditor(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.result = _result_label(self)
        try:
            current = load_bates(session.app.workspace)
        except IntakeError as exc:
            current = BatesDefaults()
            _say(self.result, exc.message, False)
        self.prefix = QLineEdit(current.prefix, self)
        self.digits = QSpinBox(self)
        self.digits.setRange(1, 20)
        self.digits.setValue(current.digits)
        self.start = QSpinBox(self)
        self.start.setRange(0, 999_999_999)
        self.start.setValue(current.start)
        self.position = QComboBox(self)
        self.position.addItems(list(BATES_POSITIONS))
        self.position.setCurrentText(current.position)
        self.sample = QLabel(self)
        self.sample.setObjectName("banner")
        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        for w in (self.prefix,):
            w.textChanged.connect(lambda *_: self.update_sample())
        for s in (self.digits, self.start):
            s.valueChanged.connect(lambda *_: self.update_sample())
        self.position.currentIndexChanged.connect(lambda *_: self.update_sample())
        save = QPushButton(icon("save"), "Validate and save", self)
        save.setProperty("primary", True)
        save.clicked.connect(lambda: self.save())
        box = QWidget(self)
        box.setMaximumWidth(560)
        outer = QVBoxLayout(self)
        outer.addWidget(box)
        outer.addStretch(1)
        form = QFormLayout(box)
        hint = QLabel("Defaults for new exhibit sets: the prefix, how many digits, where the "
                      "number is stamped. A production continues from the next free number "
                      "for its prefix.", box)
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        form.addRow(hint)
        form.addRow("Prefix:", self.prefix)
        form.addRow("Digits:", self.digits)
        form.addRow("First number:", self.start)
        form.addRow("Stamp position:", self.position)
        form.addRow("First stamp:", self.sample)
        form.addRow(self.warning)
        form.addRow("", save)
        form.addRow(self.result)
        self.update_sample()

    def value(self) -> BatesDefaults:
        return BatesDefaults(self.prefix.text().strip(), self.digits.value(), self.start.value(),
                             self.position.currentText())

    def update_sample(self) -> None:
        b = self.value()
        errors, warnings = check_bates(b)
        self.sample.setText(b.sample() if not errors else "-")
        text = "; ".join(errors + warnings)
        _say(self.warning, text, ok=not text)

    def save(self) -> bool:
        try:
            save_bates(self.session.app.workspace, self.value())
        except IntakeError as exc:
            _say(self.result, exc.message, False)
            return False
        _say(self.result, "Saved. New exhibit sets start from these defaults.", True)
        return True


class CourtsView(QWidget):
    """Court profiles (shipped + the workspace's .intake/courts/)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        layout = QVBoxLayout(self)
        self.result = _result_label(self)
        model: RecordTableModel[Any] = RecordTableModel(self)
        model.columns = [
            Column("Court", lambda c: c.id),
            Column("Name", lambda c: c.name),
            Column("File limit", lambda c: courts.format_size(c.file_limit_bytes)
                   if c.file_limit_bytes else "none published"),
            Column("Source", lambda c: for_window(c.sources.get("file_limit", "")),
                   lambda c: str(c.path)),
        ]
        self.model = model
        table = QTableView(self)
        table.setModel(model)
        table.verticalHeader().setVisible(False)
        table.setWordWrap(False)
        table.setAlternatingRowColors(True)
        table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((90, 360, 110)):
            table.setColumnWidth(col, width)
        folder = session.app.workspace.state / "courts"
        hint = QLabel(f"Add or override a court with a TOML file in {folder} (validated "
                      "when loaded; errors name the file, line and field).", self)
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        check = QPushButton(icon("refresh"), "Reload and validate", self)
        check.clicked.connect(lambda: self.reload(courts, folder))
        layout.addWidget(hint)
        layout.addWidget(table, 1)
        layout.addWidget(check, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.result)
        self.reload(courts, folder)

    def reload(self, courts: Any, folder: Path) -> None:
        try:
            profiles = courts.load_profiles(folder if folder.is_dir() else None)
        except IntakeError as exc:
            _say(self.result, exc.message, False)
            return
        self.model.set_records(sorted(profiles.values(), key=lambda c: c.id))
        _say(self.result, f"{len(profiles)} court profiles, all valid.", True)


class SettingsPage(QWidget):
    def __init__(
        self,
        session: Session,
        *,
        backend: RulesBackend | None = None,
        on_error: Callable[[str], None],
    ) -> None:
        super().__init__()
        if not can(session.actor.role, Capability.SETTINGS):  # the window never builds it
            raise PermissionError("settings are for admins")
        title = page_title("Settings", self)
        self.rules = RulesEditor(
            session, backend or default_backend(session.app.workspace, session.ledger),
            on_error=on_error,
        )
        self.folders = IntakeFoldersEditor(session)
        self.bates = BatesEditor(session)
        self.courts = CourtsView(session)
        self.profiles = PeoplePage(session)
        self.checklists = ChecklistEditor(session, on_error=on_error)  # issue 18
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.rules, icon("document"), "Naming rules")
        self.tabs.addTab(self.folders, icon("folder"), "Intake folders")
        self.tabs.addTab(self.bates, icon("builder"), "Bates defaults")
        self.tabs.addTab(self.courts, icon("browse"), "Court profiles")
        self.tabs.addTab(self.profiles, icon("user"), "People")
        from intake_desktop.qt.firm_database import FirmDatabaseEditor

        self.firm_database = FirmDatabaseEditor(session)
        self.tabs.addTab(self.firm_database, icon("settings"), "Firm database")
        self.tabs.addTab(self.checklists, icon("check"), "Checklists")
        layout, _ = page_layout(self, title)
        layout.addWidget(self.tabs, 1)

    def rebind(self, session: Session) -> bool:
        return False  # built again for the new user (admins only)

    def has_work(self) -> bool:
        return self.rules.text() != self.rules.saved_text
