"""`intake-desktop rules check [FILE]`, `rules preview PATH... [--matter ID]` and
`rules accept --as ADMIN` (a rules file changed outside the app)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from intake_desktop.app import build_filer, open_app
from intake_desktop.commands.common import (
    EXIT_FAILURE,
    EXIT_OK,
    Output,
    acting,
    add_actions,
    add_command,
    plural,
    resolve_arg_path,
)
from intake_desktop.core.errors import IntakeError, UsageError
from intake_desktop.core.rules import (
    PreviewResult,
    RulesError,
    RulesRouter,
    accept_rules,
    load_active_rules,
    load_rules,
    preview,
)
from intake_desktop.core.workspace import open_workspace, resolve_workspace_dir


def register(sub: Any) -> None:
    p = add_command(
        sub, "rules",
        help="check and preview naming rules",
        description="Validate a naming-rules file, or show where files would be filed under "
        "the rules, touching nothing.",
    )
    rsub = add_actions(p, "rules_command")
    check = add_command(
        rsub, "check",
        help="validate a rules file",
        description="Validate a naming-rules file: every problem with file:line, rule, field "
        "and fix. Exit 1 when it has problems (the rules in force stay in force).",
        handler=run_check,
    )
    check.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="rules file (default: the workspace's .intake/rules.toml)",
    )
    prev = add_command(
        rsub, "preview",
        help="where each file would go, touching nothing",
        description="Show where each file would be filed and which rule decides, without "
        "copying, moving or recording anything.",
        handler=run_preview,
    )
    prev.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    prev.add_argument(
        "--matter", metavar="ID",
        help="the matter these files belong to (default: Intake/<matter>/ names it)",
    )
    prev.add_argument(
        "--rules", metavar="FILE", help="preview with this rules file instead of the workspace's"
    )
    accept = add_command(
        rsub, "accept",
        help="(admin) put in force a rules.toml that was changed outside the app",
        description="A rules file edited outside the app is not used until an admin accepts "
        "it. Shows what changed, then records it as a `rules_accepted` event.",
        handler=run_accept,
    )
    accept.add_argument("--as", dest="as_name", metavar="NAME", required=True,
                        help="the admin profile that accepts the change")


def run_check(args: argparse.Namespace, out: Output) -> int:
    if args.file:
        path = resolve_arg_path(args.file)
        if not path.is_file():
            raise UsageError("no such rules file", path=path,
                             fix="give the path of a .toml rules file")
    else:
        path = open_workspace(resolve_workspace_dir(args.workspace)).rules_path
    try:
        ruleset = load_rules(path)
    except RulesError as exc:
        for problem in exc.problems:
            out.emit({"ok": False, **problem.to_json()}, str(problem))
        out.error(f"{plural(len(exc.problems), 'problem')} in {path}",
                  fix="the rules in force stay in force; correct the lines listed above")
        return EXIT_FAILURE
    out.emit(
        {
            "ok": True,
            "file": str(path),
            "version": ruleset.version,
            "name": ruleset.name,
            "rules": [r.name for r in ruleset.rules],
        },
        f"{path}: OK, {plural(len(ruleset.rules), 'rule')}, version {ruleset.version} "
        f"({ruleset.name})",
    )
    return EXIT_OK


def run_accept(args: argparse.Namespace, out: Output) -> int:
    with open_app(args.workspace, db=args.db, create=False, acting=acting(args)) as app:
        actor = app.ledger.actor
        before = load_active_rules(app.workspace, app.ledger, promote=False)
        try:
            version = accept_rules(app.workspace, app.ledger, actor)
        except RulesError as exc:
            for problem in exc.problems:
                out.emit({"ok": False, **problem.to_json()}, str(problem))
            out.error(f"{app.workspace.rules_path} is not valid; the rules in force stay in "
                      "force")
            return EXIT_FAILURE
        except IntakeError as exc:
            out.error(exc.message)
            return EXIT_FAILURE
    changed = before.pending is not None
    out.emit(
        {"ok": True, "version": version.version, "sha256": version.sha256,
         "name": version.name, "previous_version": before.version, "accepted": changed,
         "by": actor.user},
        f"accepted {app.workspace.rules_path.name} version {version.version} "
        f"({version.name}, {version.rule_count} rules), replacing version {before.version}"
        if changed else f"rules.toml is already the version in force ({version.version})",
    )
    return EXIT_OK


def describe(r: PreviewResult, indent: str = "") -> str:
    name = Path(r.source).name
    if r.status in ("filed", "duplicate"):
        text = f"{indent}{r.status:<10} {name} -> {r.path}  [rule {r.rule}]"
    elif r.status == "review":
        text = f"{indent}review     {name}: {r.reason} -> {r.path}  [rule {r.rule}]"
    else:
        text = f"{indent}{r.status:<10} {name}: {r.reason}"
    if r.flags:
        text += f"  [{', '.join(r.flags)}]"
    if r.approval:
        text += f"  (provisional: needs an {r.approval}'s approval)"
    for child in r.children:
        text += "\n" + describe(child, indent + "  ")
    return text


def run_preview(args: argparse.Namespace, out: Output) -> int:
    with open_app(args.workspace, db=args.db, acting=acting(args), create=False) as app:
        filer = build_filer(app, on_warning=out.warning, record_rules=False)
        router = filer.router
        if args.rules:
            rules_file = resolve_arg_path(args.rules)
            if not rules_file.is_file():
                raise UsageError("no such rules file", path=rules_file,
                                 fix="give the path of a .toml rules file")
            try:
                router = RulesRouter(load_rules(rules_file))
            except RulesError as exc:
                for problem in exc.problems:
                    out.error(str(problem))
                raise UsageError(
                    f"{plural(len(exc.problems), 'problem')} in the rules file",
                    path=rules_file, fix="run `intake-desktop rules check` on it",
                ) from exc
        elif not app.workspace.rules_path.exists():
            out.info("(no .intake/rules.toml: the built-in routing is shown)")
        results = preview(filer, router, [Path(p) for p in args.paths], matter=args.matter)
    for r in results:
        if r.status == "error":
            out.error(r.reason or "cannot be previewed", path=r.source)
        out.emit(r.to_json(), "" if r.status == "error" else describe(r))
    return EXIT_FAILURE if any(r.status == "error" for r in results) else EXIT_OK
