"""Named browser searches, shared by the desk: kept in the workspace's `.intake/searches.toml`
(replaced atomically, the previous version kept) and used by the exhibit browser and by
production specs (`[[documents]] search = "NAME"`).

    [[search]]
    name = "Overtime letters"
    text = "overtime"                 # what the documents say, their names, Bates numbers
    matter = "2024-0117 Reyes v. Acme Logistics"
    category = "Correspondence"
    from = "2024-01-01"               # document dates, YYYY-MM-DD
    to = "2024-12-31"
    show = ["filed"]                  # statuses: filed, review, duplicate
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from intake_desktop.core.desks.settings_files import SettingsError, replace_settings_file
from intake_desktop.core.ledger.queries import DocumentFilter
from intake_desktop.core.ledger.records import DocumentRecord
from intake_desktop.core.toml_lines import syntax_error_line
from intake_desktop.core.workspace import Workspace

SEARCHES_FILE = "searches.toml"
STATUSES = ("filed", "review", "duplicate")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_NAME = 80
MAX_DOCUMENTS = 100_000  # a saved search never selects more than this many documents


@dataclass(frozen=True)
class SavedSearch:
    name: str
    filter: DocumentFilter


class Browsable(Protocol):
    def browse_documents(self, flt: DocumentFilter, *, after_id: int = 0,
                         limit: int = 200) -> list[DocumentRecord]: ...


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def _bad(ws: Workspace, what: str) -> SettingsError:
    return SettingsError(what, path=ws.state / SEARCHES_FILE,
                         fix="correct it, or save the search again from the browser")


def load_searches(ws: Workspace) -> dict[str, SavedSearch]:
    """The desk's saved searches by name (none when the file does not exist)."""
    path = ws.state / SEARCHES_FILE
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        line = syntax_error_line(exc)
        raise _bad(ws, f"{f'line {line}: ' if line else ''}not valid TOML ({exc})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(ws, f"cannot be read ({exc})") from exc
    found: dict[str, SavedSearch] = {}
    for n, raw in enumerate(data.get("search", []), start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise _bad(ws, f"search {n} has no name")
        found[raw["name"]] = _search(ws, n, raw)
    return found


def _search(ws: Workspace, n: int, raw: dict[str, Any]) -> SavedSearch:
    def text(key: str) -> str:
        value = raw.get(key, "")
        if not isinstance(value, str):
            raise _bad(ws, f"search {n} ({raw['name']}): {key!r} must be text")
        return value

    show = raw.get("show", ["filed"])
    if not isinstance(show, list) or not show or any(s not in STATUSES for s in show):
        raise _bad(ws, f"search {n} ({raw['name']}): 'show' must list some of "
                   f"{', '.join(STATUSES)}")
    for key in ("from", "to"):
        if text(key) and not _DAY.match(text(key)):
            raise _bad(ws, f"search {n} ({raw['name']}): {key!r} must be a YYYY-MM-DD date")
    return SavedSearch(raw["name"], DocumentFilter(
        statuses=tuple(show), matter_id=text("matter"), category=text("category"),
        date_from=text("from"), date_to=text("to"), text=text("text")))


def render_searches(searches: Sequence[SavedSearch]) -> str:
    out = ["# Saved searches of the exhibit browser (Save search…); a production spec selects",
           '# one with [[documents]] search = "NAME".']
    for s in searches:
        f = s.filter
        out += ["", "[[search]]", f"name = {_string(s.name)}", f"text = {_string(f.text)}",
                f"matter = {_string(f.matter_id)}", f"category = {_string(f.category)}",
                f"from = {_string(f.date_from)}", f"to = {_string(f.date_to)}",
                f"show = [{', '.join(_string(x) for x in f.statuses)}]"]
    return "\n".join(out) + "\n"


def save_search(ws: Workspace, search: SavedSearch) -> None:
    """Add the search, or replace the one of the same name."""
    name = search.name.strip()
    if not name or len(name) > MAX_NAME or any(ord(ch) < 32 for ch in name):
        raise SettingsError(f"a saved search needs a name of 1 to {MAX_NAME} characters",
                            fix="type a short name, e.g. “Overtime letters”")
    if any(s not in STATUSES for s in search.filter.statuses) or not search.filter.statuses:
        raise SettingsError("a saved search shows filed, review or duplicate documents",
                            fix="choose what to show and save again")
    searches = load_searches(ws)
    searches[name] = SavedSearch(name, search.filter)
    text = render_searches(list(searches.values()))
    tomllib.loads(text)  # never write a file that does not parse
    replace_settings_file(ws, ws.state / SEARCHES_FILE, text)


def search_documents(ledger: Browsable, search: SavedSearch) -> list[DocumentRecord]:
    """Every document the search lists in the browser, in the browser's order."""
    out: list[DocumentRecord] = []
    after = 0
    while len(out) < MAX_DOCUMENTS:
        page = ledger.browse_documents(search.filter, after_id=after, limit=500)
        if not page:
            break
        out.extend(page)
        after = page[-1].id
    return out
