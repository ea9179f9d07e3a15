"""Composition root: the one place where workspace, ledger and pipeline objects are built."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from intake_desktop.core import custody
from intake_desktop.core.engines import apply_engine_config
from intake_desktop.core.firm_db import ledger_url
from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.mover import FaultHook, no_fault
from intake_desktop.core.ocr.settings import OcrSettings, load_ocr_settings
from intake_desktop.core.roles import SignInError
from intake_desktop.core.workspace import (
    ENV_WORKSPACE,
    Workspace,
    WorkspaceConfig,
    open_workspace,
    resolve_workspace_dir,
)

if TYPE_CHECKING:  # the filing stages load when a filer is built (quick window start-up)
    from intake_desktop.core.filing import Filer
    from intake_desktop.core.ocr import OcrEngine


class SignsIn(Protocol):
    """Signs the acting person in on a ledger (commands.common.Acting)."""

    def sign_in(self, ledger: Ledger) -> Actor: ...


@dataclass
class App:
    """Everything a command or the window needs, built once."""

    workspace: Workspace
    config: WorkspaceConfig
    ledger: Ledger
    actor: Actor
    ocr_settings: OcrSettings = field(default_factory=OcrSettings)
    # The chain head when the app opened: a batch that moved it is sealed on close.
    head_at_open: tuple[int, str] | None = None
    _ocr: OcrEngine | None = field(default=None, repr=False)

    @property
    def ocr(self) -> OcrEngine:
        """The app's OCR engine (checks for Tesseract once per app), made when first used:
        it loads the PDF libraries, which a filing step whose workers prepare never needs."""
        if self._ocr is None:
            from intake_desktop.core.ocr import OcrEngine

            self._ocr = OcrEngine(self.ocr_settings)
        return self._ocr

    @property
    def seal_mirror(self) -> Path | None:
        """[seal] mirror from the config (relative paths are inside the workspace)."""
        if not self.config.seal_mirror:
            return None
        return self.workspace.root / Path(self.config.seal_mirror).expanduser()

    def seal_if_changed(self, on_warning: Callable[[str], None] | None = None) -> None:
        """Seal the ledger into Exports/ledger-seals/ and the mirror when the head moved
        since the app opened or last sealed (after each batch: ingest, watch sweep, close)."""
        head = self.ledger.chain.head()
        if self.head_at_open is None or head == self.head_at_open:
            return
        outcome = custody.seal_after_batch(self.ledger, self.workspace, self.seal_mirror)
        for text in outcome.warnings:
            (on_warning or _warn_stderr)(text)
        self.head_at_open = head

    def close(self) -> None:
        """Seal what this app recorded (see `seal_if_changed`) and close the ledger; a
        second call does nothing."""
        if self.head_at_open is None:
            self.ledger.close()
            return
        try:
            self.seal_if_changed()
        except Exception as exc:  # closing must not fail the work that was done
            _warn_stderr(f"the ledger was not sealed ({exc}); run `intake-desktop ledger seal`")
        finally:
            self.head_at_open = None
            self.ledger.close()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def workspace_was_chosen(workspace: str | None) -> bool:
    import os

    return bool(workspace) or bool(os.environ.get(ENV_WORKSPACE))


def open_app(
    workspace: str | None,
    *,
    db: str | None = None,
    role: str | None = "paralegal",
    create: bool | None = None,
    attach: bool = True,
    acting: SignsIn | None = None,
) -> App:
    """Open (or, for the default location, create) a workspace and its ledger.

    An explicitly chosen folder must already be a workspace unless `create` is True; the
    default workspace is created on first use with the litigation preset. A ledger that
    is not this workspace's is refused (`attach=False`, for `ledger verify`, opens it
    anyway so the report can say what is wrong). `acting` (the command line's `--as`)
    signs the person in and checks what the command needs; without it the computer
    account acts in `role`.
    """
    root = resolve_workspace_dir(workspace)
    if create is None:
        create = not workspace_was_chosen(workspace)
    ws = open_workspace(Path(root), create=create)
    config = ws.load_config()
    apply_engine_config(ws.config_path)  # [engines] paths to LibreOffice, Tesseract, OCRmyPDF
    ocr_settings = load_ocr_settings(ws.config_path)  # checked now: a bad value stops here
    if acting is None and role not in (None, "paralegal"):
        # A role is never granted by asking for it (issue 17): people sign in with `--as`.
        raise SignInError(
            f"--role {role} no longer grants a role",
            fix="act as a person who has it with `--as NAME` (attorneys and admins sign in "
            "with their passphrase)",
        )
    actor = Actor.current(role or "paralegal")
    # --db, else [ledger] url with its password from the keyring, else .intake/ledger.sqlite
    url = ledger_url(ws, db)
    ledger = Ledger.open(url, actor)
    try:
        if attach:
            custody.attach_ledger(ledger, ws, url)
        if acting is not None:
            actor = acting.sign_in(ledger)
    except BaseException:
        ledger.close()
        raise
    # A ledger opened without the workspace check is never sealed into this workspace.
    app = App(workspace=ws, config=config, ledger=ledger, actor=actor, ocr_settings=ocr_settings,
              head_at_open=ledger.chain.head() if attach else None)
    custody.discard_dead_seal_temps(ws, app.seal_mirror)  # a seal cut short by kill -9
    return app


def _warn_stderr(text: str) -> None:
    from intake_desktop.core.errors import format_message

    sys.stderr.write(f"intake-desktop: warning: {format_message(text)}\n")


def build_filer(
    app: App,
    *,
    fault: FaultHook = no_fault,
    on_warning: Callable[[str], None] = _warn_stderr,
    record_rules: bool = True,
) -> Filer:
    """The filer with the workspace's routing and conversion stages.

    Routing: the workspace's `.intake/rules.toml` when present (a new valid version is
    recorded as `rules_changed`; a broken one leaves the last good rules in force and is
    reported through `on_warning`), the built-in router otherwise; an edited rules.toml is
    picked up before the next file. `record_rules=False` (previews) neither records nor
    copies anything.
    """
    from intake_desktop.core.filing import Filer
    from intake_desktop.core.ocr import StandardPreparer
    from intake_desktop.core.rules.active import WorkspaceRulesRouter

    router = WorkspaceRulesRouter(app.workspace, app.ledger, on_warning, promote=record_rules)
    return Filer(
        app.workspace,
        app.ledger,
        router=router,
        # Conversion to PDF, then an OCR text layer on image-only pages (a missing OCR
        # engine is reported once per app through `on_warning`).
        preparer=StandardPreparer(lambda: app.ocr, on_notice=on_warning),
        intake_folders=app.config.intake_folders,
        fault=fault,
    )
