"""The exhibit-set spec: valid files load; mistakes name the file, line and field."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from intake_desktop.core.exhibits.labels import (
    LabelScheme,
    bates_text,
    exhibit_id,
    file_stem,
    full_label,
    letters,
    letters_to_number,
    page_label,
)
from intake_desktop.core.exhibits.spec import SpecError, dump_spec, load_spec, parse_spec
from intake_desktop.core.pdf.stamp import Corner

GOOD = """\
[set]
name = "Doe immigration packet"
label_scheme = "letters"
label_prefix = "Exhibit"
stamp_position = "upper left"
font_size = 9
page_labels = true

[bates]
prefix = "DOE"
suffix = "-CONF"
digits = 7
start = 1001

[[exhibit]]
file = "passport.pdf"
description = "Proof of citizenship"
date = "2023-06-01"

[[exhibit]]
document = 12
description = "Birth certificate"

[[exhibit]]
sha256 = "AB12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12"
description = "Translation"
date = 2023-07-04
"""


def test_valid_spec_loads(tmp_path: Path) -> None:
    path = tmp_path / "doe.toml"
    path.write_text(GOOD, encoding="utf-8")
    spec = load_spec(path)
    assert spec.name == "Doe immigration packet"
    assert spec.label_scheme is LabelScheme.LETTERS
    assert spec.stamp_position is Corner.TOP_LEFT
    assert spec.font_size == 9 and spec.page_labels and spec.slip_sheets
    assert spec.bates is not None
    assert (spec.bates.prefix, spec.bates.suffix, spec.bates.digits, spec.bates.start) == (
        "DOE", "-CONF", 7, 1001)
    first, second, third = spec.exhibits
    assert first.file == tmp_path / "passport.pdf"
    assert first.date == dt.date(2023, 6, 1)
    assert second.document_id == 12 and second.file is None
    assert third.sha256 == "ab12" * 16 and third.date == dt.date(2023, 7, 4)
    assert [e.line for e in spec.exhibits] == [15, 20, 24]
    assert third.amount == ""
    spec2 = parse_spec(GOOD.replace('description = "Translation"',
                                    'description = "Translation"\namount = "1,250"'), path)
    assert spec2.exhibits[2].amount == "1,250.00"
    assert spec.warnings == ()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('date = "2023-06-01"', 'date = "June 1st"'),
         "line 18, exhibit 1 'date': 'June 1st' is not a date"),
        (("document = 12", "document = 12\nwitnes = \"x\""),
         "line 22, exhibit 2: unknown key 'witnes'"),
        (('description = "Birth certificate"', 'description = ""'),
         "line 22, exhibit 2 'description': must not be empty"),
        (("document = 12\n", ""), "line 20, exhibit 2: needs exactly one of file"),
        (('label_scheme = "letters"', 'label_scheme = "roman"'),
         "line 3, [set] 'label_scheme': unknown scheme 'roman'"),
        (('stamp_position = "upper left"', 'stamp_position = "middle"'),
         "line 5, [set] 'stamp_position': unknown position 'middle'"),
        (("digits = 7", "digits = 2"), "line 12, [bates] 'digits': 2 is too few: Bates numbers "
                                       "are zero-padded to 6 to 15 digits"),
        (("digits = 7", "digits = 5"), "line 12, [bates] 'digits': 5 is too few"),
        (("digits = 7", "digits = 16"), "line 12, [bates] 'digits': must be a number from 6 "
                                        "to 15"),
        (("start = 1001", "start = 0"), "line 13, [bates] 'start': must be a whole number"),
        (('sha256 = "AB12', 'sha256 = "ZZ12'), "line 25, exhibit 3 'sha256': is not a SHA-256"),
        (("font_size = 9", "font_size = true"), "line 6, [set] 'font_size': must be a number"),
        (("font_size = 9", 'font_size = 9\nfont = "comic"'),
         "line 7, [set] 'font': unknown font 'comic'"),
        (('name = "Doe immigration packet"\n', ""), "line 1, [set]: 'name' is missing"),
        (('description = "Translation"', 'description = "Translation"\namount = "lots"'),
         "line 27, exhibit 3 'amount': 'lots' is not an amount"),
    ],
)
def test_mistakes_name_the_line_and_field(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    path = tmp_path / "bad.toml"
    assert change[0] in GOOD
    path.write_text(GOOD.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {expected}"), message


def test_toml_syntax_error_and_empty_set(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="not valid TOML"):
        parse_spec("[set\nname=1", tmp_path / "x.toml")
    with pytest.raises(SpecError, match="the set has no exhibits"):
        parse_spec('[set]\nname = "x"\n', tmp_path / "x.toml")
    with pytest.raises(SpecError, match=r"line 9, exhibit 1 entry 1 'pages': '4-2'"):
        parse_spec(
            '[set]\nname = "x"\n[[exhibit]]\nfile = "a.pdf"\ndescription = "d"\n'
            '[[exhibit.entry]]\ndate = 2024-01-01\ndescription = "v"\npages = "4-2"\n',
            tmp_path / "x.toml",
        )


def test_prefix_ending_in_a_digit_warns(tmp_path: Path) -> None:
    spec = parse_spec(GOOD.replace('prefix = "DOE"', 'prefix = "DOE2"'), tmp_path / "x.toml")
    (warning,) = spec.warnings
    assert "'DOE2' ends in a digit" in warning and "DOE20000001" in warning


def test_letters_follow_spreadsheet_order() -> None:
    assert [letters(n) for n in (1, 2, 26, 27, 28, 52, 53, 702, 703)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]
    assert all(letters_to_number(letters(n)) == n for n in range(1, 2000))
    with pytest.raises(ValueError):
        letters(0)


def test_label_texts() -> None:
    assert full_label("Pltf. Ex.", exhibit_id(LabelScheme.NUMBERS, 3)) == "Pltf. Ex. 3"
    assert full_label("Def. Ex.", exhibit_id(LabelScheme.LETTERS, 27)) == "Def. Ex. AA"
    assert full_label("Joint Ex.", "1") == "Joint Ex. 1"
    assert full_label("", "A") == "Exhibit A"
    assert page_label("3", 2) == "Ex. 3 - p. 2"
    assert bates_text("SMITH-", 42, 6, "-C") == "SMITH-000042-C"
    assert file_stem('Ex. 1: "draft"?') == "Ex. 1- -draft--"


def test_dump_reads_back_to_the_same_spec(tmp_path: Path) -> None:
    """The window will edit specs: what it writes must load to the same values."""
    text = GOOD.replace('description = "Translation"',
                        'description = "Translation \\"certified\\" ñ"\namount = 99.5\n'
                        'witness = "Ana"') + (
        '[[exhibit.entry]]\ndate = 2023-07-05\ndescription = "second page"\npages = "2-3"\n'
        'provider = "Clinic"\n'
    )
    path = tmp_path / "doe.toml"
    spec = parse_spec(text, path)
    again = parse_spec(dump_spec(spec), path)
    strip = [replace(e, line=0) for e in spec.exhibits]
    assert [replace(e, line=0) for e in again.exhibits] == strip
    assert replace(again, exhibits=(), warnings=()) == replace(spec, exhibits=(), warnings=())
    assert again.exhibits[2].entries[0].first_page == 2
    letters_spec = parse_spec(text.replace('label_scheme = "letters"',
                                           'label_scheme = "letters"\nfirst_label = "AC"'), path)
    assert parse_spec(dump_spec(letters_spec), path).first_label == 29


def test_file_stems_stay_short() -> None:
    long_name = ("Estate of Johnson v. Consolidated Freight Lines, Inc. et al. - "
                 "Plaintiff's exhibits")
    stem = file_stem(long_name)
    assert len(stem) <= 60 and stem.startswith("Estate of Johnson v. Consolidated")
    assert not stem.endswith((" ", "."))


def test_labels_and_their_files_sort_naturally() -> None:
    from pathlib import PurePath

    from intake_desktop.core.exhibits.labels import natural_key, natural_path_key

    labels = ["Def. Ex. AA", "Def. Ex. B", "Def. Ex. Z", "Def. Ex. A", "Def. Ex. AB",
              "Def. Ex. BA"]
    assert sorted(labels, key=natural_key) == [
        "Def. Ex. A", "Def. Ex. B", "Def. Ex. Z", "Def. Ex. AA", "Def. Ex. AB", "Def. Ex. BA"]
    assert sorted(["Pltf. Ex. 10", "Pltf. Ex. 2", "Pltf. Ex. 1"], key=natural_key) == [
        "Pltf. Ex. 1", "Pltf. Ex. 2", "Pltf. Ex. 10"]
    files = [PurePath("Exhibits/Def. Ex. AA.pdf"), PurePath("Exhibits/Def. Ex. B.pdf"),
             PurePath("Exhibits/Def. Ex. AA (Part 2 of 2).pdf"),
             PurePath("Exhibits/Def. Ex. AA (Part 10 of 12).pdf")]
    assert [p.name for p in sorted(files, key=natural_path_key)] == [
        "Def. Ex. B.pdf", "Def. Ex. AA (Part 2 of 2).pdf", "Def. Ex. AA (Part 10 of 12).pdf",
        "Def. Ex. AA.pdf"]


def test_new_fields_load_and_read_back(tmp_path: Path) -> None:
    """Issue 22 fields: caption, stamp preference list, shrinking, range separator, kinds."""
    text = GOOD.replace('[bates]', '[caption]\ncase_number = "2:24-cv-01234"\n'
                        'judge = "Hon. Ana Ruiz"\nplaintiff = "Maria Reyes"\n'
                        'party = "Defendant"\n\n[bates]\nrange_separator = " to "') \
        .replace('stamp_position = "upper left"',
                 'stamp_positions = ["upper left", "bottom-right"]\nshrink_to_fit = false') \
        .replace('description = "Translation"', 'description = "Translation"\nkind = "Event"')
    path = tmp_path / "doe.toml"
    spec = parse_spec(text, path)
    assert spec.stamp_positions == (Corner.TOP_LEFT, Corner.BOTTOM_RIGHT)
    assert spec.stamp_position is Corner.TOP_LEFT and spec.shrink_to_fit is False
    assert (spec.caption.case_number, spec.caption.party) == ("2:24-cv-01234", "defendant")
    assert spec.bates is not None and spec.bates.range("A-1", "A-2") == "A-1 to A-2"
    assert spec.exhibits[2].kind == "event"
    assert spec.backing is False  # the white box is opt-in
    again = parse_spec(dump_spec(spec), path)
    assert replace(again, exhibits=(), warnings=()) == replace(spec, exhibits=(), warnings=())
    with pytest.raises(SpecError, match="'party': unknown party 'court'"):
        parse_spec(text.replace('party = "Defendant"', 'party = "court"'), path)
    with pytest.raises(SpecError, match="'stamp_positions': unknown position 'middle'"):
        parse_spec(text.replace('"bottom-right"]', '"middle"]'), path)
    with pytest.raises(SpecError, match=r"\[caption\]: unknown key 'judges'"):
        parse_spec(text.replace("judge =", "judges ="), path)
