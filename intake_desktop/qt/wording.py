"""What the window says: messages without command-line flags, in sentence case, and status
labels that show their state by a sign as well as by colour."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

# Hints written for the command line, and what the window says instead (or nothing).
_FLAG_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r",?\s*or use --matter with ([^.;]*)"), r" with \1"),
    (re.compile(r",?\s*or use --matter\b[^.;]*"), " or choose the matter"),
    (re.compile(r";?\s*pass --limit for another size"), "; set another size when you fit"),
    (re.compile(r"\(?\s*(?:or )?(?:run )?`intake-desktop [^`]*`\s*\)?"), "the ledger check"),
    (re.compile(r"\s*--[a-z][\w-]*(?:\s+[A-Z_]+)?"), ""),
)
SIGNS = {"ok": "✓", "warn": "⚠", "error": "⚠", "info": ""}
OBJECT_NAMES = {"ok": "okText", "warn": "warnText", "error": "errorText", "info": "muted"}


def without_flags(text: str) -> str:
    for pattern, repl in _FLAG_HINTS:
        text = pattern.sub(repl, text)
    return text


def sentence_case(text: str) -> str:
    """Capital letter at the start and after each full stop (paths and names untouched)."""

    def up(m: re.Match[str]) -> str:
        return m.group(1) + m.group(2).upper()

    if not re.match(r"^[^:]*\.\w{2,5}:", text):  # "name.pdf: what happened" keeps the name
        text = re.sub(r"^(\s*)([a-z])", up, text)
    return re.sub(r"([.!?]\s+)([a-z])", up, text)


def shorten_paths(text: str, root: Path | None = None) -> str:
    """Workspace paths relative to the workspace; scratch copies (…/.intake/work/…) by name."""
    text = re.sub(r"(?:/[^\s:;,]+)?/\.intake/work/[^\s:;,]*/([^/\s:;,]+)", r"\1", text)
    if root is not None:
        text = text.replace(str(root) + "/", "")
    return text


def for_window(text: str, root: Path | None = None) -> str:
    """A core message as the window shows it."""
    return sentence_case(shorten_paths(without_flags(text), root)).strip()


def say(label: QLabel, text: str, kind: str = "info") -> None:
    """Show a result in a label: plain text, a sign for the state, the state's colour."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    sign = SIGNS.get(kind, "")
    shown = for_window(text)
    label.setText(f"{sign} {shown}" if sign and shown else shown)
    label.setToolTip(shown)
    label.setObjectName(OBJECT_NAMES.get(kind, "muted"))
    label.style().unpolish(label)
    label.style().polish(label)


def plain(label: QLabel) -> QLabel:
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
