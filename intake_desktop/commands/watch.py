"""`intake-desktop watch [--once]`: file what arrives in the intake folders."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from intake_desktop.app import build_filer, open_app
from intake_desktop.commands.common import (
    EXIT_FAILURE,
    EXIT_OK,
    Output,
    acting,
    add_command,
)
from intake_desktop.commands.ingest import report as report_result
from intake_desktop.commands.ingest import summary as ingest_summary
from intake_desktop.core.filing import IngestResult
from intake_desktop.core.watch import (
    Watcher,
    WatchEvent,
    WatchReport,
    WatchSettings,
    WatchStatus,
    load_watch_settings,
)

DEFAULTS = WatchSettings()

# Status messages shown on stderr in --json mode (stdout carries only one line per input).
JSON_STDERR = {WatchEvent.FOLDER_UNAVAILABLE, WatchEvent.ERROR}


def register(sub: Any) -> None:
    p = add_command(
        sub, "watch",
        help="watch the intake folders and file what arrives",
        description="Watch Intake/ and the [intake] folders of config.toml and file each "
        "file once it is complete. Timings not given here come from the [watch] table of "
        ".intake/config.toml, else the defaults shown.",
        handler=run,
    )
    p.add_argument("--once", action="store_true",
                   help="file everything that is complete now, then exit")
    p.add_argument("--polling", action="store_true",
                   help="poll every folder (where native events are unreliable)")
    p.add_argument("--workers", type=int, metavar="N",
                   help=f"filing threads (default: {DEFAULTS.workers})")
    p.add_argument("--settle", type=float, metavar="S",
                   help="seconds a finished file stays quiet before it is taken "
                   f"(default: {DEFAULTS.settle:g})")
    p.add_argument("--stable-window", type=float, metavar="S",
                   help="seconds of unchanged size/mtime on shares "
                   f"(default: {DEFAULTS.stable_window:g})")
    p.add_argument("--rescan", type=float, metavar="S", dest="rescan_interval",
                   help="seconds between reconciliation scans "
                   f"(default: {DEFAULTS.rescan_interval:g})")


class Reporter:
    """Turns watcher reports into output lines (called from the watcher's threads)."""

    def __init__(self, out: Output) -> None:
        self.out = out
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, report: WatchReport) -> None:
        with self.lock:
            if isinstance(report, IngestResult):
                self.counts[str(report.status)] += 1
                report_result(self.out, report)
                return
            self.counts[str(report.kind)] += 1
            if report.kind in JSON_STDERR:
                self.out.error(report.message)
            else:
                self.out.info(self.human(report))

    @staticmethod
    def human(status: WatchStatus) -> str:
        if status.kind is WatchEvent.SEEN and status.path:
            return f"seen       {Path(status.path).name}"
        if status.kind is WatchEvent.WAITING:
            return f"waiting    {status.message}"
        return f"{status.kind.value:<10} {status.message}"

    def summary(self) -> str:
        c = self.counts
        return (f"{c['seen']} seen, {ingest_summary(c)}, "
                f"{c['waiting']} still being written, "
                f"{c['taken_elsewhere']} taken by another watcher")


def run(args: argparse.Namespace, out: Output) -> int:
    # watchdog logs through `logging`; with no handler Python would print its records
    # (e.g. a harmless race at shutdown) raw on stderr. What matters reaches us as status.
    logging.getLogger("watchdog").addHandler(logging.NullHandler())
    with open_app(args.workspace, db=args.db, acting=acting(args)) as app:
        settings = load_watch_settings(
            app.workspace.config_path,
            workers=args.workers,
            settle=args.settle,
            stable_window=args.stable_window,
            rescan_interval=args.rescan_interval,
            force_polling=True if args.polling else None,
        )
        reporter = Reporter(out)
        watcher = Watcher(app.workspace, lambda: build_filer(app), settings=settings,
                          on_event=reporter)
        if args.once:
            watcher.run_once()
        else:
            _run_until_stopped(watcher, out, on_quiet_minute=app.seal_if_changed)
        out.info(reporter.summary())
        return EXIT_FAILURE if reporter.counts["error"] else EXIT_OK


SEAL_EVERY = 60.0  # seconds between automatic ledger seals while watching (if it changed)


def _run_until_stopped(
    watcher: Watcher, out: Output, on_quiet_minute: Callable[[], None] | None = None
) -> None:
    """Watch until Ctrl-C or SIGTERM; files being filed are finished before exiting.

    `on_quiet_minute` runs about once a minute (the automatic ledger seal)."""
    stop = threading.Event()
    next_seal = time.monotonic() + SEAL_EVERY

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, _on_signal)
    watcher.start()
    out.info("watching; press Ctrl-C to stop")
    try:
        while not stop.wait(0.5):
            if on_quiet_minute is not None and time.monotonic() >= next_seal:
                on_quiet_minute()
                next_seal = time.monotonic() + SEAL_EVERY
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        signal.signal(signal.SIGTERM, previous)
