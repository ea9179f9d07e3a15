"""Exhibit labels ("Pltf. Ex. 1", "Def. Ex. AA"), page labels and Bates numbers as text."""

from __future__ import annotations

import enum
import re
from pathlib import PurePath

from pathvalidate import sanitize_filename


class LabelScheme(enum.StrEnum):
    NUMBERS = "numbers"
    LETTERS = "letters"


# Party prefixes used in practice; any other short text is accepted too.
PARTY_PREFIXES = ("Pltf. Ex.", "Def. Ex.", "Joint Ex.", "Exhibit", "Ex.")
DEFAULT_PREFIX = "Exhibit"


def letters(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA, 28 -> AB, 702 -> ZZ, 703 -> AAA."""
    if n < 1:
        raise ValueError("exhibit letters start at 1 (A)")
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("A") + rem) + out
    return out


def letters_to_number(text: str) -> int:
    """A -> 1, Z -> 26, AA -> 27 (inverse of `letters`)."""
    if not text or not text.isascii() or not text.isalpha():
        raise ValueError(f"{text!r} is not an exhibit letter (A, B, ... Z, AA, AB ...)")
    n = 0
    for ch in text.upper():
        n = n * 26 + (ord(ch) - ord("A") + 1)
    return n


def exhibit_id(scheme: LabelScheme, n: int) -> str:
    """The exhibit's number or letter for the n-th position of the scheme (from 1)."""
    return letters(n) if scheme is LabelScheme.LETTERS else str(n)


def full_label(prefix: str, ident: str) -> str:
    """'Pltf. Ex.' + '1' -> 'Pltf. Ex. 1'."""
    return f"{prefix or DEFAULT_PREFIX} {ident}"


def page_label(ident: str, page: int) -> str:
    """The per-page label some courts ask for: 'Ex. 3 - p. 2'."""
    return f"Ex. {ident} - p. {page}"


def bates_text(prefix: str, number: int, digits: int, suffix: str = "") -> str:
    return f"{prefix}{number:0{digits}d}{suffix}"


# Generated names stay short so that Exports/<set>/Binder/<name> - Binder.pdf keeps well
# under the ~200 characters Windows tools handle.
MAX_STEM = 60


def file_stem(label: str, max_len: int = MAX_STEM) -> str:
    """A file name stem safe on Windows, macOS and Linux ('Pltf. Ex. 1'), at most
    `max_len` characters."""
    clean = str(sanitize_filename(label, replacement_text="-", platform="universal"))
    return clean[:max_len].strip(" .")


_TOKEN = re.compile(r"\d+|[A-Za-z]+|[^A-Za-z\d]+")
_IDENT_LETTERS = re.compile(r"^[A-Z]{1,3}$")


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key that orders exhibit labels and their file names as people count them:
    'Ex. 2' before 'Ex. 10', 'Def. Ex. B' before 'Def. Ex. Z' before 'Def. Ex. AA'.

    Numbers compare by value; an exhibit letter (one to three capitals standing alone)
    by length first, then alphabetically; other text case-insensitively.
    """
    key = []
    for token in _TOKEN.findall(text):
        if token.isdigit():
            key.append((0, int(token), ""))
        elif _IDENT_LETTERS.match(token):
            key.append((1, len(token), token))
        elif token.isalpha():
            key.append((1, 0, token.lower()))
        else:
            key.append((2, 0, token))
    return tuple(key)


def natural_path_key(path: PurePath) -> tuple[tuple[tuple[int, int, str], ...], ...]:
    """`natural_key` applied to every part of a path (folders first, then the name)."""
    return tuple(natural_key(part) for part in path.parts)
