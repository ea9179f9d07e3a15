"""Forking is refused in a process that has run Qt (core/platform.fork_is_safe).

A preparation worker forked from a pytest process that had run the window tests hung for
good in futex_do_wait, holding an eventfd it had inherited from Qt's event loop, although
no other thread was running by then. The check runs in a fresh interpreter so this test
process's own Qt state does not decide it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest


def _run(code: str) -> str:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "INTAKE_PREPARE_WORKERS": "2"}
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.split()[-1]


def test_a_fresh_command_line_process_may_fork() -> None:
    assert _run("""
        from intake_desktop.core import platform
        print(platform.fork_is_safe())
    """) == "True"


def test_loading_qt_alone_does_not_forbid_forking() -> None:
    # pytest-qt imports PySide6 in every test process; only an application object counts.
    assert _run("""
        import PySide6.QtCore
        from intake_desktop.core import platform
        print(platform.fork_is_safe())
    """) == "True"


@pytest.mark.parametrize("kind", ["QtCore.QCoreApplication", "QtWidgets.QApplication"])
def test_a_process_with_a_qt_application_does_not_fork(kind: str) -> None:
    module, cls = kind.split(".")
    assert _run(f"""
        from PySide6 import {module}
        app = {module}.{cls}([])
        from intake_desktop.core import platform
        print(platform.fork_is_safe())
    """) == "False"


def test_the_pool_prepares_in_process_where_a_qt_application_exists() -> None:
    assert _run("""
        from PySide6 import QtWidgets
        app = QtWidgets.QApplication([])
        from intake_desktop.core.filing import pool
        class Filer:
            preparer = object()  # a converting preparer (not the pass-through one)
        print(pool.usable(Filer(), 50))
    """) == "0"
