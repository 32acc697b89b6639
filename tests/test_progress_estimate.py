"""The recency-weighted estimate: the Beta functions against known values and identities, the
estimator's worked examples and properties, the outlook, weak topics and exam readiness.

The calibration (does "at 95%" tell the truth?) is in test_progress_calibration.py.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutor.content.exams import ExamProfile
from tutor.content.models import McqExercise, Submission
from tutor.content.report import GradeReport
from tutor.practice.readiness import exam_readiness
from tutor.progress.attempt import Attempt
from tutor.progress.beta import (
    beta_binomial_pmf, beta_cdf, beta_pdf, beta_ppf, convolve, normal_cdf, normal_ppf,
)
from tutor.progress.estimate import (
    Evidence, Policy, code_estimate, estimates_by_code_set, estimates_by_topic, forecast_score, outlook,
    posterior, rate_needed, record_estimate, weak_topics, weigh,
)

EPOCH = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
NO_FORGETTING = Policy(half_life=1e12)


def attempt(number: int, graded: int, correct: int, *, topics=(), code_sets=("icd10cm",), exercise: str = "",
            record_correct: bool | None = None) -> Attempt:
    """Attempt ``number`` is submitted ``number`` minutes after EPOCH, so numbers give time order."""
    when = EPOCH + timedelta(minutes=number)
    ident = exercise or f"ex-{number}"
    record = correct == graded if record_correct is None else record_correct
    report = GradeReport(exercise=ident, code_accuracy=correct / graded if graded else 1.0, record_correct=record,
                         learning_score=0.0, codes_graded=graded, codes_correct=correct, findings=[])
    return Attempt(id=number, trainee="t", exercise_id=ident, mode="practice", started_at=when, submitted_at=when,
                   setting="outpatient", code_sets=tuple(code_sets), topics=tuple(topics),
                   submission=Submission(exercise=ident), report=report, code_accuracy=report.code_accuracy,
                   codes_graded=graded, codes_correct=correct, record_correct=record, learning_score=0.0)


# --- the Beta functions -----------------------------------------------------------------------


def test_beta_cdf_against_known_values() -> None:
    assert beta_cdf(0.5, 2, 3) == pytest.approx(0.6875, abs=1e-14)  # 11/16
    assert beta_cdf(0.3, 0.5, 0.5) == pytest.approx(2 / math.pi * math.asin(math.sqrt(0.3)), abs=1e-13)
    assert beta_cdf(0.95, 32, 1) == pytest.approx(0.95**32, abs=1e-13)  # I_x(a, 1) = x^a
    assert beta_cdf(0.2, 1, 7.5) == pytest.approx(1 - 0.8**7.5, abs=1e-13)  # I_x(1, b) = 1 - (1 - x)^b
    assert beta_cdf(0.4, 1, 1) == pytest.approx(0.4, abs=1e-15)
    assert (beta_cdf(0.0, 3, 4), beta_cdf(1.0, 3, 4)) == (0.0, 1.0)
    with pytest.raises(ValueError):
        beta_cdf(0.5, 0, 1)


@given(st.integers(1, 60), st.integers(1, 60), st.floats(0.001, 0.999))
def test_beta_cdf_of_whole_parameters_is_a_binomial_tail(a: int, b: int, x: float) -> None:
    # I_x(a, b) = P(Binomial(a + b - 1, x) >= a) for whole a and b.
    n = a + b - 1
    tail = sum(math.comb(n, k) * x**k * (1 - x) ** (n - k) for k in range(a, n + 1))
    assert beta_cdf(x, a, b) == pytest.approx(tail, abs=1e-10)


@given(st.floats(0.05, 2000), st.floats(0.05, 2000), st.floats(1e-6, 1 - 1e-6))
def test_beta_cdf_symmetry_and_range(a: float, b: float, x: float) -> None:
    # (x is kept off 0 and 1 by 1e-6: at x = 1e-144, 1 - x is 1.0 in floating point.)
    value = beta_cdf(x, a, b)
    assert 0.0 <= value <= 1.0
    assert value == pytest.approx(1.0 - beta_cdf(1.0 - x, b, a), abs=1e-9)


@given(st.floats(0.1, 1000), st.floats(0.1, 1000), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_beta_cdf_rises_with_x(a: float, b: float, x: float, y: float) -> None:
    low, high = sorted((x, y))
    assert beta_cdf(low, a, b) <= beta_cdf(high, a, b) + 1e-12


@given(st.floats(0.3, 3000), st.floats(0.3, 3000), st.floats(0.001, 0.999))
def test_beta_ppf_inverts_the_cdf(a: float, b: float, q: float) -> None:
    x = beta_ppf(q, a, b)
    assert 0.0 <= x <= 1.0
    assert beta_cdf(x, a, b) == pytest.approx(q, abs=1e-7)


def test_beta_pdf_integrates_to_the_cdf() -> None:
    a, b, steps = 40.5, 3.25, 20_000
    area = sum(beta_pdf((i + 0.5) / steps * 0.9, a, b) for i in range(steps)) * 0.9 / steps
    assert area == pytest.approx(beta_cdf(0.9, a, b), abs=1e-7)


def test_normal_quantiles() -> None:
    assert normal_ppf(0.975) == pytest.approx(1.959963984540054, abs=1e-8)
    assert normal_ppf(0.05) == pytest.approx(-1.6448536269514722, abs=1e-8)
    assert normal_ppf(0.001) == pytest.approx(-3.090232306167813, abs=1e-7)
    assert normal_cdf(normal_ppf(0.3)) == pytest.approx(0.3, abs=1e-9)


@given(st.integers(0, 60), st.floats(0.2, 500), st.floats(0.2, 500))
def test_beta_binomial_is_a_distribution_with_the_right_mean(n: int, a: float, b: float) -> None:
    pmf = beta_binomial_pmf(n, a, b)
    assert len(pmf) == n + 1 and all(p >= 0 for p in pmf)
    assert sum(pmf) == pytest.approx(1.0, abs=1e-12)
    assert sum(k * p for k, p in enumerate(pmf)) == pytest.approx(n * a / (a + b), rel=1e-9, abs=1e-9)


def test_beta_binomial_of_a_sure_rate_is_the_binomial() -> None:
    pmf = beta_binomial_pmf(10, 0.7 * 1e9, 0.3 * 1e9)
    assert pmf[7] == pytest.approx(math.comb(10, 7) * 0.7**7 * 0.3**3, rel=1e-6)
    assert convolve([0.5, 0.5], [0.25, 0.75]) == [0.125, 0.5, 0.375]


# --- the evidence and the estimate ------------------------------------------------------------


def test_weights_halve_every_half_life() -> None:
    policy = Policy(half_life=100)
    # Three single codes: the newest weighs 1, the others 2^(-1/100) and 2^(-2/100).
    evidence = weigh([(1, 0), (1, 1), (1, 1)], policy)
    d = 2 ** (-1 / 100)
    assert evidence.weight == pytest.approx(1 + d + d * d)
    assert evidence.correct == pytest.approx(1 + d)
    assert evidence.weight_sq == pytest.approx(1 + d**2 + d**4)
    # A code 100 codes old weighs half as much as the newest.
    old_first = weigh([(1, 1), (99, 0), (1, 0)], policy)
    assert old_first.correct == pytest.approx(0.5)
    # A chart's share right is spread over its codes: 3 of 4 right, 4 codes of ages 0..3.
    chart = weigh([(4, 3)], policy)
    assert chart.correct == pytest.approx(0.75 * (1 + d + d**2 + d**3))
    assert chart.seen == 4


def test_without_forgetting_the_estimate_is_the_plain_beta_posterior() -> None:
    estimate = posterior(weigh([(10, 9), (30, 29), (60, 58)], NO_FORGETTING), NO_FORGETTING)
    assert (estimate.alpha, estimate.beta) == (pytest.approx(1 + 96), pytest.approx(1 + 4))
    assert estimate.evidence.effective == pytest.approx(100)
    assert estimate.value == pytest.approx(97 / 102)
    assert estimate.p_target == pytest.approx(1 - beta_cdf(0.95, 97, 5))


@given(st.integers(1, 5000), st.sampled_from([25, 150, 200, 300, 1000]))
def test_the_effective_number_of_codes_depends_on_their_count_alone(codes: int, half_life: int) -> None:
    # (1 + d)/(1 - d) · (1 - d^n)/(1 + d^n), however the codes fall into charts.
    policy = Policy(half_life=half_life)
    d = policy.decay
    expected = (1 + d) / (1 - d) * (1 - d**codes) / (1 + d**codes)
    rng = random.Random(codes)
    charts, left = [], codes
    while left:
        size = min(left, rng.randint(1, 15))
        charts.append((size, rng.randint(0, size)))
        left -= size
    evidence = weigh(charts, policy)
    assert evidence.effective == pytest.approx(expected, rel=1e-9)
    assert evidence.effective <= codes * (1 + 1e-9) and evidence.effective <= policy.max_effective * (1 + 1e-9)


def test_no_work_yet() -> None:
    estimate = code_estimate([])
    assert estimate.value is None and estimate.seen == 0 and not estimate.at_target
    assert (estimate.alpha, estimate.beta) == (1.0, 1.0)
    low, high = estimate.interval
    assert (low, high) == (pytest.approx(0.05), pytest.approx(0.95))
    # From nothing, the fewest codes (all right) to the verdict: the 50-code minimum, and P >= 0.8.
    more = outlook(estimate).codes_more
    assert more is not None and more >= Policy().min_codes


def test_recent_work_counts_more() -> None:
    # 200 codes at 80% then 200 at 100%, and the same in the other order: same all-time share.
    improving = [attempt(i, 10, 8) for i in range(20)] + [attempt(20 + i, 10, 10) for i in range(20)]
    slipping = [attempt(i, 10, 10) for i in range(20)] + [attempt(20 + i, 10, 8) for i in range(20)]
    assert code_estimate(improving).value > 0.9 > code_estimate(slipping).value


def test_at_target_needs_the_minimum_of_codes_and_the_probability() -> None:
    # 40 of 40 right: P(>= 95%) = 1 - 0.95^41 = 0.88, but fewer than 50 codes.
    estimate = code_estimate([attempt(1, 40, 40)], NO_FORGETTING)
    assert estimate.p_target == pytest.approx(1 - 0.95**41)
    assert not estimate.enough and not estimate.at_target
    assert outlook(estimate).codes_more == 10
    assert code_estimate([attempt(1, 40, 40), attempt(2, 10, 10)], NO_FORGETTING).at_target


def test_interval_and_probability_of_a_97_percent_trainee() -> None:
    # 388 of 400, the errors spread evenly, default half-life.
    history = [attempt(i, 100, 97) for i in range(4)]
    estimate = code_estimate(history)
    low, high = estimate.interval
    assert low < estimate.value < high
    assert 0.95 < low and high < 0.985
    assert estimate.p_target > 0.95 and estimate.at_target
    assert outlook(estimate).codes_more == 0


def test_rate_needed_in_the_long_run() -> None:
    policy = Policy()
    needed = rate_needed(policy)
    assert 0.955 < needed < 0.96  # about 95.8% with a 200-code half-life
    # The limit: an endless history at exactly that rate gives P = sure.
    n = policy.max_effective
    assert 1 - beta_cdf(0.95, 1 + n * needed, 1 + n * (1 - needed)) == pytest.approx(policy.sure, abs=1e-6)
    # A longer memory is surer of the same rate, so it needs less.
    assert rate_needed(Policy(half_life=1000)) < needed < rate_needed(Policy(half_life=100))


def test_a_rate_that_will_not_get_there_says_by_how_much_it_must_rise() -> None:
    history = [attempt(i, 10, 9) for i in range(40)]  # 90%
    result = outlook(code_estimate(history))
    assert result.codes_more is None
    assert result.rate == pytest.approx(0.9)
    assert result.rate_needed == pytest.approx(rate_needed(Policy()))


counts = st.integers(1, 15).flatmap(lambda g: st.tuples(st.just(g), st.integers(0, g)))


@given(st.lists(counts, max_size=60), st.sampled_from([150, 200, 300]))
def test_the_outlook_is_the_fewest_codes_at_the_current_rate(charts, half_life) -> None:
    policy = Policy(half_life=half_life)
    estimate = posterior(weigh(charts, policy), policy)
    result = outlook(estimate)
    if estimate.at_target:
        assert result.codes_more == 0
        return
    rate = 1.0 if estimate.evidence.rate is None else estimate.evidence.rate
    if result.codes_more is None:
        assert rate < result.rate_needed + 1e-9
        return
    assert rate >= result.rate_needed - 1e-9

    def after(more: int):
        # Keep the current rate: ``more`` codes at it, as single codes of fractional rightness.
        projected = weigh(charts + [(1, rate)] * more, policy)
        return posterior(projected, policy)

    assert after(result.codes_more).at_target
    assert result.codes_more == 0 or not after(result.codes_more - 1).at_target


@given(st.lists(counts, max_size=40), st.integers(1, 30))
def test_an_all_right_chart_never_lowers_the_current_rate(charts, size) -> None:
    policy = Policy()
    before = weigh(charts, policy).rate
    after = weigh(charts + [(size, size)], policy).rate
    assert after is not None and (before is None or after >= before - 1e-12)


@given(st.lists(counts, max_size=40))
def test_order_of_the_input_does_not_matter(charts) -> None:
    history = [attempt(i, g, c) for i, (g, c) in enumerate(charts)]
    shuffled = history[:]
    random.Random(0).shuffle(shuffled)
    assert code_estimate(shuffled) == code_estimate(history)
    assert record_estimate(shuffled) == record_estimate(history)


@given(st.lists(counts, max_size=40))
def test_figures_stay_in_range(charts) -> None:
    estimate = posterior(weigh(charts, Policy()), Policy())
    low, high = estimate.interval
    assert 0.0 <= low <= high <= 1.0 and 0.0 <= estimate.p_target <= 1.0
    if estimate.value is not None:
        assert low <= estimate.value <= high
    assert isinstance(estimate.evidence, Evidence)


# --- records, groups and weak topics ----------------------------------------------------------


def test_record_accuracy_counts_attempts() -> None:
    history = [attempt(i, 5, 5 if i % 4 else 4) for i in range(40)]  # every 4th record has a wrong code
    estimate = record_estimate(history, NO_FORGETTING)
    assert estimate.seen == 40
    assert (estimate.alpha, estimate.beta) == (pytest.approx(31), pytest.approx(11))


def test_code_sets_topics_questions_and_billing_each_get_an_estimate() -> None:
    history = [attempt(i, 1, 1, code_sets=("mcq",)) for i in range(30)]
    history += [attempt(100 + i, 2, 1, code_sets=("billing",), topics=("remits",)) for i in range(15)]
    history += [attempt(200 + i, 8, 8, code_sets=("icd10cm", "cpt"), topics=("remits", "em")) for i in range(5)]
    sets = estimates_by_code_set(history)
    assert sorted(sets) == ["billing", "cpt", "icd10cm", "mcq"]
    assert sets["mcq"].seen == 30 and sets["billing"].seen == 30 and sets["cpt"].seen == 40
    assert sets["billing"].value < 0.6 < 0.9 < sets["mcq"].value
    topics = estimates_by_topic(history)
    assert topics["remits"].seen == 70 and topics["em"].seen == 40


def test_a_topic_is_called_weak_only_on_enough_evidence() -> None:
    history = [attempt(1, 10, 5, topics=("burns",))]  # 50% on 10 codes: too little to say
    history += [attempt(2 + i, 5, 4, topics=("sepsis",)) for i in range(6)]  # 80% on 30 codes
    history += [attempt(10 + i, 10, 10, topics=("z-codes",)) for i in range(5)]  # fine
    history += [attempt(20 + i, 10, 9, topics=("ob",)) for i in range(3)]  # 90% on 30: below, and sure of it
    history += [attempt(30 + i, 12, 12, topics=("eye",)) for i in range(1)] + [attempt(31, 12, 11, topics=("eye",))]
    weak = weak_topics(history)
    assert [topic for topic, _ in weak] == ["sepsis", "ob"]
    assert all(estimate.p_target <= 0.2 and estimate.seen >= 20 for _, estimate in weak)
    assert "burns" not in dict(weak) and "eye" not in dict(weak)  # eye: 23 of 24, not sure it is below


# --- exam readiness ---------------------------------------------------------------------------


def _exam(areas: dict[str, int], pass_mark: float = 70) -> ExamProfile:
    return ExamProfile.model_validate({
        "format": 1, "id": "p", "title": "P", "body": "b", "version": "1", "questions": sum(areas.values()),
        "time_limit_minutes": 10, "pass_mark": {"type": "percent", "value": pass_mark},
        "areas": [{"id": k, "title": k, "questions": v} for k, v in areas.items()],
    })


def _mcq(ident: str, areas) -> McqExercise:
    return McqExercise(format=1, id=ident, kind="mcq", stem="?", options={"A": "a", "B": "b"},
                       difficulty=1, topics=[], exam_areas=list(areas))


def test_exam_readiness_waits_for_the_minimum_in_every_area() -> None:
    exam = _exam({"x": 8, "y": 2})
    bank = {"x1": _mcq("x1", ["x"]), "y1": _mcq("y1", ["y"])}
    assert exam_readiness(exam, bank, []).estimate is None
    history = [attempt(n, 1, 1, exercise="x1") for n in range(20)] + [attempt(99, 1, 0, exercise="y1")]
    short = exam_readiness(exam, bank, history)
    assert short.estimate is None and short.p_pass is None and short.likely_pass is None
    assert short.short == (("y", 1),) and short.items_seen == 21
    history += [attempt(100 + n, 1, 0, exercise="y1") for n in range(4)]
    ready = exam_readiness(exam, bank, history)
    assert ready.short == () and ready.estimate is not None
    # 8 items from a perfect area, 2 from an area missed 5 times in 5: about 8/10.
    assert 0.7 < ready.estimate < 0.9 and ready.low <= ready.estimate <= ready.high
    assert ready.p_pass > 0.8 and ready.likely_pass


def test_the_score_forecast_is_exact_for_one_sure_area() -> None:
    # An area whose accuracy is known to be 75%: the score is Binomial(20, 0.75)/20.
    sure = posterior(Evidence(), Policy(), prior=(0.75 * 1e9, 0.25 * 1e9))
    forecast = forecast_score([(20, sure)], pass_line=0.7)
    binomial = [math.comb(20, k) * 0.75**k * 0.25 ** (20 - k) for k in range(21)]
    assert forecast.estimate == pytest.approx(0.75)
    assert forecast.p_pass == pytest.approx(sum(binomial[14:]), abs=1e-6)
    assert forecast.low <= 0.75 <= forecast.high
    # A higher pass line is never likelier to be met.
    assert forecast_score([(20, sure)], 0.8).p_pass < forecast.p_pass
