"""The watcher's settings come from `[watch]` of .intake/config.toml through the workspace's
one config reader: every mistake in the section names the file and its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_desktop.core.errors import UsageError, WorkspaceError
from intake_desktop.core.watch import load_watch_settings
from intake_desktop.core.workspace import Workspace, init_workspace, read_config


def _config(tmp_path: Path, watch: str) -> tuple[Workspace, Path, int]:
    """A workspace whose config.toml ends with `watch`; returns the line `watch` starts on."""
    ws = init_workspace(tmp_path / "w")
    base = ws.config_path.read_text(encoding="utf-8")
    if not base.endswith("\n"):
        base += "\n"
    ws.config_path.write_text(base + watch, encoding="utf-8")
    return ws, ws.config_path, base.count("\n") + 1


def test_good_watch_section_is_read(tmp_path: Path) -> None:
    _, config, _ = _config(tmp_path, "[watch]\nsettle = 0.5\nworkers = 3\nforce_polling = true\n")
    settings = load_watch_settings(config, workers=None)
    assert (settings.settle, settings.workers, settings.force_polling) == (0.5, 3, True)
    assert load_watch_settings(config, workers=5).workers == 5  # the command line wins


@pytest.mark.parametrize(
    ("section", "bad_line", "words"),
    [
        ('[watch]\nsettle = 0.5\nworkers = "many"\n', 2, r"\[watch\] workers must be a whole "),
        ("[watch]\nsetle = 1\n", 1, r"unknown setting \[watch\] setle"),
        ("[watch]\nworkers = 2\nsettle = -1\n", 2, r"\[watch\] settle must be above zero"),
        ("[watch]\nheartbeat_interval = 100\nstale_after = 150\n", 2,
         r"stale_after \(150.0\) must exceed twice heartbeat_interval"),
        ("[watch]\nsettle = 0.5\nworkers = 2 2\n", 2, "not valid TOML"),
        ("[[watch]]\nsettle = 1\n", 0, r"\[watch\] must be a table"),
    ],
)
def test_malformed_watch_section_names_file_and_line(
    tmp_path: Path, section: str, bad_line: int, words: str
) -> None:
    ws, config, start = _config(tmp_path, section)
    with pytest.raises(WorkspaceError, match=words) as info:
        load_watch_settings(config)
    message = info.value.message
    assert message.startswith(f"{config}: line {start + bad_line}"), message
    assert message.count(str(config)) == 1
    # The same reader the workspace uses: a syntax error reads the same from both.
    if "TOML" in words:
        with pytest.raises(WorkspaceError) as ws_info:
            ws.load_config()
        assert ws_info.value.message == message


def test_one_reader_gives_tables_and_lines(tmp_path: Path) -> None:
    _, config, start = _config(tmp_path, "[watch]\nsettle = 0.5\n")
    read = read_config(config)
    assert read.table("watch") == {"settle": 0.5}
    assert read.line("watch", "settle") == start + 1
    assert read.line("watch") == start
    assert read.table("engines") == {}
    missing = read_config(tmp_path / "none.toml")
    assert missing.data == {} and missing.table("watch") == {}


def test_command_line_value_stays_a_usage_error(tmp_path: Path) -> None:
    _, config, _ = _config(tmp_path, "[watch]\nsettle = 0.5\n")
    with pytest.raises(UsageError, match="workers must be positive"):
        load_watch_settings(config, workers=0)
