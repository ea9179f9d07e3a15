"""The annotated example production (examples/production-reyes-v-acme.toml) built end to
end against the demo workspace, through the command line, then `ledger verify`."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, run_cli
from tests.core.production.test_production import local, pdftotext, read_dat, read_opt

EXAMPLE = REPO / "examples" / "production-reyes-v-acme.toml"
PREFIX = "REYES-PROD-"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def produced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("demo") / "Demo work space ñ"
    demo = run_cli("demo", "--workspace", str(root), "--json", timeout=600)
    assert demo.returncode == 0, demo.stderr + demo.stdout[-3000:]
    out = root.parent / "PROD001 out"
    proc = run_cli("produce", str(EXAMPLE), "--workspace", str(root), "--out", str(out),
                   "--json", timeout=600)
    assert proc.returncode == 0, proc.stderr
    return {"root": root, "out": out, "result": json.loads(proc.stdout.splitlines()[-1])}


def test_example_builds_with_a_family_a_native_and_a_withheld_document(
    produced: dict[str, Any]
) -> None:
    out: Path = produced["out"]
    rows = read_dat(out / "PROD001" / "DATA" / "PROD001.dat")
    opt = read_opt(out / "PROD001" / "DATA" / "PROD001.opt")
    numbers = [int(o.bates.removeprefix(PREFIX)) for o in opt]
    assert numbers == list(range(1, len(opt) + 1))  # continuous from the prefix's start
    assert sum(int(r["PAGECOUNT"]) for r in rows) == len(opt) == produced["result"]["pages"]

    family = [r for r in rows if r["BEGATTACH"]]
    assert [r["FILENAME"] for r in family] == ["RE Reyes v Acme - document production.eml",
                                               "Acme privilege log.pdf"]
    assert family[0]["SUBJECT"] == "RE: Reyes v. Acme - document production, volume 1"
    assert all(r["BEGATTACH"] == family[0]["BEGBATES"]
               and r["ENDATTACH"] == family[-1]["ENDBATES"] for r in family)
    assert rows.index(family[1]) == rows.index(family[0]) + 1

    natives = [r for r in rows if r["NATIVELINK"]]
    assert [r["FILENAME"] for r in natives] == ["Reyes hours reconstruction 2023.xlsx"]
    data = local(out, natives[0]["NATIVELINK"]).read_bytes()
    assert natives[0]["SHA256HASH"] == hashlib.sha256(data).hexdigest() == (
        "e02b3f2dd744c250ed1739d5f1eadfa79df216fd2349dd181f648fc59361a249")
    assert natives[0]["MD5HASH"] == hashlib.md5(data).hexdigest()

    withheld = [r for r in rows if r["PRIVILEGE"]]
    assert len(withheld) == 2
    log = list(csv.DictReader((out / "PROD001 privilege log.csv")
                              .read_text(encoding="utf-8-sig").splitlines()))
    assert [r["Bates / control no."] for r in log] == [r["BEGBATES"] for r in withheld]
    for r in withheld:
        slip = next(o.image for o in opt if o.bates == r["BEGBATES"])
        text = pdftotext(local(out, slip))
        assert "WITHHELD - PRIVILEGED" in text and "case status" not in text.lower()
    assert "Bates numbered REYES-PROD-000001 through" in " ".join(
        pdftotext(out / "PROD001 cover letter.pdf").split())


def test_ledger_verify_passes_and_records_the_production(produced: dict[str, Any]) -> None:
    root = produced["root"]
    verify = run_cli("ledger", "verify", "--workspace", str(root), "--json")
    assert verify.returncode == 0, verify.stderr
    assert json.loads(verify.stdout.splitlines()[-1])["ok"] is True
    export = run_cli("ledger", "export", "--workspace", str(root), "--format", "json")
    assert export.returncode == 0, export.stderr
    text = export.stdout
    events = json.loads(text) if text.lstrip().startswith("[") else [
        json.loads(line) for line in text.splitlines() if line.strip()]
    kinds = [e.get("kind") for e in events]
    assert kinds.count("produced") == 8 and kinds.count("withheld_privileged") == 2


def test_a_second_production_continues_after_the_first(
    produced: dict[str, Any], tmp_path: Path
) -> None:
    spec = tmp_path / "prod002.toml"
    spec.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        'volume = "PROD001"', 'volume = "PROD002"'), encoding="utf-8")
    proc = run_cli("produce", str(spec), "--workspace", str(produced["root"]), "--out",
                   str(tmp_path / "two"), "--json", timeout=600)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])
    first_last = int(produced["result"]["bates_last"].removeprefix(PREFIX))
    assert result["bates_first"] == f"{PREFIX}{first_last + 1:06d}"
