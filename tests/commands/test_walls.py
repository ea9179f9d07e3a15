"""Matter walls on the command line (issue 17 item 6): an admin screens a person from a matter
(`walls add`, a `wall_added` event); from then on every command that would list, file into,
build from, produce, check or undo that matter refuses them with the reason and records
`wall_refused`; their listings leave the matter out; lifting the wall (`wall_removed`)
gives it back. Other people are not affected."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from intake_desktop.app import build_filer, open_app
from intake_desktop.cli import main
from intake_desktop.core.ledger import Actor, DocStatus, Ledger
from intake_desktop.core.roles import Profiles
from intake_desktop.core.walls import check_matter, visible_matters
from intake_desktop.core.workspace import init_workspace
from tests.exhibit_pdfs import text_pdf

WALLED = "2024-0117 Reyes v. Acme"
OPEN = "2024-0200 Other v. Matter"
PASS = {"Dana Admin": "dana-admin-passphrase", "Ann Atty": "ann-attorney-passphrase",
        "Pat Para": ""}


@dataclass
class World:
    root: Path
    ws: Path
    walled_doc: int
    open_doc: int


@pytest.fixture
def world(tmp_path: Path) -> World:
    ws = init_workspace(tmp_path / "ws")
    ws.rules_path.unlink()  # the built-in router: every document with a matter is filed
    app = open_app(str(ws.root), create=False)
    try:
        profiles = Profiles(app.ledger)
        profiles.save("Dana Admin", "admin", PASS["Dana Admin"], acting=app.actor)
        dana = Actor("Dana Admin", "admin")
        profiles.save("Ann Atty", "attorney", PASS["Ann Atty"], acting=dana)
        profiles.save("Pat Para", "paralegal", acting=dana)
        filer = build_filer(app)
        walled = filer.ingest([text_pdf(tmp_path / "in" / "reyes.pdf", 2, "Reyes letter")],
                              matter=WALLED)[0]
        other = filer.ingest([text_pdf(tmp_path / "in" / "other.pdf", 1, "Other letter")],
                             matter=OPEN)[0]
    finally:
        app.close()
    assert walled.document_id and other.document_id
    return World(tmp_path, ws.root, walled.document_id, other.document_id)


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, world: World,
        name: str, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASS[name] + "\n"))
    monkeypatch.chdir(world.root)
    capsys.readouterr()
    try:
        code = main([*argv, "--workspace", str(world.ws), "--as", name, "--passphrase-stdin"])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def ledger(world: World) -> Ledger:
    return Ledger.open(f"sqlite:///{world.ws / '.intake' / 'ledger.sqlite'}", Actor("reader"))


def events(world: World, kind: str) -> list[tuple[str, str | None, dict[str, object]]]:
    led = ledger(world)
    try:
        return [(e.actor_user, e.matter_id, e.detail) for e in led.chain.events() if e.kind == kind]
    finally:
        led.close()


@pytest.fixture
def walled(world: World, capsys: pytest.CaptureFixture[str],
           monkeypatch: pytest.MonkeyPatch) -> World:
    code, out, err = run(capsys, monkeypatch, world, "Dana Admin", "walls", "add", "Pat Para",
                         WALLED, "--reason", "worked for Acme", "--json")
    assert code == 0, err
    assert json.loads(out) == {"person": "Pat Para", "matter": WALLED, "added": True}
    assert events(world, "wall_added") == [
        ("Dana Admin", WALLED, {"person": "Pat Para", "matter": WALLED,
                                "reason": "worked for Acme"})]
    return world


def test_the_wall_is_stored_and_asked_in_one_place(walled: World) -> None:
    led = ledger(walled).with_actor(Actor("Pat Para", "paralegal"))
    try:
        assert visible_matters(led) == [OPEN]
        check_matter(led, OPEN, "look at")  # nothing recorded for an open matter
        with pytest.raises(Exception, match="Pat Para is screened from the matter"):
            check_matter(led, WALLED, "look at")
    finally:
        led.close()
    other = ledger(walled).with_actor(Actor("Ann Atty", "attorney"))
    try:
        assert visible_matters(other) == sorted([WALLED, OPEN])
    finally:
        other.close()
    assert [(u, m, d["what"]) for u, m, d in events(walled, "wall_refused")] == [
        ("Pat Para", WALLED, "look at")]


def test_every_command_refuses_the_screened_matter(walled: World, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    new = text_pdf(tmp_path / "in" / "new.pdf", 1, "New upload")
    intake = walled.ws / "Intake" / WALLED / "dropped.pdf"
    text_pdf(intake, 1, "Dropped in the walled intake folder")
    spec = tmp_path / "set.toml"
    spec.write_text(f'[set]\nname = "Walled set"\n[[exhibit]]\ndocument = {walled.walled_doc}\n'
                    'description = "Reyes letter"\n', encoding="utf-8")
    production = tmp_path / "prod.toml"
    production.write_text(f'[production]\nvolume = "P1"\nmatter = "{WALLED}"\n'
                          '[bates]\nprefix = "P-"\n[[documents]]\ncategory = "Documents"\n',
                          encoding="utf-8")
    filed = ledger(walled)
    try:
        walled_path = filed.docs.document(walled.walled_doc).filed_path  # type: ignore[union-attr]
    finally:
        filed.close()
    attempts = [
        (["ingest", str(new), "--matter", WALLED], "file documents into"),
        (["ingest", str(intake)], "file documents into"),
        (["exhibits", "build", str(spec), "--out", str(tmp_path / "set-out")],
         "build an exhibit set from"),
        (["produce", str(production), "--out", str(tmp_path / "prod-out")],
         "produce documents of"),
        (["produce", str(production), "--dry-run"], "produce documents of"),
        (["checklist", WALLED], "see the checklist of"),
        (["ledger", "history", str(walled.walled_doc)],
         "see the custody history of a document of"),
        (["ledger", "history", str(walled_path)], "see the custody history of a document of"),
        (["undo", str(walled.ws / walled_path)], "undo a filing of"),
    ]
    for argv, what in attempts:
        code, out, err = run(capsys, monkeypatch, walled, "Pat Para", *argv)
        assert code == 1, (argv, out, err)
        assert f"Pat Para is screened from the matter '{WALLED}' (a matter wall), so cannot " \
               f"{what} it" in err, (argv, err)
        assert "ask an admin" in err.lower()
    refused = events(walled, "wall_refused")
    assert [(u, m, d["what"]) for u, m, d in refused] == [
        ("Pat Para", WALLED, what) for _, what in attempts]
    # Nothing was done: nothing new filed, the walled document still filed, no outputs.
    led = ledger(walled)
    try:
        docs = led.docs.documents()
        assert len(docs) == 2 and {d.matter_id for d in docs} == {WALLED, OPEN}
        assert led.docs.document(walled.walled_doc).status == DocStatus.FILED  # type: ignore[union-attr]
    finally:
        led.close()
    assert new.is_file() and intake.is_file()
    assert not (tmp_path / "set-out").exists() and not (tmp_path / "prod-out").exists()


def test_listings_leave_the_matter_out(walled: World, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(capsys, monkeypatch, walled, "Pat Para", "ledger", "export", "--json")
    assert code == 0
    matters = {json.loads(line)["matter_id"] for line in out.splitlines()}
    assert OPEN in matters and WALLED not in matters
    assert "screened from (matter walls) are left out" in err
    code, out, _ = run(capsys, monkeypatch, walled, "Ann Atty", "ledger", "export", "--json")
    assert WALLED in {json.loads(line)["matter_id"] for line in out.splitlines()}
    # The open matter is untouched for the screened person.
    code, out, err = run(capsys, monkeypatch, walled, "Pat Para", "checklist", OPEN, "--use",
                         "litigation-commercial-plaintiff", "--json")
    assert code == 0, err


def test_review_queue_leaves_the_matter_out(world: World, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(str(world.ws), create=False)
    try:
        filer = build_filer(app)
        broken = tmp_path / "in" / "broken.pdf"
        broken.write_bytes(b"%PDF-1.7\n1 0 obj << broken")  # damaged: goes to review
        [result] = filer.ingest([broken], matter=WALLED)
    finally:
        app.close()
    assert result.status.value == "review"
    code, out, _ = run(capsys, monkeypatch, world, "Pat Para", "review", "list", "--json")
    assert code == 0 and result.document_id in [json.loads(x)["id"] for x in out.splitlines()]
    assert run(capsys, monkeypatch, world, "Dana Admin", "walls", "add", "Pat Para",
               WALLED)[0] == 0
    code, out, _ = run(capsys, monkeypatch, world, "Pat Para", "review", "list", "--json")
    assert code == 0 and out == ""
    code, _, err = run(capsys, monkeypatch, world, "Pat Para", "review", "retry",
                       str(result.document_id))
    assert code == 1 and "screened from the matter" in err


def test_lifting_the_wall_gives_the_matter_back(walled: World,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(capsys, monkeypatch, walled, "Dana Admin", "walls", "list", "--json")
    [listed] = [json.loads(x) for x in out.splitlines()]
    assert (listed["person"], listed["matter"], listed["reason"], listed["by"]) == (
        "Pat Para", WALLED, "worked for Acme", "Dana Admin")
    assert run(capsys, monkeypatch, walled, "Pat Para", "ledger", "history",
               str(walled.walled_doc))[0] == 1
    code, out, _ = run(capsys, monkeypatch, walled, "Dana Admin", "walls", "remove", "Pat Para",
                       WALLED, "--reason", "conflict cleared", "--json")
    assert code == 0 and json.loads(out)["removed"] is True
    assert [(u, m) for u, m, _ in events(walled, "wall_removed")] == [("Dana Admin", WALLED)]
    code, out, err = run(capsys, monkeypatch, walled, "Pat Para", "ledger", "history",
                         str(walled.walled_doc))
    assert code == 0, err
    assert "received" in out


def test_intake_folder_of_a_screened_matter_goes_to_review(
        walled: World, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`ingest Intake` (or the watcher) run by a screened person files the open matter's
    files and sends the walled matter's to Review/ for someone else, recorded."""
    text_pdf(walled.ws / "Intake" / WALLED / "walled drop.pdf", 1, "Walled drop")
    text_pdf(walled.ws / "Intake" / OPEN / "open drop.pdf", 1, "Open drop")
    code, out, err = run(capsys, monkeypatch, walled, "Pat Para", "ingest",
                         str(walled.ws / "Intake"), "--json")
    assert code == 0, err
    results = {Path(r["source"]).name: r for r in map(json.loads, out.splitlines())}
    assert results["open drop.pdf"]["status"] == "filed"
    assert results["walled drop.pdf"]["status"] == "review"
    assert results["walled drop.pdf"]["reason"].startswith(
        f"matter wall: Pat Para is screened from {WALLED}")
    assert [(u, m, d["what"]) for u, m, d in events(walled, "wall_refused")] == [
        ("Pat Para", WALLED, "file documents into")]
    # The screened person does not see it waiting; someone else does.
    code, out, _ = run(capsys, monkeypatch, walled, "Pat Para", "review", "list", "--json")
    assert out == ""
    code, out, _ = run(capsys, monkeypatch, walled, "Dana Admin", "review", "list", "--json")
    assert [Path(json.loads(x)["source"]).name for x in out.splitlines()] == ["walled drop.pdf"]
