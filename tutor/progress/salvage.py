"""Copying what can still be read out of a damaged progress database, row by row.

SQLite reads a table through its b-tree: a damaged page stops a plain scan with
``database disk image is malformed``, but the rows on every other page are still
reachable by seeking past the damage (``WHERE rowid > ?``). So each table is read
in rowid order, and after an error the read starts again one rowid further on.
What a damaged table root or schema page hides is out of reach this way; the
damaged file is kept, so SQLite's own ``.recover`` can still be run on it by hand.

Rows are checked as the tutor will read them (JSON, the grade report) before they
are copied: a half-damaged row must not crash every later report.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from tutor.progress.attempt import Attempt

RowCheck = Callable[[sqlite3.Row], bool]

# After this many unreadable rowids in a row, with no end of the table in sight, stop looking.
_GIVE_UP_AFTER = 100_000

# The trainee-owned tables and the columns copied from each (all but the row id and the trainee).
_ATTEMPT_COLUMNS = ("exercise_id", "mode", "started_at", "submitted_at", "setting", "code_sets", "topics",
                    "submission_json", "report_json", "code_accuracy", "codes_graded", "codes_correct",
                    "record_correct", "learning_score")
_DRAFT_COLUMNS = ("exercise_id", "updated_at", "data_json")
_EXAM_COLUMNS = ("profile_id", "seed", "created_at", "updated_at", "finished", "state_json")


def salvage(source: Path, target: sqlite3.Connection) -> int:
    """Copy every readable trainee, attempt, draft and exam session from ``source`` into ``target``.

    ``target`` is a migrated progress database inside a transaction the caller commits;
    ``source`` is a copy the caller may let SQLite modify (a hot journal is rolled back).
    Returns the number of attempts copied.
    """
    try:
        damaged = sqlite3.connect(source)
    except sqlite3.Error:
        return 0
    damaged.row_factory = sqlite3.Row
    try:
        tables = _readable_tables(damaged)
        names = {row["id"]: row for row in _rows(damaged, "trainees")} if "trainees" in tables else {}
        copier = _Copier(target, names)
        if "attempts" in tables:
            copier.copy(_rows(damaged, "attempts"), "attempts", _ATTEMPT_COLUMNS, _readable_attempt)
        if "drafts" in tables:
            copier.copy(_rows(damaged, "drafts"), "drafts", _DRAFT_COLUMNS, _json_object("data_json"))
        if "exam_sessions" in tables:
            copier.copy(_rows(damaged, "exam_sessions"), "exam_sessions", _EXAM_COLUMNS,
                        _json_object("state_json"))
        return copier.copied["attempts"]
    finally:
        damaged.close()


def _readable_tables(conn: sqlite3.Connection) -> set[str]:
    try:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:  # the schema page itself is gone: nothing can be found
        return set()


def _rows(conn: sqlite3.Connection, table: str) -> Iterator[sqlite3.Row]:
    """The rows of ``table`` that can be read, in rowid order, stepping over damaged pages."""
    end = _last_rowid(conn, table)
    after, misses = 0, 0
    while True:
        try:
            for row in conn.execute(f"SELECT rowid AS _rowid, * FROM {table} WHERE rowid > ? ORDER BY rowid",
                                    (after,)):
                after, misses = row["_rowid"], 0
                yield row
            return
        except sqlite3.DatabaseError:
            after, misses = after + 1, misses + 1  # the damage starts past ``after``: look one further on
            if (end is not None and after >= end) or misses > _GIVE_UP_AFTER:
                return


def _last_rowid(conn: sqlite3.Connection, table: str) -> int | None:
    try:
        return conn.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0
    except sqlite3.DatabaseError:
        return None


class _Copier:
    """Inserts salvaged rows, mapping each to its trainee by name (row ids are not kept)."""

    def __init__(self, target: sqlite3.Connection, trainees: dict[int, sqlite3.Row]) -> None:
        self.target = target
        self.trainees = trainees
        self.copied: dict[str, int] = {"attempts": 0, "drafts": 0, "exam_sessions": 0}

    def copy(self, rows: Iterator[sqlite3.Row], table: str, columns: tuple[str, ...],
             readable: RowCheck) -> None:
        insert = (f"INSERT INTO {table} (trainee_id, {', '.join(columns)})"
                  f" VALUES ({', '.join('?' * (len(columns) + 1))})")
        for row in rows:
            try:
                if not readable(row):
                    continue
                values = (self._trainee_id(row["trainee_id"]), *(row[column] for column in columns))
                self.target.execute(insert, values)
            except (sqlite3.IntegrityError, IndexError, ValueError, TypeError):
                continue  # a row damaged in a way the checks let through: NULLs, wrong kinds of value
            self.copied[table] += 1

    def _trainee_id(self, old_id: int) -> int:
        found = self.trainees.get(old_id)
        name = found["name"] if found and isinstance(found["name"], str) and found["name"].strip() else None
        created = found["created_at"] if found else None
        name = name or f"recovered trainee {old_id}"  # the trainee's row was on a damaged page
        self.target.execute("INSERT OR IGNORE INTO trainees (name, created_at) VALUES (?, ?)",
                            (name, created or datetime.now(UTC).isoformat(timespec="microseconds")))
        return int(self.target.execute("SELECT id FROM trainees WHERE name = ?", (name,)).fetchone()[0])


def _readable_attempt(row: sqlite3.Row) -> bool:
    """Would the tutor be able to read this attempt back (JSON, submission and report)?"""
    try:
        Attempt.from_row({**dict(row), "id": row["_rowid"], "trainee": ""})
    except Exception:  # noqa: BLE001 - pydantic, JSON, date and type errors alike mean "damaged"
        return False
    return True


def _json_object(column: str) -> RowCheck:
    def readable(row: sqlite3.Row) -> bool:
        try:
            return isinstance(json.loads(row[column]), dict)
        except (TypeError, ValueError):
            return False
    return readable
