"""Undo in the window: the browser, the intake results and the review queue take a filing
back through core.filing.undo, and show why when it is refused."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from intake_desktop.app import App, build_filer
from intake_desktop.core.ledger import DocStatus, EventKind
from intake_desktop.qt.browser_page import BrowserPage
from intake_desktop.qt.intake_page import IntakePage
from intake_desktop.qt.review_page import ReviewPage
from tests.conftest import run_cli

MATTER = "2024-0301 Nguyen"
LEFT = Qt.MouseButton.LeftButton


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def undone_events(app: App, doc_id: int) -> list[Any]:
    return [e for e in app.ledger.chain.events(document_id=doc_id) if e.kind == EventKind.UNDONE]


def filed_from_intake(app: App, make_pdf: Any, name: str = "er visit.pdf") -> tuple[Path, Any]:
    src = make_pdf(name, 2, folder=app.workspace.intake / MATTER)
    [r] = build_filer(app).ingest([src])
    assert r.status == "filed" and not src.exists()
    return src, r


def test_browser_undo_puts_the_file_back_in_its_intake_folder(qtbot, make_window, app,
                                                               make_pdf) -> None:
    src, r = filed_from_intake(app, make_pdf)
    data_sha = r.sha256
    window = make_window("admin")
    assert window.open_page("browser")
    page = window.pages["browser"]
    assert isinstance(page, BrowserPage)
    page.select_row(0)
    assert page.undo_button.isEnabled()
    qtbot.mouseClick(page.undo_button, LEFT)

    assert src.is_file() and sha(src) == data_sha  # back where it came from
    assert not Path(r.path).exists()  # the working copy is gone
    assert Path(r.original).is_file()  # the original is kept
    [ev] = undone_events(app, r.document_id)
    assert (ev.actor_user, ev.actor_role) == ("pat", "admin")
    assert app.ledger.docs.document(r.document_id).status == DocStatus.UNDONE
    assert "back in its intake folder" in page.note.text()
    assert page.model.rowCount() == 0  # no longer listed as filed


def test_browser_shows_why_undo_is_refused_after_stamping(qtbot, make_window, app,
                                                          make_pdf) -> None:
    src, r = filed_from_intake(app, make_pdf)
    spec = app.workspace.root / "set.toml"
    spec.write_text(
        '[set]\nname = "Nguyen exhibits"\nlabel_prefix = "Ex."\n\n[bates]\nprefix = "NG-"\n'
        f'digits = 6\n\n[[exhibit]]\ndocument = {r.document_id}\ndescription = "ER record"\n'
        'date = 2024-01-05\n', encoding="utf-8")
    built = run_cli("--workspace", str(app.workspace.root), "exhibits", "build", str(spec),
                    "--out", str(app.workspace.exports / "set"), timeout=300)
    assert built.returncode == 0, built.stderr
    window = make_window("admin")
    window.open_page("browser")
    page = window.pages["browser"]
    page.select_row(0)
    qtbot.mouseClick(page.undo_button, LEFT)

    assert "stamped into the exhibit set" in page.note.text()
    assert page.note.objectName() == "errorText"
    assert Path(r.path).is_file() and not src.exists()  # nothing moved
    assert undone_events(app, r.document_id) == []
    assert app.ledger.docs.document(r.document_id).status == DocStatus.FILED


def test_browser_has_no_undo_for_attorneys(make_window, app, make_pdf) -> None:
    filed_from_intake(app, make_pdf)
    window = make_window("attorney")
    page = window.pages["browser"]
    page.select_row(0)
    assert page.undo_button.isHidden() and not page.undo_button.isEnabled()


def test_intake_results_undo_the_selected_filing(qtbot, make_window, app, make_pdf) -> None:
    src = make_pdf("letter.pdf", 1, folder=app.workspace.intake / MATTER)
    before = sha(src)
    window = make_window("paralegal")
    page = window.pages["intake"]
    assert isinstance(page, IntakePage)
    assert not page.undo_button.isEnabled()
    page.file_paths([src])
    assert not src.exists()
    [doc] = app.ledger.docs.documents(status=DocStatus.FILED)
    page.table.selectRow(0)
    assert page.undo_button.isEnabled()
    qtbot.mouseClick(page.undo_button, LEFT)

    assert src.is_file() and sha(src) == before
    assert not (app.workspace.root / doc.filed_path).exists()
    assert len(undone_events(app, doc.id)) == 1
    assert page.model.data(page.model.index(0, page.model.COL_STATUS)) == "Undone"
    assert "back in its intake folder" in page.status.text()
    assert not page.undo_button.isEnabled()  # undone once is enough


def test_review_queue_undo_sends_the_document_back_to_review(qtbot, make_window, app,
                                                              make_pdf) -> None:
    build_filer(app).ingest([make_pdf("fax 0412.pdf", 3)])
    [waiting] = app.ledger.docs.documents(status=DocStatus.REVIEW)
    window = make_window("paralegal")
    page = window.pages["review"]
    assert isinstance(page, ReviewPage)
    assert not page.undo_button.isEnabled()
    page.select_row(0)
    resolution = page.assign_selected("2024-020 Diaz", "Medical")
    assert resolution is not None and resolution.resolved
    filed = app.workspace.root / app.ledger.docs.document(waiting.id).filed_path
    assert filed.is_file() and page.model.rowCount() == 0
    assert page.undo_button.isEnabled()
    qtbot.mouseClick(page.undo_button, LEFT)

    doc = app.ledger.docs.document(waiting.id)
    assert doc.status == DocStatus.REVIEW and doc.filed_path.startswith("Review/")
    back = app.workspace.root / doc.filed_path
    assert sha(back) == waiting.sha256  # the received bytes, back in Review/
    assert not filed.exists()
    assert len(undone_events(app, waiting.id)) == 1
    assert page.model.rowCount() == 1 and page.selected().id == waiting.id
    assert "Review/" in page.result.text()
    assert not page.undo_button.isEnabled()
