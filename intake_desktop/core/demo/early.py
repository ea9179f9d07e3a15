"""Later matters' long conversions started early, in background processes.

The demo files its matters one after another (each while its own preset is the active
rules), so a matter's LibreOffice conversion used to start only when that matter's turn
came, and the run waited for it (1.5-2.5 s a conversion: mostly LibreOffice starting).
Preparing a document does not depend on the rules, so when the first matter's filing
starts, the demo starts each later matter's expensive documents (Office files, e-mails:
`core.filing.pool.cost`) and their attachments in a forked process of its own, at a lower
priority, with the same filer's preparer, and hands what it prepared to that matter's filer
(`Filer.prepared_ahead`), which files it as if it had prepared it itself: the conversion
happens in this run, with the same engines, and is recorded by the filing step as always.
One process per matter: a matter waits for its own documents only. Nothing is kept between
runs.

Only where forking is safe (core/platform.fork_is_safe: the command line, not the window);
elsewhere nothing is prepared early.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from intake_desktop.core import platform
from intake_desktop.core.filing import Filer
from intake_desktop.core.filing.pool import cost, prepare_children
from intake_desktop.core.hashing import sha256_file
from intake_desktop.core.pipeline import PassThroughPreparer, Prepared

Early = dict[Path, tuple[Prepared, str | None]]
# The background process runs at a lower priority (LibreOffice and OCR under it too): it
# uses the processor time the filing leaves idle and does not slow the matter being filed.
BACKGROUND_NICENESS = 10


def _prepare(filer: Filer, jobs: list[tuple[Path, Path]], answers: Connection,
             parent: int, address_space: int) -> None:
    """In the background process: prepare each (file, work folder); send what was prepared."""
    platform.die_with_parent(parent)
    platform.set_limits(address_space=address_space)
    platform.lower_priority(BACKGROUND_NICENESS)  # only what the filing leaves idle
    done: Early = {}
    for path, folder in jobs:
        try:
            done[path] = got = filer.prepare(path, sha256_file(path), folder)
        except Exception:  # the filing step prepares it itself and says why
            continue
        if got[1] is None:  # its attachments too, as a pool worker does
            prepare_children(filer, got[0], folder, 1, done)
    answers.send(done)
    answers.close()


class EarlyPreparation:
    """The expensive files among `files`, prepared by `filer`'s preparer in a background
    process; `take` waits for them, `close` removes their work folders."""

    def __init__(self, filer: Filer, files: list[Path]) -> None:
        self.filer = filer
        self.jobs = [(path, filer.work_folder("early")) for path in files if cost(path) > 0]
        self._process: BaseProcess | None = None
        self._answers: Connection | None = None
        if not self.jobs or isinstance(filer.preparer, PassThroughPreparer):
            return
        if not platform.fork_is_safe():
            return
        limits = getattr(getattr(filer.preparer, "inner", filer.preparer), "limits", None)
        address_space = getattr(limits, "office_address_space", 4 * 1024 ** 3)
        before_fork = getattr(filer.preparer, "before_fork", None)
        if callable(before_fork):
            before_fork()
        context = multiprocessing.get_context("fork")
        answers, sender = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_prepare, args=(filer, self.jobs, sender, os.getpid(), address_space))
        self._process.start()
        sender.close()
        self._answers = answers

    @property
    def started(self) -> list[Path]:
        """The files being prepared early."""
        return [path for path, _ in self.jobs] if self._process is not None else []

    def take(self) -> Early:
        """What the background process prepared (waits for it; {} when it failed)."""
        if self._process is None or self._answers is None:
            return {}
        try:
            done: Early = self._answers.recv()
        except (EOFError, OSError):
            done = {}
        self._answers.close()
        self._answers = None
        self._process.join()
        return done

    def close(self) -> None:
        """End the process if still running, and remove the work folders it used."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join()
        if self._answers is not None:
            self._answers.close()
        for _, folder in self.jobs:
            if folder.exists():
                self.filer.mover.remove_work_folder(folder, self.filer.ws.work)
