"""The rules panel on the real naming-rules engine (skipped while core.rules is not installed)."""

from __future__ import annotations

import importlib.util

import pytest

from intake_desktop.app import build_filer
from intake_desktop.qt.rules_editor import RulesEditor

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("intake_desktop.core.rules") is None,
    reason="the naming-rules engine is not part of this build",
)

RULES = """\
[settings]
name = "panel test"
filename = "{{ name }}"

[[rule]]
name = "letters"
category = "Correspondence"
folder = "Correspondence"
when.name = "*letter*"

[[rule]]
name = "anything"
category = "Other"
folder = "Other"
when.name = "*"
"""


def open_editor(make_window, app, make_pdf) -> RulesEditor:
    app.workspace.rules_path.write_text(RULES, encoding="utf-8")
    filer = build_filer(app)
    filer.ingest([make_pdf("letter to client.pdf"), make_pdf("invoice.pdf")], matter="LIT-1")
    window = make_window("admin")
    assert window.open_page("settings")
    editor = window.pages["settings"].rules
    assert editor.backend.name == "naming rules"
    return editor


def test_real_rules_preview_changes_and_saves(make_window, app, make_pdf):
    editor = open_editor(make_window, app, make_pdf)
    before = {r.name: r.after for r in editor.preview_model.records}
    assert before["invoice.pdf"].startswith("Matters/LIT-1/Other/")
    assert "/Correspondence/" in before["letter to client.pdf"]
    editor.set_text(RULES.replace('folder = "Other"', 'folder = "Billing"'))
    after = {r.name: r.after for r in editor.preview_model.records}
    assert after["invoice.pdf"].startswith("Matters/LIT-1/Billing/")
    assert after["letter to client.pdf"] == before["letter to client.pdf"]
    assert editor.save()
    assert "Billing" in app.workspace.rules_path.read_text(encoding="utf-8")
    assert any(e.kind == "rules_changed" for e in app.ledger.chain.events())


def test_real_rules_invalid_refused_with_line(make_window, app, make_pdf):
    editor = open_editor(make_window, app, make_pdf)
    bad = RULES.replace('folder = "Other"', 'folder = "../../outside"')
    editor.set_text(bad)
    assert editor.problems
    assert not editor.save_button.isEnabled()
    assert not editor.save()
    assert app.workspace.rules_path.read_text(encoding="utf-8") == RULES


def test_broken_rules_warning_shows_in_the_window(make_window, app, make_pdf):
    app.workspace.rules_path.write_text("[[rule]]\nname = 3\n", encoding="utf-8")
    window = make_window("paralegal")
    page = window.pages["intake"]
    page.matter.setCurrentText("LIT-2")
    page.file_paths([make_pdf("a.pdf")])
    assert "rules.toml" in window.message_label.text()
