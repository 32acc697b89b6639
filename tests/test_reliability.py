"""Nothing lost: kill -9 in the middle of writing, several writers at once, old and broken databases,
and hostile input that must only ever raise the product's own errors."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.codes.normalize import normalize, normalize_icd10cm
from tutor.content.submissions import parse_submission
from tutor.content.yamlio import MAX_BYTES, parse_yaml
from tutor.errors import TutorError
from tutor.progress import SCHEMA_VERSION, ProgressStore

# A writer that records attempts as fast as it can and prints each one once its write returned.
WRITER = textwrap.dedent("""
    import os, sys
    from datetime import datetime, UTC
    from tutor.content.models import Submission
    from tutor.content.report import GradeReport, Finding
    from tutor.progress import ProgressStore
    store = ProgressStore(sys.argv[1])
    name = sys.argv[2]
    report = GradeReport(exercise="x", code_accuracy=1.0, record_correct=True, learning_score=1.0,
                         findings=[Finding(element="diagnosis", outcome="CORRECT", message="m")],
                         codes_graded=1, codes_correct=1)
    n = 0
    while True:
        now = datetime.now(UTC)
        exercise = f"ex-{os.getpid()}-{n}"  # unique across runs: row ids may be reused after a loss
        store.record_attempt(name, exercise, "practice", now, now,
                                       Submission(exercise="x", diagnoses=["E11.9"]), report,
                                       setting="outpatient", code_sets=["icd10cm"], topics=["t"])
        print(exercise, flush=True)
        n += 1
        if len(sys.argv) > 3 and n >= int(sys.argv[3]):
            break
""")


def _writer(db: Path, name: str, count: int | None = None) -> subprocess.Popen:
    args = [sys.executable, "-c", WRITER, str(db), name] + ([str(count)] if count else [])
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _recorded(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT exercise_id FROM attempts")}


def test_kill_9_while_writing_loses_no_returned_attempt(tmp_path: Path) -> None:
    db = tmp_path / "progress.sqlite"
    acknowledged: set[str] = set()
    for round_ in range(8):
        writer = _writer(db, "kim")
        assert writer.stdout is not None
        first = writer.stdout.readline()  # the writer is up and writing
        assert first, writer.stderr.read() if writer.stderr else "the writer died"
        acknowledged.add(first.strip())
        # Let it write a while (a different amount each round), then kill it mid-stream.
        deadline = time.monotonic() + 0.1 + 0.03 * round_
        while time.monotonic() < deadline:
            line = writer.stdout.readline()
            if not line:
                break
            acknowledged.add(line.strip())
        writer.send_signal(signal.SIGKILL)
        rest, _ = writer.communicate()
        acknowledged.update(rest.split())  # printed before the kill landed
        assert writer.returncode == -signal.SIGKILL
    assert acknowledged, "the writer never got an attempt in"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert acknowledged <= _recorded(db)
    with ProgressStore(db) as store:  # and the tutor opens it as usual
        assert store.recovered_from is None and len(store.attempts("kim")) >= len(acknowledged)


def test_three_processes_writing_at_once_all_succeed(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite"
    ProgressStore(db).close()  # created once; the writers race on it
    writers = [_writer(db, f"trainee-{n}", count=60) for n in range(3)]
    outputs = [w.communicate(timeout=120) for w in writers]
    for writer, (_, err) in zip(writers, outputs):
        assert writer.returncode == 0, err
        assert "locked" not in err
    assert len(_recorded(db)) == 180
    with ProgressStore(db) as store:
        assert all(len(store.attempts(f"trainee-{n}")) == 60 for n in range(3))


def test_a_version_2_database_is_migrated_without_losing_anything(tmp_path: Path) -> None:
    db = tmp_path / "v2.sqlite"
    with ProgressStore(db) as store:
        store.ensure_trainee("old")
        store.save_draft("old", "ex", {"diagnoses": [{"code": "E11.9"}]})
    with sqlite3.connect(db) as conn:  # take it back to schema version 2, as an older tutor left it
        conn.execute("DROP TABLE exam_sessions")
        conn.execute("PRAGMA user_version = 2")
    with ProgressStore(db) as store:
        assert store.load_draft("old", "ex") == {"diagnoses": [{"code": "E11.9"}]}
        session = store.save_exam("old", "mini", 1, {"answers": {}})
        assert store.open_exam("old") == (session, "mini", 1, {"answers": {}})
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_an_unreadable_database_is_set_aside_with_its_bytes(tmp_path: Path) -> None:
    db = tmp_path / "progress.sqlite"
    db.write_bytes(b"not a database at all" * 100)
    with ProgressStore(db) as store:
        assert store.recovered_from is not None and store.recovered_from.read_bytes().startswith(b"not a database")
        store.ensure_trainee("fresh")
        assert store.trainees() == ["fresh"]


# --- hostile input -----------------------------------------------------------------------

json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@given(st.text())
def test_normalisation_is_total(text: str) -> None:
    assert isinstance(normalize_icd10cm(text), str)
    assert isinstance(normalize(text, None), str)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_yaml_text_raises_only_our_error(text: str) -> None:
    try:
        parse_yaml(text, "fuzz.yaml")
    except TutorError as exc:
        assert str(exc).startswith("fuzz.yaml")


@given(json_like)
def test_submission_structures_raise_only_our_error(value) -> None:
    import json

    try:
        parse_submission(json.dumps(value), "fuzz.json")
    except TutorError as exc:
        assert "fuzz.json" in str(exc)


@given(st.dictionaries(st.sampled_from(["exercise", "diagnoses", "procedures", "drg", "answer", "x"]),
                       json_like, max_size=5))
def test_submission_shaped_mappings_raise_only_our_error(value) -> None:
    import json

    try:
        parse_submission(json.dumps(value), "fuzz.json")
    except TutorError:
        pass


def _quickly(seconds: float, action) -> BaseException:
    start = time.monotonic()
    with pytest.raises(TutorError) as caught:
        action()
    assert time.monotonic() - start < seconds
    return caught.value


def test_an_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n, prev in zip("bcdefghi", "abcdefgh"):
        lines.append(f"{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    error = _quickly(1.0, lambda: parse_yaml("\n".join(lines), "bomb.yaml"))
    assert "aliases" in str(error)


def test_deep_nesting_is_refused_quickly() -> None:
    error = _quickly(1.0, lambda: parse_yaml("[" * 100_000 + "]" * 100_000, "deep.yaml"))
    assert "nesting" in str(error)


def test_an_oversized_file_is_refused_quickly(tmp_path: Path) -> None:
    from tutor.content.yamlio import load_yaml

    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * (MAX_BYTES + 10))
    error = _quickly(1.0, lambda: load_yaml(big))
    assert "larger than" in str(error)
