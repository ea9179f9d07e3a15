"""Issue 21: the Bates-reuse warning of a rebuild cites when the numbers were first
assigned (the first build), not the time of the previous rebuild."""

from __future__ import annotations

from pathlib import Path

from intake_desktop.core.exhibits.build import BuildResult, build_set
from intake_desktop.core.exhibits.spec import load_spec
from intake_desktop.core.ledger import Ledger
from tests.core.exhibits.test_exhibit_build import SPEC, built, ledger

__all__ = ["built", "ledger"]  # fixtures shared with test_exhibit_build


def test_second_rebuild_cites_the_first_build(
    tmp_path: Path, built: BuildResult, ledger: Ledger
) -> None:
    first_at = next(e.at for e in ledger.chain.events() if e.kind == "bates_reserved")
    spec = tmp_path / "rebuild.toml"
    spec.write_text(SPEC.replace("digits = 6", "digits = 6\nstart = 1"), encoding="utf-8")
    build_set(load_spec(spec), tmp_path / "out-rebuild-1", ledger)
    second_at = [e.at for e in ledger.chain.events() if e.kind == "bates_reserved"][-1]
    assert second_at != first_at
    again = build_set(load_spec(spec), tmp_path / "out-rebuild-2", ledger)
    (warning,) = [w for w in again.warnings if "reuses" in w]
    assert f"first assigned to this set at {first_at};" in warning
    assert second_at not in warning
    assert (again.exhibits[0].bates_first, again.exhibits[0].bates_last) == (
        "SMITH-000001", "SMITH-000003")
