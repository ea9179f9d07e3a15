"""Icons (SVG in resources/icons, tinted for the palette) and the light/dark theme."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from intake_desktop.core.paths import resources_dir

ACCENT = "#1f6fb2"
# Text colours for states, at least 4.5:1 against the window in each theme (WCAG AA).
STATE_COLOURS = {
    False: {"error": "#b3261e", "ok": "#1e6b3c", "warn": "#8a5300"},
    True: {"error": "#ff8a80", "ok": "#7ee2a8", "warn": "#ffcc66"},
}


def state_colour(kind: str, dark: bool) -> str:
    return STATE_COLOURS[dark][kind]
SIZES = (16, 20, 24, 32, 48, 64)


def icons_dir() -> Path:
    return resources_dir() / "icons"


_forced_dark: list[bool] = []  # set by apply_theme(dark=...) so icons match the palette


def is_dark() -> bool:
    if _forced_dark:
        return _forced_dark[-1]
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return False
    scheme = app.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 128


@cache
def _svg(name: str) -> str:
    path = icons_dir() / f"{name}.svg"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def icon(name: str, color: str | None = None) -> QIcon:
    """The named icon, drawn in `color` (default: the palette's text colour)."""
    text = _svg(name)
    if not text:
        return QIcon()
    if color is None:
        color = "#e6e9ee" if is_dark() else "#3a4350"
    data = QByteArray(text.replace("currentColor", color).encode("utf-8"))
    renderer = QSvgRenderer(data)
    result = QIcon()
    for size in SIZES:
        pm = QPixmap(size, size)
        pm.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pm)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        result.addPixmap(pm)
    return result


def app_icon() -> QIcon:
    return icon("app")


def stylesheet(dark: bool) -> str:
    side = "#1b2430" if dark else "#eef2f6"
    side_text = "#d7dde5" if dark else "#2b3440"
    side_sel = "#2b3a4d" if dark else "#dbe6f2"
    zone = "#1e2936" if dark else "#f6f9fc"
    zone_border = "#4b6b8c" if dark else "#9fb7cf"
    muted = "#9aa6b2" if dark else "#5d6975"
    hit = "#5c4a00" if dark else "#fff2a8"
    return f"""
    QListWidget#nav {{ background: {side}; border: none; padding-top: 8px; font-size: 10.5pt; }}
    QListWidget#nav::item {{ color: {side_text}; padding: 9px 14px; margin: 1px 8px;
                             border-radius: 6px; }}
    QListWidget#nav::item:selected {{ background: {side_sel}; color: {side_text};
                                      font-weight: 600; }}
    QListWidget#nav::item:disabled {{ color: {muted}; }}
    QLabel#pageTitle {{ font-size: 15pt; font-weight: 600; }}
    QLabel#pageHint, QLabel#muted {{ color: {muted}; }}
    QFrame#dropZone {{ background: {zone}; border: 2px dashed {zone_border};
                       border-radius: 12px; }}
    QFrame#dropZone[hover="true"] {{ border-color: {ACCENT}; background: {side_sel}; }}
    QLabel#dropTitle {{ font-size: 13pt; font-weight: 600; }}
    QLabel#errorText {{ color: {state_colour("error", dark)}; }}
    QLabel#okText {{ color: {state_colour("ok", dark)}; }}
    QLabel#warnText {{ color: {state_colour("warn", dark)}; }}
    QListWidget#nav::item:focus {{ border: 1px solid {ACCENT}; }}
    QLabel#searchHit {{ background: {hit}; }}
    QLabel#banner {{ background: {side_sel}; border-radius: 6px; padding: 8px 12px; }}
    QPushButton[primary="true"] {{ background: {ACCENT}; color: white; border: none;
                                   padding: 6px 14px; border-radius: 5px; font-weight: 600; }}
    QPushButton[primary="true"]:disabled {{ background: {side}; color: {muted};
                                            border: 1px solid {zone_border}; }}
    """


def apply_theme(app: QApplication, dark: bool | None = None) -> None:
    """Fusion style with the system's light or dark palette (or the one asked for)."""
    app.setStyle("Fusion")
    _forced_dark.clear()
    if dark is not None:
        _forced_dark.append(dark)
    dark = is_dark()
    if dark:
        pal = QPalette()
        base, window, text = QColor("#161c24"), QColor("#1f2731"), QColor("#e6e9ee")
        pal.setColor(QPalette.ColorRole.Window, window)
        pal.setColor(QPalette.ColorRole.WindowText, text)
        pal.setColor(QPalette.ColorRole.Base, base)
        pal.setColor(QPalette.ColorRole.AlternateBase, QColor("#1b222b"))
        pal.setColor(QPalette.ColorRole.Text, text)
        pal.setColor(QPalette.ColorRole.Button, window)
        pal.setColor(QPalette.ColorRole.ButtonText, text)
        pal.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
        pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
        pal.setColor(QPalette.ColorRole.ToolTipBase, window)
        pal.setColor(QPalette.ColorRole.ToolTipText, text)
        pal.setColor(QPalette.ColorRole.PlaceholderText, QColor("#7d8896"))
        app.setPalette(pal)
    else:
        pal = app.style().standardPalette()
        pal.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
        app.setPalette(pal)
    app.setStyleSheet(stylesheet(dark))
    app.setWindowIcon(app_icon())
