"""Settings the admin panel edits besides the naming rules: intake folders and Bates defaults.

Each editor validates before anything is written; a file is replaced atomically (temporary
name beside it, fsync, rename) and only inside the workspace's `.intake/` folder, which
holds settings, never client documents.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake_desktop.core.errors import IntakeError
from intake_desktop.core.mover import replace_file
from intake_desktop.core.workspace import IntakeFolder, Workspace

BATES_FILE = "bates.toml"
BATES_POSITIONS = ("lower-right", "lower-left", "upper-right", "upper-left")


class SettingsError(IntakeError):
    """A setting would not validate; nothing was written."""


def replace_settings_file(workspace: Workspace, path: Path, text: str) -> None:
    """Atomically replace a settings file under `.intake/` (refuses any other place)."""
    state = workspace.state.resolve()
    target = path.resolve()
    if target.parent != state:
        raise SettingsError(
            "settings may only be written inside the workspace's .intake folder", path=path,
            fix="this is a bug in the caller",
        )
    # Through the mover: atomic, and the version replaced is kept as `<name>.previous`.
    replace_file(target, text.encode("utf-8"))


# ---- intake folders ([intake] folders in config.toml) ------------------------------------


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def validate_intake_folders(folders: list[IntakeFolder]) -> list[str]:
    """Problems with these folders, one sentence each (an empty list when they are fine)."""
    problems = []
    seen: set[str] = set()
    for n, f in enumerate(folders, start=1):
        text = str(f.path).strip()
        if not text or text == ".":
            problems.append(f"row {n}: the folder is empty; choose a folder")
            continue
        if not f.path.is_absolute():
            problems.append(f"row {n}: {text} is not a full path; choose it with Browse…")
        elif not f.path.is_dir():
            problems.append(f"row {n}: {text} does not exist or is not a folder")
        if text in seen:
            problems.append(f"row {n}: {text} is listed twice")
        seen.add(text)
    return problems


def render_intake_folders(folders: list[IntakeFolder]) -> str:
    if not folders:
        return "folders = []\n"
    lines = ["folders = ["]
    for f in folders:
        lines.append(
            f"    {{ path = {_toml_str(str(f.path))}, matter = {_toml_str(f.matter)}, "
            f"polling = {'true' if f.polling else 'false'} }},"
        )
    lines.append("]")
    return "\n".join(lines) + "\n"


def _replace_folders(text: str, block: str) -> str:
    """Replace the `folders = [...]` assignment of the [intake] table (added if missing)."""
    lines = text.splitlines(keepends=True)
    section = None
    start = end = None
    depth = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if start is None and re.match(r"^\[[^\]]+\]$", stripped):
            section = stripped
            continue
        if start is None and section == "[intake]" and re.match(r"^folders\s*=", stripped):
            start = i
            depth = line.count("[") - line.count("]")
            if depth <= 0:
                end = i
                break
            continue
        if start is not None:
            depth += line.count("[") - line.count("]")
            if depth <= 0:
                end = i
                break
    if start is not None and end is not None:
        return "".join(lines[:start]) + block + "".join(lines[end + 1 :])
    if "[intake]" in (ln.strip() for ln in lines):
        idx = [ln.strip() for ln in lines].index("[intake]")
        return "".join(lines[: idx + 1]) + block + "".join(lines[idx + 1 :])
    sep = "" if text.endswith("\n") or not text else "\n"
    return f"{text}{sep}\n[intake]\n{block}"


def save_intake_folders(workspace: Workspace, folders: list[IntakeFolder]) -> None:
    """Validate and write the extra intake folders into `.intake/config.toml`."""
    problems = validate_intake_folders(folders)
    if problems:
        raise SettingsError("; ".join(problems), path=workspace.config_path,
                            fix="correct the rows named and save again")
    text = workspace.config_path.read_text(encoding="utf-8") if (
        workspace.config_path.is_file()) else ""
    new = _replace_folders(text, render_intake_folders(folders))
    tomllib.loads(new)  # never write a file that does not parse
    replace_settings_file(workspace, workspace.config_path, new)


# ---- Bates defaults ----------------------------------------------------------------------


@dataclass(frozen=True)
class BatesDefaults:
    prefix: str = "ABC"
    digits: int = 6
    start: int = 1
    position: str = "lower-right"

    def sample(self) -> str:
        return f"{self.prefix}{self.start:0{self.digits}d}"


def check_bates(b: BatesDefaults) -> tuple[list[str], list[str]]:
    """(errors, warnings) for these defaults."""
    errors, warnings = [], []
    if not re.fullmatch(r"[A-Za-z0-9_.-]{0,20}", b.prefix):
        errors.append("the prefix may hold up to 20 letters, digits, dots, dashes or underscores")
    if b.prefix and b.prefix[-1].isdigit():
        warnings.append(
            "the prefix ends in a digit, so the number runs into it; end it with a letter or _"
        )
    if not 6 <= b.digits <= 15:
        errors.append("the number must have 6 to 15 digits")
    if b.start < 1:
        errors.append("the first number must be 1 or more")
    elif len(str(b.start)) > b.digits:
        errors.append(f"the first number has more than {b.digits} digits")
    if b.position not in BATES_POSITIONS:
        errors.append(f"the position must be one of {', '.join(BATES_POSITIONS)}")
    return errors, warnings


def load_bates(workspace: Workspace) -> BatesDefaults:
    path = workspace.state / BATES_FILE
    if not path.is_file():
        return BatesDefaults()
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8")).get("bates", {})
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"not valid TOML ({exc})", path=path,
                            fix="correct the line named or delete the file") from exc
    try:
        b = BatesDefaults(
            prefix=str(data.get("prefix", "ABC")), digits=int(data.get("digits", 6)),
            start=int(data.get("start", 1)), position=str(data.get("position", "lower-right")),
        )
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"a value has the wrong type ({exc})", path=path,
                            fix="digits and start are whole numbers") from exc
    errors, _ = check_bates(b)
    if errors:
        raise SettingsError("; ".join(errors), path=path, fix="correct it in Settings > Bates")
    return b


def save_bates(workspace: Workspace, b: BatesDefaults) -> None:
    errors, _ = check_bates(b)
    if errors:
        raise SettingsError("; ".join(errors), fix="correct the fields and save again")
    text = (
        "# Bates numbering defaults for new exhibit sets (edited in Settings > Bates).\n"
        "[bates]\n"
        f"prefix = {_toml_str(b.prefix)}\n"
        f"digits = {b.digits}\n"
        f"start = {b.start}\n"
        f"position = {_toml_str(b.position)}\n"
    )
    replace_settings_file(workspace, workspace.state / BATES_FILE, text)
