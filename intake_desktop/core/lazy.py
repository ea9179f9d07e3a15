"""Package facades whose names load with the module that defines them, when first used.

`intake-desktop ingest` starts its preparation workers before it loads the ledger
(core/filing/early.py), and its filing step then loads none of the PDF, image and template
libraries the workers use: a facade (`core.filing`, `core.rules`, `core.ocr`,
`core.convert`) that imported every inner module would load them all. Each such package
lists its names with their modules and takes its `__getattr__` from `exports` (type
checkers read the names from imports under TYPE_CHECKING).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package` giving each name of `homes` (name: the inner
    module that defines it) from that module, imported on first use and then kept."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{home}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
