"""Issue 16, the whole pipeline: an `ingest`'s preparation starts before the command loads
the ledger (core/filing/early.py).

The workers hash, check, read and route the first files while the command starts; the
filing step takes their work over only for the same workspace, files and matter, and each
file's only as the filer itself would have submitted it. Nothing here asserts a time: the
checks are on what the filing process loaded, on the results (identical with and without
the early start), on work folders and workers left behind, and on the ledger.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from intake_desktop.app import build_filer, open_app
from intake_desktop.core import custody
from intake_desktop.core.convert.office import find_soffice
from intake_desktop.core.filing import early
from intake_desktop.core.filing.results import Outcome
from intake_desktop.core.rules import load_active_rules
from intake_desktop.core.workspace import init_workspace
from tests.core.convert.samples import docx
from tests.core.filing.test_filing_speed import MATTER, rerun_alone, text_pdf

ROOT = Path(__file__).resolve().parents[3]

# Runs `intake-desktop` as its entry point does, then says whether the filing process
# loaded the PDF libraries or the rules' template compiler (the workers use them to read
# and route; an adopted early start leaves them out).
# Any other process of the run (the early workers, forked from it) that loads the ledger's
# database library or the converters' PDF writer leaves "<library> <pid> <whether it is the
# command's child>" in the folder MARKS names (preparing needs no ledger; PDFs need no
# converter; the workers are the grandchildren).
# A worker also says, when it first unpickles a task, whether its garbage collector runs and
# leaves alone the objects it was forked with ("gc <pid> <enabled> <frozen>"), and the
# filing process says the same of itself at the end ("COLLECTOR <enabled>").
WRAPPER = """
import gc, os, sys
from pathlib import Path
MAIN, MARKS = os.getpid(), Path(os.environ["MARKS"])
TOLD = []

def hook(event, args):
    if event == "import" and args[0] in ("sqlalchemy", "reportlab") and os.getpid() != MAIN:
        (MARKS / f"{args[0]} {os.getpid()} {os.getppid() == MAIN}").touch()
    if event == "pickle.find_class" and MAIN not in (os.getpid(), os.getppid()) and not TOLD:
        TOLD.append(True)
        (MARKS / f"gc {os.getpid()} {gc.isenabled()} {gc.get_freeze_count() > 0}").touch()

sys.addaudithook(hook)
from intake_desktop.launch import main
code = main(sys.argv[1:])
print("LOADED " + " ".join(m for m in ("pypdf", "pikepdf", "PIL", "jinja2") if m in sys.modules),
      file=sys.stderr)
print(f"COLLECTOR {gc.isenabled()}", file=sys.stderr)
sys.exit(code)
"""


def _workspace(root: Path, count: int = 8) -> Path:
    """A workspace with `count` text PDFs waiting in Intake/<matter>/, the first half
    engagement letters the litigation preset files, the rest for review. The PDFs are made
    once per test folder and copied, so two workspaces hold the same bytes."""
    made = root.parent / "pdfs"
    if not made.exists():
        for i in range(count):
            kind = "Engagement letter" if i < count // 2 else "Notes"
            text_pdf(made / f"record {i:02}.pdf",
                     [kind, f"Record {i}", "Lakeside Imaging Center", f"Account {1000 + i}"])
    init_workspace(root)
    with open_app(str(root)) as app:  # the preset's rules in force, as `init` records them
        load_active_rules(app.workspace, app.ledger)
    shutil.copytree(made, root / "Intake" / MATTER)
    return root


def _ingest(root: Path, **env: str) -> tuple[list[dict[str, Any]], str]:
    marks = root.parent / f"{root.name} marks"
    marks.mkdir()
    pdfs_only = all(p.suffix == ".pdf" for p in (root / "Intake" / MATTER).iterdir())
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, "--workspace", str(root), "ingest", "--json",
         str(root / "Intake")],
        env={**os.environ, "PYTHONPATH": str(ROOT), "MARKS": str(marks), **env}, cwd=root,
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    collectors = sorted(mark.name.split()[2:] for mark in marks.glob("gc *"))
    assert "COLLECTOR True" in done.stderr.splitlines(), "the filing process collects"
    if env.get(early.EARLY_ENV) != "0":  # each early worker collects, its parent's objects left
        assert collectors and all(c == ["True", "True"] for c in collectors), collectors
    loaders = sorted(mark.name for mark in marks.iterdir() if not mark.name.startswith("gc "))
    assert not [m for m in loaders if m.startswith("sqlalchemy")], (
        "a preparing process loaded the ledger's library")
    if pdfs_only:
        assert not loaders, "a preparing process loaded a converter PDFs do not need"
    else:  # once, in the process the workers fork from: they inherit it
        assert len(loaders) == 1 and loaders[0].endswith(" True"), loaders
    loaded = next(line for line in done.stderr.splitlines() if line.startswith("LOADED"))
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")], loaded


def _outcome(results: list[dict[str, Any]], root: Path) -> list[tuple[Any, ...]]:
    return [(Path(r["source"]).name, r["status"], r["rule"], r["sha256"],
             Path(r["path"]).relative_to(root).as_posix() if r["path"] else None)
            for r in results]


def test_an_ingest_prepares_its_files_beside_its_start_up_and_files_them_alike(
    tmp_path: Path
) -> None:
    """The same eight text PDFs with and without the early start: the same statuses,
    rules, hashes and names; with it, the filing process loaded no PDF library and did
    not compile the rules (every file was prepared and routed by the workers started
    first), left no work folder, and its ledger verifies. Either way the filing process
    ends with its garbage collector on; the early workers run theirs on what they make,
    not on the objects they were forked with (frozen first)."""
    outcomes, loaded = [], []
    for name, env in (("early", {}), ("plain", {early.EARLY_ENV: "0"})):
        root = _workspace(tmp_path / name)
        results, libraries = _ingest(root, **env)
        assert len(results) == 8
        outcomes.append(_outcome(results, root))
        loaded.append(libraries)
        assert not list((root / ".intake" / "work").glob("*")), "no work folder left"
        with open_app(str(root)) as app:
            assert custody.verify(app.ledger, app.workspace.root).ok
    assert outcomes[0] == outcomes[1]
    assert [r[1] for r in outcomes[0]] == ["filed"] * 4 + ["review"] * 4
    assert loaded[0] == "LOADED ", loaded  # started early: the workers did the reading
    assert "pypdf" in loaded[1], loaded  # without: the filing process prepared for them


def test_an_early_start_with_other_documents_loads_their_converters_once(
    tmp_path: Path
) -> None:
    """Eight PDFs and a text note: the note is converted to a PDF by a worker and filed;
    its converter's PDF writer was loaded once, by the process the workers fork from (not
    by each worker), and by no process when every file is a PDF (the test above)."""
    root = _workspace(tmp_path / "ws")
    (root / "Intake" / MATTER / "phone note.txt").write_text(
        "Engagement letter\nCalled Lakeside Imaging Center about account 1007.\n",
        encoding="utf-8")
    results, _ = _ingest(root)  # (`_ingest` checks who loaded the converter)
    note = next(r for r in results if r["source"].endswith("phone note.txt"))
    assert note["status"] in ("filed", "review") and note["path"].endswith(".pdf"), note


@pytest.mark.skipif(find_soffice() is None, reason="needs LibreOffice")
def test_early_workers_leave_no_libreoffice_profile_behind(tmp_path: Path) -> None:
    """Two Word files among the PDFs, converted by the early workers (processes forked by
    hand, which end without Python's exit handlers): each worker's LibreOffice profile,
    a folder in the temporary folder, is removed when the worker ends, as one made by any
    other process is (each ingest left one per worker behind)."""
    root = _workspace(tmp_path / "ws")
    for n in (1, 2):
        docx(root / "Intake" / MATTER / f"engagement letter {n}.docx",
             ["Engagement letter", f"Lakeside Imaging Center, account {1100 + n}"])
    temp = tmp_path / "temp"
    temp.mkdir()
    results, _ = _ingest(root, TMPDIR=str(temp))
    converted = [r for r in results if r["source"].endswith(".docx")]
    assert len(converted) == 2 and all(r["path"].endswith(".pdf") for r in converted), converted
    assert not list(temp.glob("intake-libreoffice-*")), sorted(p.name for p in temp.iterdir())


@pytest.mark.parametrize("argv, expected", [
    (["ingest", "a.pdf"], (None, None, ["a.pdf"])),
    (["--workspace", "W", "ingest", "--json", "--matter", "M", "a", "b"], ("W", "M", ["a", "b"])),
    (["ingest", "--as", "Jordan Vale", "--passphrase-stdin", "x"], (None, None, ["x"])),
    (["ingest", "--", "-odd name.pdf"], (None, None, ["-odd name.pdf"])),
    (["ingest"], None),  # no path: the command says what is wrong
    (["ingest", "--workspace=W", "a"], None),  # a form this reading does not know
    (["ingest", "--help"], None),
    (["watch", "a"], None),
    (["rules", "preview", "ingest"], None),
])
def test_only_an_ingest_command_line_starts_early(
    argv: list[str], expected: tuple[str | None, str | None, list[str]] | None
) -> None:
    assert early.ingest_arguments(argv) == expected


def _children() -> set[int]:
    """This process's live child processes (zombies, already ended, left out)."""
    found = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for pid in (task / "children").read_text().split():
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z":
                found.add(int(pid))
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_workers_started_for_other_files_stop_and_leave_nothing(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Started for the matter's folder, then the filer is given one file of it: the early
    workers are not used; they stop, their work folders go, and the file is filed as
    always."""
    if rerun_alone(request):
        return
    root = _workspace(tmp_path / "ws")
    before = _children()
    early.start_early(["--workspace", str(root), "ingest", str(root / "Intake" / MATTER)])
    assert early._started is not None and _children() - before, "started"
    one = root / "Intake" / MATTER / "record 03.pdf"
    with open_app(str(root)) as app:
        [result] = build_filer(app).ingest([one])
    assert result.status in (Outcome.FILED, Outcome.REVIEW), result.reason
    assert early._started is None
    assert _children() <= before, "the early workers ended"
    assert not list((root / ".intake" / "work").glob("*"))


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_a_file_that_changed_after_the_early_start_is_not_taken_from_it(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A file the early workers prepared becomes a link before the filer checks it: the
    filer's checks decide (a link is left in place for review), the workers' preparation
    of it is dropped with its work folder, and the other files are filed from theirs."""
    if rerun_alone(request):
        return
    root = _workspace(tmp_path / "ws")
    folder = root / "Intake" / MATTER
    early.start_early(["--workspace", str(root), "ingest", str(root / "Intake")])
    assert early._started is not None
    outside = tmp_path / "elsewhere.pdf"
    (folder / "record 02.pdf").rename(outside)
    (folder / "record 02.pdf").symlink_to(outside)
    with open_app(str(root)) as app:
        results = build_filer(app).ingest([app.workspace.intake])
        assert custody.verify(app.ledger, app.workspace.root).ok
    statuses = {Path(r.source).name: r.status for r in results}
    assert statuses.pop("record 02.pdf") is Outcome.REVIEW
    assert set(statuses.values()) <= {Outcome.FILED, Outcome.REVIEW} and len(statuses) == 7
    assert (folder / "record 02.pdf").is_symlink() and outside.exists()
    assert not list((root / ".intake" / "work").glob("*"))
