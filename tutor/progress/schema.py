"""The progress database schema: an ordered list of migrations, tracked by ``PRAGMA user_version``.

Migration ``i`` takes a database from version ``i`` to ``i + 1``. A released
migration is never edited: a trainee's database may already be at that version.
To change the schema, append a new step.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from tutor.errors import TutorError


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
MIGRATIONS: tuple[Migration, ...] = (
    _create_trainees_and_attempts,  # -> version 1
    _add_drafts_and_attempt_index,  # -> version 2
    _add_exam_sessions,  # -> version 3
)
SCHEMA_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _refuse_newer(version: int) -> None:
    if version > SCHEMA_VERSION:
        raise TutorError(
            f"The progress database has schema version {version}, but this medcode-tutor only "
            f"knows up to version {SCHEMA_VERSION}. Upgrade medcode-tutor to open it "
            "(the database was left untouched)."
        )


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the database up to ``SCHEMA_VERSION``, one committed step at a time.

    The connection must be in autocommit mode (``isolation_level=None``). Each
    step re-reads the version under the write lock, because another tutor
    opening the same file may have migrated it in the meantime; so running this
    again after a "database is locked" error is safe.
    """
    version = user_version(conn)
    _refuse_newer(version)
    while version < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = user_version(conn)
            _refuse_newer(version)
            if version < SCHEMA_VERSION:
                MIGRATIONS[version](conn)
                version += 1
                # user_version lives in the file header and is part of the transaction.
                conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
