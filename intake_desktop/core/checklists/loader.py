"""Load and validate checklist files; every mistake names the file, the line and the fix."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake_desktop.core.checklists.model import Checklist, ChecklistItem, Expected
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.paths import naming_rules_dir

CHECKLIST_KEYS = {"id", "title", "preset"}
ITEM_KEYS = {"id", "title", "rules", "categories", "required", "expected", "from", "note"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")


@dataclass(frozen=True)
class ChecklistProblem:
    file: str
    line: int | None
    where: str
    error: str
    fix: str

    def __str__(self) -> str:
        at = self.file + (f":{self.line}" if self.line else "")
        return f"{at}: {self.where}: {self.error}. Fix: {self.fix.rstrip('.')}."


class ChecklistError(IntakeError):
    """A checklist file that cannot be used; `problems` lists every error found."""

    def __init__(self, problems: list[ChecklistProblem]) -> None:
        self.problems = problems
        more = len(problems) - 1
        text = str(problems[0]) + (f" (and {more} more)" if more > 0 else "")
        super().__init__(text)


class _Lines:
    """Line numbers of `[checklist]`, each `[[item]]` and their keys (tomllib has none)."""

    def __init__(self, text: str) -> None:
        self.tables: list[int] = []  # line of each [[item]]
        self.keys: dict[tuple[int, str], int] = {}  # (item index or -1, key) -> line
        current = -2
        for no, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if line.startswith("[[item]]"):
                self.tables.append(no)
                current = len(self.tables) - 1
            elif line.startswith("[checklist]"):
                current = -1
            elif "=" in line and not line.startswith("#"):
                self.keys.setdefault((current, line.split("=", 1)[0].strip()), no)

    def at(self, item: int, key: str | None = None) -> int | None:
        if key is not None and (item, key) in self.keys:
            return self.keys[(item, key)]
        return self.tables[item] if 0 <= item < len(self.tables) else None


def load_checklist(path: Path) -> Checklist:
    """A validated checklist; raises ChecklistError with every problem found."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ChecklistError([ChecklistProblem(
            str(path), None, "file", f"cannot be read ({exc.strerror})",
            "check the path and that the file is readable")]) from exc
    return parse_checklist(text, str(path))


def parse_checklist(text: str, source: str) -> Checklist:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ChecklistError([ChecklistProblem(
            source, int(m.group(1)) if m else None, "file", f"not valid TOML ({exc})",
            "fix the quotes, brackets or commas on that line")]) from exc
    lines = _Lines(text)
    problems: list[ChecklistProblem] = []

    def problem(line: int | None, where: str, error: str, fix: str) -> None:
        problems.append(ChecklistProblem(source, line, where, error, fix))

    head = raw.get("checklist")
    if not isinstance(head, dict):
        problem(1, "[checklist]", "the [checklist] table is missing",
                'start the file with [checklist], id = "...", title = "...", preset = "..."')
        head = {}
    for key in sorted(set(head) - CHECKLIST_KEYS):
        problem(lines.at(-1, key), "[checklist]", f"unknown key {key!r}",
                f"use one of: {', '.join(sorted(CHECKLIST_KEYS))}")
    for key in sorted(set(raw) - {"checklist", "item"}):
        problem(None, key, f"unknown table {key!r}", "use [checklist] and [[item]] only")
    checklist_id = _text(head, "id", lines.at(-1, "id"), "[checklist]", problem)
    if checklist_id and not _ID.match(checklist_id):
        problem(lines.at(-1, "id"), "[checklist] id", f"{checklist_id!r} is not a valid id",
                "use lower-case letters, digits and - (e.g. family-i130-i485)")
    title = _text(head, "title", lines.at(-1, "title"), "[checklist]", problem)
    preset = _text(head, "preset", lines.at(-1, "preset"), "[checklist]", problem)
    items: list[ChecklistItem] = []
    raw_items = raw.get("item", [])
    if not isinstance(raw_items, list) or not raw_items:
        problem(None, "[[item]]", "the checklist has no items", "add at least one [[item]]")
        raw_items = []
    seen: set[str] = set()
    for index, entry in enumerate(raw_items):
        item = _item(entry, index, lines, problem)
        if item is None:
            continue
        if item.id in seen:
            problem(lines.at(index, "id"), f"item {item.id!r}", "the id is used twice",
                    "give each item its own id")
        seen.add(item.id)
        items.append(item)
    if preset and not problems:
        _check_rules_exist(preset, raw_items, items, lines, problem)
    if problems:
        raise ChecklistError(problems)
    return Checklist(checklist_id or "", title or "", preset or "", tuple(items), source)


def _check_rules_exist(preset: str, raw_items: list[Any], items: list[ChecklistItem],
                       lines: _Lines, problem: Any) -> None:
    """Every rule an item names exists in its preset (a typo would never tick the item)."""
    path = naming_rules_dir() / f"{preset}.toml"
    if not path.is_file():
        presets = sorted(p.stem for p in naming_rules_dir().glob("*.toml"))
        problem(lines.at(-1, "preset"), "[checklist] preset", f"no preset named {preset!r}",
                f"use one of: {', '.join(presets)}")
        return
    names = {r.get("name") for r in tomllib.loads(path.read_text(encoding="utf-8")).get("rule", [])}
    for index, item in enumerate(items):
        for rule in item.rules:
            if rule not in names:
                close = sorted(n for n in names if isinstance(n, str) and (
                    rule in n or n in rule))[:3]
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                problem(lines.at(index, "rules"), f"item {item.id!r} rules",
                        f"no rule named {rule!r} in the {preset} preset{hint}",
                        "name a rule of the preset (see its `name = ...` lines)")


def _text(table: dict[str, Any], key: str, line: int | None, where: str, problem: Any) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        problem(line, f"{where} {key}", f"{key} must be text in quotes",
                f'write {key} = "..."')
        return ""
    return value.strip()


def _strings(entry: dict[str, Any], key: str, line: int | None, where: str,
             problem: Any) -> tuple[str, ...]:
    value = entry.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problem(line, f"{where} {key}", f"{key} must be a list of names in quotes",
                f'write {key} = ["..."]')
        return ()
    return tuple(value)


def _item(entry: Any, index: int, lines: _Lines, problem: Any) -> ChecklistItem | None:
    if not isinstance(entry, dict):
        problem(lines.at(index), f"item {index + 1}", "an item must be a table",
                "write each item as [[item]] followed by its keys")
        return None
    where = f"item {entry.get('id', index + 1)!r}"
    for key in sorted(set(entry) - ITEM_KEYS):
        problem(lines.at(index, key), where, f"unknown key {key!r}",
                f"use one of: {', '.join(sorted(ITEM_KEYS))}")
    item_id = _text(entry, "id", lines.at(index, "id"), where, problem)
    if item_id and not _ID.match(item_id):
        problem(lines.at(index, "id"), where, f"{item_id!r} is not a valid id",
                "use lower-case letters, digits and - (e.g. birth-certificate)")
    title = _text(entry, "title", lines.at(index, "title"), where, problem)
    rules = _strings(entry, "rules", lines.at(index, "rules"), where, problem)
    categories = _strings(entry, "categories", lines.at(index, "categories"), where, problem)
    if not rules and not categories:
        problem(lines.at(index), where, "nothing can satisfy this item",
                'name the naming rules (rules = ["..."]) or categories that satisfy it')
    required = entry.get("required", True)
    if not isinstance(required, bool):
        problem(lines.at(index, "required"), where, "required must be true or false",
                "write required = true or required = false")
        required = True
    try:
        expected = Expected(entry.get("expected", "one"))
    except ValueError:
        problem(lines.at(index, "expected"), where,
                f"expected {entry.get('expected')!r} is not known",
                f"use one of: {', '.join(e.value for e in Expected)}")
        expected = Expected.ONE
    requested_from = entry.get("from", "client")
    note = entry.get("note", "")
    if not isinstance(requested_from, str) or not isinstance(note, str):
        problem(lines.at(index, "from"), where, "from and note must be text in quotes",
                'write from = "client" and note = "..."')
        requested_from, note = "client", ""
    return ChecklistItem(item_id, title, rules, categories, required, expected,
                         requested_from, note, lines.at(index) or 0)


def checklists_dir() -> Path:
    return naming_rules_dir() / "checklists"


def shipped_checklists(preset: str | None = None) -> list[Checklist]:
    """Every checklist shipped with the presets (of one preset when given), by id."""
    found = [load_checklist(p) for p in sorted(checklists_dir().glob("*.toml"))]
    return [c for c in found if preset is None or c.preset == preset]
