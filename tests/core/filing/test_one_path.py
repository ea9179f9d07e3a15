"""One filing path: preview, ingest and a review assignment decide the same way.

The same inputs go through `rules preview` (plan without execute), `ingest --matter` and
"ingest without a matter, then assign the matter in the review queue"; each must give
the same folder, name, flags, detected type and rule, because all three call the same
plan step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from intake_desktop.app import build_filer, open_app
from intake_desktop.core import custody
from intake_desktop.core.filing import Outcome
from intake_desktop.core.ledger import DocStatus
from intake_desktop.core.review import ReviewDesk
from intake_desktop.core.rules.plan_preview import preview
from intake_desktop.core.workspace import init_workspace
from tests.core.rules.samples import make_email, make_pdf

MATTER = "2024-0412"


def _er_visit(folder: Path) -> Path:
    return make_pdf(folder / "ER visit 2024-02-14.pdf",
                    ["Mercy Hospital", "Emergency Department", "Visit date: February 14, 2024",
                     "Patient: Dana Nguyen", "Diagnosis: lumbar strain"])


def _notes(folder: Path) -> Path:
    path = folder / "client paystub notes.txt"
    path.write_text("Earnings statement for Dana Nguyen, pay period 2024-03-01.\n"
                    "Gross pay 2,400.00  Net pay 1,910.00\n")
    return path


def _mislabelled(folder: Path) -> Path:
    """A PNG named .pdf: filed converted, flagged as an extension mismatch."""
    path = folder / "scan of receipt.pdf"
    Image.new("RGB", (120, 80), (200, 30, 30)).save(path, "PNG")
    return path


def _email(folder: Path) -> Path:
    return make_email(
        folder / "records request.eml", subject="Records for Nguyen",
        sender="Tom Baker <tbaker@bakerlowe.example>",
        date=dt.datetime(2024, 3, 5, 9, 30, tzinfo=dt.UTC),
        attachments=[("invoice.txt", b"Invoice 2024-03-01: 120 USD\n", "text/plain")],
    )


INPUTS: dict[str, Callable[[Path], Path]] = {
    "pdf": _er_visit, "text": _notes, "mislabelled": _mislabelled, "email": _email,
}


def _rel(root: Path, path: str | None) -> str | None:
    return Path(path).resolve().relative_to(root.resolve()).as_posix() if path else None


@pytest.mark.parametrize("kind", list(INPUTS))
def test_preview_ingest_and_review_assign_agree(kind: str, tmp_path: Path) -> None:
    """GIVEN one input and three fresh workspaces with the personal-injury rules
    WHEN it is previewed, ingested with --matter, and sent to review then assigned
    THEN folder, name, flags, detected type and rule are identical."""
    outside = tmp_path / "from client"
    outside.mkdir()
    source = INPUTS[kind](outside)
    data = source.read_bytes()
    seen: dict[str, tuple[object, ...]] = {}

    def workspace(name: str) -> Path:
        root = tmp_path / f"{name} wš"
        init_workspace(root, "personal-injury")
        return root

    # 1. preview: plan without execute
    root = workspace("preview")
    with open_app(str(root)) as app:
        filer = build_filer(app, record_rules=False)
        [p] = preview(filer, filer.router, [source], matter=MATTER)
        assert p.status == "filed", p
        seen["preview"] = (_rel(root, p.path), p.rule, p.category, tuple(p.flags),
                           p.detected_type)
        assert not [f for f in (root / "Matters").rglob("*") if f.is_file()]

    # 2. ingest --matter
    root = workspace("ingest")
    with open_app(str(root)) as app:
        [r] = build_filer(app).ingest([source], matter=MATTER)
        assert r.status is Outcome.FILED, r
        doc = app.ledger.docs.document(r.document_id or 0)
        assert doc is not None
        seen["ingest"] = (_rel(root, r.path), r.rule, r.category, tuple(r.flags),
                          doc.detected_type)

    # 3. ingest without a matter (to Review/), then assign in the review queue
    root = workspace("review")
    with open_app(str(root)) as app:
        filer = build_filer(app)
        [r] = filer.ingest([source])
        assert r.status is Outcome.REVIEW, r
        resolution = ReviewDesk(filer).assign(r.document_id or 0, MATTER)
        doc = resolution.document
        assert doc.status == DocStatus.FILED
        seen["review"] = (doc.filed_path, doc.rule, doc.category, resolution.flags,
                          doc.detected_type)
        # The review copy is gone, the original is byte-identical, the chain verifies.
        assert not [f for f in (root / "Review").glob("*") if f.is_file()]
        assert (root / (doc.original_path or "")).read_bytes() == data
        assert hashlib.sha256((root / (doc.filed_path or "")).read_bytes()).hexdigest() == (
            doc.filed_sha256)
        assert custody.verify(app.ledger, root).ok

    assert seen["preview"] == seen["ingest"] == seen["review"], seen
    assert seen["ingest"][0].startswith(f"Matters/{MATTER}/")  # type: ignore[union-attr]
    if kind == "mislabelled":
        assert "extension_mismatch" in str(seen["ingest"][3])


def test_assign_with_a_category_uses_that_categorys_rule(tmp_path: Path) -> None:
    """GIVEN a file in review WHEN a person assigns a matter and the category
    'Police Report' THEN the rule for that category decides folder and name (not the
    matter root under the received name)."""
    root = tmp_path / "ws"
    init_workspace(root, "personal-injury")
    source = _notes(tmp_path)
    with open_app(str(root)) as app:
        filer = build_filer(app)
        [r] = filer.ingest([source])
        res = ReviewDesk(filer).assign(r.document_id or 0, MATTER, "Police Report")
        doc = res.document
        assert doc.status == DocStatus.FILED
        assert (doc.category, doc.rule) == ("Police Report", "police-report")
        folder, _, name = (doc.filed_path or "").rpartition("/")
        assert folder == f"Matters/{MATTER}/Police Reports", doc.filed_path
        assert f"_{MATTER}_POL_" in name and name.endswith(".pdf"), name
