"""Progress statistics: worked examples with exact numbers, and properties."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutor.content.models import Submission
from tutor.content.report import Finding, GradeReport
from tutor.progress import (
    Z95,
    Attempt,
    by_code_set,
    by_topic,
    code_accuracy,
    outcome_counts,
    pace,
    record_accuracy,
    trend,
    weakest_topics,
    wilson_interval,
)

EPOCH = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def attempt(number: int, graded: int, correct: int, *, minutes: float = 10, setting: str = "outpatient",
            topics: tuple[str, ...] = (), code_sets: tuple[str, ...] = ("icd10cm",),
            outcomes: tuple[str, ...] = (), record_correct: bool | None = None) -> Attempt:
    """Attempt ``number`` is submitted ``number`` hours after EPOCH, so numbers give time order."""
    submitted = EPOCH + timedelta(hours=number)
    accuracy = correct / graded if graded else 0.0
    report = GradeReport(
        exercise=f"ex-{number}", code_accuracy=accuracy,
        record_correct=correct == graded if record_correct is None else record_correct,
        learning_score=accuracy, codes_graded=graded, codes_correct=correct,
        findings=[Finding(element="diagnosis", outcome=outcome, message="-") for outcome in outcomes],
    )
    return Attempt(
        id=number, trainee="ann", exercise_id=f"ex-{number}", mode="practice",
        started_at=submitted - timedelta(minutes=minutes), submitted_at=submitted, setting=setting,
        code_sets=code_sets, topics=topics, submission=Submission(exercise=f"ex-{number}"), report=report,
        code_accuracy=accuracy, codes_graded=graded, codes_correct=correct,
        record_correct=report.record_correct, learning_score=accuracy,
    )


# --- worked examples ----------------------------------------------------------------


def test_rolling_window_counts_the_boundary_attempt_in_proportion() -> None:
    # Oldest to newest: 10/20, 30/30, 57/60. Given shuffled: order comes from the times.
    history = [attempt(3, 60, 57), attempt(1, 20, 10), attempt(2, 30, 30)]
    summary = code_accuracy(history, window=100)
    # Newest first: 60 codes (57 right) + 30 (30) = 90 codes; the last 10 come from the
    # 20-code attempt at its rate of 10/20, adding 5 right: 92 of 100.
    assert summary.rolling.graded == 100
    assert summary.rolling.correct == pytest.approx(92)
    assert summary.rolling.accuracy == pytest.approx(0.92)
    assert (summary.all_time.graded, summary.all_time.correct) == (110, 97)
    assert summary.all_time.accuracy == pytest.approx(97 / 110)
    # A 70-code window: 57 of 60, then 10 of the 30 perfect codes.
    assert code_accuracy(history, window=70).rolling.accuracy == pytest.approx(67 / 70)
    # A window larger than the history is the history.
    assert code_accuracy(history, window=500).rolling == summary.all_time


def test_no_attempts_means_no_accuracy() -> None:
    summary = code_accuracy([])
    assert summary.rolling.accuracy is None and summary.all_time.accuracy is None
    assert summary.rolling.interval == (0.0, 1.0)
    assert record_accuracy([]).accuracy is None and trend([]) == []


def test_wilson_interval_against_a_hand_computation() -> None:
    # 90 of 100, z = 1.959964: z²/n = 0.0384146;
    # centre = (0.9 + 0.0192073) / 1.0384146 = 0.8852026;
    # half = 1.959964 / 1.0384146 × √(0.0009 + 0.0000960) = 1.8874591 × 0.0315600 = 0.0595683.
    low, high = wilson_interval(90, 100)
    assert low == pytest.approx(0.8256343, abs=1e-6)
    assert high == pytest.approx(0.9447709, abs=1e-6)
    # All correct: the lower bound is n / (n + z²), 100 / 103.841459 = 0.9630065.
    assert wilson_interval(100, 100)[0] == pytest.approx(100 / (100 + Z95**2))
    assert wilson_interval(100, 100)[1] == 1.0
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_outcome_counts_leave_out_right_answers() -> None:
    history = [
        attempt(1, 3, 1, outcomes=("CORRECT", "WRONG_CODE", "MISSING_CODE")),
        attempt(2, 3, 2, outcomes=("ALTERNATE", "CORRECT", "WRONG_CODE", "SEQUENCING")),
    ]
    assert outcome_counts(history) == Counter({"WRONG_CODE": 2, "MISSING_CODE": 1, "SEQUENCING": 1})


def test_by_topic_by_code_set_and_weakest_topics() -> None:
    history = [
        attempt(1, 4, 4, topics=("sepsis", "diabetes"), code_sets=("icd10cm", "icd10pcs")),
        attempt(2, 4, 1, topics=("sepsis",)),
        attempt(3, 2, 0, topics=("burns",)),  # too few codes to rank
        attempt(4, 5, 4, topics=("diabetes", "diabetes"), code_sets=("icd10cm", "cpt")),
    ]
    topics = by_topic(history)
    assert (topics["sepsis"].graded, topics["sepsis"].correct) == (8, 5)
    assert (topics["diabetes"].graded, topics["diabetes"].correct) == (9, 8)  # listed twice, counted once
    sets = by_code_set(history)
    assert (sets["icd10cm"].graded, sets["icd10cm"].correct) == (15, 9)
    assert (sets["icd10pcs"].graded, sets["cpt"].graded) == (4, 5)
    assert [topic for topic, _ in weakest_topics(history, n=5, min_codes=3)] == ["sepsis", "diabetes"]
    assert [topic for topic, _ in weakest_topics(history, n=1, min_codes=1)] == ["burns"]


def test_record_accuracy() -> None:
    history = [attempt(1, 3, 3), attempt(2, 3, 2), attempt(3, 1, 1, record_correct=False), attempt(4, 2, 2)]
    tally = record_accuracy(history)
    assert (tally.graded, tally.correct, tally.accuracy) == (4, 2, 0.5)


def test_pace_against_the_fields_targets() -> None:
    history = [
        attempt(1, 5, 5, setting="inpatient", minutes=20),
        attempt(2, 5, 5, setting="inpatient", minutes=40),
        attempt(3, 5, 5, setting="inpatient", minutes=30),
        attempt(4, 2, 2, setting="outpatient", minutes=12),
        attempt(5, 1, 1, setting="", minutes=1),  # a multiple-choice question: no chart
        attempt(6, 1, 1, setting="professional", minutes=5),
    ]
    result = pace(history)
    assert set(result) == {"inpatient", "outpatient", "professional"}
    inpatient = result["inpatient"]
    assert (inpatient.charts, inpatient.median_minutes) == (3, 30)
    assert inpatient.target_minutes == (16, 32)  # 480/30 .. 480/15
    assert inpatient.on_pace and inpatient.charts_per_day == 16
    outpatient = result["outpatient"]
    assert outpatient.target_minutes == pytest.approx((6, 9.6))  # 480/80 .. 480/50
    assert outpatient.on_pace is False
    assert result["professional"].target_minutes is None and result["professional"].on_pace is None


def test_trend_per_attempt_and_per_bucket() -> None:
    history = [attempt(3, 4, 4), attempt(1, 2, 1), attempt(2, 0, 0), attempt(4, 4, 2), attempt(5, 5, 5)]
    assert trend(history) == [0.5, 1.0, 0.5, 1.0]  # oldest first, the ungraded attempt skipped
    assert trend(history, bucket=2) == [5 / 6, 7 / 9]  # pooled: (1+4)/(2+4), (2+5)/(4+5)
    with pytest.raises(ValueError):
        trend(history, bucket=0)


# --- properties -----------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=40).flatmap(
    lambda graded: st.tuples(st.just(graded), st.integers(min_value=0, max_value=graded)))
histories = st.lists(counts, max_size=25).map(
    lambda pairs: [attempt(number, graded, correct, topics=("t",)) for number, (graded, correct) in enumerate(pairs)])


def _in_unit(value: float | None) -> bool:
    return value is None or 0.0 <= value <= 1.0


@given(histories, st.integers(min_value=1, max_value=300))
def test_accuracies_stay_within_0_and_1(history: list[Attempt], window: int) -> None:
    summary = code_accuracy(history, window)
    for tally in (summary.rolling, summary.all_time, record_accuracy(history), *by_topic(history).values()):
        low, high = tally.interval
        assert _in_unit(tally.accuracy) and 0.0 <= low <= high <= 1.0
    assert summary.rolling.graded <= window
    assert all(_in_unit(value) for value in trend(history, bucket=3))


@given(st.integers(min_value=1, max_value=100_000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))))
def test_wilson_interval_contains_the_point_estimate(pair: tuple[int, int]) -> None:
    correct, graded = pair
    low, high = wilson_interval(correct, graded)
    assert low <= correct / graded <= high


@given(st.floats(min_value=0.01, max_value=1000), st.floats(min_value=0, max_value=1))
def test_wilson_interval_contains_a_fractional_estimate(graded: float, rate: float) -> None:
    low, high = wilson_interval(rate * graded, graded)
    assert low <= rate * graded / graded <= high


@given(histories, st.integers(min_value=1, max_value=50))
def test_an_all_correct_attempt_never_lowers_all_time_accuracy(history: list[Attempt], codes: int) -> None:
    before = code_accuracy(history).all_time.accuracy
    after = code_accuracy(history + [attempt(len(history), codes, codes)]).all_time.accuracy
    assert after is not None and (before is None or after >= before)


@given(histories)
def test_order_of_the_input_does_not_matter(history: list[Attempt]) -> None:
    shuffled = history[:]
    random.Random(0).shuffle(shuffled)
    assert code_accuracy(shuffled, 37) == code_accuracy(history, 37)
    assert trend(shuffled) == trend(history)
