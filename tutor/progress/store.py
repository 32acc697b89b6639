"""The progress store: every submitted attempt and every half-typed draft, in SQLite (SPEC section 5).

Bars this file keeps (SPEC section 8):
- an attempt is committed before ``record_attempt`` returns, with
  ``synchronous=FULL``, so it survives a kill -9 (and a power cut);
- two tutors on the same file both get their writes in: WAL lets readers and
  the writer overlap, ``busy_timeout`` waits for the write lock, and
  ``_retrying`` backs off and retries the busy errors SQLite returns without
  waiting (at open, or when a read transaction cannot be upgraded);
- a damaged file is renamed aside, never deleted, and a fresh one started.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from tutor.content.models import Submission
from tutor.content.report import GradeReport
from tutor.errors import TutorError
from tutor.paths import data_dir
from tutor.progress.attempt import Attempt
from tutor.progress.recovery import DamagedDatabase, error_code, is_damage, quick_check, set_aside
from tutor.progress.schema import migrate

MEMORY = ":memory:"
BUSY_TIMEOUT_MS = 5_000
RETRY_FOR_SECONDS = 60.0  # beyond busy_timeout: how long a write keeps retrying before giving up
_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}

T = TypeVar("T")


def default_db_path() -> Path:
    """``MEDCODE_DB`` if set (a file path, or ``:memory:``), else ``progress.sqlite`` in the data folder."""
    override = os.environ.get("MEDCODE_DB")
    return Path(override).expanduser() if override else data_dir() / "progress.sqlite"


def _utc_text(moment: datetime) -> str:
    """Fixed-width ISO-8601 in UTC, so text order is time order. A naive time is taken as local time."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _now_text() -> str:
    return _utc_text(datetime.now(UTC))


class ProgressStore:
    """A trainee progress database. Safe to share between threads; one per process is enough."""

    def __init__(self, path: Path | str) -> None:
        self.path: Path | str = MEMORY if str(path) == MEMORY else Path(path)
        self.recovered_from: Path | None = None
        """Where a damaged database was moved before a fresh one was started, for the UI to tell the user."""
        self._lock = threading.RLock()
        try:
            self._conn = self._open()
        except DamagedDatabase:
            assert isinstance(self.path, Path)  # an in-memory database cannot be damaged
            self.recovered_from = set_aside(self.path)
            try:
                self._conn = self._open()
            except DamagedDatabase as error:  # only if the fresh file is damaged too: a disk problem
                raise TutorError(f"Cannot start a fresh progress database at {self.path}: {error}") from error

    # --- trainees -------------------------------------------------------------

    def trainees(self) -> list[str]:
        rows = self._read("SELECT name FROM trainees ORDER BY name", ())
        return [row["name"] for row in rows]

    def ensure_trainee(self, name: str) -> int:
        name = _trainee_name(name)
        return self._write(lambda conn: _ensure_trainee(conn, name))

    # --- attempts -------------------------------------------------------------

    def record_attempt(self, trainee: str, exercise_id: str, mode: str, started_at: datetime,
                       submitted_at: datetime, submission: Submission, report: GradeReport,
                       setting: str, code_sets: list[str], topics: list[str]) -> int:
        """Store one graded attempt and return its id; committed (durable) when this returns."""
        name = _trainee_name(trainee)
        if not mode:
            raise ValueError("an attempt needs a mode")
        values = (
            exercise_id, mode, _utc_text(started_at), _utc_text(submitted_at), setting,
            json.dumps(list(code_sets)), json.dumps(list(topics)),
            submission.model_dump_json(), report.model_dump_json(), report.code_accuracy,
            report.codes_graded, report.codes_correct, int(report.record_correct), report.learning_score,
        )

        def insert(conn: sqlite3.Connection) -> int:
            trainee_id = _ensure_trainee(conn, name)
            cursor = conn.execute(
                "INSERT INTO attempts (trainee_id, exercise_id, mode, started_at, submitted_at, setting,"
                " code_sets, topics, submission_json, report_json, code_accuracy, codes_graded,"
                " codes_correct, record_correct, learning_score)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (trainee_id, *values),
            )
            return int(cursor.lastrowid or 0)

        return self._write(insert)

    def attempts(self, trainee: str, exercise_id: str | None = None) -> list[Attempt]:
        """A trainee's attempts, oldest first (all of them, or those at one exercise)."""
        sql = ("SELECT attempts.*, trainees.name AS trainee FROM attempts"
               " JOIN trainees ON trainees.id = attempts.trainee_id WHERE trainees.name = ?")
        params: tuple[Any, ...] = (_trainee_name(trainee),)
        if exercise_id is not None:
            sql += " AND attempts.exercise_id = ?"
            params += (exercise_id,)
        rows = self._read(sql + " ORDER BY attempts.submitted_at, attempts.id", params)
        return [Attempt.from_row(row) for row in rows]

    # --- drafts ---------------------------------------------------------------

    def save_draft(self, trainee: str, exercise_id: str, data: dict[str, Any]) -> None:
        """Keep a half-typed answer (any JSON-serialisable dict), replacing the previous one."""
        name, text = _trainee_name(trainee), json.dumps(data)

        def upsert(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO drafts (trainee_id, exercise_id, updated_at, data_json) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (trainee_id, exercise_id)"
                " DO UPDATE SET updated_at = excluded.updated_at, data_json = excluded.data_json",
                (_ensure_trainee(conn, name), exercise_id, _now_text(), text),
            )

        self._write(upsert)

    def load_draft(self, trainee: str, exercise_id: str) -> dict[str, Any] | None:
        rows = self._read(
            "SELECT data_json FROM drafts JOIN trainees ON trainees.id = drafts.trainee_id"
            " WHERE trainees.name = ? AND drafts.exercise_id = ?",
            (_trainee_name(trainee), exercise_id),
        )
        return json.loads(rows[0]["data_json"]) if rows else None

    def clear_draft(self, trainee: str, exercise_id: str) -> None:
        self._write(lambda conn: conn.execute(
            "DELETE FROM drafts WHERE exercise_id = ?"
            " AND trainee_id = (SELECT id FROM trainees WHERE name = ?)",
            (exercise_id, _trainee_name(trainee)),
        ))

    # --- exam sessions --------------------------------------------------------

    def save_exam(self, trainee: str, profile_id: str, seed: int, state: dict[str, Any],
                  session_id: int | None = None, finished: bool = False) -> int:
        """Create (no id) or update an exam session; committed when this returns."""
        name, text = _trainee_name(trainee), json.dumps(state)

        def upsert(conn: sqlite3.Connection) -> int:
            now = _now_text()
            if session_id is None:
                cursor = conn.execute(
                    "INSERT INTO exam_sessions (trainee_id, profile_id, seed, created_at, updated_at, finished,"
                    " state_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (_ensure_trainee(conn, name), profile_id, seed, now, now, int(finished), text),
                )
                return int(cursor.lastrowid or 0)
            conn.execute("UPDATE exam_sessions SET updated_at = ?, finished = ?, state_json = ? WHERE id = ?",
                         (now, int(finished), text, session_id))
            return session_id

        return self._write(upsert)

    def open_exam(self, trainee: str) -> tuple[int, str, int, dict[str, Any]] | None:
        """The trainee's unfinished exam, newest first: (id, profile id, seed, state)."""
        rows = self._read(
            "SELECT exam_sessions.* FROM exam_sessions JOIN trainees ON trainees.id = exam_sessions.trainee_id"
            " WHERE trainees.name = ? AND finished = 0 ORDER BY exam_sessions.id DESC LIMIT 1",
            (_trainee_name(trainee),),
        )
        if not rows:
            return None
        row = rows[0]
        return int(row["id"]), row["profile_id"], int(row["seed"]), json.loads(row["state_json"])

    # --- lifecycle ------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- plumbing -------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if isinstance(self.path, Path):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise TutorError(f"Cannot create the folder for the progress database {self.path}: {error}") from error
        # Autocommit (isolation_level=None): transactions are begun explicitly, as
        # BEGIN IMMEDIATE, so a writer takes the lock up front rather than failing
        # midway when upgrading a read lock. The RLock makes cross-thread use safe.
        try:
            self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                         check_same_thread=False)
        except sqlite3.Error as error:
            raise TutorError(f"Cannot open the progress database {self.path}: {error}") from error
        self._conn.row_factory = sqlite3.Row
        try:
            self._retrying(_configure)
            self._retrying(quick_check)
            self._retrying(migrate)
        except sqlite3.DatabaseError as error:
            self._conn.close()
            if is_damage(error):
                raise DamagedDatabase(str(error)) from error
            if error_code(error) == sqlite3.SQLITE_CANTOPEN:
                raise TutorError(f"Cannot open the progress database {self.path}: {error}") from error
            raise
        except BaseException:
            self._conn.close()
            raise
        return self._conn

    def _retrying(self, action: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``action``, retrying with jittered exponential backoff while the database is busy."""
        deadline = time.monotonic() + RETRY_FOR_SECONDS
        delay = 0.005
        while True:
            try:
                with self._lock:
                    return action(self._conn)
            except sqlite3.OperationalError as error:
                if error_code(error) not in _BUSY:
                    raise
                if time.monotonic() > deadline:
                    raise TutorError(
                        f"The progress database {self.path} stayed locked by another program for over "
                        f"{RETRY_FOR_SECONDS:.0f} seconds, so this change was not saved. Try again."
                    ) from error
            time.sleep(delay * random.uniform(0.5, 1.5))  # jitter: two tutors must not retry in step
            delay = min(delay * 2, 0.25)

    def _write(self, action: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``action`` in one write transaction, committed before returning."""
        def transaction(conn: sqlite3.Connection) -> T:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = action(conn)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return result

        return self._retrying(transaction)

    def _read(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
        return self._retrying(lambda conn: conn.execute(sql, params).fetchall())


def _configure(conn: sqlite3.Connection) -> None:
    # busy_timeout first, so that switching to WAL (which briefly needs an
    # exclusive lock on a new file) waits for another tutor instead of failing.
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")  # stays "memory" for an in-memory database
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")


def _trainee_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise TutorError("A trainee needs a name.")
    return name


def _ensure_trainee(conn: sqlite3.Connection, name: str) -> int:
    conn.execute("INSERT OR IGNORE INTO trainees (name, created_at) VALUES (?, ?)", (name, _now_text()))
    return int(conn.execute("SELECT id FROM trainees WHERE name = ?", (name,)).fetchone()[0])
