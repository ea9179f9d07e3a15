"""The desktop app's ledger queries, profiles and review actions on a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_desktop.app import build_filer, open_app
from intake_desktop.core.ledger import Actor, DocStatus
from intake_desktop.core.ledger.queries import DocumentFilter
from intake_desktop.core.review import ReviewDesk
from intake_desktop.core.roles import Profiles
from intake_desktop.core.workspace import init_workspace
from tests.core.ledger.test_postgres import ADMIN_URL, pg_url  # noqa: F401  (fixture)

pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="INTAKE_TEST_PG_URL not set")


def test_browse_profiles_and_review_on_postgres(pg_url, tmp_path: Path, make_pdf):  # noqa: F811
    ws = init_workspace(tmp_path / "ws")
    ws.rules_path.unlink(missing_ok=True)
    app = open_app(str(ws.root), db=pg_url, create=False)
    try:
        filer = build_filer(app)
        filer.ingest([make_pdf("Deposition 100%_final.pdf", 2), make_pdf("bill.pdf")],
                     matter="PG-1")
        filer.ingest([make_pdf("stray.pdf")])
        ledger = app.ledger
        assert ledger.docs.count_documents(DocumentFilter()) == 2
        hits = ledger.docs.browse_documents(DocumentFilter(text="100%_FINAL"))
        assert [Path(d.filed_path).name for d in hits] == ["Deposition 100%_final.pdf"]
        assert ledger.docs.browse_documents(DocumentFilter(text="100x")) == []
        page = ledger.docs.browse_documents(DocumentFilter(), after_id=hits[0].id, limit=5)
        assert [d.id for d in page] == [hits[0].id + 1]
        Profiles(ledger).save("dana", "admin", "long-passphrase", acting=Actor("x", "paralegal"))
        assert Profiles(ledger).sign_in("dana", "long-passphrase") == Actor("dana", "admin")
        [stray] = ledger.docs.documents(status=DocStatus.REVIEW)
        r = ReviewDesk(filer).assign(stray.id, "PG-1", "Misc")
        assert r.document.status == DocStatus.FILED and r.document.category == "Misc"
        assert ledger.docs.categories() == ["Misc"]
        assert ledger.chain.verify_chain().ok
    finally:
        app.close()
