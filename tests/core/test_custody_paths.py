"""Custody records name every source exactly: absolute and workspace-relative paths, and for
archive members the parent's ledger id, the member's name and the parent's SHA-256 (never
a temporary work path)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from intake_desktop.app import App
from tests.conftest import REPO
from tests.exhibit_pdfs import text_pdf

MATTER = "2024-0301 Nguyen"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "intake_desktop", *args], cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
        timeout=300,
    )


def received_rows(app: App, cwd: Path) -> list[dict[str, Any]]:
    done = cli(cwd, "ledger", "export", "--format", "json", "--workspace",
               str(app.workspace.root))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return [{k: r[k] for k in ("kind", "document_id", "path_before", "sha256_before", "detail")}
            for r in rows if r["kind"] == "received"]


def test_received_rows_name_sources_exactly(app: App, tmp_path: Path) -> None:
    """GIVEN `ingest upload --matter M` run from another folder (a PDF and a zip of two
    pay stubs) and `ingest Intake/...` run from the workspace folder WHEN the ledger is
    exported as JSON THEN the `received` rows are exactly as below."""
    elsewhere = tmp_path / "elsewhere"
    er = text_pdf(elsewhere / "upload" / "ER visit 2024-02-14.pdf", 1, "ER").read_bytes()
    stubs = {name: text_pdf(tmp_path / "gen" / name, 1, name).read_bytes()
             for name in ("Paystub 2024-01-15.pdf", "Paystub 2024-01-31.pdf")}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in stubs.items():
            zf.writestr(name, data)
    (elsewhere / "upload" / "pay.zip").write_bytes(buf.getvalue())
    zsha = sha(buf.getvalue())
    inside = text_pdf(app.workspace.intake / MATTER / "Medical" / "mri.pdf", 1, "MRI")
    mri = inside.read_bytes()

    done = cli(elsewhere, "ingest", "upload", "--matter", MATTER, "--workspace",
               str(app.workspace.root), "--json")
    assert done.returncode == 0, done.stderr
    done = cli(app.workspace.root, "ingest", f"Intake/{MATTER}/Medical/mri.pdf", "--json",
               "--workspace", str(app.workspace.root))
    assert done.returncode == 0, done.stderr

    up = os.path.normpath(elsewhere / "upload")
    zpath = f"{up}/pay.zip"
    inside_abs = os.path.normpath(inside)
    rel = f"Intake/{MATTER}/Medical/mri.pdf"
    member = {"detected_type": "application/pdf", "parent": 2, "parent_id": 2,
              "parent_sha256": zsha, "source_relative": None}
    assert received_rows(app, tmp_path) == [
        {"kind": "received", "document_id": 1, "path_before": f"{up}/ER visit 2024-02-14.pdf",
         "sha256_before": sha(er),
         "detail": {"size": len(er), "detected_type": "application/pdf", "parent": None,
                    "source": f"{up}/ER visit 2024-02-14.pdf", "source_relative": None}},
        {"kind": "received", "document_id": 2, "path_before": zpath, "sha256_before": zsha,
         "detail": {"size": len(buf.getvalue()), "detected_type": "application/zip",
                    "parent": None, "source": zpath, "source_relative": None}},
        {"kind": "received", "document_id": 3,
         "path_before": f"{zpath}!/Paystub 2024-01-15.pdf",
         "sha256_before": sha(stubs["Paystub 2024-01-15.pdf"]),
         "detail": {**member, "size": len(stubs["Paystub 2024-01-15.pdf"]),
                    "member": "Paystub 2024-01-15.pdf",
                    "source": f"{zpath}!/Paystub 2024-01-15.pdf"}},
        {"kind": "received", "document_id": 4,
         "path_before": f"{zpath}!/Paystub 2024-01-31.pdf",
         "sha256_before": sha(stubs["Paystub 2024-01-31.pdf"]),
         "detail": {**member, "size": len(stubs["Paystub 2024-01-31.pdf"]),
                    "member": "Paystub 2024-01-31.pdf",
                    "source": f"{zpath}!/Paystub 2024-01-31.pdf"}},
        {"kind": "received", "document_id": 5, "path_before": inside_abs,
         "sha256_before": sha(mri),
         "detail": {"size": len(mri), "detected_type": "application/pdf", "parent": None,
                    "source": inside_abs, "source_relative": rel}},
    ]
    # No event anywhere names a work folder.
    export = cli(tmp_path, "ledger", "export", "--format", "json", "--workspace",
                 str(app.workspace.root)).stdout
    assert ".intake/work" not in export and "prep-" not in export
    # The documents table says the same (ledger history finds them by these paths).
    docs = app.ledger.docs.documents()
    assert [d.source_path for d in docs] == [
        f"{up}/ER visit 2024-02-14.pdf", zpath, f"{zpath}!/Paystub 2024-01-15.pdf",
        f"{zpath}!/Paystub 2024-01-31.pdf", inside_abs]
