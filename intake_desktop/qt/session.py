"""What every page of the window shares: the app, the acting user's ledger and the task runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from intake_desktop.app import App, build_filer
from intake_desktop.core.filing import Filer
from intake_desktop.core.ledger import Actor, Ledger
from intake_desktop.core.review import ReviewDesk
from intake_desktop.qt.tasks import TaskRunner


@dataclass
class Session:
    """One acting user: their ledger handle records them (user and role) in every event."""

    app: App
    actor: Actor
    ledger: Ledger
    runner: TaskRunner
    # Told about problems that do not stop filing (e.g. broken rules kept out); any thread.
    on_warning: Callable[[str], None] = field(default=lambda text: None)

    @classmethod
    def start(
        cls,
        app: App,
        actor: Actor,
        runner: TaskRunner,
        on_warning: Callable[[str], None] | None = None,
    ) -> Session:
        ledger = app.ledger if actor == app.actor else app.ledger.with_actor(actor)
        session = cls(app=app, actor=actor, ledger=ledger, runner=runner)
        if on_warning is not None:
            session.on_warning = on_warning
        return session

    @property
    def acting_app(self) -> App:
        return replace(self.app, ledger=self.ledger, actor=self.actor)

    def filer(self) -> Filer:
        return build_filer(self.acting_app, on_warning=self.on_warning)

    def review_desk(self) -> ReviewDesk:
        return ReviewDesk(self.filer())

    def close(self) -> None:
        if self.ledger is not self.app.ledger:
            self.ledger.close()
