"""Exams serve every kind of item, and a saved exam that cannot be resumed never blocks the tutor.

A form may hold claims and remittances (a profile's ``chart`` kind covers every record to work):
they are answered inside the exam on the billing screens, kept through a kill, and graded and
stored as in practice. A saved exam that points at an exercise no longer loaded, at a position
past its end, or whose saved state is not readable is offered for discarding; the attempt
history stays as it was.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from textual.widgets import Input, Select

from tests.ui.conftest import COURSE, MCQ, OUTPATIENT, ROOT, START, TRAINEE, record
from tutor.content.exams import ExamProfile
from tutor.content.library import Library, load_library
from tutor.practice.exam import ExamForm, ExamSession, FormItem
from tutor.progress import ProgressStore
from tutor.ui.app import MedcodeApp
from tutor.ui.context import Tutor
from tutor.ui.screens.billing import ClaimScreen, RemittanceScreen
from tutor.ui.screens.dashboard import DashboardScreen
from tutor.ui.screens.exam import ConfirmScreen, ExamReportScreen, ExamScreen

SIZE = (120, 40)
CLAIM = "clm-knee-injection-scrub"
REMITTANCE = "rem-medicare-coinsurance-secondary"
PROFILE = ExamProfile.model_validate({
    "format": 1, "id": "bill", "title": "Billing exam", "body": "test", "version": "1", "questions": 2,
    "time_limit_minutes": 10, "pass_mark": {"type": "percent", "value": 50}, "kinds": ["chart"],
    "areas": [{"id": "cpc.hcpcs", "title": "HCPCS", "questions": 1},
              {"id": "cpb.payment_posting", "title": "Payment posting", "questions": 1}],
})


class StandingClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def billing_library() -> Library:
    return load_library([COURSE, ROOT / "exercises" / "billing", ROOT / "answer_keys" / "billing"])


def exam_tutor(library: Library, ui_codes, store: ProgressStore) -> Tutor:
    store.ensure_trainee(TRAINEE)
    return Tutor(library, ui_codes, store, TRAINEE, StandingClock(), profiles={"bill": PROFILE})


def open_exam(store: ProgressStore, *items: str, **state: object) -> int:
    """Save an unfinished exam whose form is ``items`` (as the tutor saves one), with ``state`` on top."""
    form = ExamForm("bill", 1, tuple(FormItem(i, "cpc.hcpcs") for i in items), {})
    saved = {**ExamSession(PROFILE, form).to_state(), **state}
    return store.save_exam(TRAINEE, "bill", 1, saved)


async def test_claims_and_remittances_are_answered_in_the_exam_and_graded_as_in_practice(
        billing_library: Library, ui_codes, store: ProgressStore) -> None:
    tutor = exam_tutor(billing_library, ui_codes, store)
    open_exam(store, CLAIM, REMITTANCE)
    app = MedcodeApp(tutor, exam=("bill", 1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        exam = app.screen
        assert isinstance(exam, ExamScreen) and exam.item.exercise_id == CLAIM
        await pilot.press("enter", "escape")  # looking at an item does not answer it
        await pilot.pause()
        assert app.screen is exam and CLAIM not in exam.session.answers
        await pilot.press("enter")
        await pilot.pause()
        claim = app.screen
        assert isinstance(claim, ClaimScreen)
        problem = claim.query("ProblemLine").first()
        problem.query_one(Input).value = "B"
        problem.query_one(Select).value = "MISSING_7TH"
        claim.query_one("#dx-2", Input).value = "S52.501D"
        await pilot.pause()
        await pilot.press("ctrl+s")  # keeps the answer and goes back to the exam
        await pilot.pause()
        assert app.screen is exam and CLAIM in exam.session.answers
        await pilot.press("right", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RemittanceScreen)
        await pilot.press("down", "down", "enter")  # bill the secondary payer
        app.screen.query_one("#amount", Input).value = "26.00"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is exam and REMITTANCE in exam.session.answers
        await pilot.press("ctrl+e")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        report = app.screen
        assert isinstance(report, ExamReportScreen)
        assert (report.result.correct, report.result.total) == (1, 2)  # the claim missed two problems
    attempts = {a.exercise_id: a for a in store.attempts(TRAINEE)}
    assert {a.mode for a in attempts.values()} == {"exam"} and set(attempts) == {CLAIM, REMITTANCE}
    edits = [f.outcome for f in attempts[CLAIM].report.findings if f.element == "edit"]
    assert sorted(edits) == ["CORRECT", "MISSED_EDIT", "MISSED_EDIT"]  # as the same answer in practice
    assert attempts[REMITTANCE].report.record_correct and attempts[CLAIM].code_sets == ("billing",)
    assert store.open_exam(TRAINEE) is None


async def test_a_claim_answer_survives_a_kill_during_the_exam(
        billing_library: Library, ui_codes, store_path: Path) -> None:
    first = ProgressStore(store_path)
    open_exam(first, CLAIM, REMITTANCE)
    app = MedcodeApp(exam_tutor(billing_library, ui_codes, first), exam=("bill", 1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#dx-2", Input).value = "S52.501D"
        problem = app.screen.query("ProblemLine").first()
        problem.query_one(Input).value = "2"
        await pilot.pause()
    # No "keep", no finish, no close: as if killed. A new tutor opens the same file.
    second = ProgressStore(store_path)
    app = MedcodeApp(exam_tutor(billing_library, ui_codes, second), exam=("bill", 1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        claim = app.screen
        assert isinstance(claim, ClaimScreen)
        assert claim.query_one("#dx-2", Input).value == "S52.501D"
        assert claim.query("ProblemLine").first().query_one(Input).value == "2"
    second.close()
    first.close()


def corrupt_state(store_path: Path, session_id: int) -> None:
    """Overwrite a saved exam's state with text that is not JSON (a damaged row)."""
    with sqlite3.connect(store_path) as conn:
        conn.execute("UPDATE exam_sessions SET state_json = '{\"items\": [' WHERE id = ?", (session_id,))


BROKEN = {
    "an exercise no longer loaded": lambda store, path: open_exam(store, "no-such-exercise", MCQ),
    "a position past the end": lambda store, path: open_exam(store, MCQ, current=5),
    "a state of the wrong shape": lambda store, path: open_exam(store, MCQ, answers=["not", "a", "mapping"]),
    "a state that is not JSON": lambda store, path: corrupt_state(path, open_exam(store, MCQ)),
}


@pytest.mark.parametrize("damage", BROKEN.values(), ids=BROKEN.keys())
async def test_a_broken_saved_exam_is_offered_for_discarding_and_the_history_is_kept(
        damage, billing_library: Library, ui_codes, store: ProgressStore, store_path: Path) -> None:
    tutor = exam_tutor(billing_library, ui_codes, store)
    record(tutor, OUTPATIENT, diagnoses=["E11.9", "I10", "Z79.84"])
    damage(store, store_path)
    app = MedcodeApp(tutor, exam=("bill", 2))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ExamScreen)  # the exam asked for starts afresh
        assert app.screen.session.form.seed == 2
    assert [a.exercise_id for a in store.attempts(TRAINEE)] == [OUTPATIENT]
    with sqlite3.connect(store_path) as conn:  # set aside, not deleted
        assert conn.execute("SELECT COUNT(*) FROM exam_sessions").fetchone()[0] == 2


async def test_keeping_a_broken_saved_exam_leaves_the_tutor_usable(
        billing_library: Library, ui_codes, store: ProgressStore) -> None:
    tutor = exam_tutor(billing_library, ui_codes, store)
    open_exam(store, "no-such-exercise")
    app = MedcodeApp(tutor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("x")  # exams, from the dashboard
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("n")  # practise next still works
        await pilot.pause()
        assert not isinstance(app.screen, DashboardScreen)
    assert store.open_exam(TRAINEE) is not None  # kept for later


def test_a_saved_state_is_read_strictly() -> None:
    good = ExamSession(PROFILE, ExamForm("bill", 1, (FormItem(MCQ, "a"),), {})).to_state()
    assert ExamSession.from_state(PROFILE, 1, json.loads(json.dumps(good))).form.items == (FormItem(MCQ, "a"),)
    for broken in ({**good, "items": [[MCQ]]}, {**good, "current": 1}, {**good, "flags": 3},
                   {**good, "elapsed_seconds": "soon"}, {**good, "started_at": "yesterday"}, []):
        with pytest.raises(ValueError):
            ExamSession.from_state(PROFILE, 1, broken)
