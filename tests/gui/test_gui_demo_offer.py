"""An empty workspace offers the demo; a workspace with documents does not."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from intake_desktop.core.workspace import init_workspace
from intake_desktop.qt.demo_offer import DemoOffer, window_command
from intake_desktop.qt.intake_page import IntakePage
from tests.gui.test_gui_intake import drop


def test_offer_shows_on_an_empty_workspace_and_goes_once_files_are_filed(
    make_window: Any, make_pdf: Any
) -> None:
    window = make_window("paralegal")
    page = window.pages["intake"]
    assert isinstance(page, IntakePage)
    assert not page.demo_offer.isHidden()
    page.matter.setCurrentText("2024-017 Smith")
    drop(page.drop_zone, [make_pdf("Letter.pdf", 1)])
    assert page.demo_offer.isHidden()


def test_open_demo_opens_a_window_on_an_existing_demo(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = init_workspace(tmp_path / "Intake Desktop Demo")
    (demo.matters / "2024-0117 Reyes" / "a.pdf").parent.mkdir(parents=True)
    (demo.matters / "2024-0117 Reyes" / "a.pdf").write_bytes(b"%PDF-1.4")
    launched: list[tuple[str, list[str]]] = []
    from PySide6.QtCore import QProcess

    # The boundary: starting a second desktop process.
    monkeypatch.setattr(QProcess, "startDetached",
                        staticmethod(lambda exe, args: launched.append((exe, args)) or True))
    offer = DemoOffer(demo.root)
    qtbot.addWidget(offer)
    with qtbot.waitSignal(offer.opened, timeout=2000):
        offer.open_demo()
    assert launched == [(sys.executable, window_command(demo.root))]
    assert "opened in a new window" in offer.text.text()
