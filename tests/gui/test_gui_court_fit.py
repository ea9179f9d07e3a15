"""Court-fit in the window: pick PDFs or a folder and a court or a size, see what will change,
run with progress and cancel, get the parts with their sizes, all recorded in the ledger."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pikepdf
from PySide6.QtCore import Qt

from intake_desktop.core.courts import load_profile
from intake_desktop.core.ledger import EventKind
from intake_desktop.core.pdf.fit_plan import plan_fit
from intake_desktop.core.roles import Capability, can
from intake_desktop.qt.fit_page import SIZE_ONLY, FitPage
from tests.fitpdfs import active_content_pdf, scan_pdf, text_pdf

LEFT = Qt.MouseButton.LeftButton
SMALL = (5.5, 8.5)  # half-letter scans: quicker to make, same ladder


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fit_page(make_window, role: str = "paralegal") -> FitPage:
    window = make_window(role)
    assert window.open_page("fit")
    page = window.pages["fit"]
    assert isinstance(page, FitPage)
    return page


def test_every_role_may_fit_for_court() -> None:
    from intake_desktop.qt.main_window import PAGES

    [page] = [p for p in PAGES if p.key == "fit"]
    assert page.capability is Capability.BUILD  # court-fit is part of building (roles.py)
    assert all(can(role, page.capability) for role in ("paralegal", "attorney", "admin"))


def test_a_folder_brings_every_pdf_in_it(make_window, tmp_path) -> None:
    folder = tmp_path / "to court"
    (folder / "sub").mkdir(parents=True)
    active = active_content_pdf(folder / "active.pdf")
    nested = text_pdf(folder / "sub" / "letter.pdf", pages=1)
    (folder / "notes.txt").write_text("not a PDF", encoding="utf-8")
    page = fit_page(make_window)
    page.add_paths([folder])
    assert page.inputs() == [active, nested]
    assert page.input_list.count() == 2


def test_plan_rows_name_removed_content_dpi_and_parts(qtbot, make_window, tmp_path) -> None:
    active = active_content_pdf(tmp_path / "active.pdf")
    scan = scan_pdf(tmp_path / "scan.pdf", pages=4, kind="grey", dpi=300, size_in=SMALL)
    page = fit_page(make_window)
    page.add_paths([active, scan])
    page.court.setCurrentText(SIZE_ONLY)
    page.size_limit.setText("500KB")
    qtbot.mouseClick(page.check_button, LEFT)

    plans = {p.path.name: p for p in page.plans}
    assert "removed JavaScript" in plans["active.pdf"].changes
    assert plans["scan.pdf"].target_dpi == 200 and plans["scan.pdf"].expected_parts > 1
    shown = page.plan_text()
    assert "removed JavaScript" in shown and "200 dpi" in shown
    assert f"about {plans['scan.pdf'].expected_parts} parts" in shown.lower()
    assert not page.out_dir().exists()  # nothing written by looking


def test_fit_writes_parts_under_the_limit_and_records_them(qtbot, make_window, app,
                                                          tmp_path) -> None:
    scan = scan_pdf(tmp_path / "scan.pdf", pages=4, kind="grey", dpi=300, size_in=SMALL)
    letter = text_pdf(tmp_path / "letter.pdf", pages=3)
    before = sha(scan)
    page = fit_page(make_window, "attorney")
    page.add_paths([scan, letter])
    page.court.setCurrentText(SIZE_ONLY)
    page.size_limit.setText("500KB")
    qtbot.mouseClick(page.fit_button, LEFT)

    assert sha(scan) == before  # the input is only read
    results = {r.input.name: r for r in page.results}
    assert results["scan.pdf"].ok and len(results["scan.pdf"].parts) > 1
    pages = 0
    for part in results["scan.pdf"].parts:
        assert part.path.is_file() and part.path.stat().st_size <= 500_000
        with pikepdf.open(part.path) as pdf:
            pages += len(pdf.pages)
    assert pages == 4
    assert len(results["letter.pdf"].parts) == 1
    listed = page.result_text()
    for part in results["scan.pdf"].parts:
        assert part.path.name in listed
    assert "KB" in listed or "MB" in listed
    splits = [e for e in app.ledger.chain.events() if e.kind == EventKind.SPLIT]
    assert len(splits) == len(results["scan.pdf"].parts)
    assert {e.detail["operation"] for e in splits} == {"fit"}
    assert {(e.actor_user, e.actor_role) for e in splits} == {("pat", "attorney")}
    assert splits[0].sha256_before == before
    [converted] = [e for e in app.ledger.chain.events() if e.kind == EventKind.CONVERTED]
    assert converted.path_before == str(letter.resolve())
    assert "✓" in page.status.text()


def test_cancel_stops_after_the_current_step_and_keeps_no_partial_output(
        qtbot, make_window, app, tmp_path) -> None:
    first = text_pdf(tmp_path / "a letter.pdf", pages=2)
    second = scan_pdf(tmp_path / "b scan.pdf", pages=4, kind="grey", dpi=300, size_in=SMALL)
    page = fit_page(make_window)
    page.add_paths([first, second])
    page.court.setCurrentText(SIZE_ONLY)
    page.size_limit.setText("500KB")

    def cancel_on_second(done: int, total: int, message: str) -> None:
        if "b scan.pdf" in message and page.cancel_button.isEnabled():
            qtbot.mouseClick(page.cancel_button, LEFT)

    page.progress_reported.connect(cancel_on_second)
    qtbot.mouseClick(page.fit_button, LEFT)

    names = [r.input.name for r in page.results]
    assert names == ["a letter.pdf"]  # finished before the cancel
    out = page.out_dir()
    assert not [p for p in out.rglob("*") if "b scan" in p.name]  # no partial output
    assert "Cancelled" in page.status.text()
    recorded = {e.path_before for e in app.ledger.chain.events()
                if e.kind in (EventKind.SPLIT, EventKind.CONVERTED)}
    assert recorded == {str(first.resolve())}


def test_a_court_sets_the_limit(qtbot, make_window, tmp_path) -> None:
    page = fit_page(make_window)
    cacd = load_profile("cacd")
    page.court.setCurrentIndex(page.court.findData("cacd"))
    assert not page.size_limit.isEnabled()
    assert page.limit() == cacd.file_limit_bytes
    letter = text_pdf(tmp_path / "letter.pdf", pages=2)
    page.add_paths([letter])
    qtbot.mouseClick(page.check_button, LEFT)
    assert page.plans[0].limit_bytes == cacd.file_limit_bytes
    assert page.plans[0].expected_parts == plan_fit(letter, cacd.file_limit_bytes or 0,
                                                    cacd).expected_parts


def test_a_bad_size_is_explained_on_the_page(qtbot, make_window, tmp_path) -> None:
    page = fit_page(make_window)
    page.add_paths([text_pdf(tmp_path / "letter.pdf", pages=1)])
    page.court.setCurrentText(SIZE_ONLY)
    page.size_limit.setText("lots")
    qtbot.mouseClick(page.fit_button, LEFT)
    assert page.results == []
    assert "size" in page.status.text().lower() and page.status.objectName() == "errorText"
