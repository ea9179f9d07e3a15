"""A slow writer for the watch tests, run as a separate process.

    python watch_writer.py SRC DEST CHUNK PAUSE[,PAUSE...] [--rename]

Copies SRC to DEST in CHUNK-byte pieces through one open file, sleeping the pauses (cycled)
between pieces, the way a scanner or a network copy writes. With --rename it writes to
DEST.part and renames it to DEST at the end. Prints "started" after the first piece.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    src, dest, chunk, pauses = Path(argv[0]), Path(argv[1]), int(argv[2]), argv[3]
    rename = "--rename" in argv[4:]
    delays = [float(p) for p in pauses.split(",")]
    data = src.read_bytes()
    target = dest.with_name(dest.name + ".part") if rename else dest
    with open(target, "wb") as fh:
        for n, start in enumerate(range(0, len(data), chunk)):
            fh.write(data[start:start + chunk])
            fh.flush()
            os.fsync(fh.fileno())
            if n == 0:
                print("started", flush=True)
            time.sleep(delays[n % len(delays)])
    if rename:
        os.rename(target, dest)
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
