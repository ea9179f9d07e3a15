"""pytest plugin: force the portable fallbacks of core/platform.py and prove no Linux-only
call is made (`-p tests.shipping.force_portable`, used by test_portable_fallbacks.py)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from typing import Any

import pytest

from intake_desktop.core import platform

CALLS: list[str] = []


def _refuse(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
    def guard(*args: Any, **kwargs: Any) -> Any:
        CALLS.append(name)
        return real(*args, **kwargs)

    return guard


def pytest_configure(config: pytest.Config) -> None:
    os.environ[platform.FORCE_ENV] = "1"
    os.link = _refuse("os.link", os.link)  # type: ignore[assignment]
    fcntl.fcntl = _refuse("fcntl.fcntl", fcntl.fcntl)  # type: ignore[assignment]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    report = os.environ.get("INTAKE_FORCE_REPORT")
    if report:
        with open(report, "w", encoding="utf-8") as fh:
            fh.write("\n".join(CALLS))
