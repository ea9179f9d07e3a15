"""Entry point of the desktop bundle (PyInstaller): the same CLI as `intake-desktop`."""

import os
import sys


def _restore_library_path() -> None:
    """PyInstaller's Linux bootloader points LD_LIBRARY_PATH at the bundle; LibreOffice,
    Tesseract and OCRmyPDF run as child processes and must see the system's libraries."""
    if not getattr(sys, "frozen", False):
        return
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is not None:
        os.environ["LD_LIBRARY_PATH"] = original
    else:
        os.environ.pop("LD_LIBRARY_PATH", None)


if __name__ == "__main__":
    _restore_library_path()
    from intake_desktop.launch import run

    run()
