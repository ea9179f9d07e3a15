"""The capability matrix on the command line (issue 17 item 2): for every role and every
capability a command needs, the command is run as a real person (`--as NAME`, passphrases on
stdin) and is either done (exit 0, every event it wrote names that person and role) or
refused (exit 1, the reason on stderr, a `capability_refused` event naming them)."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from intake_desktop.app import build_filer, open_app
from intake_desktop.cli import build_parser, main
from intake_desktop.commands.common import COMMAND_CAPABILITY, subparsers_of
from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.roles import ROLE_CAPABILITIES, Capability, Profiles, Role
from intake_desktop.core.workspace import init_workspace
from tests.exhibit_pdfs import text_pdf

PASSPHRASES = {"Dana Admin": "dana-admin-passphrase", "Ann Atty": "ann-attorney-passphrase",
               "Pat Para": ""}
PERSON = {Role.ADMIN: "Dana Admin", Role.ATTORNEY: "Ann Atty", Role.PARALEGAL: "Pat Para"}
MATTER = "2024-0117 Reyes v. Acme"


@dataclass
class World:
    root: Path
    ws: str
    filed_id: int
    review_id: int
    spec: Path
    counter: itertools.count  # type: ignore[type-arg]
    built_set: Path = Path()

    def fresh(self, name: str) -> Path:
        n = next(self.counter)
        return text_pdf(self.root / "in" / f"{name}-{n}.pdf", 1, f"{name} {n}")

    def output_folder(self) -> Path:
        """A new folder with one file, as a built output waiting for sign-off."""
        folder = self.root / f"output-{next(self.counter)}"
        text_pdf(folder / "Exhibit 1.pdf", 1, "Exhibit 1")
        return folder

    def escalated(self) -> int:
        """A new document the preset files provisionally (it looks privileged)."""
        from tests.core.rules.samples import make_pdf

        n = next(self.counter)
        pdf = make_pdf(self.root / "in" / f"memo-{n}.pdf",
                       ["PRIVILEGED AND CONFIDENTIAL", f"Strategy memo {n}"])
        app = open_app(self.ws, create=False)
        try:
            done = build_filer(app).ingest([pdf], matter=MATTER)[0]
        finally:
            app.close()
        assert done.rule == "looks-privileged" and done.document_id, done
        return done.document_id

    def ledger(self) -> Ledger:
        return Ledger.open(f"sqlite:///{Path(self.ws) / '.intake' / 'ledger.sqlite'}",
                           Actor("test-reader"))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("capabilities")
    ws = init_workspace(root / "ws")
    app = open_app(str(ws.root), create=False)
    try:
        profiles = Profiles(app.ledger)
        profiles.save("Dana Admin", "admin", PASSPHRASES["Dana Admin"], acting=app.actor)
        dana = Actor("Dana Admin", "admin")
        profiles.save("Ann Atty", "attorney", PASSPHRASES["Ann Atty"], acting=dana)
        profiles.save("Pat Para", "paralegal", acting=dana)
        filer = build_filer(app)
        filed = filer.ingest([text_pdf(root / "in" / "letter.pdf", 2, "Letter")],
                             matter=MATTER)[0]
        (root / "in" / "mystery.bin").write_bytes(b"\x00\x01 not a document \xff" * 40)
        review = filer.ingest([root / "in" / "mystery.bin"], matter=MATTER)[0]
    finally:
        app.close()
    assert filed.document_id and review.status.value == "review" and review.document_id
    spec = root / "set.toml"
    text_pdf(root / "exhibit-one.pdf", 1, "Exhibit one")
    spec.write_text('[set]\nname = "Cap set"\n[[exhibit]]\nfile = "exhibit-one.pdf"\n'
                    'description = "One"\n', encoding="utf-8")
    world = World(root, str(ws.root), filed.document_id, review.document_id, spec,
                  itertools.count())
    world.built_set = root / "built set"
    assert main(["exhibits", "build", str(spec), "--out", str(world.built_set),
                 "--workspace", world.ws]) == 0
    return world


def _argv(world: World, cap: Capability) -> list[str] | None:
    out = str(world.root / f"out-{next(world.counter)}")
    commands: dict[Capability, Callable[[], list[str]]] = {
        Capability.INTAKE: lambda: ["ingest", str(world.fresh("intake")), "--matter", MATTER],
        Capability.REVIEW: lambda: ["review", "retry", str(world.review_id)],
        Capability.VIEW_REVIEW: lambda: ["review", "list"],
        Capability.BROWSE: lambda: ["ledger", "history", str(world.filed_id)],
        Capability.BUILD: lambda: ["exhibits", "build", str(world.spec), "--out", out],
        Capability.CHECKLISTS: lambda: ["checklist", MATTER, "--use",
                                        "litigation-commercial-plaintiff"],
        Capability.RULES: lambda: ["rules", "accept"],
        Capability.SIGN_OFF: lambda: ["exhibits", "signoff", str(world.built_set)],
        Capability.APPROVE: lambda: ["approvals", "approve", str(world.filed_id)],
        Capability.SUPERVISE: lambda: ["ledger", "report", MATTER, "--format", "csv",
                                       "--out", f"{out}.csv"],
        Capability.PEOPLE: lambda: ["people", "list"],
        Capability.WALLS: lambda: ["walls", "list"],
        Capability.SIGN_OFF: lambda: ["exhibits", "signoff", str(world.output_folder())],
        Capability.APPROVE: lambda: ["approvals", "approve", str(world.escalated())],
        Capability.SUPERVISE: lambda: ["ledger", "report", MATTER, "--format", "csv",
                                       "--out", f"{out}.csv"],
    }
    make = commands.get(cap)
    return make() if make else None


def _registered(words: str) -> bool:
    parser = build_parser()
    found = {name: sub for name, sub in subparsers_of(parser)}
    head, *rest = words.split()
    if head not in found:
        return False
    return not rest or rest[0] in {n for n, _ in subparsers_of(found[head])}


def run_as(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str,
           *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASES.get(name, "") + "\n"))
    capsys.readouterr()
    try:
        code = main([*argv, "--as", name, "--passphrase-stdin"])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


CELLS = [(role, cap) for cap in Capability for role in Role]


@pytest.mark.parametrize(("role", "cap"), CELLS, ids=[f"{r}-{c}" for r, c in CELLS])
def test_every_cell_on_the_command_line(world: World, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch, role: Role,
                                        cap: Capability) -> None:
    argv = _argv(world, cap)
    if argv is None:
        words = next((w for w, c in COMMAND_CAPABILITY.items() if c is cap), None)
        if words is None:
            assert cap in WINDOW_ONLY, f"{cap} has neither a command nor a window-only note"
            pytest.skip(f"{cap} is used in the window only (tests/gui/test_gui_capabilities.py)")
        if not _registered(words):
            pytest.skip(f"`{words}` is not on this branch yet (the sign-off work adds it)")
        pytest.fail(f"`{words}` exists: give this cell its command line in _argv")
    name = PERSON[role]
    ledger = world.ledger()
    try:
        before = ledger.chain.head()[0]
    finally:
        ledger.close()
    monkeypatch.chdir(world.root)
    code, out, err = run_as(capsys, monkeypatch, name, *argv, "--workspace", world.ws)
    ledger = world.ledger()
    try:
        new = [e for e in ledger.chain.events() if e.seq > before]
    finally:
        ledger.close()
    if cap in ROLE_CAPABILITIES[role]:
        if cap is Capability.APPROVE:  # allowed, but that document is not escalated
            assert code == 1 and "is not waiting for approval" in err, err
        else:
            assert code == 0, (argv, err)
        assert "may not" not in err
        assert all((e.actor_user, e.actor_role) == (name, role) for e in new), [
            (e.kind, e.actor_user, e.actor_role) for e in new]
        assert not [e for e in new if e.kind == "capability_refused"]
    else:
        assert code == 1, (argv, out, err)
        assert f"you may not {cap_words(cap)}" in err, err
        refused = [e for e in new if e.kind == "capability_refused"]
        assert [(e.actor_user, e.actor_role, e.detail["capability"]) for e in refused] == [
            (name, str(role), str(cap))]
        assert out == ""


# Capabilities with no command: used in the window only.
WINDOW_ONLY = {Capability.SETTINGS, Capability.COURTS}


def cap_words(cap: Capability) -> str:
    from intake_desktop.core.roles import CAPABILITY_WORDS

    return CAPABILITY_WORDS[cap]


def test_role_alone_grants_nothing(world: World, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The computer account has no profile here: `--role admin` is refused, recorded, and
    the admin command does not run."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    capsys.readouterr()
    code = main(["walls", "list", "--role", "admin", "--workspace", world.ws])
    _, err = capsys.readouterr()
    assert code == 1
    assert "--role admin no longer grants a role" in err and "--as NAME" in err
    ledger = world.ledger()
    try:
        last = ledger.chain.events()[-1]
    finally:
        ledger.close()
    assert last.kind == "sign_in_refused" and "--role admin" in str(last.detail["reason"])


def test_wrong_or_missing_passphrase_is_refused(world: World, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("not the passphrase\n"))
    capsys.readouterr()
    code = main(["people", "list", "--as", "Dana Admin", "--passphrase-stdin",
                 "--workspace", world.ws])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "Wrong passphrase for the admin profile 'Dana Admin'" in err
    # No terminal and no --passphrase-stdin: told how to give it.
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = main(["people", "list", "--as", "Dana Admin", "--workspace", world.ws])
    _, err = capsys.readouterr()
    assert code == 1 and "--passphrase-stdin" in err and "no terminal" in err


def test_people_command_adds_and_changes_people(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    ws = init_workspace(tmp_path / "ws")
    w = ["--workspace", str(ws.root)]

    def run(stdin: str, *argv: str) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = main([*argv, *w])
        out, err = capsys.readouterr()
        return code, out, err

    # The first admin of a new workspace: anyone may add them.
    assert run("first-admin-pass\n", "people", "add", "Dana Admin", "--role", "admin",
               "--new-passphrase-stdin")[0] == 0
    # From then on only an admin: a paralegal (the account's default person) is refused.
    code, _, err = run("", "people", "add", "Eve", "--role", "admin",
                       "--new-passphrase-stdin")
    assert code == 1 and "may not manage people" in err
    dana = ["--as", "Dana Admin", "--passphrase-stdin"]
    assert run("first-admin-pass\nann-passphrase-1\n", "people", "add", "Ann Atty", "--role",
               "attorney", "--initials", "aa", "--new-passphrase-stdin", *dana)[0] == 0
    assert run("first-admin-pass\n", "people", "add", "Pat Para", "--role", "paralegal",
               "--account", "pat-login", *dana)[0] == 0
    # Becoming an attorney needs a passphrase; without one on stdin it is refused.
    code, _, err = run("first-admin-pass\n", "people", "set-role", "Pat Para", "attorney",
                       *dana)
    assert code == 2 and "needs a passphrase" in err
    assert run("first-admin-pass\npat-new-passphrase\n", "people", "set-role", "Pat Para",
               "attorney", "--new-passphrase-stdin", *dana)[0] == 0
    assert run("first-admin-pass\nann-passphrase-2\n", "people", "set-passphrase",
               "Ann Atty", "--new-passphrase-stdin", *dana)[0] == 0
    code, out, _ = run("first-admin-pass\n", "people", "list", "--json", *dana)
    assert code == 0
    import json

    listed = {r["name"]: r for r in map(json.loads, out.splitlines())}
    assert listed["Pat Para"] == {"name": "Pat Para", "role": "attorney", "initials": "PP",
                                  "account": "pat-login", "passphrase": True}
    assert listed["Ann Atty"]["initials"] == "AA"
    led = Ledger.open(ws.default_ledger_url(), Actor("reader"))
    try:
        profiles = Profiles(led)
        assert profiles.sign_in("Ann Atty", "ann-passphrase-2") == Actor("Ann Atty", "attorney")
        saved = [e for e in led.chain.events() if e.kind == "profile_saved"]
        assert [(e.actor_user, e.detail["user"]) for e in saved][-3:] == [
            ("Dana Admin", "Pat Para"), ("Dana Admin", "Pat Para"), ("Dana Admin", "Ann Atty")]
        assert "ann-passphrase" not in str([e.detail for e in led.chain.events()])
    finally:
        led.close()


def test_open_app_never_grants_a_role_by_asking(world: World) -> None:
    """A command that still passes `role=args.role` to open_app cannot elevate anyone."""
    from intake_desktop.core.roles import SignInError

    for role in ("attorney", "admin"):
        with pytest.raises(SignInError, match=f"--role {role} no longer grants a role"):
            open_app(world.ws, role=role, create=False)
    with open_app(world.ws, role=None, create=False) as app:
        assert app.ledger.actor.role == "paralegal"
