"""Run one converter in a child process under processor-time and memory limits.

Decoding untrusted data in-process can neither be interrupted (a C decoder does not check
a clock) nor bounded in memory. On Linux and macOS the converter runs in a forked child
with RLIMIT_CPU and RLIMIT_AS; past either limit the file is refused (`over_limit`, Review/
with the reason). Elsewhere it runs in-process, where `CpuBudget` checks between frames.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from intake_desktop.core import platform
from intake_desktop.core.convert.base import (
    FLAG_OVER_LIMIT,
    ConversionError,
    Converted,
)

REFUSED_FIX = ("check the file by hand (split it, or convert it to PDF with another "
               "program) and file the result; kept in Review/")


def _child(conn: Connection, func: Callable[..., Converted], args: tuple[Any, ...],
           cpu_seconds: float, address_space: int) -> None:
    cpu = max(1, math.ceil(cpu_seconds))
    platform.set_limits(cpu_seconds=cpu, address_space=address_space)
    try:
        result = func(*args)
        conn.send(("ok", result))
    except ConversionError as exc:
        conn.send(("refused", (exc.what, exc.fix, exc.detected_type, tuple(exc.flags))))
    except MemoryError:
        conn.send(("memory", None))
    except BaseException as exc:  # reported to the parent, which raises it there
        conn.send(("error", f"{exc.__class__.__name__}: {exc}"[:300]))
    finally:
        conn.close()


def run_limited(
    func: Callable[..., Converted], args: tuple[Any, ...], *, cpu_seconds: float,
    address_space: int, what: str, path: Path, mime: str,
) -> Converted:
    """`func(*args)` in a child process under the limits; its result or its error."""
    if not hasattr(os, "fork"):
        return func(*args)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, func, args, cpu_seconds, address_space),
                       daemon=True)
    proc.start()
    send.close()
    message: tuple[str, Any] | None = None
    try:
        # Wall-clock guard: a child waiting on I/O uses no processor time.
        if receive.poll(cpu_seconds * 4 + 60):
            message = receive.recv()
    except (EOFError, OSError):
        message = None
    finally:
        receive.close()
        if proc.is_alive():
            proc.kill()
        proc.join(10)
    if message is None:
        killed = proc.exitcode in (-signal.SIGXCPU, -signal.SIGKILL)
        limit = (f"more than {cpu_seconds:g} s of processor time" if killed or
                 proc.exitcode is None else "more memory than allowed")
        raise ConversionError(
            f"{what} took {limit} and was stopped (a file built to exhaust the computer, "
            "or far larger than usual)", path=path, flags=(FLAG_OVER_LIMIT,),
            detected_type=mime, fix=REFUSED_FIX)
    kind, payload = message
    if kind == "ok":
        return payload
    if kind == "refused":
        text, fix, detected, flags = payload
        raise ConversionError(text, path=path, fix=fix, detected_type=detected, flags=flags)
    if kind == "memory":
        raise ConversionError(
            f"{what} needed more than {address_space / 1024**2:,.0f} MB of memory and was "
            "stopped (a file built to exhaust the computer, or far larger than usual)",
            path=path, flags=(FLAG_OVER_LIMIT,), detected_type=mime, fix=REFUSED_FIX)
    raise RuntimeError(payload)
