"""The Production page: pick a matter's documents (by category or a saved browser search),
mark the privileged ones with a basis and a description for the log, choose the volume,
Bates prefix (with its next free number), confidentiality and image format, see a dry run of
the numbering, then build the volume in the background with progress and cancel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.core.desks.settings_files import load_bates
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import DocumentRecord
from intake_desktop.core.production import (
    CONFIDENTIALITY_CHOICES,
    IMAGE_FORMATS,
    DryRun,
    ProductionChoices,
    ProductionResult,
    WithholdChoice,
    build_production,
    candidates,
    default_out_dir,
    dry_run,
    next_volume,
    spec_from_choices,
)
from intake_desktop.core.progress import CancelFlag, ProgressCallback
from intake_desktop.core.saved_searches import load_searches
from intake_desktop.qt.look import icon
from intake_desktop.qt.matters import chosen_matter, fill_matters
from intake_desktop.qt.models import describe
from intake_desktop.qt.session import Session
from intake_desktop.qt.widgets import Page, page_layout, page_title, splitter
from intake_desktop.qt.wording import say

BY_CATEGORY = "Categories ticked below"
PRIVILEGE_CHOICES = {
    "Attorney-client": ("attorney-client",),
    "Work product": ("work product",),
    "Attorney-client and work product": ("attorney-client", "work product"),
}
IMAGE_FORMAT_NAMES = {
    "pdf": "Searchable PDF per document",
    "tiff": "Single-page TIFF (G4; JPEG for colour) + text",
}


class ProductionPage(Page):
    COL_PRODUCE, COL_DOCUMENT, COL_CATEGORY, COL_DATE, COL_WITHHOLD, COL_PRIVILEGE, \
        COL_DESCRIPTION = range(7)
    HEADERS = ("Produce", "Document", "Category", "Date", "Withhold", "Privilege",
               "Description for the privilege log")

    def __init__(self, session: Session, *, on_error: Callable[[str], None]) -> None:
        super().__init__(session, on_error)
        self.docs: list[DocumentRecord] = []
        self.last: ProductionResult | None = None
        self.last_dry_run: DryRun | None = None
        self._cancel: CancelFlag | None = None
        title = page_title("Production", self)

        # ---- which documents ----
        self.matter = QComboBox(self)
        self.matter.currentIndexChanged.connect(lambda *_: self._matter_changed())
        self.source = QComboBox(self)
        self.source.currentIndexChanged.connect(lambda *_: self.list_documents())
        self.categories = QListWidget(self)
        self.categories.setMaximumHeight(96)
        self.categories.itemChanged.connect(lambda *_: self.list_documents())
        self.table = QTableWidget(0, len(self.HEADERS), self)
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in ((self.COL_PRODUCE, 62), (self.COL_DOCUMENT, 190),
                           (self.COL_CATEGORY, 110), (self.COL_DATE, 84),
                           (self.COL_WITHHOLD, 70), (self.COL_PRIVILEGE, 150),
                           (self.COL_DESCRIPTION, 260)):
            self.table.setColumnWidth(col, width)
        self.table.itemChanged.connect(lambda *_: self._selection_changed())
        self.count = QLabel(self)
        self.count.setObjectName("muted")
        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        pick = QFormLayout()
        pick.addRow("Matter", self.matter)
        pick.addRow("Documents from", self.source)
        pick.addRow("Categories", self.categories)
        ll.addLayout(pick)
        ll.addWidget(self.table, 1)
        ll.addWidget(self.count)

        # ---- the volume ----
        self.volume = QLineEdit(self)
        self.prefix = QLineEdit(self)
        self.prefix.textChanged.connect(lambda *_: self._update_next_free())
        self.digits = QSpinBox(self)
        self.digits.setRange(6, 15)
        self.digits.setValue(6)
        self.digits.valueChanged.connect(lambda *_: self._update_next_free())
        self.start = QSpinBox(self)
        self.start.setRange(0, 999_999_999)
        self.start.setSpecialValueText("next free number")
        self.next_free = QLabel(self)
        self.next_free.setObjectName("muted")
        self.confidentiality = QComboBox(self)
        self.confidentiality.setEditable(True)
        for choice in CONFIDENTIALITY_CHOICES:
            self.confidentiality.addItem(choice or "(no endorsement)", choice)
        self.confidentiality.setCurrentIndex(1)
        self.image_format = QComboBox(self)
        for key in IMAGE_FORMATS:
            self.image_format.addItem(IMAGE_FORMAT_NAMES.get(key, key), key)
        self.custodian = QLineEdit(self)
        self.producing_party = QLineEdit(self)
        self.served_on = QLineEdit(self)
        form = QFormLayout()
        form.addRow("Volume", self.volume)
        form.addRow("Bates prefix", self.prefix)
        form.addRow("Digits", self.digits)
        form.addRow("Start at", self.start)
        form.addRow("", self.next_free)
        form.addRow("Confidentiality", self.confidentiality)
        form.addRow("Images", self.image_format)
        form.addRow("Custodian", self.custodian)
        form.addRow("Producing party", self.producing_party)
        form.addRow("Served on", self.served_on)
        self.dry_run_button = QPushButton(icon("review"), "Dry run", self)
        self.dry_run_button.setToolTip("Show what will be produced and its numbers; nothing "
                                       "is written and no number is taken")
        self.dry_run_button.clicked.connect(lambda: self.show_dry_run())
        self.build_button = QPushButton(icon("builder"), "Build production", self)
        self.build_button.setProperty("primary", True)
        self.build_button.clicked.connect(lambda: self.start_build())
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(lambda: self.cancel())
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.preview = QTableWidget(0, 5, self)
        self.preview.setHorizontalHeaderLabels(
            ["Bates", "Document", "Produced as", "Pages", "Confidentiality"])
        self.preview.verticalHeader().setVisible(False)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.horizontalHeader().setStretchLastSection(True)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.open_folder = QPushButton(icon("folder"), "Open result folder", self)
        self.open_folder.setEnabled(False)
        self.open_folder.clicked.connect(lambda: self._open_folder())
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(8, 0, 0, 0)
        rl.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.dry_run_button)
        buttons.addWidget(self.build_button)
        rl.addLayout(buttons)
        prog = QHBoxLayout()
        prog.addWidget(self.progress, 1)
        prog.addWidget(self.cancel_button)
        rl.addLayout(prog)
        rl.addWidget(self.summary)
        rl.addWidget(self.preview, 1)
        rl.addWidget(self.result)
        rl.addWidget(self.open_folder)

        split = splitter(Qt.Orientation.Horizontal, self, [left, right], [720, 460])
        layout, _ = page_layout(self, title)
        layout.addWidget(split, 1)
        self._defaults()
        self.refresh()

    # ---- data -------------------------------------------------------------------------------

    def rebind(self, session: Session) -> bool:
        self.session = session
        return True

    def _defaults(self) -> None:
        try:
            bates = load_bates(self.session.app.workspace)
            self.prefix.setText(bates.prefix if bates.prefix.endswith(("-", "_")) or not
                                bates.prefix else f"{bates.prefix}-")
            self.digits.setValue(bates.digits)
        except IntakeError as exc:
            self.on_error(exc.message)
        self.volume.setText(next_volume(self.session.ledger))

    def refresh(self) -> None:
        fill_matters(self.matter, self.session)
        current = self.source.currentText()
        self.source.blockSignals(True)
        self.source.clear()
        self.source.addItem(BY_CATEGORY)
        try:
            names = sorted(load_searches(self.session.app.workspace), key=str.casefold)
        except IntakeError as exc:
            names = []
            self.on_error(exc.message)
        for name in names:
            self.source.addItem(icon("browse"), f"Saved search: {name}", name)
        found = self.source.findText(current)
        self.source.setCurrentIndex(max(found, 0))
        self.source.blockSignals(False)
        self._matter_changed()

    def _matter_changed(self) -> None:
        matter = chosen_matter(self.matter)
        ticked = {self.categories.item(i).text() for i in range(self.categories.count())
                  if self.categories.item(i).checkState() == Qt.CheckState.Checked}
        in_matter = sorted({d.category for d in candidates(
            self.session.ledger, self.session.app.workspace, matter) if d.category})
        self.categories.blockSignals(True)
        self.categories.clear()
        for category in in_matter:
            item = QListWidgetItem(category, self.categories)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if category in ticked
                               else Qt.CheckState.Unchecked)
        self.categories.blockSignals(False)
        self.list_documents()
        self._update_next_free()

    def ticked_categories(self) -> list[str]:
        return [self.categories.item(i).text() for i in range(self.categories.count())
                if self.categories.item(i).checkState() == Qt.CheckState.Checked]

    def list_documents(self) -> None:
        """The candidates: the ticked categories of the matter, or a saved search's list."""
        search = self.source.currentData()
        self.categories.setEnabled(not search)
        try:
            if search:
                docs = candidates(self.session.ledger, self.session.app.workspace,
                                  chosen_matter(self.matter), search=str(search))
            else:
                ticked = self.ticked_categories()
                docs = candidates(self.session.ledger, self.session.app.workspace,
                                  chosen_matter(self.matter), categories=ticked) if ticked else []
        except IntakeError as exc:
            docs = []
            self.on_error(exc.message)
        self.docs = docs
        self.table.blockSignals(True)
        self.table.setRowCount(len(docs))
        for row, doc in enumerate(docs):
            produce = QTableWidgetItem()
            produce.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            produce.setCheckState(Qt.CheckState.Checked)
            self.table.setItem(row, self.COL_PRODUCE, produce)
            name = describe(doc.filed_path, doc.matter_id) or (
                doc.filed_path or "").rsplit("/", 1)[-1]
            for col, text in ((self.COL_DOCUMENT, name), (self.COL_CATEGORY, doc.category),
                              (self.COL_DATE, doc.document_date or "")):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setToolTip(doc.filed_path or "")
                self.table.setItem(row, col, item)
            withhold = QTableWidgetItem()
            withhold.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            withhold.setCheckState(Qt.CheckState.Unchecked)
            self.table.setItem(row, self.COL_WITHHOLD, withhold)
            basis = QComboBox(self.table)
            basis.addItems(list(PRIVILEGE_CHOICES))
            basis.setEnabled(False)
            self.table.setCellWidget(row, self.COL_PRIVILEGE, basis)
            description = QTableWidgetItem("")
            description.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsEditable
                                 | Qt.ItemFlag.ItemIsSelectable)
            description.setToolTip("What the document is, without revealing the privileged "
                                   "content (the privilege log shows it)")
            self.table.setItem(row, self.COL_DESCRIPTION, description)
        self.table.blockSignals(False)
        self._selection_changed()

    def _selection_changed(self) -> None:
        chosen = sum(1 for r in range(self.table.rowCount()) if self._checked(r, self.COL_PRODUCE))
        withheld = 0
        for row in range(self.table.rowCount()):
            on = self._checked(row, self.COL_WITHHOLD)
            withheld += on
            basis = self.table.cellWidget(row, self.COL_PRIVILEGE)
            if basis is not None:
                basis.setEnabled(on)
        self.count.setText(f"{chosen} of {len(self.docs)} documents chosen, "
                           f"{withheld} withheld as privileged")
        self.last_dry_run = None

    def _checked(self, row: int, col: int) -> bool:
        item = self.table.item(row, col)
        return item is not None and item.checkState() == Qt.CheckState.Checked

    def set_withheld(self, row: int, basis: str, description: str) -> None:
        """Mark a row withheld with a basis and a description (what the clicks do)."""
        item = self.table.item(row, self.COL_WITHHOLD)
        assert item is not None
        item.setCheckState(Qt.CheckState.Checked)
        combo = self.table.cellWidget(row, self.COL_PRIVILEGE)
        assert isinstance(combo, QComboBox)
        combo.setCurrentText(basis)
        described = self.table.item(row, self.COL_DESCRIPTION)
        assert described is not None
        described.setText(description)

    def _update_next_free(self) -> None:
        prefix = self.prefix.text().strip()
        if not prefix:
            self.next_free.setText("Type a Bates prefix, e.g. REYES-")
            return
        following = self.session.ledger.bates.next_bates(prefix)
        self.next_free.setText(f"Next free number: {prefix}{following:0{self.digits.value()}d}")

    def choices(self) -> ProductionChoices:
        documents, withheld = [], []
        for row, doc in enumerate(self.docs):
            if self._checked(row, self.COL_WITHHOLD):
                combo = self.table.cellWidget(row, self.COL_PRIVILEGE)
                basis = combo.currentText() if isinstance(combo, QComboBox) else ""
                described = self.table.item(row, self.COL_DESCRIPTION)
                withheld.append(WithholdChoice(
                    doc.id, PRIVILEGE_CHOICES.get(basis, ("attorney-client",)),
                    described.text().strip() if described else ""))
            elif self._checked(row, self.COL_PRODUCE):
                documents.append(doc.id)
        shown = self.confidentiality.findText(self.confidentiality.currentText())
        conf = (self.confidentiality.itemData(shown) if shown >= 0
                else self.confidentiality.currentText().strip())
        return ProductionChoices(
            matter=chosen_matter(self.matter), documents=tuple(documents),
            volume=self.volume.text().strip(), prefix=self.prefix.text().strip(),
            digits=self.digits.value(), start=self.start.value() or None,
            confidentiality=str(conf), image_format=str(self.image_format.currentData()),
            withheld=tuple(withheld), custodian=self.custodian.text().strip(),
            producing_party=self.producing_party.text().strip(),
            served_on=self.served_on.text().strip(),
        )

    def out_dir(self) -> Path:
        return default_out_dir(self.session.app.workspace, self.volume.text().strip())

    # ---- dry run and build ------------------------------------------------------------------

    def show_dry_run(self) -> DryRun | None:
        ws = self.session.app.workspace
        try:
            choices = self.choices()
            spec = spec_from_choices(choices, self.out_dir() / f"{choices.volume} spec.toml")
            run = dry_run(spec, self.session.ledger, ws)
        except IntakeError as exc:
            say(self.summary, exc.message, "error")
            self.on_error(exc.message)
            return None
        self.last_dry_run = run
        self.preview.setRowCount(len(run.docs))
        for row, doc in enumerate(run.docs):
            first, last = doc.bates_first, doc.bates_last
            number = (spec.bates.number(first) if first == last else
                      f"{spec.bates.number(first)} – {spec.bates.number(last or first)}"
                      ) if first is not None else doc.control
            cells = (number, doc.meta.filename, doc.treatment.value, str(doc.pages),
                     doc.confidentiality if doc.withhold is None else "")
            for col, text in enumerate(cells):
                self.preview.setItem(row, col, QTableWidgetItem(text))
        self.preview.resizeColumnsToContents()
        where = self.out_dir().relative_to(ws.root).as_posix()
        text = (f"{choices.volume}: {len(run.docs)} documents, {run.pages} pages, "
                f"{run.bates_first} – {run.bates_last}, into {where}. Nothing is written "
                "until you build.")
        if run.warnings:
            text += " Note: " + "; ".join(run.warnings) + "."
        say(self.summary, text, "info")
        return run

    def start_build(self) -> None:
        ws, ledger = self.session.app.workspace, self.session.ledger
        try:
            choices = self.choices()
            spec_from_choices(choices, self.out_dir() / f"{choices.volume} spec.toml")
        except IntakeError as exc:
            say(self.result, exc.message, "error")
            self.on_error(exc.message)
            return
        out_dir = self.out_dir()
        self.build_button.setEnabled(False)
        self.dry_run_button.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        say(self.result, f"Building {choices.volume}…", "info")

        def work(on_progress: ProgressCallback, cancel: CancelFlag) -> ProductionResult:
            return build_production(choices, ledger, ws, out_dir, on_progress=on_progress,
                                    cancel=cancel)

        self._cancel = CancelFlag()
        self.cancel_button.setVisible(True)
        self.session.runner.run(work, on_success=self._built, on_error=self._failed,
                                on_progress=self._progress, cancel=self._cancel)

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            say(self.result, "Stopping… nothing half-built is kept and the numbers are "
                "given back.", "info")

    def _progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(message[:60])

    def _finished(self) -> None:
        self._cancel = None
        self.cancel_button.setVisible(False)
        self.build_button.setEnabled(True)
        self.dry_run_button.setEnabled(True)
        self.progress.setVisible(False)

    def _built(self, result: ProductionResult) -> None:
        self.last = result
        self._finished()
        root = self.session.app.workspace.root
        where = result.volume_dir.relative_to(root).as_posix() if result.volume_dir.is_relative_to(
            root) else str(result.volume_dir)
        withheld = sum(1 for d in result.docs if d.plan.withhold is not None)
        say(self.result, f"Built {result.spec.volume}: {len(result.docs)} documents, "
            f"{result.pages} pages, {result.bates_first} – {result.bates_last}"
            f"{f', {withheld} withheld' if withheld else ''}, in {where}.", "ok")
        self.open_folder.setEnabled(True)
        self.volume.setText(next_volume(self.session.ledger))
        self._update_next_free()

    def _failed(self, message: str) -> None:
        self._finished()
        say(self.result, message, "error")
        self.on_error(message)
        self._update_next_free()

    def _open_folder(self) -> None:
        if self.last is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last.out_dir)))
