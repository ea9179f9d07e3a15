"""Saved browser searches (issue 19): named in the browser, kept in the workspace's
`.intake/searches.toml`, and usable as a production's selection (`search = "NAME"`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.exhibits.spec import SpecError
from intake_desktop.core.ledger.queries import DocumentFilter
from intake_desktop.core.production.build import produce
from intake_desktop.core.production.spec import parse_production_spec
from intake_desktop.core.saved_searches import (
    SavedSearch,
    load_searches,
    save_search,
    search_documents,
)
from tests.core.production.test_production import MATTER, PREFIX, desk, read_dat  # noqa: F401  (fixture)


def test_a_saved_search_round_trips_and_replaces_one_of_the_same_name(app: Any) -> None:
    ws = app.workspace
    assert load_searches(ws) == {}
    first = SavedSearch("Overtime letters", DocumentFilter(
        text="overtime", matter_id=MATTER, category="Correspondence",
        date_from="2024-01-01", date_to="2024-12-31", statuses=("filed",)))
    save_search(ws, first)
    save_search(ws, SavedSearch("Everything \"quoted\"", DocumentFilter(
        statuses=("filed", "review"))))
    assert load_searches(ws)["Overtime letters"] == first
    assert load_searches(ws)['Everything "quoted"'].filter.statuses == ("filed", "review")
    changed = SavedSearch("Overtime letters", DocumentFilter(text="dock crew"))
    save_search(ws, changed)
    assert load_searches(ws)["Overtime letters"] == changed
    assert len(load_searches(ws)) == 2
    # The replaced version is kept beside it (core/mover.replace_file).
    assert (ws.state / "searches.toml.previous").is_file()


def test_a_bad_name_or_file_is_refused_with_a_fix(app: Any) -> None:
    ws = app.workspace
    with pytest.raises(IntakeError, match="name"):
        save_search(ws, SavedSearch("  ", DocumentFilter(text="x")))
    (ws.state / "searches.toml").write_text("[[search]\nname = 1\n", encoding="utf-8")
    with pytest.raises(IntakeError, match=r"searches\.toml.*line 1"):
        load_searches(ws)


def test_a_production_selects_the_documents_of_a_saved_search(
    desk: dict[str, Any], tmp_path: Path  # noqa: F811
) -> None:
    """GIVEN a saved search for the documents named "reply"
    WHEN a spec selects `search = "Hours dispute"`
    THEN exactly those documents are produced, as the browser lists them."""
    app = desk["app"]
    save_search(app.workspace, SavedSearch("Hours dispute", DocumentFilter(
        text="reply", matter_id=MATTER)))
    listed = search_documents(app.ledger.docs, load_searches(app.workspace)["Hours dispute"])
    assert [d.id for d in listed] == [desk["last"].id]
    spec_path = tmp_path / "s.toml"
    spec_path.write_text(f'''
[production]
volume = "VOL009"
matter = "{MATTER}"

[bates]
prefix = "{PREFIX}"

[[documents]]
search = "Hours dispute"
''', encoding="utf-8")
    spec = parse_production_spec(spec_path.read_text(encoding="utf-8"), spec_path)
    assert spec.selections[0].search == "Hours dispute"
    produce(spec, tmp_path / "out", app.ledger, workspace_root=app.workspace.root,
            scratch_dir=app.workspace.work)
    rows = read_dat(tmp_path / "out" / "VOL009" / "DATA" / "VOL009.dat")
    assert [r["FILENAME"] for r in rows] == ["Harbor reply.pdf"]


def test_an_unknown_saved_search_names_the_line(desk: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    app = desk["app"]
    spec_path = tmp_path / "s.toml"
    spec_path.write_text(f'''[production]
volume = "VOL009"

[bates]
prefix = "{PREFIX}"

[[documents]]
search = "No such search"
''', encoding="utf-8")
    spec = parse_production_spec(spec_path.read_text(encoding="utf-8"), spec_path)
    with pytest.raises(IntakeError, match=r"line 7.*no saved search named 'No such search'"):
        produce(spec, tmp_path / "out", app.ledger, workspace_root=app.workspace.root,
                scratch_dir=app.workspace.work)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    with pytest.raises(SpecError, match="exactly one of"):
        bad = tmp_path / "b.toml"
        bad.write_text(f'[production]\nvolume = "V"\n[bates]\nprefix = "{PREFIX}"\n'
                       '[[documents]]\nsearch = "A"\ndocument = 3\n', encoding="utf-8")
        parse_production_spec(bad.read_text(encoding="utf-8"), bad)
