"""Benchmark: the `rules preview` engine over 10,000 file names (target >= 5,000 files/s).

Routes 10,000 realistic intake names (some with first-page text, email and EXIF facts)
through each shipped preset and plans their paths exactly as `rules preview` does
(RulesRouter.route + planned_path, which checks the disk for collisions). Peer: the
paperless-ngx approach to filename templates (one Jinja2 SandboxedEnvironment render plus
pathvalidate.sanitize_filepath per file), run here on the same names, as the reference.

Run: python bench/bench_rules.py
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path, PurePosixPath

from jinja2.sandbox import SandboxedEnvironment
from pathvalidate import sanitize_filepath

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's package

from intake_desktop.core.paths import naming_rules_dir
from intake_desktop.core.pipeline import Candidate
from intake_desktop.core.rules import RulesRouter, load_rules
from intake_desktop.core.rules.plan_preview import PathPlanner
from intake_desktop.core.workspace import Workspace

N = 10_000
TARGET = 5_000

STEMS = [
    "2024-03-01 letter re discovery v2",
    "MRI lumbar spine",
    "IMG_20240115_1042",
    "paystub feb 2024",
    "Deposition transcript J Doe",
    "RE Smith v Acme production",
    "exhibit 12 - photos",
    "passport scan",
    "I-130 petition signed",
    "bank statement 01-31-2024",
    "scan0001",
    "CON",
    "..",
    "Überweisung März",
    "a" * 180,
    "Notice of Motion to Compel",
]
SUBFOLDERS = [
    "",
    "",
    "",
    "Medical/Valley Imaging",
    "Correspondence",
    "Discovery/Produced",
    "Pleadings",
    "Bills/Fresno Ortho",
]
EXTS = [".pdf", ".pdf", ".pdf", ".jpg", ".eml", ".docx", ".tif"]
TEXTS = [
    "Valley Imaging Center\nRADIOLOGY REPORT\nMRI\nDate of Service: February 3, 2024",
    "EARNINGS STATEMENT\nPay Period: 02/01/2024 - 02/15/2024\nNet Pay 1,873.22",
    "ORAL DEPOSITION OF JANE R. DOE\nCertified Court Reporter\nMarch 1, 2024",
    "March 4, 2024\nDear Counsel:\nSincerely,\nCounsel for Defendant Acme Corp.",
]
TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".eml": "message/rfc822",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".tif": "image/tiff",
}


def candidates(seed: int = 7) -> list[Candidate]:
    rnd = random.Random(seed)
    out = []
    for i in range(N):
        ext = rnd.choice(EXTS)
        name = f"{rnd.choice(STEMS)} {i % 97}{ext}"
        sub = rnd.choice(SUBFOLDERS)
        facts: dict[str, str] = {}
        if ext == ".pdf" and rnd.random() < 0.6:
            facts["first_page_text"] = rnd.choice(TEXTS)
        if ext == ".eml":
            facts.update(
                email_subject=f"RE: Smith v. Acme - item {i}",
                email_from="a@b.example",
                document_date="2024-03-05",
            )
        if ext == ".jpg" and rnd.random() < 0.5:
            facts["capture_date"] = "2024-01-15"
        rel = PurePosixPath("LIT-24-0113", *([sub] if sub else []), name)
        out.append(
            Candidate(
                source=Path("/nonexistent") / name,
                relative=rel,
                matter_hint="LIT-24-0113",
                detected_type=TYPES[ext],
                sha256=f"{i:064x}",
                size=1000 + i,
                facts=facts,
            )
        )
    return out


def run_engine(preset: str, cands: list[Candidate], ws: Workspace) -> tuple[float, dict[str, int]]:
    router = RulesRouter(
        load_rules(naming_rules_dir() / f"{preset}.toml"),
        today=lambda: dt.date(2024, 3, 20),
        read_files=False,
    )
    planner = PathPlanner(ws)
    statuses: dict[str, int] = {}
    start = time.perf_counter()
    for c in cands:
        decision = router.route(c)
        status, _ = planner.planned_path(c, decision)
        statuses[status] = statuses.get(status, 0) + 1
    return time.perf_counter() - start, statuses


def run_peer(cands: list[Candidate]) -> float:
    env = SandboxedEnvironment()
    template = env.from_string(
        "{{ matter }}/{{ folder }}/{{ date }}_{{ matter }}_{{ title }}{{ ext }}"
    )
    start = time.perf_counter()
    for c in cands:
        rendered = template.render(
            matter=c.matter_hint,
            folder="Correspondence",
            date="2024-03-01",
            title=c.relative.stem,
            ext=".pdf",
        )
        sanitize_filepath(rendered, platform="universal")
    return time.perf_counter() - start


def main() -> None:
    cands = candidates()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp))
        peer = min(run_peer(cands) for _ in range(3))
        print(f"peer (paperless-style render + sanitize_filepath): {N / peer:,.0f} files/s")
        worst = float("inf")
        for preset in ("litigation", "personal-injury", "immigration"):
            elapsed, statuses = min(
                (run_engine(preset, cands, ws) for _ in range(3)), key=lambda r: r[0]
            )
            rate = N / elapsed
            worst = min(worst, rate)
            print(
                f"rules preview engine, {preset:<16} {rate:>8,.0f} files/s  "
                f"({elapsed * 1000:.0f} ms for {N:,}; {statuses}; "
                f"{rate / (N / peer):.2f}x the peer)"
            )
        verdict = "OK" if worst >= TARGET else "BELOW TARGET"
        print(f"slowest preset: {worst:,.0f} files/s; target {TARGET:,}/s: {verdict}")


if __name__ == "__main__":
    main()
