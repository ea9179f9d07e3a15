"""Court profiles: shipped data loads, admins override it, and bad files get precise errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_desktop.core.courts import (
    CourtProfileError,
    load_profile,
    load_profiles,
    parse_profile,
    parse_size,
)

GOOD = """\
id = "testct"
name = "Test Court"
file_limit = "10MB"
scan_dpi = 300

[sources]
file_limit = "https://example.org/limits"
"""


def _top(line: str) -> str:
    """GOOD with one more top-level line (line 5, before the [sources] table)."""
    return GOOD.replace("scan_dpi = 300\n", f"scan_dpi = 300\n{line}\n")


def test_shipped_profiles_load_with_sources_for_every_limit() -> None:
    profiles = load_profiles()
    expected = {
        "cacd": 35_000_000, "cand": 50_000_000, "utb": 8_000_000, "kyeb": 3_000_000,
        "gand": 15_000_000, "nyscef": 100_000_000, "tx-efile": 25_000_000,
        "ca-coa": 25_000_000, "fl-portal": 50_000_000, "il-efile": 25_000_000,
        "uscis": 6_000_000, "eoir-ecas": 25_000_000, "generic": 25_000_000, "ca2": None,
    }
    assert {k: profiles[k].file_limit_bytes for k in expected} == expected
    tx = profiles["tx-efile"]
    assert tx.submission_limit_bytes == 35_000_000
    assert tx.filename_max == 50
    assert tx.text_searchable and tx.page_points == (612.0, 792.0)
    assert profiles["eoir-ecas"].part_pattern == "{stem}_Part{n}.pdf"
    for profile in profiles.values():
        if profile.file_limit_bytes is not None:
            assert profile.sources["file_limit"]
    assert not profiles["generic"].remove_active_content
    assert profiles["nyscef"].annotations == "remove"


def test_workspace_profile_overrides_and_adds(tmp_path: Path) -> None:
    (tmp_path / "cacd.toml").write_text(GOOD.replace('"testct"', '"cacd"'), encoding="utf-8")
    (tmp_path / "new.toml").write_text(GOOD, encoding="utf-8")
    profiles = load_profiles(tmp_path)
    assert profiles["cacd"].file_limit_bytes == 10_000_000
    assert profiles["cacd"].path == tmp_path / "cacd.toml"
    assert load_profile("testct", tmp_path).name == "Test Court"
    assert load_profiles()["cacd"].file_limit_bytes == 35_000_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace('"10MB"', '"10 parsecs"'), ["line 3", "file_limit", "25MB"]),
        (GOOD.replace("scan_dpi = 300", "scan_dpi = 5000"), ["line 4", "scan_dpi", "72-1200"]),
        (GOOD.replace("scan_dpi = 300", 'scan_dpi = "high"'), ["line 4", "whole number"]),
        (_top('part_pattern = "{stem}.pdf"'), ["line 5", "part_pattern", "{n}"]),
        (GOOD.replace('id = "testct"', 'id = "Bad Id!"'), ["line 1", "id"]),
        (GOOD.replace('file_limit = "https://example.org/limits"', ""), ["file_limit", "source"]),
        (GOOD.replace('file_limit = "10MB"\n', ""), ["file_limit", "missing"]),
        (_top("colour = true"), ["line 5", "colour", "unknown field"]),
        (GOOD + 'colour = "x"\n', ["line 8", "sources.colour", "not a profile field"]),
        (_top('page_size = "tabloid"'), ["line 5", "page_size", '"letter"']),
        (GOOD.replace('name = "Test Court"', "name = Test Court"), ["not valid TOML", "line 2"]),
    ],
)
def test_bad_profile_errors_name_file_line_and_field(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CourtProfileError) as info:
        parse_profile(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in expected:
        assert fragment in message


def test_bad_admin_profile_stops_loading_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "oops.toml").write_text(GOOD.replace('"10MB"', "-3"), encoding="utf-8")
    with pytest.raises(CourtProfileError, match=r"oops\.toml"):
        load_profiles(tmp_path)


def test_unknown_court_lists_known_ones() -> None:
    with pytest.raises(CourtProfileError) as info:
        load_profile("atlantis")
    assert "atlantis" in str(info.value) and "cacd" in str(info.value)


def test_sizes_are_decimal_megabytes_unless_mib() -> None:
    assert parse_size("35MB") == 35_000_000
    assert parse_size("1.5 MB") == 1_500_000
    assert parse_size("24MiB") == 24 * 1024 * 1024
    assert parse_size("500kb") == 500_000
    assert parse_size(1234) == 1234
    for bad in ("", "MB", "-1MB", "12 furlongs", True, 0):
        with pytest.raises(ValueError):
            parse_size(bad)
