"""Fixtures for the conversion tests: a preparer and a work folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_desktop.core.convert import ConvertingPreparer


@pytest.fixture
def preparer() -> ConvertingPreparer:
    return ConvertingPreparer()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "client upload"
    folder.mkdir()
    return folder
