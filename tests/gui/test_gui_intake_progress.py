"""The intake page shows where a batch stands (issue 16): files converted and filed, the
file being prepared, the rate and the time left, updated while the batch runs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from intake_desktop.core.filing import filer as filer_module
from intake_desktop.core.filing.batch import BatchLimits
from intake_desktop.core.filing.progress import IngestProgress
from intake_desktop.core.ledger import DocStatus
from intake_desktop.qt.intake_page import IntakePage
from tests.gui.test_gui_intake import drop

MATTER = "2024-0188 Progress"
COUNTS = re.compile(r"^Converted (\d+) of (\d+), filed (\d+)")


def test_the_progress_line_counts_converted_and_filed_files_as_they_go(
        make_window: Any, app: Any, make_pdf: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN six PDFs dropped, filed two to a batch, THEN the line under the progress bar
    counts them converted and filed while the batch runs, names the file being prepared,
    and is gone when the batch is done."""
    monkeypatch.setattr(filer_module, "BatchLimits", lambda: BatchLimits(files=2))
    page = make_window("paralegal").pages["intake"]
    assert isinstance(page, IntakePage)
    names = [f"letter {i}.pdf" for i in range(6)]
    folder = app.workspace.intake / MATTER
    for name in names:
        make_pdf(name, 1, folder=folder)
    seen: list[tuple[str, str]] = []
    shown = page._progress

    def watch(done: int, total: int, message: str) -> None:
        shown(done, total, message)
        seen.append((page.pace.text(), page.progress.text()))

    monkeypatch.setattr(page, "_progress", watch)
    drop(page.drop_zone, [folder])

    assert len(app.ledger.docs.documents(status=DocStatus.FILED)) == 6
    counts = [tuple(int(n) for n in COUNTS.match(text).groups())  # type: ignore[union-attr]
              for text, _ in seen]
    assert all(total == 6 for _, total, _ in counts)
    converted = [c for c, _, _ in counts]
    filed = [f for _, _, f in counts]
    assert converted == sorted(converted) and filed == sorted(filed)
    assert converted[0] == 0 and filed[0] == 0
    assert {2, 4} <= set(filed), filed  # the counts move batch by batch, not only at the end
    assert counts[-1] == (6, 6, 6)
    assert any(text.endswith("letter 3.pdf") for text, _ in seen), seen
    assert seen[-1][1].startswith("6 of 6 filed")  # the bar's own text (percent follows)
    assert not page.pace.isVisible() and not page.pace.isVisibleTo(page)
    assert "6 filed" in page.status.text()


def test_a_row_shows_its_result_as_soon_as_its_batch_is_filed(
        make_window: Any, app: Any, make_pdf: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN six PDFs dropped, filed two to a batch, THEN while the drop still runs the
    rows of the files already filed read "Filed" and where each went (not "Filing…" until
    the whole drop is done), and the files not reached yet do not."""
    monkeypatch.setattr(filer_module, "BatchLimits", lambda: BatchLimits(files=2))
    page = make_window("paralegal").pages["intake"]
    assert isinstance(page, IntakePage)
    folder = app.workspace.intake / MATTER
    for i in range(6):
        make_pdf(f"letter {i}.pdf", 1, folder=folder)
    model = page.model
    seen: list[tuple[int, dict[str, tuple[str, str]]]] = []
    shown = page._progress

    def watch(done: int, total: int, message: str) -> None:
        shown(done, total, message)
        rows = {model.data(model.index(r, 0)): (model.data(model.index(r, 1)),
                                                model.data(model.index(r, 2)))
                for r in range(model.rowCount())}
        seen.append((done, rows))

    monkeypatch.setattr(page, "_progress", watch)
    drop(page.drop_zone, [folder])

    filed = {Path(d.source_path).name: d.filed_path
             for d in app.ledger.docs.documents(status=DocStatus.FILED)}
    assert len(filed) == 6
    mid = [rows for done, rows in seen if 0 < done < 6]
    assert mid, "the counts moved while the drop ran"
    first = mid[0]
    done_then = [name for name, (status, _) in first.items() if status == "Filed"]
    assert done_then, first  # some rows read Filed before the drop was done ...
    for name in done_then:  # ... each with where it went
        assert first[name][1] == filed[name], (name, first[name])
    assert any(status == "Filing…" for status, _ in first.values()), first  # not all yet
    assert len(done_then) < 6
    final = seen[-1][1]
    assert all(status == "Filed" for status, _ in final.values()), final


def test_rate_and_time_left_come_from_the_files_filed_so_far() -> None:
    progress = IngestProgress(total=200, converted=60, filed=40, current="/in/a b/record 41.pdf",
                              started=100.0)
    assert progress.rate(now=110.0) == pytest.approx(4.0)
    assert progress.left(now=110.0) == pytest.approx(40.0)
    assert progress.describe(now=110.0) == (
        "Converted 60 of 200, filed 40 · 4.0 files/s, about 40s left · record 41.pdf")
    early = IngestProgress(total=200, converted=1, filed=1, current="/in/x.pdf", started=100.0)
    assert early.describe(now=100.2) == "Converted 1 of 200, filed 1 · x.pdf"  # no guess yet
    slow = IngestProgress(total=1000, converted=10, filed=10, started=0.0)
    assert slow.describe(now=100.0).endswith("0.1 files/s, about 2h45m left")  # 990 files at 0.1/s


def test_the_command_line_and_the_window_say_durations_alike() -> None:
    from intake_desktop.commands.ingest import TerminalProgress
    from intake_desktop.core.filing.progress import duration

    assert [duration(s) for s in (0, 42, 65, 3720)] == ["0s", "42s", "1m05s", "1h02m"]
    bar = TerminalProgress(enabled=True)
    bar.line(0, 1000, "/in/a.pdf", now=0.0)
    assert "0.1/s, 2h45m left" in bar.line(10, 1000, "/in/b.pdf", now=100.0)
