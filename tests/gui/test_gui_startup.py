"""Start-up: the window builds only the page it shows (the others when first opened) and
its modules do not load the filing engine's heavy parts or the demo. No times asserted
(bench/bench_gui.py measures them)."""

from __future__ import annotations

import json
import subprocess
import sys

from PySide6.QtCore import Qt

from tests.conftest import REPO

LEFT = Qt.MouseButton.LeftButton


def test_only_the_shown_page_is_built_at_start(qtbot, make_window) -> None:
    window = make_window("paralegal")
    assert window.current_page_key() == "intake"
    assert list(dict(window.pages)) == ["intake"]  # built so far
    assert "review" in window.pages and "settings" not in window.pages  # allowed or not
    assert window.stack.count() == 1
    row = [p.key for p in __import__("intake_desktop.qt.main_window",
                                     fromlist=["PAGES"]).PAGES].index("review")
    rect = window.nav.visualItemRect(window.nav.item(row))
    qtbot.mouseClick(window.nav.viewport(), LEFT, pos=rect.center())
    assert window.current_page_key() == "review"
    assert set(dict(window.pages)) == {"intake", "review"} and window.stack.count() == 2


def test_switching_profile_keeps_built_pages_and_builds_no_others(make_window) -> None:
    from intake_desktop.core.ledger import Actor

    window = make_window("paralegal")
    intake = window.pages["intake"]
    window.set_actor(Actor("pat", "admin"))
    assert window.pages.built("intake") is intake  # kept with its work
    assert set(dict(window.pages)) == {"intake"}


def test_window_modules_leave_heavy_parts_unloaded() -> None:
    code = (
        "import json, sys\n"
        "import intake_desktop.qt.main_window, intake_desktop.qt.main\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('intake_desktop'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(REPO),
                                                       "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout))
    for heavy in ("intake_desktop.qt.intake_page", "intake_desktop.qt.browser_page",
                  "intake_desktop.qt.builder_page", "intake_desktop.qt.rules_editor",
                  "intake_desktop.core.demo.runner", "intake_desktop.core.exhibits.build",
                  "intake_desktop.core.rules.ruleset", "intake_desktop.core.convert.office"):
        assert heavy not in loaded, heavy


def test_the_shell_paints_first_only_when_the_window_opens() -> None:
    from intake_desktop.launch import opens_window

    assert opens_window([]) and opens_window(["gui"])
    assert opens_window(["--workspace", "ingest", "gui"])  # a folder named like a command
    assert opens_window(["--db", "sqlite:///x", "--role", "admin"])
    for argv in (["ingest", "x.pdf"], ["--json"], ["gui", "--help"], ["--version"],
                 ["ledger", "verify"]):
        assert not opens_window(argv), argv


def test_the_main_window_takes_the_shells_place(qtbot, app) -> None:
    from intake_desktop.core.ledger import Actor
    from intake_desktop.qt.main import show_window
    from intake_desktop.qt.startup import StartupShell, show_shell

    shell = show_shell()
    assert isinstance(shell, StartupShell) and shell.isVisible()
    shell.setGeometry(40, 40, 900, 600)
    window = show_window(app, Actor("pat", "paralegal"), watch=False, shell=shell)
    qtbot.addWidget(window)
    assert window.isVisible() and not shell.isVisible()
    assert (window.width(), window.height()) == (900, 600)
    assert list(dict(window.pages)) == ["intake"]
