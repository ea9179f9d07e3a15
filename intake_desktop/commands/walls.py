"""`intake-desktop walls`: (admin) screen a person from a matter, lift a wall, list walls."""

from __future__ import annotations

import argparse
from typing import Any

from intake_desktop.app import open_app
from intake_desktop.commands.common import EXIT_OK, Output, acting, add_actions, add_command
from intake_desktop.core.walls import add_wall, list_walls, remove_wall


def register(sub: Any) -> None:
    p = add_command(
        sub, "walls",
        help="(admin) matter walls: screen a person from a matter",
        description="A screened person no longer sees the matter anywhere in the app or the "
        "command line; each attempt to reach it is refused and recorded (`wall_refused`). "
        "The wall governs the app and the record, not the folders on disk.",
    )
    wsub = add_actions(p, "walls_command")
    add = add_command(wsub, "add", handler=run_add,
                      help="screen PERSON from MATTER (`wall_added`)",
                      description="Screen a person from a matter: it disappears from "
                      "what they see, and every attempt to reach it is refused and "
                      "recorded.")
    add.add_argument("person", metavar="PERSON", help="the person's profile name")
    add.add_argument("matter", metavar="MATTER", help="the matter (as filed: Matters/<matter>/)")
    add.add_argument("--reason", default="", help="why (e.g. the conflict), recorded")
    rm = add_command(wsub, "remove", handler=run_remove,
                     help="lift the wall (`wall_removed`)",
                     description="Lift a wall: the person sees the matter again.")
    rm.add_argument("person", metavar="PERSON", help="the person's profile name")
    rm.add_argument("matter", metavar="MATTER", help="the matter (as filed: Matters/<matter>/)")
    rm.add_argument("--reason", default="", help="why, recorded")
    add_command(wsub, "list", handler=run_list,
                help="every wall: person, matter, reason, by whom",
                description="Every matter wall: person, matter, reason, who added "
                "it and when.")


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
