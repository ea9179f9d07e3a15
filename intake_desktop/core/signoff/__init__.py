"""Sign-off on what goes out (issue 17 item 3): an output folder (exhibit set, court-fit
output, production) is a draft until an attorney signs off. Sign-off writes a manifest of
every file (relative path, size, SHA-256; the spec's hash; the Bates range) into the folder
and records a `signed_off` ledger event with the manifest's hash and the same file list;
`verify` compares the folder with what was signed."""

from intake_desktop.core.signoff.manifest import (
    MANIFEST_NAME,
    FileEntry,
    compare,
    is_manifest,
    scan_folder,
)
from intake_desktop.core.signoff.signing import (
    KIND_WORDS,
    OutputFolder,
    OutputKind,
    OutputSet,
    PendingSignOff,
    SetState,
    SetStatus,
    SignOffError,
    SignOffResult,
    Verification,
    describe,
    folder_of,
    output_sets,
    pending_signoffs,
    record_draft,
    set_key,
    set_status,
    sets_holding,
    sign_off,
    verify_set,
)

__all__ = [
    "KIND_WORDS",
    "MANIFEST_NAME",
    "FileEntry",
    "OutputFolder",
    "OutputKind",
    "OutputSet",
    "PendingSignOff",
    "SetState",
    "SetStatus",
    "SignOffError",
    "SignOffResult",
    "Verification",
    "compare",
    "describe",
    "folder_of",
    "is_manifest",
    "output_sets",
    "pending_signoffs",
    "record_draft",
    "scan_folder",
    "set_key",
    "set_status",
    "sets_holding",
    "sign_off",
    "verify_set",
]
