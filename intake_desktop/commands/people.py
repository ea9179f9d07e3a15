"""`intake-desktop people`: the people who act in the app (admins: add, list, set-passphrase,
set-role). Before any admin exists, anyone may add the first admin (a new workspace)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from intake_desktop.app import open_app
from intake_desktop.commands.common import (
    EXIT_OK,
    Output,
    acting,
    add_actions,
    add_command,
)
from intake_desktop.core.errors import UsageError
from intake_desktop.core.roles import (
    MIN_PASSPHRASE,
    PASSPHRASE_REQUIRED,
    Capability,
    Profile,
    Profiles,
    Role,
    SignInError,
    require,
)


def register(sub: Any) -> None:
    p = add_command(
        sub, "people",
        help="(admin) the people who act: add, list, set-passphrase, set-role",
        description="Each person has a profile: name, role (paralegal, attorney, admin), "
        "initials, the computer account they work from, and a passphrase (required for "
        "attorneys and admins). Only an admin may change them, except the first admin of a "
        "new workspace.",
    )
    psub = add_actions(p, "people_command")

    add = add_command(psub, "add", handler=run_add,
                      help="add a person",
                      description="Add a person. Attorneys and admins are asked for a "
                      "passphrase (twice on a terminal; --new-passphrase-stdin for "
                      "scripts).")
    add.add_argument("name", metavar="NAME", help="the person's name, as events will show it")
    add.add_argument("--role", dest="new_role", required=True, choices=[r.value for r in Role],
                     help="what the person may do (see the README's capability table)")
    add.add_argument("--initials", help="shown beside their work (default: from the name)")
    add.add_argument("--account", metavar="LOGIN",
                     help="the computer account whose default person this is")
    add.add_argument("--new-passphrase-stdin", action="store_true",
                     help="read the new person's passphrase from stdin (after the acting "
                     "person's, when --passphrase-stdin is also given)")

    add_command(psub, "list", handler=run_list,
                help="every person, role, initials and account",
                description="Every person: role, initials, computer account and "
                "whether a passphrase is set.")

    pw = add_command(psub, "set-passphrase", handler=run_set_passphrase,
                     help="set or change a person's passphrase",
                     description="Set or change a person's passphrase (asked twice on a "
                     "terminal; --new-passphrase-stdin for scripts).")
    pw.add_argument("name", metavar="NAME", help="the person whose passphrase is set")
    pw.add_argument("--new-passphrase-stdin", action="store_true",
                    help="read the new passphrase from stdin")

    role = add_command(psub, "set-role", handler=run_set_role,
                       help="change a person's role",
                       description="Change a person's role; becoming an attorney or admin "
                       "needs a passphrase.")
    role.add_argument("name", metavar="NAME", help="the person whose role changes")
    role.add_argument("new_role", metavar="ROLE", choices=[r.value for r in Role],
                      help="paralegal, attorney or admin")
    role.add_argument("--new-passphrase-stdin", action="store_true",
                      help="read a passphrase from stdin when the new role needs one and the "
                      "person has none")


def _new_passphrase(args: argparse.Namespace, name: str) -> str:
    if args.new_passphrase_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UsageError(f"{name} needs a passphrase and there is no terminal to ask",
                         fix="give it on stdin with --new-passphrase-stdin")
    import getpass

    first = getpass.getpass(f"New passphrase for {name} ({MIN_PASSPHRASE}+ characters): ")
    if getpass.getpass("Type it again: ") != first:
        raise UsageError("the two passphrases differ", fix="type the same one twice")
    return first


def _guard(profiles: Profiles) -> None:
    """Admins only, once an admin exists (the first admin may be added by anyone)."""
    if profiles.has_admin():
        require(profiles.ledger, Capability.PEOPLE)


@contextmanager
def _people(args: argparse.Namespace) -> Iterator[Profiles]:
    """The workspace's profiles, for an admin (anyone, before the first admin exists)."""
    with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
        profiles = Profiles(app.ledger)
        _guard(profiles)
        yield profiles


def _report(out: Output, saved: Profile, what: str) -> int:
    """The saved profile as a result: `what` with {} for the person's line."""
    record, human = _line(saved)
    out.emit(record, what.format(human))
    return EXIT_OK


def _line(p: Profile) -> tuple[dict[str, Any], str]:
    record = {"name": p.name, "role": str(p.role), "initials": p.initials,
              "account": p.account, "passphrase": p.protected}
    human = (f"{p.name} ({p.role}, {p.initials})" + (f", account {p.account}" if p.account
                                                    else "")
             + ("" if p.protected else ", no passphrase"))
    return record, human


def run_add(args: argparse.Namespace, out: Output) -> int:
    with _people(args) as profiles:
        if profiles.get(args.name.strip()) is not None:
            raise UsageError(f"there is already a person named {args.name.strip()!r}",
                             fix="use `people set-role` or `people set-passphrase` to change "
                             "them")
        passphrase = None
        if Role(args.new_role) in PASSPHRASE_REQUIRED or args.new_passphrase_stdin:
            passphrase = _new_passphrase(args, args.name)
        saved = profiles.save(args.name, args.new_role, passphrase, acting=profiles.ledger.actor,
                              initials=args.initials, account=args.account)
    return _report(out, saved, "added {}")


def run_list(args: argparse.Namespace, out: Output) -> int:
    with _people(args) as profiles:
        for p in profiles.list():
            out.emit(*_line(p))
    return EXIT_OK


def _existing(profiles: Profiles, name: str) -> Profile:
    found = profiles.get(name.strip())
    if found is None:
        raise SignInError(f"there is no person named {name.strip()!r}",
                          fix="see `intake-desktop people list`")
    return found


def run_set_passphrase(args: argparse.Namespace, out: Output) -> int:
    with _people(args) as profiles:
        person = _existing(profiles, args.name)
        saved = profiles.save(person.name, person.role, _new_passphrase(args, person.name),
                              acting=profiles.ledger.actor)
    return _report(out, saved, "passphrase set for {}")


def run_set_role(args: argparse.Namespace, out: Output) -> int:
    with _people(args) as profiles:
        person = _existing(profiles, args.name)
        passphrase = None
        if Role(args.new_role) in PASSPHRASE_REQUIRED and not person.protected:
            passphrase = _new_passphrase(args, person.name)
        saved = profiles.save(person.name, args.new_role, passphrase, acting=profiles.ledger.actor)
    return _report(out, saved, "{}")
