"""A keyring backend for tests on a headless machine: a JSON file (INTAKE_TEST_KEYRING_FILE).

A real desk uses the operating system's store, which `keyring` picks by itself: Windows
Credential Manager, the macOS Keychain, the Secret Service (GNOME Keyring, KWallet) on a
Linux desktop. Subprocesses load this one with
PYTHON_KEYRING_BACKEND=tests.keyring_file.FileKeyring.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:
        # Chosen only where a test asks for it (keyring considers every loaded backend).
        if "INTAKE_TEST_KEYRING_FILE" not in os.environ:
            raise RuntimeError("INTAKE_TEST_KEYRING_FILE is not set")
        return 1

    @property
    def path(self) -> Path:
        return Path(os.environ["INTAKE_TEST_KEYRING_FILE"])

    def _load(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.is_file() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\n{username}"] = password
        self.path.write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError(username)
        self.path.write_text(json.dumps(data))


def use_file_keyring(path: Path) -> object:
    """Make `path` this process's keyring; returns the keyring to put back."""
    import keyring

    os.environ["INTAKE_TEST_KEYRING_FILE"] = str(path)
    before = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    return before
