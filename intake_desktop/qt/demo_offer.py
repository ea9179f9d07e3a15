"""The banner an empty workspace shows: open the demo workspace with sample matters."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QProcess, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from intake_desktop.core.empty_workspace import workspace_is_empty
from intake_desktop.core.shipped import self_command
from intake_desktop.core.workspace import Workspace, default_demo_dir


def demo_command(demo_dir: Path) -> list[str]:
    """Arguments (after the Python interpreter, or the bundle executable) that fill the demo."""
    return [*self_command()[1:], "demo", "--workspace", str(demo_dir)]


def window_command(demo_dir: Path) -> list[str]:
    """Arguments (after the interpreter or bundle executable) that open a window on the demo."""
    return [*self_command()[1:], "gui", "--workspace", str(demo_dir)]


class DemoOffer(QFrame):
    """Offers the demo while the workspace is empty; fills it in a separate process."""

    opened = Signal(str)  # the demo folder, once a window on it was started

    def __init__(self, demo_dir: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.demo_dir = demo_dir or default_demo_dir()
        self.setObjectName("demoOffer")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.text = QLabel(
            "<b>This workspace is empty.</b> See what Intake Desktop does with three sample "
            "matters (litigation, personal injury, immigration) filed through the real "
            f"pipeline, in a separate demo workspace: {self.demo_dir}",
            self,
        )
        self.text.setWordWrap(True)
        self.button = QPushButton("Open the demo", self)
        self.button.clicked.connect(self.open_demo)
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self._process: QProcess | None = None

    def refresh(self, workspace: Workspace, ledger: object) -> None:
        """Show the offer only while the workspace has no documents."""
        self.setVisible(workspace_is_empty(workspace, ledger))  # type: ignore[arg-type]

    def demo_ready(self) -> bool:
        ws = Workspace(self.demo_dir)
        return ws.is_initialized() and not workspace_is_empty(ws, None)

    def open_demo(self) -> None:
        if self.demo_ready():
            self._open_window()
            return
        self.button.setEnabled(False)
        self.text.setText("Filing about 40 sample documents into the demo workspace…")
        process = QProcess(self)
        process.finished.connect(self._demo_finished)
        process.start(sys.executable, demo_command(self.demo_dir))
        self._process = process

    def _demo_finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        self.button.setEnabled(True)
        process = self._process
        self._process = None
        if code != 0:
            err = bytes(process.readAllStandardError().data()).decode() if process else ""
            self.text.setText(f"The demo could not be created: {err.strip() or code}")
            return
        self._open_window()

    def _open_window(self) -> None:
        QProcess.startDetached(sys.executable, window_command(self.demo_dir))
        self.text.setText(f"The demo workspace opened in a new window ({self.demo_dir}).")
        self.opened.emit(str(self.demo_dir))
