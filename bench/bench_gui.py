"""Benchmark: cold start to first paint beside a bare PySide6 window, and the exhibit
browser (the real Qt page, offscreen) on a large ledger, SQLite and PostgreSQL.

    QT_QPA_PLATFORM=offscreen python bench/bench_gui.py [--docs 1000000]
        [--backends sqlite,postgresql] [--pg ADMIN_URL] [--keep DIR] [--no-startup]

The ledger (`--docs` filed documents, their search text, 5 chained events each) is built
by bench/big_ledger.py (COPY / executemany, the ledger's own hash chain); `--keep DIR`
builds it once there (and a PostgreSQL database named in DIR/pg-url) and reuses it.

Prints, each measured in a fresh process:
- cold start: process start to the main window's first paint (a paralegal's start: the
  intake page), next to a bare PySide6 window started the same way, and the ratio
  (target at most 2x);
- per backend, the browser page as a person uses it (targets: each at most 1 s):
  first page (open the page: count, first keyset page, paint), a filter change (a matter,
  then a category, then a date), a search for a common word (in most documents), a rare
  one (in one document's text), a file-name fragment (in one path) and a word in none
  (typed text is applied at once here; the window waits 250 ms after the last key);
  each beside the bare SQL of the same page (the peer), and the process's peak RSS;
- the chain half of `ledger verify` on the built ledger (streams: peak RSS printed);
- up to 200,000 documents, also the naive browser (every row in a QStandardItemModel).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_S = 1.0
COMMON, ABSENT = "radiology", "zqxvbn"


def rare_n(docs: int) -> int:
    """The document whose text alone has the rare word (`ref<n>`)."""
    return docs * 2 // 3 + 1


def path_n(docs: int) -> int:
    """The document whose file name alone has the fragment (`<n:07d>`)."""
    return docs * 7 // 9 + 1


def build_ledger(root: Path, n: int, db: str | None = None) -> None:
    """A workspace at `root` whose ledger (SQLite inside it, or `db`) holds `n` documents."""
    from bench.big_ledger import build_big_ledger
    from intake_desktop.core.workspace import init_workspace

    ws = init_workspace(root)
    url = db or f"sqlite:///{ws.root / '.intake' / 'ledger.sqlite'}"
    built = build_big_ledger(url, n, on_progress=lambda line: print(line, flush=True))
    print(f"built a {built.documents:,}-document, {built.events:,}-event ledger in "
          f"{built.seconds:.0f} s", flush=True)


def cold_child(mode: str, root: str, started: float) -> None:
    """Process start to first paint: the app as `intake-desktop` starts it, or a bare window."""
    if mode == "bare":
        from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

        qapp = QApplication(sys.argv[:1])
        window = QMainWindow()
        window.setCentralWidget(QLabel("Hello"))
        window.resize(1280, 800)
        window.show()
        qapp.processEvents()
        window.grab()
        print(json.dumps({"first_paint_s": time.time() - started, "ready_s": 0.0,
                          "modules": len(sys.modules)}))
        return
    # The app as `intake-desktop gui` starts it (launch.main, the real entry point), timed
    # at the first paint of any window and at the main window's first paint, then closed.
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    seen: dict[str, float] = {}

    class Painted(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
                seen.setdefault("first", time.time() - started)
                if type(obj).__name__ == "MainWindow" and "ready" not in seen:
                    seen["ready"] = time.time() - started
                    QTimer.singleShot(0, QApplication.quit)
            return False

    from intake_desktop.qt.startup import make_qapplication

    qapp = make_qapplication()
    spy = Painted()
    qapp.installEventFilter(spy)
    from intake_desktop.launch import main as launch

    code = launch(["gui", "--workspace", root])
    print(json.dumps({"first_paint_s": seen.get("first", -1), "ready_s": seen.get("ready", -1),
                      "modules": len(sys.modules), "exit": code}))


def run_cold(mode: str, root: Path) -> dict[str, float]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.time()
    proc = subprocess.run(
        [sys.executable, __file__, "--cold", mode, "--root", str(root),
         "--started", repr(started)], capture_output=True, text=True, env=env, cwd=ROOT,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} start failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cold_start(root: Path, runs: int) -> tuple[float, float]:
    """Median of `runs` alternating starts of each (the first of each warms the disk cache)."""
    import statistics

    times: dict[str, list[float]] = {"app": [], "bare": [], "ready": []}
    modules = 0.0
    for n in range(runs + 1):
        for mode in ("bare", "app"):
            got = run_cold(mode, root)
            if n:
                times[mode].append(got["first_paint_s"])
                if mode == "app":
                    times["ready"].append(got["ready_s"])
            if mode == "app":
                modules = got["modules"]
    app, bare = statistics.median(times["app"]), statistics.median(times["bare"])
    ready = statistics.median(times["ready"])
    print(f"cold start to first paint  intake-desktop {app:.3f} s   bare PySide6 window "
          f"{bare:.3f} s   ratio {app / bare:.2f}x (target 2x)  "
          f"{'ok' if app <= 2 * bare else 'OVER'}")
    print(f"cold start to main window painted (workspace, ledger, first page) {ready:.3f} s "
          f"= {ready / bare:.2f}x the bare window ({int(modules)} modules loaded)")
    return app, bare


def _paint(qapp: Any, window: Any) -> None:
    qapp.processEvents()
    window.grab()  # forces a full paint of the window and the browser's table


def _peer_sql(dialect: str) -> dict[str, str]:
    """The bare SQL of each step's first page (what the database alone needs)."""
    fts = ("SELECT d.* FROM documents d JOIN document_fts f ON f.rowid = d.id WHERE "
           "document_fts MATCH :q ORDER BY d.id LIMIT 200") if dialect == "sqlite" else (
        "SELECT d.* FROM documents d JOIN document_text t ON t.document_id = d.id WHERE "
        "t.tsv @@ to_tsquery('simple', :q) ORDER BY d.id LIMIT 200")
    like = "LIKE" if dialect == "sqlite" else "ILIKE"
    return {
        "first_page": "SELECT * FROM documents WHERE status = 'filed' ORDER BY id LIMIT 200",
        "filter_matter": "SELECT * FROM documents WHERE status = 'filed' AND matter_id = :m "
                         "ORDER BY id LIMIT 200",
        "filter_category": "SELECT * FROM documents WHERE status = 'filed' AND matter_id = :m "
                           "AND category = :c ORDER BY id LIMIT 200",
        "filter_date": "SELECT * FROM documents WHERE status = 'filed' AND matter_id = :m "
                       "AND category = :c AND document_date >= :d ORDER BY id LIMIT 200",
        "search_common": fts, "search_rare": fts, "search_absent": fts,
        "search_path": f"SELECT * FROM documents WHERE filed_path {like} :p ORDER BY id "
                       "LIMIT 200",
    }


def child(mode: str, root: str, started: float, db: str | None, docs: int) -> None:
    from PySide6.QtWidgets import QApplication

    qapp = QApplication(sys.argv[:1])
    from intake_desktop.app import open_app
    from intake_desktop.core.ledger import Actor
    from intake_desktop.qt.look import apply_theme

    apply_theme(qapp)
    app = open_app(root, create=False, db=db)
    out: dict[str, Any] = {}
    if mode == "window":
        from PySide6.QtCore import QDate

        from bench.big_ledger import CATEGORIES, MATTERS
        from intake_desktop.qt.main_window import MainWindow

        window = MainWindow(app, actor=Actor("bench", "attorney"), tray=False)
        window.resize(1280, 800)
        window.show()
        _paint(qapp, window)
        out["start_to_shown_s"] = time.time() - started
        page: Any = window.pages["browser"]
        steps: dict[str, float] = {}
        totals: dict[str, int] = {}

        def step(name: str, action: Any) -> None:
            t = time.perf_counter()
            action()
            _paint(qapp, window)
            steps[name] = time.perf_counter() - t
            totals[name] = len(page.model.records)
            out.setdefault("labels", {})[name] = page.count.text()

        window.open_page("browser")  # built (if the window did not start on it) and shown
        _paint(qapp, window)
        step("first_page", page.refresh)  # what opening it does: choices, count, first page
        out["rows_loaded"] = page.model.rowCount()
        t = time.perf_counter()
        page.table.scrollToBottom()
        qapp.processEvents()
        out["scroll_page_s"] = time.perf_counter() - t
        step("filter_matter",
             lambda: page.matter.setCurrentIndex(page.matter.findData(MATTERS[7])))
        step("filter_category", lambda: page.category.setCurrentText(CATEGORIES[1]))
        step("filter_date", lambda: page.date_from.setDate(QDate(2015, 1, 1)))
        from intake_desktop.core.ledger.queries import DocumentFilter

        step("filter_cleared", lambda: page.use_filter(DocumentFilter()))

        def search(words: str) -> Any:
            def run() -> None:
                page.search.blockSignals(True)
                page.search.setText(words)
                page.search.blockSignals(False)
                page.apply_filter()
            return run

        step("search_common", search(COMMON))
        step("search_rare", search(f"ref{rare_n(docs)}"))
        step("search_path", search(f"{path_n(docs):07d}"))
        step("search_absent", search(ABSENT))
        out["steps"], out["rows"] = steps, totals
        out["peer"] = peer_times(app, MATTERS[7], CATEGORIES[1], docs)
        window.close()
    elif mode == "verify":
        t = time.perf_counter()
        report = app.ledger.chain.verify_chain()
        out.update(verify_s=time.perf_counter() - t, ok=report.ok, events=report.events)
    else:  # the naive peer: every row into a QStandardItemModel
        from PySide6.QtGui import QStandardItem, QStandardItemModel
        from PySide6.QtWidgets import QTableView

        t0 = time.perf_counter()
        docs = app.ledger.docs.documents(status="filed")
        model = QStandardItemModel(len(docs), 7)
        for r, d in enumerate(docs):
            for c, v in enumerate((d.id, d.filed_path, d.matter_id, d.category,
                                   d.document_date, d.detected_type, d.size)):
                model.setItem(r, c, QStandardItem(str(v)))
        view = QTableView()
        view.setModel(model)
        view.resize(1280, 800)
        view.show()
        qapp.processEvents()
        view.grab()
        out["first_paint_s"] = time.perf_counter() - t0
        out["rows_loaded"] = model.rowCount()
        view.close()
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))
    app.close()


def peer_times(app: Any, matter: str, category: str, docs: int) -> dict[str, float]:
    """Each step's bare SQL, timed on the same connection pool (median of 3)."""
    import statistics

    from sqlalchemy import text

    engine = app.ledger.reader
    dialect = engine.dialect.name
    params = {"m": matter, "c": category, "d": "2015-01-01"}
    words = {"search_common": COMMON, "search_rare": f"ref{rare_n(docs)}",
             "search_absent": ABSENT}
    times: dict[str, float] = {}
    for name, sql in _peer_sql(dialect).items():
        query = dict(params)
        if name in words:
            query["q"] = f'"{words[name]}"*' if dialect == "sqlite" else f"{words[name]}:*"
        if name == "search_path":
            query["p"] = f"%{path_n(docs):07d}%"
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            with engine.connect() as conn:
                conn.execute(text(sql), query).fetchall()
            runs.append(time.perf_counter() - t)
        times[name] = statistics.median(runs)
    times["filter_cleared"] = times["first_page"]
    return times


def run_child(mode: str, root: Path, db: str | None, docs: int) -> dict[str, Any]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.time()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--root", str(root),
         "--started", repr(started), "--docs", str(docs), *(["--db", db] if db else [])],
        capture_output=True, text=True, env=env, cwd=ROOT,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} run failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _pg_database(admin_url: str, keep: Path | None) -> tuple[str, bool]:
    """A PostgreSQL URL for the bench ledger: the kept one, or a new database; and
    whether it still has to be built."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    note = keep / "pg-url" if keep else None
    if note is not None and note.is_file():
        return note.read_text().strip(), False
    name = f"bench_gui_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    if note is not None:
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(url)
    return url, True


def _drop_pg(admin_url: str, url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


STEP_NAMES = {
    "first_page": "first page (open the browser)",
    "filter_matter": "filter change: a matter",
    "filter_category": "filter change: + a category",
    "filter_date": "filter change: + dated from",
    "filter_cleared": "filters cleared",
    "search_common": f"search a common word ({COMMON})",
    "search_rare": "search a rare word (one text)",
    "search_path": "search a file-name fragment",
    "search_absent": "search a word in none",
}


def bench_backend(label: str, root: Path, db: str | None, n: int) -> bool:
    run_child("window", root, db, n)  # warm the disk and database caches once
    ours = min((run_child("window", root, db, n) for _ in range(2)),
               key=lambda r: sum(r["steps"].values()))
    ok = True
    print(f"\n{label}: {n:,} documents")
    print(f"  {'step':<34} {'ours':>9} {'peer SQL':>9} {'ratio':>7}  label shown")
    for key, name in STEP_NAMES.items():
        took, peer = ours["steps"][key], ours["peer"][key]
        good = took <= TARGET_S
        ok &= good
        print(f"  {name:<34} {took:>8.3f}s {peer:>8.3f}s {took / peer:>6.1f}x  "
              f"{ours['labels'][key]!r} {'ok' if good else 'OVER 1 s'}")
    print(f"  start to window shown {ours['start_to_shown_s']:.3f} s; scroll to the end of "
          f"the first page {ours['scroll_page_s']:.3f} s; peak RSS {ours['rss_mb']:.0f} MB")
    verify = run_child("verify", root, db, n)
    print(f"  chain verify: {'ok' if verify['ok'] else 'FAILED'}, {verify['events']:,} events "
          f"in {verify['verify_s']:.1f} s, peak RSS {verify['rss_mb']:.0f} MB")
    if n <= 200_000:
        peer = run_child("peer", root, db, n)
        print(f"  naive peer (all rows in a QStandardItemModel): first paint "
              f"{peer['first_paint_s']:.3f} s, peak RSS {peer['rss_mb']:.0f} MB "
              f"= {peer['first_paint_s'] / ours['steps']['first_page']:.1f}x our first page")
    return ok and verify["ok"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--backends", default="")
    parser.add_argument("--pg", default=os.environ.get("INTAKE_TEST_PG_URL", ""),
                        help="a PostgreSQL URL whose role may create databases")
    parser.add_argument("--child")
    parser.add_argument("--root")
    parser.add_argument("--db")
    parser.add_argument("--started", type=float, default=0.0)
    parser.add_argument("--keep", metavar="DIR", help="build the ledgers here once and reuse")
    parser.add_argument("--cold")
    parser.add_argument("--runs", type=int, default=5, help="cold starts of each (median)")
    parser.add_argument("--startup-only", action="store_true",
                        help="only the cold start beside a bare window (no large ledger)")
    parser.add_argument("--no-startup", action="store_true", help="skip the cold start")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.root, args.started, args.db, args.docs)
        return 0
    if args.cold:
        cold_child(args.cold, args.root, args.started)
        return 0
    ok = True
    if not args.no_startup:
        with tempfile.TemporaryDirectory() as tmp:
            small = Path(tmp) / "small-ws"
            build_ledger(small, 50)
            app_s, bare_s = cold_start(small, args.runs)
            ok = app_s <= 2 * bare_s
    if args.startup_only:
        return 0 if ok else 1
    backends = args.backends.split(",") if args.backends else (
        ["sqlite", "postgresql"] if args.pg else ["sqlite"])
    keep = Path(args.keep) if args.keep else None
    with tempfile.TemporaryDirectory() as tmp:
        base = keep or Path(tmp)
        for backend in backends:
            root = base / f"bench-ws-{backend}-{args.docs}"
            db: str | None = None
            build = not (root / ".intake").is_dir()
            if backend == "postgresql":
                if not args.pg:
                    raise SystemExit("postgresql needs --pg or INTAKE_TEST_PG_URL")
                db, fresh = _pg_database(args.pg, root if keep else None)
                build = build or fresh
            if build:
                print(f"building the {backend} ledger ({args.docs:,} documents)...", flush=True)
                build_ledger(root, args.docs, db)
            try:
                ok &= bench_backend("SQLite" if db is None else "PostgreSQL", root, db,
                                    args.docs)
            finally:
                if db is not None and keep is None:
                    _drop_pg(args.pg, db)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
