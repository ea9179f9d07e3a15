"""The main window: navigation by role, the acting user in the status bar, tray notifications."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from intake_desktop.app import App
from intake_desktop.core.ledger import Actor, EventKind
from intake_desktop.core.roles import Capability, CapabilityRefused, can, require, who_may
from intake_desktop.qt.look import app_icon, icon
from intake_desktop.qt.session import Session
from intake_desktop.qt.tasks import Pool, TaskRunner

if TYPE_CHECKING:  # the pages and the filing engine load when first used (quick start-up)
    from intake_desktop.core.desks.rules_draft import RulesBackend
    from intake_desktop.core.filing import IngestResult


class Page:
    """One entry of the navigation."""

    def __init__(
        self, key: str, title: str, icon_name: str, capability: Capability, shortcut: str
    ) -> None:
        self.key, self.title, self.icon_name = key, title, icon_name
        self.capability, self.shortcut = capability, shortcut


PAGES = (
    Page("intake", "Intake", "intake", Capability.INTAKE, "Ctrl+1"),
    Page("review", "Review queue", "review", Capability.VIEW_REVIEW, "Ctrl+2"),
    Page("browser", "Exhibit browser", "browse", Capability.BROWSE, "Ctrl+3"),
    Page("builder", "Exhibit builder", "builder", Capability.BUILD, "Ctrl+4"),
    Page("settings", "Settings", "settings", Capability.SETTINGS, "Ctrl+5"),
    Page("checklists", "Checklists", "check", Capability.CHECKLISTS, "Ctrl+6"),
    Page("supervision", "Supervision", "hand", Capability.SUPERVISE, "Ctrl+7"),
    Page("production", "Production", "builder", Capability.BUILD, "Ctrl+8"),
    Page("fit", "Court fit", "fit", Capability.BUILD, "Ctrl+9"),
)
# Who may use each page, in words, from the one capability table (core/roles.py).
ROLE_NEEDED = {page.capability: who_may(page.capability) for page in PAGES}


class Pages(dict[str, QWidget]):
    """The pages the acting role may use, each built the first time it is used (start-up
    builds only the page shown). `key in pages` is True for every allowed page; iterating
    gives the pages built so far; `built(key)` never builds."""

    def __init__(self, build: Callable[[str], QWidget]) -> None:
        super().__init__()
        self.allowed: set[str] = set()
        self._build = build

    def __contains__(self, key: object) -> bool:
        return key in self.allowed

    def __missing__(self, key: str) -> QWidget:
        if key not in self.allowed:
            raise KeyError(key)
        widget = self._build(key)
        self[key] = widget
        return widget

    def get(self, key: str, default: QWidget | None = None) -> QWidget | None:  # type: ignore[override]
        return self[key] if key in self.allowed else default

    def built(self, key: str) -> QWidget | None:
        return dict.get(self, key)

    def clear(self) -> None:
        super().clear()
        self.allowed.clear()


class MainWindow(QMainWindow):
    """`MainWindow(app)`; tests pass `pool=ImmediatePool()` and an `actor`."""

    # Warnings from core work on any thread (queued to the GUI thread).
    warning = Signal(str)

    def __init__(
        self,
        app: App,
        *,
        actor: Actor | None = None,
        pool: Pool | None = None,
        settings: QSettings | None = None,
        rules_backend: RulesBackend | None = None,
        tray: bool = True,
        watch: bool = False,
    ) -> None:
        super().__init__()
        self.app = app
        self.settings = settings
        self.rules_backend = rules_backend
        self.runner = TaskRunner(pool, self)
        self.warning.connect(self._warned)
        self._pending_warning = ""  # a warning raised since the last batch ended
        self.session = Session.start(app, actor or app.actor, self.runner, self.warning.emit)
        self.pages = Pages(self._build_page)
        self.setWindowIcon(app_icon())
        self.resize(1180, 760)
        self.setMinimumSize(760, 520)

        self.nav = QListWidget(self)
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(210)
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable with Tab
        self.nav.setAccessibleName("Pages")
        self.stack = QStackedWidget(self)
        body = QWidget(self)
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        side = QWidget(body)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.nav)
        row.addWidget(side)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(body)
        self.nav.currentRowChanged.connect(self._nav_changed)

        self.workspace_label = QLabel(self)
        self.workspace_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.actor_label = QLabel(self)
        self.watch_label = QLabel(self)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("errorText")
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.workspace_label.setTextFormat(Qt.TextFormat.PlainText)
        self.actor_label.setTextFormat(Qt.TextFormat.PlainText)
        # Asks the user a yes/no question (tests replace it): confirm(title, text) -> bool.
        self.confirm: Callable[[str, str], bool] = self._ask
        bar = self.statusBar()
        bar.addWidget(self.workspace_label)
        bar.addWidget(self.message_label, 1)
        bar.addPermanentWidget(self.watch_label)
        bar.addPermanentWidget(self.actor_label)

        self._build_menus()
        self.tray: QSystemTrayIcon | None = None
        if tray and QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(app_icon(), self)
            self.tray.setToolTip("Intake Desktop")
            self.tray.activated.connect(self._raise_from_tray)
            self.tray.show()

        from intake_desktop.qt.watch_service import WatchService

        self.watch = WatchService(self.session, self)
        self.watch.status.connect(self._watch_status)
        self.watch.filed.connect(lambda result: self._notify_batch([result], watcher=True))
        self._want_watch = watch
        from intake_desktop.qt.firm_database import attach_database_status

        # A firm ledger on a server: its state in the status bar, the watcher paused while
        # it is gone (None for the local SQLite ledger).
        self.database_status = attach_database_status(self)
        if self.database_status is not None:
            self.database_status.start()
        self._build_pages()
        self.settings_restored = False
        if settings is not None:
            geometry = settings.value("window/geometry")
            if isinstance(geometry, QByteArray):
                self.settings_restored = self.restoreGeometry(geometry)

    # ---- structure -----------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.add_files_action = QAction(icon("add"), "&Add files…", self)
        self.add_files_action.setShortcut(QKeySequence.StandardKey.Open)
        self.add_files_action.triggered.connect(self._add_files)
        file_menu.addAction(self.add_files_action)
        matters_action = QAction(icon("folder"), "&Matters…", self)
        matters_action.setShortcut(QKeySequence("Ctrl+M"))
        matters_action.triggered.connect(self.show_matters)
        file_menu.addAction(matters_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        view_menu = self.menuBar().addMenu("&View")
        for n, page in enumerate(PAGES):
            action = QAction(icon(page.icon_name), page.title, self)
            action.setShortcut(QKeySequence(page.shortcut))
            action.triggered.connect(_bind(self.open_page, page.key))
            view_menu.addAction(action)
            setattr(self, f"_page_action_{n}", action)
        refresh = QAction(icon("refresh"), "&Refresh", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh)
        view_menu.addSeparator()
        view_menu.addAction(refresh)
        profile_menu = self.menuBar().addMenu("&Profile")
        switch = QAction(icon("user"), "&Switch profile…", self)
        switch.setShortcut(QKeySequence("Ctrl+Shift+U"))
        switch.triggered.connect(self.switch_profile)
        profile_menu.addAction(switch)
        help_menu = self.menuBar().addMenu("&Help")
        self.diagnostics_action = QAction("&Diagnostics…", self)
        self.diagnostics_action.triggered.connect(self.show_diagnostics)
        help_menu.addAction(self.diagnostics_action)

    def show_diagnostics(self) -> None:
        """Help > Diagnostics: the `doctor` report for this workspace, with Copy report."""
        from intake_desktop.qt.diagnostics import DiagnosticsDialog, diagnostics_report

        app = self.session.app
        dialog = DiagnosticsDialog(diagnostics_report(app.workspace, app.ledger.url), self)
        dialog.exec()

    def _build_page(self, key: str) -> QWidget:
        from intake_desktop.qt.pages import build_page

        widget = build_page(key, self)
        self.stack.addWidget(widget)
        self._connect_page(key, widget)
        return widget

    def _build_pages(self, keep: dict[str, QWidget] | None = None) -> None:
        """(Re)list the pages this role may use; the others stay disabled in the list.

        Pages in `keep` that the role may still use are kept (with their work) and told
        about the new session; the others are dropped. A page is built when first shown.
        """
        keep = dict(keep or {})
        current = self.current_page_key()
        role = self.session.actor.role
        for key, old in list(self.pages.items()):
            page = next(p for p in PAGES if p.key == key)
            rebind = getattr(old, "rebind", None)
            if key in keep and can(role, page.capability) and callable(rebind) and rebind(
                    self.session):
                continue
            keep.pop(key, None)
            self.stack.removeWidget(old)
            old.deleteLater()
        self.pages.clear()
        self.nav.blockSignals(True)
        self.nav.clear()
        role = self.session.actor.role
        first_allowed = -1
        for n, page in enumerate(PAGES):
            item = QListWidgetItem(icon(page.icon_name), page.title)
            allowed = can(role, page.capability)
            if allowed:
                self.pages.allowed.add(page.key)
                kept = keep.get(page.key)
                if kept is not None:
                    self.pages[page.key] = kept
                item.setData(Qt.ItemDataRole.UserRole, page.key)
                item.setToolTip(f"{page.title} ({page.shortcut})")
                # Land on a page the person can act on (not the read-only review queue).
                read_only = page.key == "review" and not can(role, Capability.REVIEW)
                if first_allowed < 0 and not read_only:
                    first_allowed = n
            else:
                item.setFlags(Qt.ItemFlag.NoItemFlags)
                item.setToolTip(f"{page.title} needs {ROLE_NEEDED[page.capability]} profile")
            self.nav.addItem(item)
        self.nav.blockSignals(False)
        keys = [p.key for p in PAGES]
        if current is not None and current in self.pages:
            first_allowed = keys.index(current)
        if first_allowed >= 0:
            self.nav.setCurrentRow(first_allowed)
            self._nav_changed(first_allowed)
        self._update_labels()
        self.add_files_action.setEnabled("intake" in self.pages)
        self._restart_watch()

    def _connect_page(self, key: str, widget: QWidget) -> None:
        if key == "intake":
            page: Any = widget
            page.batch_finished.connect(self._notify_batch)
            page.error.connect(self.show_error)

    def watch_folders(self) -> None:
        """Start watching the intake folders (after the first paint: it loads the rules)."""
        self._want_watch = True
        self._restart_watch()

    def _restart_watch(self) -> None:
        """The watcher files as the acting user; it runs only for roles allowed intake."""
        self.watch.stop()
        self.watch.session = self.session
        if self._want_watch and can(self.session.actor.role, Capability.INTAKE):
            self.watch.start()

    def _watch_status(self, text: str, ok: bool) -> None:
        self.watch_label.setText(f"{text}  ")
        self.watch_label.setObjectName("" if ok else "errorText")
        self.watch_label.style().polish(self.watch_label)

    def _update_labels(self) -> None:
        ws = self.app.workspace.root
        title = "Intake Desktop"  # the default workspace's folder has the same name
        self.setWindowTitle(title if ws.name == title else f"{title} - {ws.name}")
        self.workspace_label.setText(f"Workspace: {ws}")
        actor = self.session.actor
        self.actor_label.setText(f"  Acting as {actor.user} ({actor.role})  ")
        if not self.watch.running:
            self.watch_label.setText("Folder watching: off  ")
            self.watch_label.setToolTip(
                "Files in the intake folders are filed when someone with intake rights is "
                "signed in (or by `intake-desktop watch`)"
            )

    # ---- navigation ----------------------------------------------------------------------

    def _nav_changed(self, row: int) -> None:
        item = self.nav.item(row)
        key = item.data(Qt.ItemDataRole.UserRole) if item else None
        if isinstance(key, str) and key in self.pages:
            if self.stack.currentWidget() is not self.pages[key]:
                self.clear_error()  # a message belongs to the page that raised it
            self.stack.setCurrentWidget(self.pages[key])
            refresh = getattr(self.pages[key], "refresh", None)
            if callable(refresh):
                refresh()

    def open_page(self, key: str) -> bool:
        """Show a page; False (with a message) when the acting role may not use it."""
        page = next(p for p in PAGES if p.key == key)
        if key not in self.pages:
            with suppress(CapabilityRefused):  # records the refusal (`capability_refused`)
                require(self.session.ledger, page.capability, f"open {page.title}")
            self.show_error(
                f"{page.title} needs {ROLE_NEEDED[page.capability]} profile. You are acting as "
                f"{self.session.actor.user} ({self.session.actor.role}): use Profile > Switch "
                "profile."
            )
            return False
        self.nav.setCurrentRow([p.key for p in PAGES].index(key))
        return True

    def current_page_key(self) -> str | None:
        current = self.stack.currentWidget()
        return next((k for k, w in self.pages.items() if w is current), None)

    def refresh(self) -> None:
        page = self.stack.currentWidget()
        refresh = getattr(page, "refresh", None)
        if callable(refresh):
            refresh()

    # ---- actions -------------------------------------------------------------------------

    def _raise_from_tray(self, *_: object) -> None:
        self.showNormal()
        self.activateWindow()

    def _add_files(self) -> None:
        intake: Any = self.pages.get("intake")
        if intake is not None:
            self.open_page("intake")
            intake.choose_files()

    def show_matters(self) -> None:
        from intake_desktop.qt.matters import MattersDialog

        MattersDialog(self.session, self).exec()
        self.refresh()

    def switch_profile(self) -> None:
        from intake_desktop.qt.profile_dialog import ProfileDialog

        dialog = ProfileDialog(self.session, self)
        if dialog.exec() and dialog.actor is not None:
            self.set_actor(dialog.actor)

    def set_actor(self, actor: Actor) -> bool:
        """Act as another user/role from now on (every ledger event will name them).

        Work on the pages the new role may still use is kept; before work on a page the
        new role may not use is dropped, the user is asked. False when they said no.
        """
        lost = [
            p.title for p in PAGES
            if p.key in self.pages and not can(actor.role, p.capability)
            and _has_work(self.pages.built(p.key))
        ]
        if lost and not self.confirm(
            "Switch profile",
            f"As {actor.role} you cannot use {' and '.join(lost)}, so the work there (the "
            "list of results, the unsaved edits) will be closed. Switch anyway?",
        ):
            return False
        old = self.session
        self.session = Session.start(self.app, actor, self.runner, self.warning.emit)
        self.session.ledger.chain.record(
            EventKind.SIGNED_IN,
            detail={"user": actor.user, "role": actor.role, "previous": old.actor.user},
        )
        self.clear_error()
        self._build_pages(keep=dict(self.pages))
        old.close()
        self.statusBar().showMessage(f"Now acting as {actor.user} ({actor.role}).", 5000)
        return True

    def show_error(self, message: str) -> None:
        from intake_desktop.qt.wording import for_window

        text = for_window(message, self.app.workspace.root)
        self.message_label.setText(f"⚠ {text}" if text else "")
        self.message_label.setToolTip(text)

    def _warned(self, message: str) -> None:
        self._pending_warning = message
        self.show_error(message)

    def clear_error(self) -> None:
        self.message_label.clear()
        self.message_label.setToolTip("")

    def _ask(self, title: str, text: str) -> bool:
        if not self.isVisible():  # a hidden window has nobody to ask (and must not hang)
            return True
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _notify_batch(self, results: list[IngestResult], watcher: bool = False) -> None:
        if not watcher:  # the automatic ledger seal after each batch (watched files: on close)
            self.app.seal_if_changed(self.warning.emit)
        from intake_desktop.core.filing import Outcome

        intake: Any = self.pages.built("intake")
        if watcher and intake is not None:
            intake.show_watched(results)
        filed = sum(1 for r in results if r.status is Outcome.FILED)
        review = sum(1 for r in results if r.status is Outcome.REVIEW)
        errors = [r for r in results if r.status is Outcome.ERROR]
        if errors:
            self.show_error(f"{len(errors)} file(s) not filed: {errors[0].reason}")
        elif not watcher and not self._pending_warning:
            self.clear_error()  # a warning raised while filing (broken rules) stays shown
        self._pending_warning = ""
        if self.tray is not None and (filed or review or errors):
            text = f"{filed} filed, {review} sent to review"
            if errors:
                text += f", {len(errors)} not filed"
            kind = (QSystemTrayIcon.MessageIcon.Warning if errors or review
                    else QSystemTrayIcon.MessageIcon.Information)
            self.tray.showMessage("Intake Desktop", text, kind, 4000)
        review_page = self.pages.built("review")
        if review_page is not None and hasattr(review_page, "refresh"):
            review_page.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.runner.busy and self.isVisible():  # a hidden window has nobody to ask
            answer = QMessageBox.question(
                self, "Filing in progress",
                "Files are still being filed. Quit anyway? Anything not finished stays in its "
                "intake folder and is completed next time.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        if self.settings is not None:
            self.settings.setValue("window/geometry", self.saveGeometry())
        if self.tray is not None:
            self.tray.hide()
        self.watch.stop()
        self.session.close()
        super().closeEvent(event)


def _has_work(page: QWidget | None) -> bool:
    if page is None:
        return False
    has_work = getattr(page, "has_work", None)
    return bool(has_work()) if callable(has_work) else False


def _bind(fn: Callable[[str], object], key: str) -> Callable[[], None]:
    return lambda: (fn(key), None)[1]
