"""The progress store: every submitted attempt and every half-typed draft, in SQLite (SPEC section 5).

Bars this file keeps (SPEC section 8):
- an attempt is committed before ``record_attempt`` returns, with
  ``synchronous=FULL``, so it survives a kill -9 (and a power cut);
- two tutors on the same file both get their writes in: WAL lets readers and
  the writer overlap, ``busy_timeout`` waits for the write lock, and
  ``_retrying`` backs off and retries the busy errors SQLite returns without
  waiting (at open, or when a read transaction cannot be upgraded);
- a damaged file is renamed aside, never deleted, and a fresh one started with
  every row that could still be read (``salvage``); ``open_store`` says so;
- another program's SQLite file is refused and never changed (``schema.recognise``);
- the disk or another program failing a read or write is a ``StorageError`` that
  says what to do; a write that raised stored nothing.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from tutor.content.models import Submission
from tutor.content.report import GradeReport
from tutor.errors import StorageError, TutorError
from tutor.paths import data_dir
from tutor.progress.attempt import Attempt
from tutor.progress.recovery import (
    DamagedDatabase,
    copy_with_sidecars,
    error_code,
    is_damage,
    is_sqlite_file,
    quick_check,
    recovery_notice,
    set_aside,
)
from tutor.progress.salvage import salvage
from tutor.progress.schema import migrate, recognise
from tutor.textsafe import has_control_characters, printable

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
        self.salvaged_attempts = 0
        """How many attempts were read out of that damaged database into the fresh one."""
        self._lock = threading.RLock()
        if isinstance(self.path, Path):
            _check_location(self.path)
        try:
            self._conn = self._open()
        except DamagedDatabase:
            assert isinstance(self.path, Path)  # an in-memory database cannot be damaged
            self._recover(self.path)

    def recovery_notice(self) -> str | None:
        """One line for the trainee if this store set a damaged database aside, else None."""
        if self.recovered_from is None:
            return None
        return recovery_notice(self.path, self.recovered_from, self.salvaged_attempts)

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

    def discard_open_exams(self, trainee: str) -> None:
        """Close the trainee's unfinished exams without grading them (for a saved exam that cannot be
        resumed). Their rows and saved state are kept; attempts are not touched."""
        name = _trainee_name(trainee)
        self._write(lambda conn: conn.execute(
            "UPDATE exam_sessions SET finished = 1, updated_at = ? WHERE finished = 0"
            " AND trainee_id = (SELECT id FROM trainees WHERE name = ?)",
            (_now_text(), name),
        ))

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
        # Autocommit (isolation_level=None): transactions are begun explicitly, as
        # BEGIN IMMEDIATE, so a writer takes the lock up front rather than failing
        # midway when upgrading a read lock. The RLock makes cross-thread use safe.
        try:
            self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                         check_same_thread=False)
        except sqlite3.Error as error:
            raise self._cannot_open(error) from error
        self._conn.row_factory = sqlite3.Row
        try:
            # ``timeout`` above is SQLite's busy timeout: each statement waits that long for a lock.
            # Before anything writes: another program's file must be left exactly as it was.
            self._retrying(lambda conn: recognise(conn, self.path))
            self._retrying(_configure)
            self._retrying(quick_check)
            self._retrying(lambda conn: migrate(conn, self.path))
        except sqlite3.Error as error:
            self._conn.close()
            if is_damage(error):
                raise DamagedDatabase(str(error)) from error
            raise self._cannot_open(error) from error
        except BaseException:
            self._conn.close()
            raise
        return self._conn

    def _cannot_open(self, error: sqlite3.Error) -> StorageError:
        if error_code(error) in _BUSY:
            return StorageError(_locked(self.path, "it could not be opened"))
        if error_code(error) in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM):
            return StorageError(
                f"Cannot open the progress database {self.path} for writing: the file or its folder is "
                "read-only (or missing). Make it writable, or point --db (or MEDCODE_DB) at a writable place.")
        return StorageError(f"Cannot open the progress database {self.path}: {error}.")

    def _recover(self, path: Path) -> None:
        """Start afresh after damage: salvage what can be read, set the damaged file aside, open anew.

        The rows are salvaged into a new database before the damaged one is moved, and the new
        one takes its place only if no other tutor started a fresh file there meanwhile (then
        the rows are copied into that one instead). A crash at any point loses nothing: until
        the move the damaged file is where it was, and afterwards it is kept beside the new one.
        """
        try:
            with tempfile.TemporaryDirectory(prefix=f".{path.name}.salvage-", dir=path.parent) as work:
                rebuilt = Path(work) / "salvaged.sqlite"
                salvaged = _salvage_into(path, rebuilt, Path(work) / "damaged.sqlite")
                self.recovered_from = set_aside(path)
                if self.recovered_from is None:  # another tutor moved it first, and salvages it
                    self._conn = self._open()
                    return
                self.salvaged_attempts = salvaged
                try:
                    os.link(rebuilt, path)  # fails if a fresh file appeared meanwhile (or without hard links)
                    linked = True
                except OSError:
                    linked = False
                self._conn = self._open()
                if not linked:
                    self._write(lambda conn: salvage(rebuilt, conn))
        except OSError as error:
            raise StorageError(f"The progress database {path} is damaged and could not be set aside "
                               f"({error}). Move it away by hand to start afresh.") from error
        except DamagedDatabase as error:  # only if the fresh file is damaged too: a disk problem
            raise StorageError(f"Cannot start a fresh progress database at {path}: {error}") from error

    def _retrying(self, action: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``action``, retrying with jittered exponential backoff while the database is busy."""
        deadline = time.monotonic() + RETRY_FOR_SECONDS
        delay = 0.005
        while True:
            try:
                with self._lock:
                    return action(self._conn)
            except sqlite3.OperationalError as error:
                if error_code(error) not in _BUSY or time.monotonic() > deadline:
                    raise
            time.sleep(delay * random.uniform(0.5, 1.5))  # jitter: two tutors must not retry in step
            delay = min(delay * 2, 0.25)

    def _write(self, action: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``action`` in one write transaction, committed before returning (or StorageError)."""
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

        try:
            return self._retrying(transaction)
        except sqlite3.DatabaseError as error:
            raise self._failed(error, "this change was not saved") from error

    def _read(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
        try:
            return self._retrying(lambda conn: conn.execute(sql, params).fetchall())
        except sqlite3.DatabaseError as error:
            raise self._failed(error, "your progress could not be read") from error

    def _failed(self, error: sqlite3.DatabaseError, outcome: str) -> StorageError | sqlite3.DatabaseError:
        """The product error for what the disk or another program did to a read or write.

        Anything else (a constraint, a mistake in our SQL) is a bug, and stays as it was.
        """
        code = error_code(error)
        if code in _BUSY:
            return StorageError(_locked(self.path, outcome))
        if code == sqlite3.SQLITE_FULL:
            return StorageError(f"The disk holding the progress database {self.path} is full, so {outcome}. "
                                "Free some space and try again.")
        if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM):
            return StorageError(f"The progress database {self.path} cannot be written (the file or its folder "
                                f"is read-only), so {outcome}. Make it writable and try again.")
        if code == sqlite3.SQLITE_IOERR:
            return StorageError(f"The disk holding the progress database {self.path} reported an error, so "
                                f"{outcome}. Check the disk and try again.")
        if is_damage(error):
            return StorageError(f"The progress database {self.path} was damaged while in use, so {outcome}. "
                                "Restart medcode: it keeps the damaged file aside and salvages what it can.")
        return error


def open_store(path: Path | str, notify: Callable[[str], None]) -> ProgressStore:
    """Open the progress store, and tell ``notify`` if a damaged database had to be set aside.

    Every command that opens the store should use this, so that a set-aside never goes unsaid.
    """
    store = ProgressStore(path)
    notice = store.recovery_notice()
    if notice:
        notify(notice)
    return store


def _locked(path: Path | str, outcome: str) -> str:
    return (f"The progress database {path} stayed locked by another program for over "
            f"{BUSY_TIMEOUT_MS / 1000 + RETRY_FOR_SECONDS:g} seconds, so {outcome}. Try again.")


def _check_location(path: Path) -> None:
    """A clear error for a path that cannot hold a database, before SQLite gives an obscure one."""
    where = "Point --db (or MEDCODE_DB) at a file; it is created if it does not exist."
    try:
        if path.is_dir():
            raise StorageError(f"The progress database {path} is a folder, not a file. {where}")
        if path.exists() and not path.is_file():
            raise StorageError(f"The progress database {path} is not a regular file (a device, pipe or socket). "
                               f"{where}")
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(f"Cannot create the folder for the progress database {path}, or look into it: "
                           f"{error.strerror or error}. {where}") from error


def _salvage_into(damaged: Path, rebuilt: Path, scratch: Path) -> int:
    """A new database at ``rebuilt`` holding what can be read from ``damaged``; the attempts copied.

    The rows are read from a scratch copy, so the damaged file itself is kept byte for byte.
    """
    conn = sqlite3.connect(rebuilt, isolation_level=None)
    try:
        migrate(conn)
        if not is_sqlite_file(damaged):
            return 0
        copy_with_sidecars(damaged, scratch)
        conn.execute("BEGIN IMMEDIATE")
        salvaged = salvage(scratch, conn)
        conn.execute("COMMIT")
        return salvaged
    finally:
        conn.close()


def _configure(conn: sqlite3.Connection) -> None:
    # The busy timeout is set at connect, so that switching to WAL (which briefly needs an
    # exclusive lock on a new file) waits for another tutor instead of failing.
    conn.execute("PRAGMA journal_mode = WAL")  # stays "memory" for an in-memory database
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")


def _trainee_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise TutorError("A trainee needs a name.")
    return name


def _ensure_trainee(conn: sqlite3.Connection, name: str) -> int:
    row = conn.execute("SELECT id FROM trainees WHERE name = ?", (name,)).fetchone()
    if row:
        return int(row[0])
    # A new name is shown in the tutor, in reports and in CSV files: one line of plain text. (Names
    # already stored, by an older version, keep working and are shown escaped.)
    if has_control_characters(name):
        raise TutorError(f"A trainee name is one line of plain text; '{printable(name, one_line=True)}' "
                         "holds control characters or a line break.")
    cursor = conn.execute("INSERT INTO trainees (name, created_at) VALUES (?, ?)", (name, _now_text()))
    return int(cursor.lastrowid or 0)
