"""`intake-desktop checklist`: what a matter expects, has and lacks; the client letter.

    checklist MATTER [--use ID] [--waive ITEM --reason TEXT] [--json]
    checklist letter MATTER --out DIR [--client NAME]
    checklist list | checklist check FILE
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from intake_desktop.app import open_app
from intake_desktop.commands.common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    Output,
    acting,
    add_command,
)
from intake_desktop.core.checklists import (
    ChecklistError,
    ChecklistUnavailable,
    ItemStatus,
    assign_checklist,
    available_checklists,
    load_checklist,
    matter_checklist,
    shipped_checklists,
    waive_item,
    write_request_letter,
)
from intake_desktop.core.walls import check_matter

ACTIONS = ("letter", "list", "check")
MARKS = {ItemStatus.RECEIVED: "[x]", ItemStatus.WAIVED: "[w]", ItemStatus.REVIEW: "[?]",
         ItemStatus.MISSING: "[ ]"}


def register(sub: Any) -> None:
    p = add_command(
        sub, "checklist", handler=run,
        help="what a matter expects, has and lacks; the client request letter",
        description="Show a matter's checklist (received, missing, waived, waiting in "
        "Review), choose or waive items, write the letter asking the client for what is "
        "missing, list the shipped checklists or check a checklist file.",
    )
    p.add_argument("words", nargs="+", metavar="MATTER | letter MATTER | list | check FILE",
                   help="a matter number; or `letter MATTER`, `list`, `check FILE`")
    p.add_argument("--use", metavar="ID", help="the checklist this matter follows from now on")
    p.add_argument("--waive", metavar="ITEM", help="waive this item (needs --reason)")
    p.add_argument("--reason", metavar="TEXT", default="", help="why the item is waived")
    p.add_argument("--out", metavar="DIR", help="letter: the folder for the DOCX and PDF")
    p.add_argument("--client", metavar="NAME", default="", help="letter: the greeting's name")
    p.add_argument("--letterhead", metavar="DOCX",
                   help="letter: a Word letterhead (default: .intake/letterhead.docx if any)")


def run(args: argparse.Namespace, out: Output) -> int:
    words: list[str] = args.words
    try:
        if words[0] == "list":
            for c in shipped_checklists():
                out.emit({"id": c.id, "title": c.title, "preset": c.preset,
                          "items": len(c.items)}, f"{c.id:34} {c.preset:16} {c.title}")
            return EXIT_OK
        if words[0] == "check":
            if len(words) != 2:
                out.error("check needs one checklist file: checklist check FILE")
                return EXIT_USAGE
            checklist = load_checklist(Path(words[1]).resolve())
            out.emit({"file": words[1], "ok": True, "id": checklist.id,
                      "items": len(checklist.items)},
                     f"{words[1]}: OK, {len(checklist.items)} items ({checklist.title})")
            return EXIT_OK
        letter = words[0] == "letter"
        rest = words[1:] if letter else words
        if len(rest) != 1:
            out.error("name one matter: checklist MATTER or checklist letter MATTER --out DIR")
            return EXIT_USAGE
        if letter and not args.out:
            out.error("the letter needs a folder to write to: add --out DIR")
            return EXIT_USAGE
        return _matter(args, out, rest[0], letter)
    except ChecklistError as exc:
        for problem in exc.problems:
            out.error(str(problem))
        return EXIT_USAGE
    except ChecklistUnavailable as exc:
        out.error(exc.what)
        return EXIT_USAGE


def _matter(args: argparse.Namespace, out: Output, matter: str, letter: bool) -> int:
    with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
        check_matter(app.ledger, matter, "see the checklist of")
        # The workspace's edited checklists (Settings > Checklists) replace the shipped ones.
        available = available_checklists(app.workspace, on_problem=lambda m: out.warning(m))
        if args.use:
            chosen = next((c for c in available if c.id == args.use), None)
            if chosen is None:
                out.error(f"no checklist named {args.use!r}: use one of "
                          f"{', '.join(c.id for c in available)}")
                return EXIT_USAGE
            assign_checklist(app.ledger, matter, chosen)
        if args.waive:
            if not args.reason.strip():
                out.error(f"waiving {args.waive!r} needs a reason: add --reason TEXT")
                return EXIT_USAGE
            waive_item(app.ledger, matter, args.waive, args.reason)
        state = matter_checklist(app.ledger, matter, available,
                                 intake_root=app.workspace.intake)
        if letter:
            template = Path(args.letterhead) if args.letterhead else (
                app.workspace.root / ".intake" / "letterhead.docx")
            result = write_request_letter(app.ledger, state, Path(args.out).resolve(),
                                          template=template, client=args.client)
            out.emit({"matter": matter, "docx": str(result.docx), "pdf": str(result.pdf),
                      "items": list(result.items), "event": result.event},
                     f"Letter asking for {len(result.items)} "
                     f"{'item' if len(result.items) == 1 else 'items'}: {result.pdf}\n"
                     f"                     {result.docx}")
            return EXIT_OK
        done, total = state.progress
        out.info(f"{matter}: {state.checklist.title} - {done} of {total} required items")
        for item in state.items:
            docs = ", ".join(Path(d.filed_path or "").name for d in item.documents)
            extra = f" ({docs})" if docs else ""
            if item.missing_for:
                extra += f" (still needed from {', '.join(item.missing_for)})"
            if item.status is ItemStatus.WAIVED:
                extra = f" (waived by {item.waived_by}: {item.waived_reason})"
            optional = "" if item.item.required else " (optional)"
            out.emit(item.to_json(),
                     f"{MARKS[item.status]} {item.item.id:24} {item.item.title}{optional}{extra}")
    return EXIT_OK if state else EXIT_FAILURE
