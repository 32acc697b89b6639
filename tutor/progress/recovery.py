"""Recognising a damaged progress database and setting it aside (never deleting it)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from tutor.textsafe import printable

_DAMAGED_CODES = {sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT}
_SIDECARS = ("-wal", "-shm", "-journal")


class DamagedDatabase(Exception):
    """The file is not a SQLite database, or fails ``PRAGMA quick_check``."""


def error_code(error: sqlite3.Error) -> int:
    """The primary SQLite result code of an error (0 if unknown)."""
    # Extended codes (SQLITE_BUSY_SNAPSHOT, ...) keep the primary code in the low byte.
    return (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF


def is_damage(error: sqlite3.Error) -> bool:
    return error_code(error) in _DAMAGED_CODES


def quick_check(conn: sqlite3.Connection) -> None:
    """Raise DamagedDatabase unless ``PRAGMA quick_check`` answers a single "ok"."""
    problems = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
    if problems != ["ok"]:
        raise DamagedDatabase("; ".join(str(problem) for problem in problems[:5]))


def set_aside(path: Path) -> Path | None:
    """Rename a damaged database (and its WAL files) to ``<name>.corrupt-<UTC timestamp>``.

    The WAL files go first: a stale ``-wal`` left beside a fresh database would
    be replayed into it. Returns None if another tutor moved the file first.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    suffix = 1
    while target.exists():  # never overwrite an earlier set-aside copy
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{suffix}")
        suffix += 1
    for sidecar in _SIDECARS:
        side = path.with_name(path.name + sidecar)
        if side.exists():
            side.rename(target.with_name(target.name + sidecar))
    try:
        path.rename(target)
    except FileNotFoundError:
        return None
    return target


def is_sqlite_file(path: Path) -> bool:
    """Does the file start with SQLite's header? (Anything else has nothing to salvage.)"""
    try:
        with path.open("rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def copy_with_sidecars(path: Path, target: Path) -> None:
    """Copy a database with its WAL and journal, so the copy holds every committed write."""
    shutil.copyfile(path, target)
    for sidecar in ("-wal", "-journal"):
        side = path.with_name(path.name + sidecar)
        if side.exists():
            shutil.copyfile(side, target.with_name(target.name + sidecar))


def recovery_notice(path: Path | str, kept_as: Path, salvaged: int) -> str:
    """What to tell the trainee after a damaged database was set aside (plain text, control characters shown)."""
    if salvaged == 1:
        saved = "1 attempt could be read and was copied into it"
    elif salvaged:
        saved = f"{salvaged} attempts could be read and were copied into it"
    else:
        saved = "no attempts could be read from it"
    return printable(f"The progress database {path} could not be read: it was kept as {kept_as} and a new "
                     f"one was started ({saved}).", one_line=True)
