"""Matters as first-class things (issue 14): the list, the New matter dialog, and the
intake page, builder and browser picking from it."""

from __future__ import annotations

from pathlib import Path

from intake_desktop.app import build_filer
from intake_desktop.core.ledger import DocStatus
from intake_desktop.core.ledger.queries import MatterRecord
from intake_desktop.qt.matters import MattersDialog, NewMatterDialog


def test_new_matter_is_listed_and_picked_everywhere(make_window, app, make_pdf, qtbot):
    window = make_window("paralegal")
    dialog = NewMatterDialog(window.session, window)
    qtbot.addWidget(dialog)
    dialog.number.setText("2024-0117")
    dialog.name.setText("Reyes v. Acme")
    dialog.client.setText("Ana Reyes")
    dialog.practice.setCurrentText("personal-injury")
    dialog.attorney.setCurrentText("J. Okafor")
    assert dialog.folder.text() == "Matters/2024-0117 Reyes v. Acme/"
    dialog.try_accept()
    assert dialog.record == MatterRecord(
        id="2024-0117 Reyes v. Acme", name="Reyes v. Acme", number="2024-0117",
        client="Ana Reyes", practice="personal-injury", attorney="J. Okafor",
        created_at=dialog.record.created_at)
    saved = [e for e in app.ledger.chain.events() if e.kind == "matter_saved"]
    assert saved and saved[-1].matter_id == "2024-0117 Reyes v. Acme"
    assert saved[-1].actor_user == "pat" and saved[-1].detail["client"] == "Ana Reyes"
    assert app.ledger.chain.verify_chain().ok

    # The same number twice, or a name that cannot be a folder, is refused in the dialog.
    again = NewMatterDialog(window.session, window)
    qtbot.addWidget(again)
    again.number.setText("2024-0117")
    again.name.setText("Reyes v. Acme")
    again.try_accept()
    assert again.record is None and "already" in again.error.text()
    again.name.setText("Reyes/Acme")
    again.try_accept()
    assert again.record is None and "cannot contain" in again.error.text()

    # The matter list shows number, name, client, practice and attorney.
    matters = MattersDialog(window.session, window)
    qtbot.addWidget(matters)
    m = matters.model
    assert [m.data(m.index(0, c)) for c in range(m.columnCount())] == [
        "2024-0117", "Reyes v. Acme", "Ana Reyes", "personal-injury", "J. Okafor"]

    # Intake: the combo lists it with the client; filing into it uses the matter's id.
    intake = window.pages["intake"]
    intake.reload_matters()
    intake.select_matter("2024-0117 Reyes v. Acme")
    assert "Ana Reyes" in intake.matter.currentText()
    intake.file_paths([make_pdf("mri.pdf")])
    [doc] = app.ledger.docs.documents(status=DocStatus.FILED)
    assert doc.matter_id == "2024-0117 Reyes v. Acme"
    assert doc.filed_path.startswith("Matters/2024-0117 Reyes v. Acme/")

    # Builder and browser pick from the same list and filter by it.
    build_filer(app).ingest([make_pdf("other.pdf")], matter="2023-0001 Other")
    builder = window.pages["builder"]
    builder.refresh()
    builder.matter.setCurrentIndex(builder.matter.findData("2024-0117 Reyes v. Acme"))
    assert [Path(d.filed_path).name for d in builder.documents.records] == ["mri.pdf"]
    assert builder.options().matter == "2024-0117 Reyes v. Acme"
    window.set_actor(window.session.actor.__class__("pat", "attorney"))
    browser = window.pages["browser"]
    browser.refresh()
    browser.matter.setCurrentIndex(browser.matter.findData("2023-0001 Other"))
    assert [Path(d.filed_path).name for d in browser.model.records] == ["other.pdf"]
