"""Build hook: map the top-level data folders into the package as intake_desktop/_data.

`naming_rules/`, `resources/` and `examples/` stay where they are in the source tree (the
one copy in git); building a wheel copies them into the package so an installed app reads
them through importlib.resources (see intake_desktop/core/shipped.py). An editable install
or a checkout reads the source folders directly, so there is nothing to copy for it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED_FOLDERS = ("naming_rules", "resources", "examples")
DATA_DIR = Path("intake_desktop", "_data")


class BuildWithData(build_py):
    """build_py that also copies the shipped data folders into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / DATA_DIR
        for name in SHIPPED_FOLDERS:
            source = ROOT / name
            if not source.is_dir():
                raise SystemExit(f"{source}: missing; the wheel would ship without it")
            dest = target / name
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            target = Path(self.build_lib) / DATA_DIR
            outputs += [str(p) for p in target.rglob("*") if p.is_file()]
        return outputs


setup(cmdclass={"build_py": BuildWithData})
