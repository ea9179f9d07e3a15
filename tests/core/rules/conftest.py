"""Fixtures for the naming-rules tests (helpers live in samples.py)."""

from tests.core.rules.samples import make_workspace, samples

__all__ = ["make_workspace", "samples"]
