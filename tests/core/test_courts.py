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
    assert profiles["generic"].remove_active_content  # issue 24 item 10
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


def test_profiles_carry_the_courts_layout_and_name_rules_with_sources() -> None:
    profiles = load_profiles()
    ny = profiles["nyscef"]
    assert ny.pdfa_required and ny.pdfa_preferred
    assert ny.margins_in == 1.0 and ny.filename_max is None and ny.text_searchable
    assert "pdfa" in ny.sources and "margins_in" in ny.sources
    assert profiles["cand"].pdfa_preferred and not profiles["cand"].pdfa_required
    tx = profiles["tx-efile"]
    assert tx.filename_max == 50 and tx.filename_chars == "letters-digits"
    assert tx.colour_dpi == 600 and "colour_dpi" in tx.sources
    assert profiles["il-efile"].page_points == (612.0, 792.0)
    assert "page_size" in profiles["il-efile"].sources
    fl = profiles["fl-portal"]
    first, rest = fl.blank_areas
    assert (first.pages, first.corner, first.width_in, first.height_in) == (
        "first", "upper-right", 3.0, 3.0)
    assert (rest.pages, rest.width_in, rest.height_in) == ("rest", 3.0, 1.0)
    assert first.rect(612, 792) == (396.0, 576.0, 612.0, 792.0)
    assert first.applies(1) and not first.applies(2) and rest.applies(2)
    assert fl.margins_in == 1.0 and "blank_areas" in fl.sources
    coa = profiles["ca-coa"]
    assert coa.split_cover_page and coa.bookmarks_required
    assert "8.74" in coa.sources["split_cover_page"]
    assert profiles["cacd"].split_cover_page


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('pdfa = "always"', ["line 5", "pdfa", '"required"']),
        ("margins_in = 9", ["line 5", "margins_in", "inches"]),
        ("colour_dpi = 5", ["line 5", "colour_dpi", "72-1200"]),
        ('filename_chars = "ascii"', ["line 5", "filename_chars", '"letters-digits"']),
        ("margins_in = 1", ["margins_in", "no source"]),
        ('pdfa = "required"', ["pdfa", "no source"]),
        ("[[blank_areas]]\npages = \"first\"\nwidth_in = 3\nheight_in = 3\nshade = 1",
         ["line 10", "blank_areas.shade", "unknown field"]),
        ("[[blank_areas]]\npages = \"odd\"\nwidth_in = 3\nheight_in = 3",
         ["line 7", "blank_areas.pages", '"first"']),
        ("[[blank_areas]]\npages = \"first\"\nwidth_in = 0\nheight_in = 3",
         ["line 8", "blank_areas.width_in", "inches"]),
    ],
)
def test_new_fields_are_validated_with_line_numbers(
    tmp_path: Path, extra: str, expected: list[str]
) -> None:
    text = GOOD.replace("scan_dpi = 300\n", f"scan_dpi = 300\n{extra}\n")
    if extra.startswith("[["):  # a table array goes after the top-level keys, before [sources]
        text = GOOD.replace("[sources]", f"{extra}\n\n[sources]")
        text = text.replace("[sources]\n", '[sources]\nblank_areas = "test"\n')
    path = tmp_path / "new.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CourtProfileError) as info:
        parse_profile(path)
    message = str(info.value)
    for fragment in expected:
        assert fragment in message, message


def test_texas_names_keep_whole_words_and_only_letters_and_digits(tmp_path: Path) -> None:
    from intake_desktop.core.pdf.split import part_name

    tx = load_profile("tx-efile")
    stem = "2024-03-05 Records from Saint Mercy Medical Center 2024 (certified)"
    single = part_name("{stem}.pdf", stem, 1, 1, tx.filename_max, tx.filename_chars)
    assert len(single) <= 50 and single.endswith(".pdf")
    assert single[:-4].isalnum()
    assert single == "20240305RecordsFromSaintMercyMedicalCenter2024.pdf"
    part = part_name(tx.part_pattern, stem, 2, 3, tx.filename_max, tx.filename_chars)
    assert len(part) <= 50 and part.endswith("Part2Of3.pdf") and part[:-4].isalnum()
    # Without the character rule a long name is cut between words, never inside one.
    cut = part_name("{stem}.pdf", "Medical records from Saint Mercy Medical Center 2024",
                    1, 1, 50)
    assert cut == "Medical records from Saint Mercy Medical.pdf"
    assert not cut.endswith(" 202.pdf")
