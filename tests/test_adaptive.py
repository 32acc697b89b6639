"""Adaptive practice: FSRS scheduling from attempts, the practise-next mix, drills, readiness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tutor.content.exams import ExamProfile
from tutor.content.models import McqExercise, Submission
from tutor.content.report import Finding, GradeReport
from tutor.practice.adaptive import drill, due, practise_next, schedule
from tutor.practice.readiness import exam_readiness
from tutor.progress.attempt import Attempt

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def exercise(ident: str, topics=(), difficulty: int = 1, areas=()) -> McqExercise:
    return McqExercise(format=1, id=ident, kind="mcq", stem="?", options={"A": "a", "B": "b"},
                       difficulty=difficulty, topics=list(topics), exam_areas=list(areas))


def attempt(n: int, ident: str, right: bool, when: datetime, topics=(), outcome: str = "WRONG_CODE") -> Attempt:
    finding = Finding(element="diagnosis", outcome="CORRECT" if right else outcome, message="m")
    report = GradeReport(exercise=ident, code_accuracy=float(right), record_correct=right,
                         learning_score=float(right), findings=[finding], codes_graded=1, codes_correct=int(right))
    return Attempt(id=n, trainee="t", exercise_id=ident, mode="practice", started_at=when - timedelta(minutes=5),
                   submitted_at=when, setting="outpatient", code_sets=("icd10cm",), topics=tuple(topics),
                   submission=Submission(exercise=ident), report=report, code_accuracy=float(right),
                   codes_graded=1, codes_correct=int(right), record_correct=right, learning_score=float(right))


def test_a_missed_exercise_comes_due_before_a_mastered_one() -> None:
    history = [attempt(1, "missed", False, NOW - timedelta(hours=36)),
               attempt(2, "known", True, NOW - timedelta(hours=36))]
    cards = schedule(history)
    assert cards["missed"].due < cards["known"].due
    assert due(history, NOW) == ["missed"]


def test_missing_an_exercise_moves_it_forward() -> None:
    right = [attempt(1, "x", True, NOW - timedelta(days=3))]
    wrong = [attempt(1, "x", False, NOW - timedelta(days=3))]
    assert schedule(wrong)["x"].due < schedule(right)["x"].due


@given(seed=st.integers(0, 1000), missed=st.sets(st.sampled_from(list("abcdef"))))
def test_practise_next_is_deterministic_for_a_seed(seed: int, missed: set[str]) -> None:
    exercises = [exercise(i, topics=["t" + i]) for i in "abcdefgh"]
    history = [attempt(n, i, i not in missed, NOW - timedelta(days=5 - n % 3)) for n, i in enumerate("abcdef")]
    first = practise_next(exercises, history, NOW, seed=seed)
    assert first == practise_next(exercises, history, NOW, seed=seed)
    assert first is not None and first[1] in {"due", "weak", "new", "review"}


def test_with_no_history_the_easiest_new_exercise_comes_first() -> None:
    exercises = [exercise("hard", difficulty=5), exercise("easy", difficulty=1)]
    assert practise_next(exercises, [], NOW) == ("easy", "new")


def test_skip_and_empty_bank() -> None:
    assert practise_next([exercise("only")], [], NOW, skip="only") is None


def test_drill_serves_exercises_where_the_error_was_made_then_tagged_ones() -> None:
    exercises = [exercise("side1", topics=["laterality"]), exercise("side2", topics=["laterality"]),
                 exercise("other", topics=["z-codes"])]
    history = [attempt(1, "other", False, NOW, outcome="WRONG_LATERALITY")]
    assert drill("WRONG_LATERALITY", exercises, history) == ["other", "side1", "side2"]
    assert drill("WRONG_UNITS", exercises, history) == []


def test_exam_readiness_weights_areas_by_the_blueprint() -> None:
    exam = ExamProfile.model_validate({
        "format": 1, "id": "p", "title": "P", "body": "b", "version": "1", "questions": 10,
        "time_limit_minutes": 10, "pass_mark": {"type": "percent", "value": 70},
        "areas": [{"id": "x", "title": "X", "questions": 8}, {"id": "y", "title": "Y", "questions": 2}],
    })
    bank = {"x1": exercise("x1", areas=["x"]), "y1": exercise("y1", areas=["y"])}
    assert exam_readiness(exam, bank, []).estimate is None
    history = [attempt(n, "x1", True, NOW) for n in range(20)] + [attempt(99 + n, "y1", False, NOW) for n in range(5)]
    ready = exam_readiness(exam, bank, history)
    assert 0.75 < ready.estimate < 0.85  # 8/10 weight on a perfect area, 2/10 on a missed one
    assert ready.low < ready.estimate < ready.high and ready.items_seen == 25
    # With one item in y, below the minimum of evidence per area: no estimate (shown as --).
    assert exam_readiness(exam, bank, history[:21]).estimate is None
