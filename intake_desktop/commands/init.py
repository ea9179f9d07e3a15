"""`intake-desktop init [--preset NAME]`: create a workspace (or say that it exists).

On a folder that already is a workspace nothing is changed. Asking for another preset
there is refused with the way to switch: `--switch-rules` makes the preset's rules the
active ones the way the admin panel saves them (a `rules_changed` ledger event), after
keeping the rules in force until then as `.intake/rules-previous/<version>.toml`.
"""

from __future__ import annotations

import argparse
from typing import Any

from intake_desktop.commands.common import (
    EXIT_OK,
    Output,
    acting,
    add_command,
    resolve_arg_path,
)
from intake_desktop.core.errors import IntakeError, UsageError
from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.paths import naming_rules_dir
from intake_desktop.core.roles import Capability, Profiles
from intake_desktop.core.workspace import (
    DEFAULT_PRESET,
    Workspace,
    available_presets,
    init_workspace,
    resolve_workspace_dir,
)


def register(sub: Any) -> None:
    p = add_command(
        sub, "init",
        help="create a workspace",
        description="Create the workspace folders (Intake, Matters, Review, Exports, .intake), "
        "its settings and its ledger, with a naming-rules preset. On an existing workspace "
        "nothing is changed.",
        handler=run,
    )
    p.add_argument(
        "--preset",
        default=None,
        help=f"naming-rules preset: {_preset_names()} (default: "
        f"{DEFAULT_PRESET} for a new workspace)",
    )
    p.add_argument(
        "--switch-rules",
        action="store_true",
        help="on an existing workspace, make --preset's rules the active ones (recorded in "
        "the ledger; the rules in force are kept in .intake/rules-previous/)",
    )


def _preset_names() -> str:
    """For the help text only: a broken installation is reported when init runs."""
    try:
        return ", ".join(available_presets())
    except IntakeError:
        return DEFAULT_PRESET


def _check_preset(preset: str) -> None:
    presets = available_presets()
    if preset not in presets:
        raise UsageError(f"unknown preset {preset!r}", fix=f"choose one of: {', '.join(presets)}")


def run(args: argparse.Namespace, out: Output) -> int:
    root = resolve_arg_path(resolve_workspace_dir(args.workspace))
    if args.preset is not None:
        _check_preset(args.preset)
    existing = Workspace(root)
    if existing.is_initialized():
        return _existing(args, existing, out)
    if args.switch_rules:
        raise UsageError("--switch-rules applies to an existing workspace", path=root,
                         fix="leave it out to create a new workspace")
    preset = args.preset or DEFAULT_PRESET
    ws = init_workspace(root, preset)
    config = ws.load_config()
    url = args.db or config.ledger_url or ws.default_ledger_url()
    ledger = Ledger.open(url, Actor.current("paralegal"))
    try:
        # The preset's rules are the first version in force from the start, recorded now
        # (by whoever made the workspace), not by the first filing.
        from intake_desktop.core.rules import load_active_rules

        load_active_rules(ws, ledger)
    finally:
        ledger.close()
    out.emit(
        {"workspace": str(ws.root), "preset": preset, "ledger": url, "created": True},
        f"Workspace ready: {ws.root} (preset {preset}). "
        f"Drop files into {ws.intake}/<matter>/ and run `intake-desktop ingest`.",
    )
    return EXIT_OK


def active_preset(ws: Workspace) -> str | None:
    """The preset whose file the active rules.toml is, or None (edited or custom rules)."""
    if not ws.rules_path.is_file():
        return None
    active = ws.rules_path.read_bytes()
    for name in available_presets():
        preset = naming_rules_dir() / f"{name}.toml"
        if preset.is_file() and preset.read_bytes() == active:
            return name
    return None


def _rules_words(preset: str) -> str:
    return "custom or edited rules" if preset == "custom" else f"the {preset} preset"


def _existing(args: argparse.Namespace, ws: Workspace, out: Output) -> int:
    config = ws.load_config()
    current = active_preset(ws) or "custom"
    url = args.db or config.ledger_url or ws.default_ledger_url()
    wanted = args.preset
    if wanted is None or (wanted == current and not args.switch_rules):
        out.emit(
            {"workspace": str(ws.root), "preset": current, "ledger": url, "created": False},
            f"{ws.root} is already a workspace (naming rules: {_rules_words(current)}); "
            "nothing was changed.",
        )
        return EXIT_OK
    if not args.switch_rules:
        raise UsageError(
            f"this folder is already a workspace whose naming rules are "
            f"{_rules_words(current)}; nothing was changed",
            path=ws.root,
            fix=f"to make the {wanted} rules active add --switch-rules (recorded in the "
            "ledger, the current rules kept in .intake/rules-previous/), or give a new "
            "folder with --workspace",
        )
    return _switch(args, ws, wanted, url, out)


def _switch(args: argparse.Namespace, ws: Workspace, preset: str, url: str, out: Output) -> int:
    import hashlib

    from intake_desktop.core.mover import write_new_file
    from intake_desktop.core.rules import save_rules

    text = (naming_rules_dir() / f"{preset}.toml").read_text(encoding="utf-8")
    kept = None
    ledger = Ledger.open(url, Actor.current("paralegal"))
    try:
        # Switching rules needs the `rules` capability once the workspace has an admin
        # (before that, setting up a new workspace is open to whoever installs it).
        needs = Capability.RULES if Profiles(ledger).has_admin() else None
        acting(args, needs).sign_in(ledger)
        if ws.rules_path.is_file():
            old = ws.rules_path.read_bytes()
            name = f"rules-{hashlib.sha256(old).hexdigest()[:12]}.toml"
            target = ws.state / "rules-previous" / name
            kept = target if target.exists() else write_new_file(target, old)
        version = save_rules(ws, ledger, text)
    finally:
        ledger.close()
    out.emit(
        {"workspace": str(ws.root), "preset": preset, "ledger": url, "created": False,
         "rules_version": version.version, "previous_rules": str(kept) if kept else None},
        f"Naming rules switched to the {preset} preset (version {version.version}) in "
        f"{ws.root}" + (f"; the previous rules are kept in {kept}." if kept else "."),
    )
    return EXIT_OK
