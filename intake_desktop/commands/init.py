"""`intake-desktop init`: create a workspace."""

from __future__ import annotations

import argparse
from typing import Any

from intake_desktop.commands.common import EXIT_OK, Output, add_common_options
from intake_desktop.core.errors import IntakeError
from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.workspace import (
    DEFAULT_PRESET,
    available_presets,
    init_workspace,
    resolve_workspace_dir,
)


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("init", help="create a workspace")
    add_common_options(p)
    p.add_argument(
        "--preset",
        default=DEFAULT_PRESET,
        help=f"naming-rules preset ({_preset_names()})",
    )
    p.set_defaults(handler=run)


def _preset_names() -> str:
    """For the help text only: a broken installation is reported when init runs."""
    try:
        return ", ".join(available_presets())
    except IntakeError:
        return DEFAULT_PRESET


def run(args: argparse.Namespace, out: Output) -> int:
    root = resolve_workspace_dir(args.workspace)
    ws = init_workspace(root, args.preset)
    config = ws.load_config()
    url = args.db or config.ledger_url or ws.default_ledger_url()
    Ledger.open(url, Actor.current(args.role)).close()
    out.emit(
        {"workspace": str(ws.root), "preset": args.preset, "ledger": url},
        f"Workspace ready: {ws.root} (preset {args.preset}). "
        f"Drop files into {ws.intake}/<matter>/ and run `intake-desktop ingest`.",
    )
    return EXIT_OK
