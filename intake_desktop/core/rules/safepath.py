"""Windows-safe path components: what every rendered folder and file name goes through.

Each component is NFC-normalized, has Windows-forbidden and control characters replaced,
reserved device names (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with any extension) suffixed,
trailing dots and spaces removed, and no component is empty, `.` or `..`. pathvalidate
does the character and reserved-name work; this module adds what it leaves (dot-only
names, spaces before an extension, leading dots that hide a file, the byte limit).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pathvalidate import is_valid_filename, sanitize_filename

# The mover caps file names at 200 bytes; stay within it so it never shortens our names.
MAX_COMPONENT_BYTES = 200
MAX_VALUE_CHARS = 400

_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _\-.,()&'+]*[A-Za-z0-9_\-)]\Z")
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_DOT = re.compile(r" +\.")
_CONTROL = dict.fromkeys(range(32), " ") | {127: " "}
_SLASHES = str.maketrans({"/": "-", "\\": "-"} | {chr(c): " " for c in range(32)} | {"\x7f": " "})


def clean_value(value: object) -> str | None:
    """A fact or name made safe to put into a template: one line, no path separators."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value))[:MAX_VALUE_CHARS]
    text = _SPACES.sub(" ", text.translate(_SLASHES)).strip()
    return text or None


def _plain(text: str) -> bool:
    """True for names that need no work: ASCII-safe and no reserved-name risk."""
    if not _PLAIN.match(text):
        return False
    base = text.split(".", 1)[0]
    return len(base) > 4 and ".." not in text  # reserved device names are 3-4 letters


@lru_cache(maxsize=4096)
def clean_component(text: str, max_bytes: int = MAX_COMPONENT_BYTES) -> str:
    """One folder or file name, legal on Windows, macOS and Linux (never empty)."""
    if len(text) <= max_bytes and _plain(text):
        return text
    name = unicodedata.normalize("NFC", text).translate(_CONTROL)
    name = _SPACE_BEFORE_DOT.sub(".", _SPACES.sub(" ", name))
    for _ in range(4):
        name = sanitize_filename(name, platform="universal", replacement_text="-", max_len=100_000)
        name = name.strip(" .").lstrip("~$")
        name = truncate_bytes(name, max_bytes)
        if name and is_valid_filename(name, platform="universal"):
            return name
    return "_"


def truncate_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-8 bytes, on a character boundary, no trailing ` .`."""
    if len(text.encode("utf-8")) <= limit:
        return text
    cut = text.encode("utf-8")[:limit].decode("utf-8", "ignore")
    return cut.rstrip(" .")


def clean_folder(text: str) -> tuple[str, ...]:
    """A rendered folder template as safe components (`/` or `\\` separate; empty dropped)."""
    parts = re.split(r"[/\\]+", text)
    return tuple(clean_component(p) for p in parts if p.strip(" ."))


def clean_extension(suffix: str) -> str:
    """A file extension kept only when short and plain (`.pdf`, `.jpeg`), lower-case."""
    ext = suffix.lower()
    if re.fullmatch(r"\.[a-z0-9]{1,7}", ext):
        return ext
    return ""
