from tests.core.rules.samples import make_workspace

__all__ = ["make_workspace"]
