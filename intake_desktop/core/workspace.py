"""The workspace: folder layout, config file and where the ledger lives."""

from __future__ import annotations

import os
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from intake_desktop.core import shipped
from intake_desktop.core.errors import FilingError, WorkspaceError
from intake_desktop.core.paths import is_within, naming_rules_dir
from intake_desktop.core.toml_lines import line_of, syntax_error_line, table_line

APP_NAME = "Intake Desktop"
ENV_WORKSPACE = "INTAKE_WORKSPACE"
DEFAULT_PRESET = "litigation"

INTAKE = "Intake"
MATTERS = "Matters"
REVIEW = "Review"
EXPORTS = "Exports"
STATE = ".intake"
ORIGINALS = "_Originals"
DUPLICATES = "Duplicates"

CONFIG_TEMPLATE = """\
# Intake Desktop workspace settings. Edit with care; `intake-desktop` validates on start.

[workspace]
# The naming-rules preset this workspace started from (the active rules are rules.toml).
preset = "{preset}"

[ledger]
# SQLAlchemy URL of the ledger. Empty: .intake/ledger.sqlite on this disk.
# Shared setups: "postgresql+psycopg://user@server/intake"
url = ""

[seal]
# A second place for the ledger seals written after each batch (a firm share, a USB key).
# `ledger verify` compares the ledger with the newest seal found there.
mirror = ""

[intake]
# Extra watched folders (a scanner's output, a shared drive). Each entry:
#   {{ path = "/mnt/scans", matter = "", polling = false }}
folders = []
"""


def default_workspace_dir() -> Path:
    """The default workspace: the user's documents folder / Intake Desktop."""
    return Path(platformdirs.user_documents_dir()) / APP_NAME


def default_demo_dir() -> Path:
    """The demo workspace, kept apart from the user's real work."""
    return Path(platformdirs.user_documents_dir()) / f"{APP_NAME} Demo"


def user_cache_folder(env: str, name: str) -> Path | None:
    """A cache of the app's own in the user's cache folder (`<cache>/Intake Desktop/<name>`):
    None when the environment variable `env` is "0", its value when it names a folder."""
    chosen = os.environ.get(env, "").strip()
    if chosen == "0":
        return None
    if chosen:
        return Path(chosen)
    return Path(platformdirs.user_cache_dir(APP_NAME)) / name


def resolve_workspace_dir(explicit: str | os.PathLike[str] | None) -> Path:
    """--workspace wins, then INTAKE_WORKSPACE, then the platform default; a relative
    folder is taken from the current folder and made absolute."""
    if explicit:
        return Path(os.path.abspath(Path(explicit).expanduser()))
    env = os.environ.get(ENV_WORKSPACE)
    if env:
        return Path(os.path.abspath(Path(env).expanduser()))
    return default_workspace_dir()


@dataclass(frozen=True)
class IntakeFolder:
    path: Path
    matter: str = ""
    polling: bool = False


@dataclass(frozen=True)
class WorkspaceConfig:
    preset: str = DEFAULT_PRESET
    ledger_url: str = ""
    intake_folders: tuple[IntakeFolder, ...] = field(default_factory=tuple)
    # [seal] mirror: a second place (firm share, USB key) that gets a seal after each batch.
    seal_mirror: str = ""


@dataclass(frozen=True)
class ConfigFile:
    """`.intake/config.toml` as read once by `read_config`: its tables, and the line of each
    key, so that whoever checks a table (the workspace, the watcher) names the line."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)
    text: str = ""

    def line(self, table: str, key: str | None = None) -> int | None:
        """The line of `key` in `[table]` (of the header without a key); None if absent."""
        if key is None:
            return table_line(self.text, table)
        return line_of(self.text, key, table) or table_line(self.text, table)

    def error(self, what: str, *, table: str, key: str | None = None,
              fix: str = "") -> WorkspaceError:
        """A mistake in the file: `path: line N: what. Fix.`"""
        line = self.line(table, key)
        return WorkspaceError(f"line {line}: {what}" if line else what, path=self.path, fix=fix)

    def table(self, name: str, example: str = "") -> dict[str, Any]:
        """The `[name]` table ({} when the file has none); an error by line when `name` is
        there but not a table (`example` shows how it is written)."""
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise self.error(f"[{name}] must be a table", table=name,
                             fix=f"write it as:\n{example}" if example else
                             f'write it as a section: a line "[{name}]" and settings below')
        return value


def read_config(path: Path) -> ConfigFile:
    """The one reader of a workspace's config.toml (absent: an empty one). Not UTF-8 or not
    TOML is a `WorkspaceError` that names the file and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ConfigFile(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"the settings file cannot be read ({exc})", path=path,
                             fix="check its permissions, or restore it from a backup") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = syntax_error_line(exc)
        raise WorkspaceError(
            f"{f'line {line}: ' if line else ''}the settings file is not valid TOML ({exc})",
            path=path,
            fix="fix that line or restore the file from a backup",
        ) from exc
    return ConfigFile(path, data, text)


@dataclass(frozen=True)
class Workspace:
    """Paths of one workspace. Frozen: workers get it as-is."""

    root: Path

    @property
    def intake(self) -> Path:
        return self.root / INTAKE

    @property
    def matters(self) -> Path:
        return self.root / MATTERS

    @property
    def review(self) -> Path:
        return self.root / REVIEW

    @property
    def duplicates(self) -> Path:
        return self.review / DUPLICATES

    @property
    def exports(self) -> Path:
        return self.root / EXPORTS

    @property
    def state(self) -> Path:
        return self.root / STATE

    @property
    def work(self) -> Path:
        """Scratch space for conversions (same filesystem as Matters/)."""
        return self.state / "work"

    @property
    def ledger_path(self) -> Path:
        return self.state / "ledger.sqlite"

    @property
    def rules_path(self) -> Path:
        return self.state / "rules.toml"

    @property
    def config_path(self) -> Path:
        return self.state / "config.toml"

    @property
    def workspace_id_path(self) -> Path:
        """The workspace's id; the ledger records the same id (`ledger_attached`)."""
        return self.state / "workspace-id"

    def workspace_id(self) -> str | None:
        """The id written when a ledger was first attached (None before that: a workspace
        with an id has had a ledger, so an empty one beside its files is not it)."""
        try:
            text = self.workspace_id_path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise WorkspaceError(
                f"cannot read the workspace id ({exc.strerror})", path=self.workspace_id_path,
                fix="check the folder's permissions",
            ) from exc
        return text or None

    def matter_dir(self, matter: str) -> Path:
        return self.matters / matter

    def check_matter_folder(self, matter: str) -> Path:
        """The matter's folder under Matters/, refused (FilingError, nothing written) when
        the name is not one plain folder name or the folder, or one on the way to it, is a
        link or lies outside Matters/ (a planted link would send evidence elsewhere)."""
        name = matter.strip()
        if (not name or name in {".", ".."} or "/" in name or "\\" in name
                or "\0" in name or Path(name).is_absolute()):
            raise FilingError(
                f"the matter {matter!r} is not a plain folder name",
                fix="give the matter as "
                "one folder name, without / or .., for example --matter \"2024-0117 Reyes\"",
            )
        folder = self.matters / name
        for part in (self.matters, folder, folder / ORIGINALS):
            if part.is_symlink():
                raise FilingError(
                    f"the folder {part} is a link, and filing never follows links",
                    fix="replace the link with a real folder (ask an admin), then ingest again",
                )
        if folder.exists() and not is_within(folder, self.matters):
            raise FilingError(f"the matter folder {folder} lies outside Matters/",
                              fix="replace it with a real folder inside Matters/")
        return folder

    def originals_dir(self, matter: str) -> Path:
        return self.matter_dir(matter) / ORIGINALS

    def is_initialized(self) -> bool:
        return self.config_path.is_file()

    def default_ledger_url(self) -> str:
        return "sqlite:///" + self.ledger_path.resolve().as_posix()

    def load_config(self) -> WorkspaceConfig:
        if not self.config_path.is_file():
            return WorkspaceConfig()
        config = read_config(self.config_path)
        data = config.data
        ws = data.get("workspace", {})
        ledger = data.get("ledger", {})
        folders = []
        for entry in data.get("intake", {}).get("folders", []):
            if not isinstance(entry, dict) or "path" not in entry:
                raise config.error(
                    "each [intake] folders entry needs a path", table="intake", key="folders",
                    fix='write entries as { path = "/mnt/scans" }',
                )
            folders.append(
                IntakeFolder(
                    path=Path(str(entry["path"])).expanduser(),
                    matter=str(entry.get("matter", "")),
                    polling=bool(entry.get("polling", False)),
                )
            )
        seal = data.get("seal", {})
        return WorkspaceConfig(
            preset=str(ws.get("preset", DEFAULT_PRESET)),
            ledger_url=str(ledger.get("url", "")),
            intake_folders=tuple(folders),
            seal_mirror=str(seal.get("mirror", "")) if isinstance(seal, dict) else "",
        )


SHIPPED_PRESETS = ("litigation", "personal-injury", "immigration")


def available_presets() -> list[str]:
    """Shipped presets plus any rules file an admin added to naming_rules/.

    Raises `ShippedDataError` when the presets folder is missing (a broken installation).
    """
    found = {p.stem for p in naming_rules_dir().glob("*.toml")}
    return sorted(found | set(SHIPPED_PRESETS))


def read_preset(preset: str) -> str:
    """The text of a naming-rules preset; unreadable or not TOML is an error with a fix."""
    path = shipped.preset_file(preset)
    try:
        text = path.read_text(encoding="utf-8")
        tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise shipped.ShippedDataError(
            f"the naming-rules preset '{preset}' cannot be read ({exc})",
            path=path,
            fix=shipped.REINSTALL_FIX,
        ) from exc
    return text


def init_workspace(root: Path, preset: str = DEFAULT_PRESET) -> Workspace:
    """Create the layout (idempotent; never overwrites an existing file)."""
    presets = available_presets()
    if preset not in presets:
        raise WorkspaceError(
            f"unknown preset {preset!r}",
            fix=f"choose one of: {', '.join(presets)}",
        )
    read_preset(preset)  # before anything is created: a broken preset stops init
    ws = Workspace(root)
    try:
        for folder in (ws.root, ws.intake, ws.matters, ws.review, ws.exports, ws.state, ws.work):
            folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(
            f"cannot create the workspace ({exc.strerror})",
            path=root,
            fix="choose a folder you can write to, with --workspace DIR",
        ) from exc
    if not ws.config_path.exists():
        ws.config_path.write_text(CONFIG_TEMPLATE.format(preset=preset), encoding="utf-8")
    if not ws.rules_path.exists():
        shutil.copyfile(shipped.preset_file(preset), ws.rules_path)
    return ws


def open_workspace(root: Path, *, create: bool = False) -> Workspace:
    """Open an existing workspace; create it with the default preset when asked."""
    ws = Workspace(root)
    if ws.is_initialized():
        return ws
    if create:
        return init_workspace(root)
    raise WorkspaceError(
        "this folder is not an Intake Desktop workspace",
        path=root,
        fix=f"run `intake-desktop init --workspace \"{root}\"` first",
    )


def workspace_above(path: Path) -> Path | None:
    """The workspace folder `path` lies in (the nearest one above it), or None."""
    for folder in [path, *path.parents]:
        if Workspace(folder).is_initialized():
            return folder
    return None
