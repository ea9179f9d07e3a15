"""Benchmark: every hostile-input case of issue 24, ingested in its own child process.

Prints, per case, the outcome, the peak resident memory (ru_maxrss of the child and its
children, so LibreOffice counts) and the wall time, beside the named peer: the same
command on an ordinary one-page PDF, in the same run. Targets: peak memory < 600 MB and
time < 30 s for every case. Each child runs under a 4 GiB address-space limit so a
regression fails here instead of taking the machine down.

Run: .venv/bin/python bench/bench_bombs.py [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from tests.core.convert import samples as s  # noqa: E402

MATTER = "2024-0001 Bench"
MEMORY_TARGET_MB = 600
TIME_TARGET_S = 30.0
ADDRESS_SPACE = 4 << 30


def ordinary_pdf(folder: Path) -> Path:
    return s.write_pdf(folder / "letter.pdf", ["Dear Counsel,", "Please find enclosed."])


def flat_zip_bomb(folder: Path) -> Path:
    return s.zip_bomb(folder / "photos.zip", inflated=256 << 20)


def nested_zip_bomb(folder: Path) -> Path:
    inner = folder / "inner.zip"
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for i in range(300):
            zf.writestr(f"page{i:03d}.txt", b"\0" * 1_000_000)
    path = folder / "upload.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for n in range(4):
            zf.write(inner, f"part{n}.zip")
    inner.unlink()
    return path


def declared_gib_zip(folder: Path) -> Path:
    return s.zip_declaring(folder / "declares 1 GiB.zip")


def double_flate_pdf(folder: Path) -> Path:
    return s.multi_filter_pdf(folder / "statement.pdf", inflated=4 << 30, stages=2)


def docx_bomb(folder: Path) -> Path:
    return s.docx_bomb(folder / "witness statement.docx", inflated=1 << 30)


def pixel_bomb(folder: Path) -> Path:
    path = folder / "scan.png"
    Image.new("1", (12_000, 12_000), 1).save(path, optimize=True)
    return path


def many_frame_tiff(folder: Path) -> Path:
    """60 frames of 7000x7000 (each within the 50 MP limit), mostly white so the file is
    small: the case that took 6 minutes of processor time."""
    from PIL import ImageDraw

    frame = Image.new("RGB", (7000, 7000), "white")
    draw = ImageDraw.Draw(frame)
    for y in range(200, 6800, 120):
        draw.line([(300, y), (6700, y)], fill="black", width=6)
    path = folder / "records.tif"
    frame.save(path, "TIFF", save_all=True, append_images=[frame] * 59,
               compression="tiff_lzw")
    return path


def one_line_text(folder: Path) -> Path:
    path = folder / "dump.txt"
    path.write_text(("ABCDEFGHIJ" * (1 << 17))[: 1 << 20])
    return path


def repairable_pdf(folder: Path) -> Path:
    data = s.pdf_bytes([f"Deposition page {i + 1}" for i in range(117)])
    path = folder / "deposition.pdf"
    path.write_bytes(re.sub(rb"startxref\s+\d+", b"startxref\n99999999", data))
    return path


SLOW_RULES = """\
[settings]
name = "Bench"
filename = "{{ name }}"

[[rule]]
name = "slow"
folder = "Slow"
when.name_regex = "^(a|a)*$"
"""


def slow_regex_rules(folder: Path) -> Path:
    path = folder / ("a" * 60 + "!.txt")
    path.write_text("Dear Counsel")
    return path


CASES: dict[str, tuple[Callable[[Path], Path], str | None]] = {
    # name: (make the input, rules text or None for the built-in routing)
    "ordinary PDF (peer)": (ordinary_pdf, None),
    "flat zip bomb 256 MB": (flat_zip_bomb, None),
    "nested zip bomb 1.2 GB": (nested_zip_bomb, None),
    "zip declaring 1 GiB": (declared_gib_zip, None),
    "double-Flate PDF 4 GiB": (double_flate_pdf, None),
    "docx bomb 1 GiB": (docx_bomb, None),
    "pixel bomb 144 MP": (pixel_bomb, None),
    "60-frame TIFF": (many_frame_tiff, None),
    "1 MiB one-line text": (one_line_text, None),
    "repairable PDF 117 pages": (repairable_pdf, None),
    "slow regex rule": (slow_regex_rules, SLOW_RULES),
}


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_case(name: str, make: Callable[[Path], Path], rules: str | None,
             tmp: Path) -> dict[str, object]:
    case_dir = tmp / re.sub(r"\W+", "-", name)
    inbox = case_dir / "inbox"
    inbox.mkdir(parents=True)
    src = make(inbox)
    ws = case_dir / "ws"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cli = [sys.executable, "-m", "intake_desktop", "--workspace", str(ws)]
    subprocess.run([*cli, "init"], env=env, check=True, capture_output=True)
    rules_path = ws / ".intake" / "rules.toml"
    if rules is None:
        rules_path.unlink()
    else:
        rules_path.write_text(rules)
    start = time.perf_counter()
    proc = subprocess.Popen([*cli, "--json", "ingest", str(src), "--matter", MATTER],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_limit)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the largest child so far
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    record = records[0] if records else {}
    return {
        "case": name,
        "input_bytes": src.stat().st_size,
        "status": record.get("status", f"exit {proc.returncode}"),
        "flags": record.get("flags", []),
        "reason": (record.get("reason") or err.decode(errors="replace").strip())[:110],
        "peak_mb": usage.ru_maxrss / 1024,
        "seconds": elapsed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="case names to run (substring match)")
    args = parser.parse_args()
    chosen = {k: v for k, v in CASES.items()
              if not args.only or any(o.lower() in k.lower() for o in args.only)}
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-bombs-") as tmp:
        for name, (make, rules) in chosen.items():
            # ru_maxrss of RUSAGE_CHILDREN is a maximum over every child so far, so each
            # case is measured from a fresh grandchild process of its own.
            rows.append(_isolated(name, make, rules, Path(tmp)))
    peer = next((r for r in rows if "(peer)" in str(r["case"])), None)
    print(f"{'case':<26} {'input':>10} {'status':<9} {'peak MB':>8} {'x peer':>7} "
          f"{'time s':>7} {'x peer':>7}  reason")
    failed = 0
    for r in rows:
        mem, sec = float(r["peak_mb"]), float(r["seconds"])  # type: ignore[arg-type]
        ok = mem < MEMORY_TARGET_MB and sec < TIME_TARGET_S
        failed += not ok
        mx = f"{mem / float(peer['peak_mb']):.1f}" if peer else "-"  # type: ignore[arg-type]
        tx = f"{sec / float(peer['seconds']):.1f}" if peer else "-"  # type: ignore[arg-type]
        print(f"{r['case']:<26} {r['input_bytes']:>10,} {r['status']!s:<9} {mem:>8.0f} "
              f"{mx:>7} {sec:>7.1f} {tx:>7}  {'' if ok else 'OVER TARGET '}{r['reason']}")
    print(f"targets: peak < {MEMORY_TARGET_MB} MB and time < {TIME_TARGET_S:g} s per case; "
          f"{len(rows) - failed} of {len(rows)} within")
    return 1 if failed else 0


def _isolated(name: str, make: Callable[[Path], Path], rules: str | None,
              tmp: Path) -> dict[str, object]:
    """run_case in a forked child, so ru_maxrss covers this case's processes only."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        try:
            row = run_case(name, make, rules, tmp)
        except BaseException as exc:  # report, never leave the fork running
            row = {"case": name, "input_bytes": 0, "status": "error", "flags": [],
                   "reason": f"{exc.__class__.__name__}: {exc}"[:110], "peak_mb": 0.0,
                   "seconds": 0.0}
        with os.fdopen(write, "w") as fh:
            json.dump(row, fh)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    return dict(json.loads(data))


if __name__ == "__main__":
    raise SystemExit(main())
