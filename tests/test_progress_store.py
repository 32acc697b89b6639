"""The progress store: round trips, drafts, trainees, migrations, damage recovery, two writers."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import sys
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tutor.content.models import Submission
from tutor.content.report import DrgSummary, Finding, GradeReport
from tutor.errors import TutorError
from tutor.progress import SCHEMA_VERSION, ProgressStore, default_db_path

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)

# The version-1 DDL exactly as released; a migration test must not follow later edits.
V1_DDL = """
CREATE TABLE trainees (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY, trainee_id INTEGER NOT NULL REFERENCES trainees(id),
    exercise_id TEXT NOT NULL, mode TEXT NOT NULL, started_at TEXT NOT NULL, submitted_at TEXT NOT NULL,
    setting TEXT NOT NULL, code_sets TEXT NOT NULL, topics TEXT NOT NULL,
    submission_json TEXT NOT NULL, report_json TEXT NOT NULL, code_accuracy REAL NOT NULL,
    codes_graded INTEGER NOT NULL, codes_correct INTEGER NOT NULL, record_correct INTEGER NOT NULL,
    learning_score REAL NOT NULL);
PRAGMA user_version = 1;
"""


def make_submission(exercise: str = "chart-001") -> Submission:
    return Submission(
        exercise=exercise,
        diagnoses=["E11.9", {"code": "I10", "poa": "Y"}],
        procedures=[{"code": "99213", "modifiers": ["25"], "units": 1}],
        drg="291",
    )


def make_report(exercise: str = "chart-001") -> GradeReport:
    return GradeReport(
        exercise=exercise, code_accuracy=2 / 3, record_correct=False, learning_score=0.75,
        drg=DrgSummary(submitted="292", expected="291", correct=False, entered="291"),
        findings=[
            Finding(element="diagnosis", submitted="E11.9", expected="E11.9", outcome="CORRECT", message="ok"),
            Finding(element="diagnosis", submitted="I10", expected="I11.9", outcome="WRONG_CODE",
                    message="not this one", rationale="hypertensive heart disease", lessons=["link HTN"]),
            Finding(element="procedure", submitted="99213", expected="99213", outcome="CORRECT", message="ok",
                    credit=1.0),
        ],
        codes_graded=3, codes_correct=2,
    )


def record(store: ProgressStore, trainee: str = "ann", exercise: str = "chart-001", minutes: int = 0) -> int:
    return store.record_attempt(
        trainee, exercise, "practice", START + timedelta(minutes=minutes),
        START + timedelta(minutes=minutes + 12), make_submission(exercise), make_report(exercise),
        "outpatient", ["icd10cm", "cpt"], ["diabetes", "hypertension"],
    )


@pytest.fixture
def store(tmp_path: Path):
    with ProgressStore(tmp_path / "progress.sqlite") as opened:
        yield opened


def test_attempt_round_trip(store: ProgressStore) -> None:
    attempt_id = record(store)
    [attempt] = store.attempts("ann")
    assert attempt.id == attempt_id
    assert (attempt.trainee, attempt.exercise_id, attempt.mode, attempt.setting) == (
        "ann", "chart-001", "practice", "outpatient")
    assert attempt.started_at == START and attempt.submitted_at == START + timedelta(minutes=12)
    assert attempt.started_at.tzinfo is not None
    assert attempt.code_sets == ("icd10cm", "cpt") and attempt.topics == ("diabetes", "hypertension")
    assert attempt.submission == make_submission()
    assert attempt.report == make_report()
    assert (attempt.codes_graded, attempt.codes_correct, attempt.record_correct) == (3, 2, False)
    assert attempt.code_accuracy == pytest.approx(2 / 3) and attempt.learning_score == 0.75
    assert attempt.minutes == 12
    assert sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_times_are_stored_as_utc_text(store: ProgressStore) -> None:
    local = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=-5)))
    store.record_attempt("ann", "x", "exam", local, local, make_submission("x"), make_report("x"),
                         "", [], [])
    raw = sqlite3.connect(store.path).execute("SELECT started_at FROM attempts").fetchone()[0]
    assert raw == "2026-03-02T14:00:00.000000+00:00"
    assert store.attempts("ann")[0].started_at == START


def test_in_memory_store_and_exercise_filter() -> None:
    with ProgressStore(":memory:") as store:
        record(store, exercise="b", minutes=30)
        record(store, exercise="a", minutes=0)
        record(store, exercise="b", minutes=60)
        assert [a.exercise_id for a in store.attempts("ann")] == ["a", "b", "b"]  # oldest first
        assert [a.submitted_at for a in store.attempts("ann", "b")] == [
            START + timedelta(minutes=42), START + timedelta(minutes=72)]
        assert store.attempts("nobody") == []


def test_drafts_save_load_clear(store: ProgressStore) -> None:
    assert store.load_draft("ann", "chart-001") is None
    store.save_draft("ann", "chart-001", {"diagnoses": ["E11"], "cursor": 3})
    assert store.load_draft("ann", "chart-001") == {"diagnoses": ["E11"], "cursor": 3}
    store.save_draft("ann", "chart-001", {"diagnoses": ["E11.9"]})  # replaces, does not add
    assert store.load_draft("ann", "chart-001") == {"diagnoses": ["E11.9"]}
    store.clear_draft("ann", "chart-001")
    assert store.load_draft("ann", "chart-001") is None
    store.clear_draft("ann", "chart-001")  # clearing twice is harmless
    store.clear_draft("nobody", "chart-001")


def test_trainees_kept_apart(store: ProgressStore) -> None:
    ann = store.ensure_trainee("ann")
    assert store.ensure_trainee("ann") == ann
    record(store, "ann", "a")
    record(store, "bob", "b")
    record(store, "bob", "c")
    store.save_draft("bob", "a", {"who": "bob"})
    assert store.trainees() == ["ann", "bob"]
    assert [a.exercise_id for a in store.attempts("ann")] == ["a"]
    assert [a.exercise_id for a in store.attempts("bob")] == ["b", "c"]
    assert store.load_draft("ann", "a") is None and store.load_draft("bob", "a") == {"who": "bob"}
    with pytest.raises(TutorError):
        store.ensure_trainee("   ")


def test_version_1_database_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(V1_DDL)
    conn.execute("INSERT INTO trainees (id, name, created_at) VALUES (1, 'ann', '2025-01-01T00:00:00+00:00')")
    conn.execute(
        "INSERT INTO attempts VALUES (7, 1, 'chart-001', 'practice', ?, ?, 'outpatient', '[\"icd10cm\"]',"
        " '[\"diabetes\"]', ?, ?, 0.6667, 3, 2, 0, 0.75)",
        (START.isoformat(), (START + timedelta(minutes=5)).isoformat(),
         make_submission().model_dump_json(), make_report().model_dump_json()),
    )
    conn.commit()
    conn.close()

    with ProgressStore(path) as store:
        [attempt] = store.attempts("ann")
        assert attempt.id == 7 and attempt.report == make_report() and attempt.topics == ("diabetes",)
        store.save_draft("ann", "chart-002", {"n": 1})
        assert store.load_draft("ann", "chart-002") == {"n": 1}
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert check.execute("SELECT name FROM sqlite_master WHERE name = 'attempts_by_trainee'").fetchone()
    check.close()


def test_newer_schema_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(TutorError, match="version 99"):
        ProgressStore(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 99
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_garbage_file_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite"
    garbage = b"this is not a database\n" * 200
    path.write_bytes(garbage)
    with ProgressStore(path) as store:
        assert store.recovered_from is not None
        assert store.recovered_from.name.startswith("progress.sqlite.corrupt-")
        assert store.recovered_from.read_bytes() == garbage
        record(store)
        assert len(store.attempts("ann")) == 1
    with ProgressStore(path) as again:
        assert again.recovered_from is None and len(again.attempts("ann")) == 1


def test_damaged_pages_fail_quick_check_and_are_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite"
    with ProgressStore(path) as store:
        for minute in range(60):
            record(store, minutes=minute)
    data = bytearray(path.read_bytes())
    data[4096 * 2:4096 * 4] = b"\xa5" * (4096 * 2)  # trample two pages, keep the header
    path.write_bytes(bytes(data))
    with ProgressStore(path) as store:
        assert store.recovered_from is not None and store.recovered_from.read_bytes() == bytes(data)
        assert store.attempts("ann") == []


def test_unopenable_path_is_a_tutor_error(tmp_path: Path) -> None:
    (tmp_path / "dir.sqlite").mkdir()
    with pytest.raises(TutorError):
        ProgressStore(tmp_path / "dir.sqlite")


def test_default_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MEDCODE_DB", raising=False)
    monkeypatch.setenv("MEDCODE_DATA_DIR", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "progress.sqlite"
    monkeypatch.setenv("MEDCODE_DB", str(tmp_path / "elsewhere.db"))
    assert default_db_path() == tmp_path / "elsewhere.db"


def test_store_can_be_used_from_another_thread(store: ProgressStore) -> None:
    worker = threading.Thread(target=record, args=(store, "ann", "from-thread"))
    worker.start()
    worker.join()
    assert [a.exercise_id for a in store.attempts("ann")] == ["from-thread"]


def _write_attempts(path: str, trainee: str, count: int, barrier) -> None:
    barrier.wait()  # both processes open and write at the same moment
    with ProgressStore(path) as store:
        for index in range(count):
            record(store, trainee, f"ex-{index}", minutes=index)


def test_two_processes_writing_at_once_both_succeed(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    workers = [context.Process(target=_write_attempts, args=(path, name, 50, barrier)) for name in ("ann", "bob")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    with ProgressStore(path) as store:
        assert len(store.attempts("ann")) == 50 and len(store.attempts("bob")) == 50
    assert sqlite3.connect(path).execute("SELECT count(*) FROM attempts").fetchone()[0] == 100


def _record_then_die(path: str) -> None:
    store = ProgressStore(path)
    record(store, "ann", "survivor")
    os.kill(os.getpid(), signal.SIGKILL)  # no close, no atexit: as if the terminal were killed


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_recorded_attempt_survives_kill_9(tmp_path: Path) -> None:
    path = str(tmp_path / "killed.sqlite")
    worker = multiprocessing.get_context("spawn").Process(target=_record_then_die, args=(path,))
    worker.start()
    worker.join(timeout=60)
    assert worker.exitcode == -signal.SIGKILL
    with ProgressStore(path) as store:
        assert [a.exercise_id for a in store.attempts("ann")] == ["survivor"]


@pytest.mark.parametrize("name", ["Ana\x1b[2J", "Ana\nBob", "\u202eanA", "Ana\x9b31m"])
def test_a_new_trainee_name_must_be_one_line_of_plain_text(tmp_path: Path, name: str) -> None:
    store = ProgressStore(tmp_path / "p.sqlite")
    with pytest.raises(TutorError, match="one line of plain text"):
        store.ensure_trainee(name)
    assert store.trainees() == []
    store.close()


def test_a_stored_name_with_control_characters_still_works(tmp_path: Path) -> None:
    """A database from before the rule (or edited by hand) is read and written as it is."""
    store = ProgressStore(tmp_path / "p.sqlite")
    store.ensure_trainee("Ana")
    store.close()
    with sqlite3.connect(tmp_path / "p.sqlite") as conn:
        conn.execute("UPDATE trainees SET name = 'Ana\x1b[2J'")
    store = ProgressStore(tmp_path / "p.sqlite")
    store.save_draft("Ana\x1b[2J", "chart-001", {"diagnoses": ["E11.9"]})
    assert store.load_draft("Ana\x1b[2J", "chart-001") == {"diagnoses": ["E11.9"]}
    assert store.trainees() == ["Ana\x1b[2J"]
    store.close()
