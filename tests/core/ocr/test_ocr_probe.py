"""The check for the OCR programs (issue 16): `ingest` runs it only when a page needs OCR
(a run of text PDFs never starts the programs, half a second of its start), the "OCR is not
available" notice is still said once for a run prepared in forked workers, and the three
programs the check asks run side by side, not one after the other."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from intake_desktop.app import build_filer, open_app
from intake_desktop.core.engines import env_name
from intake_desktop.core.filing import Outcome
from intake_desktop.core.ocr.engine import OcrProbe, ocr_available
from intake_desktop.core.workspace import init_workspace
from tests.conftest import run_cli
from tests.core.convert.samples import scanned_pdf, write_pdf
from tests.core.filing.test_filing_speed import rerun_alone

WAIT = """#!/bin/sh
echo "start $(basename "$0") $1" >> "{log}"
n=0
while [ ! -f "{go}" ]; do
  n=$((n+1)); [ $n -gt 400 ] && exit 1
  sleep 0.05
done
"""


def fake_programs(bindir: Path, log: Path, go: Path) -> None:
    """`tesseract` and `ocrmypdf` that log their start and answer only once `go` exists
    (a check running them one at a time would never see three started), and cannot OCR."""
    bindir.mkdir()
    head = WAIT.format(log=log, go=go)
    (bindir / "tesseract").write_text(
        head + 'if [ "$1" = "--list-langs" ]; then\n'
        '  echo "List of available languages (2):"; echo eng; echo osd; exit 0\nfi\n'
        'echo "tesseract 5.3.0"\n', encoding="utf-8")
    (bindir / "ocrmypdf").write_text(
        head + 'if [ "$1" = "--version" ]; then echo 14.0.1; exit 0; fi\nexit 15\n',
        encoding="utf-8")
    for name in ("tesseract", "ocrmypdf"):
        (bindir / name).chmod(0o755)


def started(log: Path, count: int) -> list[str]:
    for _ in range(200):
        lines = log.read_text().splitlines() if log.exists() else []
        if len(lines) >= count:
            return sorted(lines)
        time.sleep(0.05)
    return sorted(log.read_text().splitlines()) if log.exists() else []


def test_the_probe_starts_its_three_programs_at_once(tmp_path: Path) -> None:
    log, go = tmp_path / "started.log", tmp_path / "go"
    fake_programs(tmp_path / "bin", log, go)
    probe = OcrProbe(f"{tmp_path / 'bin'}{os.pathsep}/usr/bin:/bin")  # returns at once
    assert started(log, 3) == ["start ocrmypdf --version", "start tesseract --list-langs",
                               "start tesseract --version"]
    go.touch()
    avail = probe.result()
    assert avail.ok, avail.message
    assert avail.versions == {"ocrmypdf": "14.0.1", "tesseract": "5.3.0"}


def test_a_language_missing_from_the_listing_is_still_reported(tmp_path: Path) -> None:
    log, go = tmp_path / "started.log", tmp_path / "go"
    fake_programs(tmp_path / "bin", log, go)
    go.touch()
    avail = OcrProbe(f"{tmp_path / 'bin'}{os.pathsep}/usr/bin:/bin", "fra").result()
    assert not avail.ok and "no language data for fra" in avail.message


def test_ingest_checks_for_ocr_only_when_a_page_needs_it(tmp_path: Path) -> None:
    """GIVEN OCR programs that log each start WHEN `ingest` files text PDFs in two workers
    THEN none of them was started; WHEN it then files a scan THEN they are (and the scan is
    filed flagged when OCR fails)."""
    log, go = tmp_path / "started.log", tmp_path / "go"
    fake_programs(tmp_path / "bin", log, go)
    go.touch()
    ws = init_workspace(tmp_path / "ws", "litigation")
    with open(ws.rules_path, "a", encoding="utf-8") as fh:  # everything else under Other/
        fh.write('\n[[rule]]\nname = "other"\ncategory = "Other"\ncode = "DOC"\n'
                 'folder = "Other"\n')
    inbox = ws.intake / "2024-0001"
    for n in range(6):
        write_pdf(inbox / f"letter {n}.pdf", [f"Letter {n} of the client"])
    env = {env_name(k): str(tmp_path / "bin" / k) for k in ("tesseract", "ocrmypdf")}
    env["INTAKE_PREPARE_WORKERS"] = "2"
    done = run_cli("ingest", "--workspace", str(ws.root), "--json", str(ws.intake), env=env)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    assert [x["status"] for x in lines] == ["filed"] * 6
    assert not log.exists()  # no program was started for text PDFs
    scanned_pdf(inbox / "scan.pdf")
    done = run_cli("ingest", "--workspace", str(ws.root), "--json", str(ws.intake), env=env)
    assert done.returncode == 0, done.stderr
    (line,) = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    assert line["status"] == "filed" and "ocr_failed" in line["flags"], line
    assert "start ocrmypdf --version" in log.read_text()


def test_a_long_lived_filer_checks_once_for_later_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """GIVEN a filer that files batch after batch in forked workers (the watcher) WHEN the
    first batch's workers met scans (and checked for OCR themselves) THEN the next batch's
    check is made once before its workers fork, and a third batch starts no check at all."""
    if rerun_alone(request):
        return
    log, go = tmp_path / "started.log", tmp_path / "go"
    fake_programs(tmp_path / "bin", log, go)
    go.touch()
    for key in ("tesseract", "ocrmypdf"):
        monkeypatch.setenv(env_name(key), str(tmp_path / "bin" / key))
    monkeypatch.setenv("INTAKE_PREPARE_WORKERS", "2")
    ws = init_workspace(tmp_path / "ws")
    counts = []
    with open_app(str(ws.root)) as app:
        filer = build_filer(app)
        (ws.intake / "2024-0001").mkdir(parents=True)
        for batch in range(3):
            for n in range(4):
                scanned_pdf(ws.intake / "2024-0001" / f"scan {batch}-{n}.pdf")
            results = filer.ingest([ws.intake])
            assert len(results) == 4 and all(r.status is not Outcome.ERROR for r in results)
            checks = [x for x in log.read_text().splitlines()
                      if x.endswith(("--version", "--list-langs"))] if log.exists() else []
            counts.append(len(checks))
    assert 3 <= counts[0] <= 6  # the workers that met scans checked
    assert counts[1] - counts[0] == 3  # once, before the second batch's workers forked
    assert counts[2] == counts[1]  # known since: no program started


def test_the_programs_are_asked_once_whatever_the_language_and_in_forked_workers(
    tmp_path: Path,
) -> None:
    """GIVEN OCR programs that log each start WHEN OCR is checked for English, then for a
    French document, then in a worker forked after, THEN the three programs ran once (each
    check used to start them: `ocrmypdf --version` is half a second of processor time, and
    the demo started it seven times); WHEN `ocrmypdf` is replaced at the same path THEN it is
    asked again."""
    log, go = tmp_path / "started.log", tmp_path / "go"
    bindir = tmp_path / "bin"
    fake_programs(bindir, log, go)
    go.touch()
    path = f"{bindir}{os.pathsep}/usr/bin:/bin"
    assert ocr_available(path).ok
    french = ocr_available(path, "fra+eng")  # the fake lists eng and osd only
    assert not french.ok and "no language data for fra" in french.message
    assert len(log.read_text().splitlines()) == 3
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        assert pool.submit(ocr_available, path).result().ok
    assert len(log.read_text().splitlines()) == 3
    script = (bindir / "ocrmypdf").read_text()
    (bindir / "ocrmypdf").unlink()  # an upgrade: a new file at the same path
    (bindir / "ocrmypdf").write_text(script.replace("14.0.1", "14.0.2"))
    (bindir / "ocrmypdf").chmod(0o755)
    assert ocr_available(path).versions["ocrmypdf"] == "14.0.2"
    assert len(log.read_text().splitlines()) == 6
