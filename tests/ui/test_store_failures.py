"""A full disk or a locked database never crashes the tutor, never loses what was typed, and an
attempt that could not be stored is never shown as graded.

Two ways to fill the disk: SQLite failing every write with SQLITE_FULL (injected below the store,
whose own handling then runs as it would; always available), and a real full filesystem (a
small tmpfs, mounted only where this user may mount one).
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from textual.app import App
from textual.widgets import Input, RadioSet

from tests.ui.conftest import MCQ, OUTPATIENT, START, TRAINEE, type_keys
from tutor.content.exams import ExamProfile
from tutor.progress import ProgressStore
from tutor.ui.app import MedcodeApp
from tutor.ui.context import Tutor
from tutor.ui.screens.chart import ChartScreen
from tutor.ui.screens.exam import ExamReportScreen, ExamScreen
from tutor.ui.screens.feedback import FeedbackScreen

SIZE = (120, 40)
T = TypeVar("T")


class FillingDisk(ProgressStore):
    """A progress store whose disk is full while ``full`` is set: SQLite fails each write transaction
    with SQLITE_FULL ("database or disk is full"), and the store handles that as it always does."""

    full = False

    def _write(self, action: Callable[[sqlite3.Connection], T]) -> T:
        if not self.full:
            return super()._write(action)

        def write_on_a_full_disk(conn: sqlite3.Connection) -> T:
            error = sqlite3.OperationalError("database or disk is full")
            error.sqlite_errorcode = sqlite3.SQLITE_FULL
            raise error

        return super()._write(write_on_a_full_disk)


@pytest.fixture
def disk(store_path: Path) -> Iterator[FillingDisk]:
    store = FillingDisk(store_path)
    store.ensure_trainee(TRAINEE)
    try:
        yield store
    finally:
        store.close()


def messages(app: App) -> list[str]:
    """The notifications shown so far, oldest first."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]


def codes_on(chart: ChartScreen) -> list[str]:
    return [chart.query_one(f"#dx-{n}", Input).value for n in (1, 2, 3)]


async def test_a_full_disk_keeps_the_typed_answer_on_screen_and_stores_nothing_it_claims(
        disk: FillingDisk, ui_codes, course, clock) -> None:
    app = MedcodeApp(Tutor(course, ui_codes, disk, TRAINEE, clock))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        app.open_exercise(OUTPATIENT)
        await pilot.pause()
        chart = app.screen
        disk.full = True
        await type_keys(pilot, "E119")
        await pilot.press("enter")
        await type_keys(pilot, "I10")
        assert app.screen is chart and codes_on(chart) == ["E119", "I10", ""]
        told = messages(app)
        assert len(told) == 1 and "not saved" in told[0] and "is full" in told[0]  # once, not per key
        assert disk.load_draft(TRAINEE, OUTPATIENT) is None

        await pilot.press("ctrl+s")  # submitting on a full disk: no grade is shown, nothing stored
        await pilot.pause()
        assert app.screen is chart and codes_on(chart) == ["E119", "I10", ""]
        assert "not stored" in messages(app)[-1] and disk.attempts(TRAINEE) == []

        disk.full = False  # space freed: the next change saves, and says so
        await pilot.press("enter")
        await type_keys(pilot, "Z79.84")
        assert disk.load_draft(TRAINEE, OUTPATIENT)["diagnoses"][2]["code"] == "Z79.84"
        assert "saved again" in messages(app)[-1]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
    assert [a.codes_correct for a in disk.attempts(TRAINEE)] == [3]


async def test_a_database_locked_by_another_program_does_not_lose_the_submitted_answer(
        course, ui_codes, store_path: Path, clock, monkeypatch: pytest.MonkeyPatch) -> None:
    # Give up on the lock after a moment instead of a minute (the tutor's patience, not its behaviour).
    monkeypatch.setattr("tutor.progress.store.BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr("tutor.progress.store.RETRY_FOR_SECONDS", 0.2)
    store = ProgressStore(store_path)
    store.ensure_trainee(TRAINEE)
    other = sqlite3.connect(store_path, isolation_level=None)
    app = MedcodeApp(Tutor(course, ui_codes, store, TRAINEE, clock))
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause()
            app.open_exercise(OUTPATIENT)
            await pilot.pause()
            chart = app.screen
            await type_keys(pilot, "E11.9")
            other.execute("BEGIN IMMEDIATE")  # another program takes the write lock and keeps it
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is chart and codes_on(chart)[0] == "E11.9"
            assert "locked" in messages(app)[-1] and "not stored" in messages(app)[-1]
            other.execute("ROLLBACK")
            await pilot.press("ctrl+s")  # submitted again once the lock is gone
            await pilot.pause()
            assert isinstance(app.screen, FeedbackScreen)
        assert len(store.attempts(TRAINEE)) == 1
    finally:
        other.close()
        store.close()


PROFILE = ExamProfile.model_validate({
    "format": 1, "id": "tiny", "title": "Tiny exam", "body": "test", "version": "1", "questions": 2,
    "time_limit_minutes": 10, "pass_mark": {"type": "percent", "value": 50}, "kinds": ["mcq", "chart"],
    "areas": [{"id": "cpc.icd10cm", "title": "ICD-10-CM", "questions": 2}],
})


class StandingClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self):
        return self.now


async def test_an_exam_goes_on_through_a_full_disk_and_is_handed_in_once(
        disk: FillingDisk, ui_codes, course) -> None:
    clock = StandingClock()
    app = MedcodeApp(Tutor(course, ui_codes, disk, TRAINEE, clock, profiles={"tiny": PROFILE}), exam=("tiny", 3))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        exam = app.screen
        assert isinstance(exam, ExamScreen)
        while exam.item.exercise_id != MCQ:
            await pilot.press("n")
        await pilot.pause()
        disk.full = True
        exam.query_one(RadioSet).focus()
        await pilot.press("down", "enter")  # answered while the disk is full
        await pilot.pause()
        assert MCQ in exam.session.answers and "The exam is not saved" in messages(app)[-1]
        clock.now += timedelta(seconds=30)
        exam.tick()  # the clock runs on
        assert exam.session.elapsed_seconds == 30

        await pilot.press("ctrl+e", "y")
        await pilot.pause()
        assert app.screen is exam and "could not be handed in" in messages(app)[-1]
        disk.full = False
        await pilot.press("ctrl+e", "y")
        await pilot.pause()
        assert isinstance(app.screen, ExamReportScreen)
    assert [(a.exercise_id, a.mode) for a in disk.attempts(TRAINEE)] == [(MCQ, "exam")]  # once, not twice
    assert disk.open_exam(TRAINEE) is None


# --- a real full disk ---------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs of our own; skipped where this user may not mount one."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
                             capture_output=True, text=True) if shutil.which("mount") else None
    if mounted is None or mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip() if mounted else 'no mount'}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path) -> Path:
    """Write a file until the disk has no room left; returns it (delete it to free the space)."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler


async def test_a_really_full_disk_keeps_the_typed_answer(small_disk: Path, ui_codes, course, clock) -> None:
    store = ProgressStore(small_disk / "progress.sqlite")
    store.ensure_trainee(TRAINEE)
    app = MedcodeApp(Tutor(course, ui_codes, store, TRAINEE, clock))
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause()
            app.open_exercise(OUTPATIENT)
            await pilot.pause()
            chart = app.screen
            filler = fill(small_disk)
            await type_keys(pilot, "E11.9")
            await pilot.press("enter")
            await type_keys(pilot, "I10")
            assert app.screen is chart and codes_on(chart) == ["E11.9", "I10", ""]
            assert any("is full" in told for told in messages(app))
            filler.unlink()
            await pilot.press("enter")
            await type_keys(pilot, "Z79.84")
            draft = store.load_draft(TRAINEE, OUTPATIENT)
            assert [line["code"] for line in draft["diagnoses"]] == ["E11.9", "I10", "Z79.84"]
    finally:
        store.close()
