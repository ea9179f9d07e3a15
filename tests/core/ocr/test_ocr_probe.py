"""The check for the OCR programs runs beside the command's start-up (issue 16): `ingest`
starts it when it opens the workspace and reads the answer before its workers fork, and the
three programs it asks run side by side, not one after the other."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from intake_desktop.app import open_app
from intake_desktop.core.engines import env_name
from intake_desktop.core.ocr import OcrEngine, OcrSettings
from intake_desktop.core.workspace import init_workspace

WAIT = """#!/bin/sh
echo "start $(basename "$0") $1" >> "{log}"
n=0
while [ ! -f "{go}" ]; do
  n=$((n+1)); [ $n -gt 400 ] && exit 1
  sleep 0.05
done
"""


def fake_programs(bindir: Path, log: Path, go: Path) -> None:
    """`tesseract` and `ocrmypdf` that say when they start and answer only once `go`
    exists: a check that ran them one at a time would never see three started."""
    bindir.mkdir()
    head = WAIT.format(log=log, go=go)
    (bindir / "tesseract").write_text(
        head + 'if [ "$1" = "--list-langs" ]; then\n'
        '  echo "List of available languages (2):"; echo eng; echo osd; exit 0\nfi\n'
        'echo "tesseract 5.3.0"\n', encoding="utf-8")
    (bindir / "ocrmypdf").write_text(head + "echo 14.0.1\n", encoding="utf-8")
    for name in ("tesseract", "ocrmypdf"):
        (bindir / name).chmod(0o755)


def started(log: Path, count: int) -> list[str]:
    for _ in range(200):
        lines = log.read_text().splitlines() if log.exists() else []
        if len(lines) >= count:
            return sorted(lines)
        time.sleep(0.05)
    return sorted(log.read_text().splitlines()) if log.exists() else []


def test_the_probe_starts_its_three_programs_at_once_and_answers_later(tmp_path: Path) -> None:
    log, go = tmp_path / "started.log", tmp_path / "go"
    fake_programs(tmp_path / "bin", log, go)
    engine = OcrEngine(OcrSettings(search_path=f"{tmp_path / 'bin'}{os.pathsep}/usr/bin:/bin"))
    engine.probe_ahead()  # returns at once: nothing has answered yet
    assert started(log, 3) == ["start ocrmypdf --version", "start tesseract --list-langs",
                               "start tesseract --version"]
    go.touch()
    avail = engine.availability()
    assert avail.ok, avail.message
    assert avail.versions == {"ocrmypdf": "14.0.1", "tesseract": "5.3.0"}
    engine.probe_ahead()  # answered already: nothing runs again
    time.sleep(0.2)
    assert len(log.read_text().splitlines()) == 3


def test_a_language_missing_from_the_listing_is_still_reported(tmp_path: Path) -> None:
    log, go = tmp_path / "started.log", tmp_path / "go"
    fake_programs(tmp_path / "bin", log, go)
    go.touch()
    engine = OcrEngine(OcrSettings(search_path=f"{tmp_path / 'bin'}{os.pathsep}/usr/bin:/bin",
                                   language="fra"))
    engine.probe_ahead()
    avail = engine.availability()
    assert not avail.ok and "no language data for fra" in avail.message


def test_opening_the_workspace_to_file_starts_the_probe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log, go = tmp_path / "started.log", tmp_path / "go"
    fake_programs(tmp_path / "bin", log, go)
    for key in ("tesseract", "ocrmypdf"):  # as an [engines] path in config.toml sets them
        monkeypatch.setenv(env_name(key), str(tmp_path / "bin" / key))
    root = init_workspace(tmp_path / "ws").root
    with open_app(str(root), probe_ocr=True) as app:
        assert len(started(log, 3)) == 3  # running while the command goes on
        go.touch()
        assert app.ocr.availability().ok
    log.unlink()
    with open_app(str(root)) as app:  # other commands do not check until they need OCR
        time.sleep(0.3)
        assert not log.exists()
