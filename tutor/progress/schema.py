"""The progress database schema: an ordered list of migrations, tracked by ``PRAGMA user_version``.

Migration ``i`` takes a database from version ``i`` to ``i + 1``. A released
migration is never edited: a trainee's database may already be at that version.
To change the schema, append a new step.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from tutor.errors import StorageError


def _create_trainees_and_attempts(conn: sqlite3.Connection) -> None:
    conn.execute("""
        CREATE TABLE trainees (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        )""")
    conn.execute("""
        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            trainee_id INTEGER NOT NULL REFERENCES trainees(id),
            exercise_id TEXT NOT NULL,
            mode TEXT NOT NULL,
            started_at TEXT NOT NULL,
            submitted_at TEXT NOT NULL,
            setting TEXT NOT NULL,
            code_sets TEXT NOT NULL,
            topics TEXT NOT NULL,
            submission_json TEXT NOT NULL,
            report_json TEXT NOT NULL,
            code_accuracy REAL NOT NULL,
            codes_graded INTEGER NOT NULL,
            codes_correct INTEGER NOT NULL,
            record_correct INTEGER NOT NULL,
            learning_score REAL NOT NULL
        )""")


def _add_drafts_and_attempt_index(conn: sqlite3.Connection) -> None:
    conn.execute("""
        CREATE TABLE drafts (
            trainee_id INTEGER NOT NULL REFERENCES trainees(id),
            exercise_id TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            data_json TEXT NOT NULL,
            PRIMARY KEY (trainee_id, exercise_id)
        )""")
    # Every read is "this trainee's attempts (at this exercise), oldest first".
    conn.execute("CREATE INDEX attempts_by_trainee ON attempts (trainee_id, exercise_id, submitted_at)")


def _add_exam_sessions(conn: sqlite3.Connection) -> None:
    # An exam in progress: its form, answers, flags and the time used, saved as
    # the trainee goes, so a crash resumes the same form with the time that remained.
    conn.execute("""
        CREATE TABLE exam_sessions (
            id INTEGER PRIMARY KEY,
            trainee_id INTEGER NOT NULL REFERENCES trainees(id),
            profile_id TEXT NOT NULL,
            seed INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            finished INTEGER NOT NULL DEFAULT 0,
            state_json TEXT NOT NULL
        )""")
    conn.execute("CREATE INDEX exam_sessions_open ON exam_sessions (trainee_id, finished)")


Migration = Callable[[sqlite3.Connection], None]
# Each step with the tables it creates: recognising our own database relies on them.
MIGRATIONS: tuple[tuple[Migration, tuple[str, ...]], ...] = (
    (_create_trainees_and_attempts, ("trainees", "attempts")),  # -> version 1
    (_add_drafts_and_attempt_index, ("drafts",)),  # -> version 2
    (_add_exam_sessions, ("exam_sessions",)),  # -> version 3
)
SCHEMA_VERSION = len(MIGRATIONS)
_ELSEWHERE = "It was left untouched; point --db (or MEDCODE_DB) at another file to keep your progress there."


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def tables_at(version: int) -> set[str]:
    """The tables a database at schema ``version`` holds."""
    return {table for _, created in MIGRATIONS[:version] for table in created}


def recognise(conn: sqlite3.Connection, path: object) -> None:
    """Raise StorageError unless the database is empty or one of ours (at any version we know).

    The rule: an empty database (no tables, ``user_version`` 0) is new; a database whose
    ``user_version`` is one of our versions and that holds that version's tables is ours; any
    other readable SQLite file belongs to another program (or a newer medcode-tutor) and is
    never changed. (A file SQLite cannot read at all is damaged, not foreign: the store sets
    it aside.) Version and tables are read in one transaction: a tutor migrating the file at
    the same moment commits each step with its version, so they always agree.
    """
    conn.execute("BEGIN")
    try:
        version = user_version(conn)
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")  # it only read
    _refuse_newer(version, path)
    if version < 0:  # medcode never writes one; the migrations would index MIGRATIONS from the end
        raise StorageError(f"{path} is not a medcode progress database: its schema version is {version}. "
                           f"{_ELSEWHERE}")
    if version == 0 and tables:
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise StorageError(f"{path} is not a medcode progress database: it holds another program's "
                           f"tables ({shown}). {_ELSEWHERE}")
    missing = tables_at(version) - tables
    if missing:
        raise StorageError(f"{path} is not a medcode progress database: it is marked as schema version "
                           f"{version} but lacks the tables {', '.join(sorted(missing))}. {_ELSEWHERE}")


def _refuse_newer(version: int, path: object) -> None:
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"The progress database {path} has schema version {version}, but this medcode-tutor only "
            f"knows up to version {SCHEMA_VERSION}. Upgrade medcode-tutor to open it (or, if it is "
            f"another program's file, point --db elsewhere). It was left untouched."
        )


def migrate(conn: sqlite3.Connection, path: object = "") -> None:
    """Bring the database up to ``SCHEMA_VERSION``, one committed step at a time.

    The connection must be in autocommit mode (``isolation_level=None``). Each
    step re-reads the version under the write lock, because another tutor
    opening the same file may have migrated it in the meantime; so running this
    again after a "database is locked" error is safe.
    """
    version = user_version(conn)
    _refuse_newer(version, path)
    while version < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = user_version(conn)
            _refuse_newer(version, path)
            if version < SCHEMA_VERSION:
                step, _ = MIGRATIONS[version]
                step(conn)
                version += 1
                # user_version lives in the file header and is part of the transaction.
                conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
