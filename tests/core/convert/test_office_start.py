"""What LibreOffice costs before it converts anything (issue 16): its version is asked once
per run, and a new profile starts from the extension registration kept from an earlier one
(a fresh profile made LibreOffice register its extensions and start again: 0.3-0.5 s of
every first conversion in a worker)."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from intake_desktop.core.convert import ConversionError, LibreOffice
from intake_desktop.core.convert.office import SEED_ENV, find_soffice
from tests.core.convert import samples as s
from tests.watching import once_it_appears

needs_soffice = pytest.mark.skipif(find_soffice() is None,
                                   reason="LibreOffice is installed by .ci/run")


def _fork_pool() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))


def _version(executable: str) -> str:
    return LibreOffice(executable).version


def test_the_version_is_asked_once_per_program_and_workers_forked_after_know_it(
    tmp_path: Path,
) -> None:
    """GIVEN a LibreOffice that logs each start WHEN two converters and a worker forked after
    them read its version THEN it was started once; WHEN it is replaced at the same path
    (an upgrade) THEN it is asked again."""
    log = tmp_path / "started.log"
    fake = tmp_path / "soffice"
    script = f'#!/bin/sh\necho "$*" >> "{log}"\necho "LibreOffice 7.4.7.2 40(Build:2)"\n'
    fake.write_text(script)
    fake.chmod(0o755)
    assert LibreOffice(str(fake)).version == "LibreOffice 7.4.7.2 40(Build:2)"
    assert LibreOffice(str(fake)).version == "LibreOffice 7.4.7.2 40(Build:2)"
    with _fork_pool() as pool:
        assert pool.submit(_version, str(fake)).result().startswith("LibreOffice 7.4.7.2")
    assert log.read_text().splitlines() == ["--headless --version"]
    fake.unlink()
    fake.write_text(script.replace("7.4.7.2", "7.6.4.1"))
    fake.chmod(0o755)
    assert LibreOffice(str(fake)).version.startswith("LibreOffice 7.6.4.1")
    assert len(log.read_text().splitlines()) == 2


def _convert(src: Path, workdir: Path, timeout: float = 120.0) -> tuple[str, int]:
    """In a forked worker (a new profile): the PDF's first page text, and the modification
    time of the profile's extension build id after the conversion."""
    from intake_desktop.core.convert import office

    pdf = LibreOffice.discover(timeout).convert(src, ".docx", workdir)
    buildid = office._profiles[os.getpid()] / "profile" / "user" / "extensions" / "buildid"
    return s.pdf_text(pdf)[0], buildid.stat().st_mtime_ns


@needs_soffice
def test_a_new_profile_starts_from_the_kept_extension_registration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN no kept registration WHEN a worker converts a Word file THEN its profile's
    `user/extensions` is kept (and nothing of the document); WHEN another worker, with a
    new profile, converts THEN its profile started from that copy: LibreOffice did not
    register its extensions again (the build id file is the kept one, untouched)."""
    monkeypatch.setenv(SEED_ENV, str(tmp_path / "kept"))
    inbox = tmp_path / "in"
    inbox.mkdir()
    first = s.docx(inbox / "a.docx", ["Alpha letter", "One."])
    with _fork_pool() as pool:
        text, _ = pool.submit(_convert, first, tmp_path / "w1").result()
    assert "Alpha letter" in text
    (seed,) = (tmp_path / "kept").glob("*/extensions")
    assert (seed / "buildid").is_file()
    kept = sorted(p.relative_to(seed) for p in seed.rglob("*"))
    assert not [p for p in kept if "document" in str(p) or p.suffix in (".xcu", ".docx")]
    assert not list((tmp_path / "kept").glob("*/*.partial"))
    second = s.docx(inbox / "b.docx", ["Bravo letter", "Two."])
    with _fork_pool() as pool:
        text, buildid_mtime = pool.submit(_convert, second, tmp_path / "w2").result()
    assert "Bravo letter" in text
    assert buildid_mtime == (seed / "buildid").stat().st_mtime_ns


@needs_soffice
def test_a_kept_registration_a_conversion_failed_with_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a kept registration WHEN a new profile started from it fails to convert (here:
    stopped at its time limit) THEN the kept copy is removed, so a damaged one never fails
    a second conversion; with `INTAKE_LIBREOFFICE_SEED=0` nothing is kept."""
    monkeypatch.setenv(SEED_ENV, str(tmp_path / "kept"))
    inbox = tmp_path / "in"
    inbox.mkdir()
    src = s.docx(inbox / "a.docx", ["Alpha letter", "One."])
    with _fork_pool() as pool:
        pool.submit(_convert, src, tmp_path / "w1").result()
    (seed,) = (tmp_path / "kept").glob("*/extensions")
    with _fork_pool() as pool, pytest.raises(ConversionError, match="did not finish"):
        pool.submit(_convert, src, tmp_path / "w2", 0.3).result()  # stopped: a failure
    assert not seed.exists()
    monkeypatch.setenv(SEED_ENV, "0")
    with _fork_pool() as pool:
        text, _ = pool.submit(_convert, src, tmp_path / "w3").result()
    assert "Alpha letter" in text
    assert not list((tmp_path / "kept").glob("*/extensions"))


def _killed_mid_conversion(src: Path, workdir: Path, temp: Path) -> tuple[bool, list[str]]:
    """In a forked worker whose temporary folder is `temp` (so its profile is made there):
    convert `src`, killing LibreOffice as soon as it has made its temporary folder (as a
    crash, the memory limit or the time limit would); whether it had made one, and the
    temporary files and folders of LibreOffice left in `temp` afterwards."""
    import signal
    import tempfile

    os.environ["TMPDIR"] = str(temp)
    tempfile.tempdir = None

    def kill_libreoffice() -> None:
        for pid in (p for p in os.listdir("/proc") if p.isdigit()):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"soffice" in cmdline and str(temp).encode() in cmdline:
                os.kill(int(pid), signal.SIGKILL)

    with (once_it_appears(temp, "lu*.tmp", then=kill_libreoffice) as made,
          pytest.raises(ConversionError)):
        LibreOffice.discover(120).convert(src, ".docx", workdir)
    return bool(made), sorted(p.name for p in temp.rglob("lu*.tmp"))


@needs_soffice
def test_a_killed_conversion_leaves_no_libreoffice_temporary_files(tmp_path: Path) -> None:
    """LibreOffice keeps its temporary files (parts of the document it is converting among
    them) in a folder of its TMPDIR that it removes when it ends by itself: killed, it left
    them in the system's temporary folder for good (39 `lu*.tmp` folders on a machine that
    had run the suite and the benchmarks). Its TMPDIR is now inside its home folder, which
    is removed with a profile LibreOffice died with."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    src = s.docx(tmp_path / "letter.docx", ["Charlie letter", "Three."])
    with _fork_pool() as pool:
        made, left = pool.submit(_killed_mid_conversion, src, tmp_path / "w", temp).result()
    assert made, "LibreOffice made no temporary folder before it was killed"
    assert left == []
