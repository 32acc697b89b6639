"""Pilot tests for exam mode (to the report, time-out, resume after a kill) and the billing screens."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, RadioSet, Select

from tests.ui.conftest import COURSE, MCQ, ROOT, START, TRAINEE
from tutor.content.exams import ExamProfile
from tutor.content.library import load_library
from tutor.progress import ProgressStore
from tutor.ui.app import MedcodeApp
from tutor.ui.context import Tutor
from tutor.practice.drafts import parse_where
from tutor.ui.screens.billing import ClaimScreen, RemittanceScreen
from tutor.ui.screens.exam import ExamReportScreen, ExamScreen
from tutor.ui.screens.feedback import FeedbackScreen

SIZE = (100, 30)
PROFILE = ExamProfile.model_validate({
    "format": 1, "id": "tiny", "title": "Tiny exam", "body": "test", "version": "1", "questions": 3,
    "time_limit_minutes": 10, "pass_mark": {"type": "percent", "value": 70}, "kinds": ["mcq", "chart"],
    "areas": [{"id": "cpc.icd10cm", "title": "ICD-10-CM", "questions": 2},
              {"id": "ccs.inpatient", "title": "Inpatient", "questions": 1}],
})
CLAIM = "clm-knee-injection-scrub"
REMITTANCE = "rem-medicare-coinsurance-secondary"


class ManualClock:
    """A clock that stands still until the test moves it (the exam's time is what the test says)."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self):
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def exam_tutor(course, ui_codes, store: ProgressStore, clock):
    store.ensure_trainee(TRAINEE)
    return Tutor(course, ui_codes, store, TRAINEE, clock, profiles={"tiny": PROFILE})


def exam_app(tutor: Tutor) -> MedcodeApp:
    return MedcodeApp(tutor, exam=("tiny", 5))


async def test_an_exam_runs_to_its_report_and_records_exam_attempts(exam_tutor: Tutor) -> None:
    app = exam_app(exam_tutor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExamScreen) and len(screen.session.form.items) == 3
        while screen.item.exercise_id != MCQ:  # go to the multiple-choice item
            await pilot.press("right")
        await pilot.pause()
        screen.query_one(RadioSet).focus()
        await pilot.press("down", "enter")  # choose an option with the keyboard
        await pilot.pause()
        assert MCQ in screen.session.answers
        await pilot.press("f")  # flag it for review
        assert MCQ in screen.session.flags
        await pilot.press("ctrl+e")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        report = app.screen
        assert isinstance(report, ExamReportScreen)
        assert report.result.total == 3 and report.result.passed is False  # two items unanswered
        rows = report.query_one("#exam-areas", DataTable).row_count
        assert rows == len({i.area for i in screen.session.form.items})
    attempts = exam_tutor.store.attempts(TRAINEE)
    assert [a.mode for a in attempts] == ["exam"] and attempts[0].exercise_id == MCQ
    assert exam_tutor.store.open_exam(TRAINEE) is None  # the session is finished


async def test_the_exam_submits_itself_when_time_runs_out(exam_tutor: Tutor, clock) -> None:
    app = exam_app(exam_tutor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        clock.now += timedelta(minutes=11)
        app.screen.tick()
        await pilot.pause()
        assert isinstance(app.screen, ExamReportScreen)


async def test_killing_the_exam_resumes_the_same_form_with_the_time_that_remained(
        course, ui_codes, store_path: Path, clock) -> None:
    first_store = ProgressStore(store_path)
    tutor = Tutor(course, ui_codes, first_store, TRAINEE, clock, profiles={"tiny": PROFILE})
    first_store.ensure_trainee(TRAINEE)
    app = exam_app(tutor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = app.screen.session.form.items
        clock.now += timedelta(minutes=3)
        app.screen.tick()  # three minutes used: past the save interval, so it is on disk
        used = app.screen.session.elapsed_seconds
    # No finish, no close: as if the process had been killed. Later, a new tutor opens the same file.
    clock.now += timedelta(hours=2)
    second = Tutor(course, ui_codes, ProgressStore(store_path), TRAINEE, clock, profiles={"tiny": PROFILE})
    app = exam_app(second)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        resumed = app.screen
        assert isinstance(resumed, ExamScreen)
        assert resumed.session.form.items == form
        assert resumed.session.remaining() == pytest.approx(PROFILE.time_limit_minutes * 60 - used, abs=1)


@pytest.fixture
def billing_tutor(make_tutor):
    library = load_library([COURSE, ROOT / "exercises" / "billing", ROOT / "answer_keys" / "billing"])
    return make_tutor(library=library)


async def test_a_claim_is_scrubbed_corrected_and_graded(billing_tutor: Tutor) -> None:
    app = MedcodeApp(billing_tutor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_exercise(CLAIM)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ClaimScreen)
        problem = screen.query("ProblemLine").first()
        problem.query_one(Input).value = "B"
        problem.query_one(Select).value = "MISSING_7TH"
        screen.query_one("#dx-2", Input).value = "S52.501D"
        await pilot.pause()
        assert "-valid" in screen.query(".status")[1].classes  # live validation on the corrected claim
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
    attempt = billing_tutor.store.attempts(TRAINEE)[-1]
    outcomes = [(f.element, f.outcome) for f in attempt.report.findings if f.element == "edit"]
    assert outcomes.count(("edit", "CORRECT")) == 1 and outcomes.count(("edit", "MISSED_EDIT")) == 2
    assert attempt.code_sets == ("billing",)


async def test_a_remittance_is_worked_and_graded(billing_tutor: Tutor) -> None:
    app = MedcodeApp(billing_tutor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_exercise(REMITTANCE)
        await pilot.pause()
        assert isinstance(app.screen, RemittanceScreen)
        await pilot.press("down", "down", "enter")  # bill the secondary payer
        app.screen.query_one("#amount", Input).value = "26.00"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
    report = billing_tutor.store.attempts(TRAINEE)[-1].report
    assert report.record_correct and report.code_accuracy == 1.0


def test_where_a_problem_is() -> None:
    assert parse_where("2") == (2, None) and parse_where("line 3") == (3, None) and parse_where("L4") == (4, None)
    assert parse_where("b") == (None, "B") and parse_where("dx C") == (None, "C")
    assert parse_where("somewhere") is None


async def test_drill_opens_an_exercise_that_practises_the_most_frequent_error(make_tutor) -> None:
    from tests.ui.conftest import OUTPATIENT, record
    from tutor.ui.screens.chart import ChartScreen

    tutor = make_tutor()
    record(tutor, OUTPATIENT, diagnoses=["E11", "I10", "Z79.84"])  # INVALID: a truncated code
    app = MedcodeApp(tutor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ChartScreen) and app.screen.exercise.id == OUTPATIENT


async def test_the_command_palette_offers_code_lookup(tutor) -> None:
    from tutor.ui.screens.lookup import LookupScreen

    app = MedcodeApp(tutor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Look up a code" in titles and "Exam simulation" in titles
        app.action_lookup()
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
