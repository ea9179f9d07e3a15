"""The main window (a first version that names the workspace in use)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from intake_desktop.app import App


class MainWindow(QMainWindow):
    def __init__(self, app: App) -> None:
        super().__init__()
        self.app = app
        self.setWindowTitle(f"Intake Desktop - {app.workspace.root.name}")
        self.resize(900, 600)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        title = QLabel("<h2>Intake Desktop</h2>", body)
        self.workspace_label = QLabel(f"Workspace: {app.workspace.root}", body)
        self.workspace_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        counts = {m: len(app.ledger.documents(matter_id=m)) for m in app.ledger.matters()}
        summary = ", ".join(f"{m} ({n})" for m, n in counts.items()) or "no matters yet"
        self.matters_label = QLabel(f"Matters: {summary}", body)
        hint = QLabel(
            f"Drop client files into {app.workspace.intake}/&lt;matter&gt;/ and run "
            "<code>intake-desktop ingest</code>.",
            body,
        )
        for w in (title, self.workspace_label, self.matters_label, hint):
            layout.addWidget(w)
        layout.addStretch(1)
        self.setCentralWidget(body)
