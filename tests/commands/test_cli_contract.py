"""The command-line contract of issue 21: one message style, exit codes, one grammar.

Every row of TABLE runs a command's error path in-process (the real parser, handlers,
workspace, ledger and files) from a folder outside the workspace and checks the exit code
and the shape of what it printed: each message once on stderr, `intake-desktop[ cmd]:
error: ` then a sentence-case sentence naming the file once and a second sentence saying
what to do; no other failure label; nothing of the message on stdout.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from intake_desktop.cli import build_parser, main
from intake_desktop.commands.common import subparsers_of
from intake_desktop.core.paths import naming_rules_dir
from tests.exhibit_pdfs import text_pdf


@dataclass
class Ran:
    code: int
    out: str
    err: str


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> Ran:
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse: usage errors and --help
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return Ran(code, out, err)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """A workspace with one filed PDF, and the inputs the error paths need; the current
    folder is another folder (`elsewhere`)."""
    monkeypatch.delenv("INTAKE_WORKSPACE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # the default workspace lives there
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "home" / "Documents"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    ws = tmp_path / "Firm Files ñ"
    assert run_main(capsys, "init", "--workspace", str(ws)).code == 0
    (ws / ".intake" / "rules.toml").unlink()  # built-in routing: the letter is filed
    pdf = text_pdf(tmp_path / "upload" / "letter.pdf", 2, "Letter")
    done = run_main(capsys, "ingest", str(pdf), "--matter", "2024-0117 Reyes", "--workspace",
                    str(ws), "--json")
    assert done.code == 0, done.err
    filed = json.loads(done.out)["path"]
    (tmp_path / "specs").mkdir()
    text_pdf(tmp_path / "specs" / "exhibit.pdf", 3, "Exhibit")
    (tmp_path / "specs" / "roman.toml").write_text(
        '[set]\nname = "X"\nlabel_scheme = "roman"\n'
        '[[exhibit]]\nfile = "exhibit.pdf"\ndescription = "A"\n', encoding="utf-8")
    (tmp_path / "specs" / "mixed.toml").write_text(
        '[set]\nname = "Reyes v. Acme"\n[bates]\nprefix = "REY"\n'
        '[[exhibit]]\nfile = "exhibit.pdf"\ndescription = "Letter"\n'
        '[[exhibit]]\ndocument = 1\ndescription = "Filed record"\n', encoding="utf-8")
    (tmp_path / "notseal.json").write_text("not json at all", encoding="utf-8")
    bad_rules = tmp_path / "bad-rules.toml"
    text = (naming_rules_dir() / "litigation.toml").read_text(encoding="utf-8")
    (tmp_path / "good-rules.toml").write_text(text, encoding="utf-8")
    bad_rules.write_text(text.replace('folder = "Depositions"', 'folder = "{{ nope }}"', 1),
                         encoding="utf-8")
    (tmp_path / "full-out").mkdir()
    (tmp_path / "full-out" / "keep.txt").write_text("keep", encoding="utf-8")
    (tmp_path / "custody.csv").write_text("already here", encoding="utf-8")
    return {"ws": str(ws), "pdf": str(pdf), "filed": filed, "tmp": str(tmp_path),
            "nows": str(tmp_path / "not a workspace")}


# (name, argv with {placeholders}, exit code, text the message must contain)
TABLE: list[tuple[str, list[str], int, str]] = [
    ("unknown preset", ["init", "--workspace", "{tmp}/new", "--preset", "criminal"], 2,
     "Unknown preset 'criminal'"),
    ("other preset on a workspace", ["init", "--workspace", "{ws}", "--preset", "immigration"],
     2, "--switch-rules"),
    ("unknown court", ["fit", "{pdf}", "--court", "nosuchcourt", "--out", "o"], 2,
     "Unknown court 'nosuchcourt'"),
    ("fit without a limit", ["fit", "{pdf}", "--out", "o"], 2, "--limit"),
    ("fit bad limit", ["fit", "{pdf}", "--limit", "lots", "--out", "o"], 2, "25MB"),
    ("unknown label scheme", ["exhibits", "check", "{tmp}/specs/roman.toml"], 2, "roman"),
    ("missing spec", ["exhibits", "check", "{tmp}/specs/none.toml"], 2, "none.toml"),
    ("exhibits out not empty", ["exhibits", "build", "{tmp}/specs/mixed.toml", "--out",
                                "{tmp}/full-out", "--workspace", "{ws}"], 1, "not empty"),
    ("history unknown id", ["ledger", "history", "999", "--workspace", "{ws}"], 2,
     "No document in the ledger matches '999'"),
    ("seal missing", ["ledger", "verify", "--seal", "nothere.json", "--workspace", "{ws}"], 2,
     "no such seal file"),
    ("not a seal", ["ledger", "verify", "--seal", "{tmp}/notseal.json", "--workspace", "{ws}"],
     2, "this file is not a ledger seal"),
    ("export format clash", ["ledger", "export", "--format", "csv", "--json", "--workspace",
                             "{ws}"], 2, "--json"),
    ("export over a file", ["ledger", "export", "--out", "{tmp}/custody.csv", "--workspace",
                            "{ws}"], 2, "already exists"),
    ("ingest missing file", ["ingest", "{tmp}/missing.pdf", "--workspace", "{ws}"], 1,
     "missing.pdf: no such file"),
    ("ingest without paths", ["ingest", "--workspace", "{ws}"], 2, "PATH"),
    ("not a workspace", ["ledger", "verify", "--workspace", "{nows}"], 1,
     "not an Intake Desktop workspace"),
    ("watch not a workspace", ["watch", "--once", "--workspace", "{nows}"], 1,
     "not an Intake Desktop workspace"),
    ("watch bad workers", ["watch", "--once", "--workers", "0", "--workspace", "{ws}"], 2,
     "workers"),
    ("rules check problems", ["rules", "check", "{tmp}/bad-rules.toml"], 1, "1 problem in"),
    ("rules check missing", ["rules", "check", "{tmp}/nothere.toml"], 2,
     "nothere.toml: no such rules file"),
    ("preview missing rules", ["rules", "preview", "{pdf}", "--rules", "{tmp}/nothere.toml",
                               "--workspace", "{ws}"], 2, "nothere.toml: no such rules file"),
    ("unknown option", ["ledger", "export", "--bogus", "--workspace", "{ws}"], 2,
     "Unrecognized arguments: --bogus"),
    ("gui --json", ["gui", "--json"], 2, "--json"),
    ("--json gui", ["--json", "gui"], 2, "--json"),
    ("demo on a real workspace", ["demo", "--workspace", "{ws}"], 1, "already has documents"),
    ("demo with --db", ["demo", "--db", "sqlite:///x.db"], 2, "--db"),
]

LINE = re.compile(r"^intake-desktop(?: [a-z-]+)*: (error|warning): (.*)$")


def check_shape(ran: Ran, world: dict[str, str]) -> None:
    lines = [line for line in ran.err.splitlines() if line.strip()]
    messages = [line for line in lines if LINE.match(line)]
    assert messages, ran.err
    others = [line for line in lines if not LINE.match(line)]
    # argparse's usage lines are the only other text on stderr
    assert all(o.startswith(("usage:", " ")) for o in others), others
    assert len(messages) == len(set(messages)), "a message was printed twice"
    for line in messages:
        m = LINE.match(line)
        assert m is not None
        text = m.group(2)
        starts_with_file = re.match(r"^(/|[^ ]*\.[A-Za-z0-9]+: )", text) is not None
        assert text[0].isupper() or text[0] in "`'\"-0123456789" or starts_with_file, text
        assert text.endswith("."), text
        lowercase = re.search(r"(?<![Ee]\.g)(?<![Ii]\.e)[.!?] [a-z]", text)
        assert lowercase is None, f"lowercase after a full stop: {text}"
        if m.group(1) == "error":
            assert ". " in text or "; " in text, f"says what to do: {text}"
        for path in (world["ws"], world["pdf"], world["tmp"] + "/missing.pdf"):
            assert text.count(path) <= 1, f"path repeated: {text}"
    for label in ("ERROR", "FAILED", "Error:"):
        assert label not in ran.err and label not in ran.out
    for line in messages:
        assert LINE.match(line).group(2) not in ran.out  # type: ignore[union-attr]


@pytest.mark.parametrize(("name", "argv", "code", "needle"), TABLE, ids=[t[0] for t in TABLE])
def test_error_paths_exit_codes_and_message_shape(
    world: dict[str, str], capsys: pytest.CaptureFixture[str],
    name: str, argv: list[str], code: int, needle: str,
) -> None:
    args = [a.format(**world) for a in argv]
    ran = run_main(capsys, *args)
    assert ran.code == code, (name, ran.code, ran.err)
    assert needle in ran.err, ran.err
    check_shape(ran, world)
    if "Unrecognized" in needle:
        assert ran.err.startswith("usage: intake-desktop ledger export")


def test_plural_aware_counts(world: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    again = run_main(capsys, "ingest", world["pdf"], "--matter", "2024-0117 Reyes",
                     "--workspace", world["ws"])
    assert again.code == 0
    assert again.out.splitlines()[-1] == "0 filed, 0 to review, 1 duplicate, 0 ignored, 0 errors"
    ran = run_main(capsys, "exhibits", "check", f"{world['tmp']}/specs/mixed.toml",
                   "--workspace", world["ws"])
    assert ran.code == 0, ran.err
    assert "valid, 2 exhibits, 5 pages" in ran.out
    assert "Exhibit 1: 3 pages" in ran.out and "Exhibit 2: 2 pages" in ran.out
    ran = run_main(capsys, "ledger", "seal", "--workspace", world["ws"])
    assert re.search(r"Sealed \d+ events", ran.out)
    ran = run_main(capsys, "fit", world["pdf"], "--limit", "25MB", "--out", "court")
    assert ran.code == 0, ran.err
    assert "1 file, 2 pages" in ran.out and "(s)" not in ran.out


def test_init_on_an_existing_workspace(world: dict[str, str],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    ws = Path(world["tmp"]) / "lit"
    world = {**world, "ws": str(ws)}
    assert run_main(capsys, "init", "--workspace", str(ws), "--preset", "litigation").code == 0
    before = (ws / ".intake" / "rules.toml").read_bytes()
    ran = run_main(capsys, "init", "--workspace", world["ws"], "--preset", "immigration")
    assert ran.code == 2
    assert "already a workspace whose naming rules are the litigation preset" in ran.err
    assert (ws / ".intake" / "rules.toml").read_bytes() == before
    ran = run_main(capsys, "init", "--workspace", world["ws"])
    assert ran.code == 0 and "nothing was changed" in ran.out
    ran = run_main(capsys, "init", "--workspace", world["ws"], "--preset", "immigration",
                   "--switch-rules", "--json")
    assert ran.code == 0, ran.err
    record = json.loads(ran.out)
    kept = Path(record["previous_rules"])
    assert kept.read_bytes() == before and kept.parent == ws / ".intake" / "rules-previous"
    assert (ws / ".intake" / "rules.toml").read_bytes() == (
        naming_rules_dir() / "immigration.toml").read_bytes()
    export = run_main(capsys, "ledger", "export", "--json", "--workspace", world["ws"])
    changes = [json.loads(x) for x in export.out.splitlines()]
    assert changes[-1]["kind"] == "rules_changed"
    assert changes[-1]["rules_version"] == record["rules_version"] or (
        record["rules_version"] in json.dumps(changes[-1]))


# ---- one grammar --------------------------------------------------------------------------


def all_parsers() -> list[tuple[str, argparse.ArgumentParser]]:
    found: list[tuple[str, argparse.ArgumentParser]] = []

    def walk(prefix: str, parser: argparse.ArgumentParser) -> None:
        for name, sub in subparsers_of(parser):
            found.append((f"{prefix} {name}".strip(), sub))
            walk(f"{prefix} {name}", sub)

    walk("", build_parser())
    return found


def test_every_subcommand_help_describes_every_argument_and_default() -> None:
    parsers = all_parsers()
    names = {n for n, _ in parsers}
    assert {"init", "ingest", "watch", "fit", "demo", "gui", "rules check", "rules preview",
            "ledger verify", "ledger seal", "ledger export", "ledger history",
            "exhibits build", "exhibits check"} <= names
    for name, parser in parsers:
        assert parser.description, f"{name} has no description"
        text = parser.format_help()
        assert text.count("\n") > 3
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                continue
            label = "/".join(action.option_strings) or action.dest
            assert action.help, f"{name}: {label} has no help text"
            default = action.default
            if action.option_strings and default not in (None, False, argparse.SUPPRESS):
                assert "default" in (action.help or "").lower() or "(default:" in text, (
                    name, label)
        opts = parser._option_string_actions
        for option in ("--workspace", "--db", "--as", "--passphrase-stdin", "--role"):
            assert option in opts, f"{name} does not take {option}"
        assert ("--json" in opts) == (name.split()[0] != "gui"), name
    watch = dict(parsers)["watch"].format_help()
    assert re.search(r"--settle S\s+seconds[^()]*\(default: 0\.25\)", watch)
    demo = dict(parsers)["demo"].format_help()
    assert demo.count("default") == demo.count("(default") and "Documents/Intake Desktop)" \
        not in demo.split("--workspace DIR", 1)[1].split("--db", 1)[0]


@pytest.mark.parametrize("argv", [
    ["--workspace", "{ws}", "--json", "ledger", "verify"],
    ["ledger", "--workspace", "{ws}", "verify", "--json"],
    ["ledger", "verify", "--json", "--workspace", "{ws}"],
    ["rules", "--workspace", "{ws}", "--json", "check", "{tmp}/good-rules.toml"],
    ["exhibits", "--json", "check", "{tmp}/specs/mixed.toml", "--workspace", "{ws}"],
])
def test_global_options_before_or_after_the_subcommand(
    world: dict[str, str], capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    ran = run_main(capsys, *[a.format(**world) for a in argv])
    assert ran.code == 0, ran.err
    record = json.loads(ran.out.splitlines()[0])
    assert record["ok"] is True


def test_json_everywhere_with_the_export_shapes(
    world: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    ws = world["ws"]
    export = run_main(capsys, "ledger", "export", "--json", "--workspace", ws)
    rows = [json.loads(line) for line in export.out.splitlines()]
    assert rows and all(isinstance(r["detail"], dict) for r in rows)
    same = run_main(capsys, "ledger", "export", "--format", "json", "--workspace", ws)
    assert same.out == export.out
    doc = next(r["document_id"] for r in rows if r["kind"] == "filed")
    history = run_main(capsys, "ledger", "history", str(doc), "--json", "--workspace", ws)
    trail = [json.loads(line) for line in history.out.splitlines()]
    assert trail == [r for r in rows if r["document_id"] == doc]
    assert isinstance(trail[0]["detail"], dict)
    human = run_main(capsys, "ledger", "history", str(doc), "--workspace", ws)
    first = human.out.splitlines()[1].split()
    assert first[0] == str(trail[0]["seq"]) and first[1] == str(doc)
    for argv in (["init", "--workspace", ws], ["ledger", "seal", "--workspace", ws],
                 ["rules", "preview", world["pdf"], "--matter", "M", "--workspace", ws],
                 ["watch", "--once", "--workspace", ws],
                 ["fit", world["pdf"], "--limit", "25MB", "--out", "o2", "--workspace", ws],
                 ["exhibits", "check", f"{world['tmp']}/specs/mixed.toml"]):
        ran = run_main(capsys, *argv, "--json")
        assert ran.code == 0, (argv, ran.err)
        for line in ran.out.splitlines():
            assert isinstance(json.loads(line), dict), (argv, line)


def test_exhibits_check_without_a_workspace_validates_the_files(
    world: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    ran = run_main(capsys, "exhibits", "check", f"{world['tmp']}/specs/mixed.toml", "--json")
    assert ran.code == 0, ran.err
    record = json.loads(ran.out)
    assert [(e["label"], e["pages"]) for e in record["exhibits"]] == [("Exhibit 1", 3)]
    assert [(u["label"], u["source"]) for u in record["unchecked"]] == [
        ("Exhibit 2", "document 1")]
    human = run_main(capsys, "exhibits", "check", f"{world['tmp']}/specs/mixed.toml")
    assert "build" not in human.out + human.err
    assert "--workspace" in human.out


def test_unknown_option_prints_the_subcommands_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ran = run_main(capsys, "rules", "check", "--nope")
    assert ran.code == 2
    assert ran.err.startswith("usage: intake-desktop rules check")
    assert "intake-desktop rules check: error: Unrecognized arguments: --nope." in ran.err


# ---- paths --------------------------------------------------------------------------------


def test_relative_paths_resolve_against_the_current_folder_and_are_printed(
    world: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Path(world["ws"])
    here = Path.cwd()
    ran = run_main(capsys, "fit", world["pdf"], "--limit", "25MB", "--out", "Exports/court",
                   "--workspace", str(ws))
    assert ran.code == 0, ran.err
    out_dir = here / "Exports" / "court"
    assert f"Writing to {out_dir}" in ran.out
    assert [p.name for p in out_dir.iterdir()] == ["letter.pdf"]
    assert not (ws / "Exports" / "court").exists()

    seal = json.loads(run_main(capsys, "ledger", "seal", "--json", "--workspace",
                               str(ws)).out)["seal"]
    relative = Path(seal).relative_to(ws)
    ran = run_main(capsys, "ledger", "verify", "--seal", str(relative), "--workspace", str(ws))
    assert ran.code == 2
    assert f"{here / relative}: no such seal file." in ran.err  # said where it looked
    monkeypatch.chdir(ws)
    ran = run_main(capsys, "ledger", "verify", "--seal", str(relative), "--workspace", ".")
    assert ran.code == 0, ran.err
    assert f"Seal matched: {seal} (the first " in ran.out
    ran = run_main(capsys, "ledger", "export", "--out", "custody.csv", "--workspace", str(ws))
    assert ran.code == 0 and ran.out.strip() == f"Wrote {ws / 'custody.csv'}"
    assert (ws / "custody.csv").read_text().startswith("seq,at,kind")


def test_every_help_command_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """`intake-desktop SUB --help` for every subcommand: exit 0, its own usage, defaults."""
    for name, _ in all_parsers():
        ran = run_main(capsys, *name.split(), "--help")
        assert ran.code == 0, name
        assert ran.out.startswith(f"usage: intake-desktop {name}"), (name, ran.out[:80])
        assert ran.err == ""
        if name != "gui":
            assert "--json" in ran.out
        assert "(default: INTAKE_WORKSPACE" in ran.out or name == "demo"


def test_demo_on_a_real_workspace_says_what_to_do(
    world: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    ran = run_main(capsys, "demo", "--workspace", world["ws"])
    assert ran.code == 1
    assert "remove the folder" not in ran.err
    assert "nothing was changed" in ran.err and "intake-desktop demo" in ran.err
