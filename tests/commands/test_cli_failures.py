"""Issue 24 item 8: OS and database errors become per-file results and one message.

Real failures, not mocks: a file-size limit on the process (SQLite then fails to write
its ledger, the way a full disk makes it fail), a read-only mount (when the test may
mount), stdout closed by its reader (`| head`), a matter folder planted as a link and a
matter name that climbs out of Matters/.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from intake_desktop.cli import main
from tests.conftest import REPO, write_file

MATTER = "2024-0117 Reyes"


def cli_env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("INTAKE_WORKSPACE", None)
    env.pop("INTAKE_DEBUG", None)
    return env


def new_workspace(root: Path) -> Path:
    assert main(["init", "--workspace", str(root)]) == 0
    (root / ".intake" / "rules.toml").unlink()  # built-in routing
    return root


def test_a_ledger_that_cannot_be_written_gives_per_file_results(tmp_path: Path) -> None:
    """GIVEN a process that may not grow any file past 60 kB (SQLite's WAL then fails
    with "disk I/O error", as on a full disk) WHEN 6 files are ingested THEN each gets a
    result line, stderr has one message and no traceback, and the ledger still verifies."""
    ws = new_workspace(tmp_path / "ws")
    upload = tmp_path / "upload"
    for n in range(6):
        write_file(upload / f"scan {n}.bin", 500, seed=n)

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))

    done = subprocess.run(
        [sys.executable, "-m", "intake_desktop", "ingest", str(upload), "--matter", MATTER,
         "--workspace", str(ws), "--json"],
        cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=120,
        preexec_fn=limit,
    )
    assert "Traceback" not in done.stderr
    assert done.returncode == 1
    lines = [json.loads(x) for x in done.stdout.splitlines()]
    assert sorted(Path(x["source"]).name for x in lines) == [
        f"scan {n}.bin" for n in range(6)], done.stderr
    assert {x["status"] for x in lines} == {"error"}
    assert all("ledger could not be written" in x["reason"] for x in lines)
    messages = done.stderr.strip().splitlines()
    assert len(messages) == 1
    assert messages[0].startswith(f"intake-desktop: error: {upload / 'scan 0.bin'} (and 5 more "
                                  "files): the ledger could not be written")
    assert sorted(p.name for p in upload.iterdir()) == [f"scan {n}.bin" for n in range(6)]
    # With room again, the next run finishes or rolls back what was cut short: each file
    # is filed exactly once and the ledger verifies.
    again = subprocess.run(
        [sys.executable, "-m", "intake_desktop", "ingest", str(upload), "--matter", MATTER,
         "--workspace", str(ws), "--json"],
        cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert {json.loads(x)["status"] for x in again.stdout.splitlines()} <= {"filed", "duplicate"}
    filed = sorted(p.name for p in (ws / "Matters" / MATTER).glob("*.bin"))
    assert filed == [f"scan {n}.bin" for n in range(6)]
    originals = sorted(p.name for p in (ws / "Matters" / MATTER / "_Originals").glob("*.bin"))
    assert originals == filed
    verify = subprocess.run(
        [sys.executable, "-m", "intake_desktop", "ledger", "verify", "--json", "--workspace",
         str(ws)], env=cli_env(), capture_output=True, text=True, timeout=120,
    )
    assert verify.returncode == 0 and json.loads(verify.stdout)["ok"] is True


def test_output_closed_by_its_reader_does_not_stop_the_batch(tmp_path: Path) -> None:
    """`intake-desktop watch --once | head -0`: the reader is gone before the first line;
    every file is still filed, exit 0, one warning, no traceback."""
    ws = new_workspace(tmp_path / "ws")
    for n in range(5):
        write_file(ws / "Intake" / MATTER / f"photo {n}.bin", 800, seed=n)
    proc = subprocess.Popen(
        [sys.executable, "-m", "intake_desktop", "watch", "--once", "--workspace", str(ws)],
        cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # what `head` does when it has read enough
    err = proc.stderr.read()
    code = proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err
    assert code == 0, err
    assert err.strip().splitlines() == [
        "intake-desktop: warning: The output was closed early (piped into `head`?), so not "
        "every result was shown; the work itself was finished. See `intake-desktop ledger "
        "export` for everything that was recorded."
    ]
    filed = sorted(p.name for p in (ws / "Matters" / MATTER).glob("photo*.bin"))
    assert filed == [f"photo {n}.bin" for n in range(5)]


def test_export_into_a_closed_pipe(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path / "ws")
    done = subprocess.run(
        f'"{sys.executable}" -m intake_desktop ledger export --workspace "{ws}" | head -c 10',
        shell=True, cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=120,
    )
    assert done.stdout == "seq,at,kin"
    assert "Traceback" not in done.stderr


def test_matter_folder_planted_as_a_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = new_workspace(tmp_path / "ws")
    outside = tmp_path / "outside"
    outside.mkdir()
    (ws / "Matters" / "M1").symlink_to(outside, target_is_directory=True)
    first = write_file(tmp_path / "up" / "a.bin", 300, seed=1)
    write_file(tmp_path / "up" / "b.bin", 300, seed=2)
    capsys.readouterr()
    code = main(["ingest", str(tmp_path / "up"), "--matter", "M1", "--workspace", str(ws),
                 "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    results = [json.loads(x) for x in out.splitlines()]
    assert [r["status"] for r in results] == ["error", "error"]
    assert "is a link, and filing never follows links" in results[0]["reason"]
    assert str(ws / "Matters" / "M1") in results[0]["reason"]
    assert list(outside.iterdir()) == []
    assert (tmp_path / "up" / "a.bin").read_bytes() == first
    assert err.count("intake-desktop: error:") == 1 and "Traceback" not in err
    assert "(and 1 more file)" in err


def test_matter_name_that_climbs_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = new_workspace(tmp_path / "deep" / "er" / "ws")
    write_file(tmp_path / "a.bin", 300)
    capsys.readouterr()
    code = main(["ingest", str(tmp_path / "a.bin"), "--matter", "../../../x", "--workspace",
                 str(ws), "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    (result,) = [json.loads(x) for x in out.splitlines()]
    assert result["status"] == "error"
    assert "The matter '../../../x' is not a plain folder name" in result["reason"]
    assert not (tmp_path / "x").exists() and not (tmp_path / "deep" / "x").exists()
    assert err.startswith(f"intake-desktop: error: {tmp_path / 'a.bin'}: the matter '../../../x'")


def test_read_only_disk(tmp_path: Path) -> None:
    """A workspace on a disk mounted read-only: one message, no traceback."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        ws = new_workspace(mnt / "ws")
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        write_file(tmp_path / "a.bin", 300)
        done = subprocess.run(
            [sys.executable, "-m", "intake_desktop", "ingest", str(tmp_path / "a.bin"),
             "--matter", MATTER, "--workspace", str(ws)],
            cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=120,
        )
        assert "Traceback" not in done.stderr
        assert done.returncode == 1
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "ledger" in lines[0], done.stderr
        assert "read-only" in lines[0] or "writable" in lines[0]
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_fit_on_a_full_disk_gives_per_file_results(tmp_path: Path) -> None:
    from tests.exhibit_pdfs import text_pdf

    inputs = [text_pdf(tmp_path / f"binder {n}.pdf", 40, f"Binder {n}") for n in (1, 2)]

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    done = subprocess.run(
        [sys.executable, "-m", "intake_desktop", "fit", *map(str, inputs), "--limit", "25MB",
         "--out", "court", "--json"],
        cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=120,
        preexec_fn=limit,
    )
    assert "Traceback" not in done.stderr
    assert done.returncode == 1
    records = [json.loads(x) for x in done.stdout.splitlines()]
    assert [(Path(r["input"]).name, r["ok"]) for r in records] == [
        ("binder 1.pdf", False), ("binder 2.pdf", False)]
    assert all("larger than this disk or account allows" in r["reason"] for r in records)
    assert done.stderr.count("intake-desktop: error:") == 2
    assert [p.name for p in (tmp_path / "court").iterdir()] == []


def test_exit_code_follows_the_error_class_not_its_name() -> None:
    """Bad input (usage, a spec, a court profile) exits 2, everything else 1, by class: an
    unrelated error that happens to share a name is not bad input."""
    from intake_desktop.cli import exit_code_for
    from intake_desktop.core.checklists import ChecklistError
    from intake_desktop.core.courts import CourtProfileError
    from intake_desktop.core.errors import IntakeError, LedgerError, UsageError, WorkspaceError
    from intake_desktop.core.exhibits.spec import SpecError

    class SpecError2(SpecError):
        pass

    class CourtProfileErrorLookalike(IntakeError):
        pass

    CourtProfileErrorLookalike.__name__ = "CourtProfileError"
    assert [exit_code_for(e("x")) for e in (UsageError, SpecError, CourtProfileError,
                                              SpecError2)] == [2, 2, 2, 2]
    assert [exit_code_for(e("x")) for e in (WorkspaceError, LedgerError, ChecklistError,
                                              CourtProfileErrorLookalike)] == [1, 1, 1, 1]
