"""The last resort for a bug: the traceback goes to a file, the user gets one line saying where.

Crash logs live in ``crash-reports/`` in the cache folder (derived data: deleting it loses nothing
the product needs); when that folder cannot be written (a cache "folder" that is a file, a full or
read-only disk), a private file in the system's temporary folder is used instead. Only the newest
``KEEP`` logs are kept, so a crash in a loop cannot fill the disk.
"""

from __future__ import annotations

import os
import platform
import tempfile
import traceback
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from tutor import __version__
from tutor.paths import cache_dir

FOLDER = "crash-reports"
EX_SOFTWARE = 70  # sysexits.h: an internal software error (a bug), from the tools and the tutor alike
KEEP = 20


def write_crash_log(error: BaseException, argv: Sequence[str]) -> Path | None:
    """Save the full report of ``error``; where it went, or None when no place could be written."""
    now = datetime.now().astimezone()
    report = (f"medcode-tutor {__version__} crashed at {now.isoformat(timespec='seconds')}\n"
              f"Python {platform.python_version()} on {platform.platform()}\n"
              f"command line: {list(argv)!r}\n\n" + "".join(traceback.format_exception(error)))
    name = f"crash-{now:%Y%m%d-%H%M%S}-{os.getpid()}.log"
    try:
        return _write_in_cache(report, name)
    except OSError:
        pass
    try:
        handle, path = tempfile.mkstemp(prefix="medcode-tutor-crash-", suffix=".log")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(report)
        return Path(path)
    except OSError:
        return None


def _write_in_cache(report: str, name: str) -> Path:
    folder = cache_dir() / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("x", encoding="utf-8") as out:  # "x": never overwrite (two crashes in one second)
        out.write(report)
    for old in sorted(folder.glob("crash-*.log"))[:-KEEP]:
        old.unlink(missing_ok=True)
    return path
