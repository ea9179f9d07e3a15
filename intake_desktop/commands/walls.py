"""`intake-desktop walls`: (admin) screen a person from a matter, lift a wall, list walls."""

from __future__ import annotations

import argparse
from typing import Any

from intake_desktop.app import open_app
from intake_desktop.commands.common import EXIT_OK, Output, acting, add_common_options
from intake_desktop.core.walls import add_wall, list_walls, remove_wall


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "walls",
        help="(admin) matter walls: screen a person from a matter",
        description="A screened person no longer sees the matter anywhere in the app or the "
        "command line; each attempt to reach it is refused and recorded (`wall_refused`). "
        "The wall governs the app and the record, not the folders on disk.",
    )
    wsub = p.add_subparsers(dest="walls_command", metavar="ACTION", required=True)
    add = wsub.add_parser("add", help="screen PERSON from MATTER (`wall_added`)",
                          description="Screen a person from a matter: it disappears from "
                          "what they see, and every attempt to reach it is refused and "
                          "recorded.")
    add_common_options(add)
    add.add_argument("person", metavar="PERSON", help="the person's profile name")
    add.add_argument("matter", metavar="MATTER", help="the matter (as filed: Matters/<matter>/)")
    add.add_argument("--reason", default="", help="why (e.g. the conflict), recorded")
    add.set_defaults(handler=run_add)
    rm = wsub.add_parser("remove", help="lift the wall (`wall_removed`)",
                         description="Lift a wall: the person sees the matter again.")
    add_common_options(rm)
    rm.add_argument("person", metavar="PERSON", help="the person's profile name")
    rm.add_argument("matter", metavar="MATTER", help="the matter (as filed: Matters/<matter>/)")
    rm.add_argument("--reason", default="", help="why, recorded")
    rm.set_defaults(handler=run_remove)
    lst = wsub.add_parser("list", help="every wall: person, matter, reason, by whom",
                          description="Every matter wall: person, matter, reason, who added "
                          "it and when.")
    add_common_options(lst)
    lst.set_defaults(handler=run_list)


def run_add(args: argparse.Namespace, out: Output) -> int:
    with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
        added = add_wall(app.ledger, args.person, args.matter, args.reason)
    out.emit({"person": args.person, "matter": args.matter, "added": added},
             f"{args.person} is screened from {args.matter}"
             + ("" if added else " (already was)"))
    return EXIT_OK


def run_remove(args: argparse.Namespace, out: Output) -> int:
    with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
        removed = remove_wall(app.ledger, args.person, args.matter, args.reason)
    out.emit({"person": args.person, "matter": args.matter, "removed": removed},
             f"{args.person} is no longer screened from {args.matter}" if removed
             else f"{args.person} was not screened from {args.matter}")
    return EXIT_OK


def run_list(args: argparse.Namespace, out: Output) -> int:
    with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
        for w in list_walls(app.ledger):
            out.emit({"person": w.person, "matter": w.matter_id, "reason": w.reason,
                      "by": w.added_by, "at": w.added_at},
                     f"{w.person} | {w.matter_id} | {w.reason or '-'} | {w.added_by} {w.added_at}")
    return EXIT_OK
