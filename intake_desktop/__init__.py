"""Intake Desktop: file-intake and evidence organizer for law firms."""

__version__ = "0.1.0"
TOOL_NAME = "intake-desktop"


def tool_version() -> str:
    """The tool and version string recorded in every ledger event."""
    return f"{TOOL_NAME} {__version__}"
