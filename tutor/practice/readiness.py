"""Readiness for an exam profile: an estimated score, its likely range and P(pass), from the trainee's history.

Exam items are scored all or nothing, so each attempt at an exercise tagged with one of the
profile's areas is one trial of that area, right when the whole record was (``record_correct``).
Each area gets its own recency-weighted estimate (``tutor.progress.estimate``); an area with fewer
than ``policy.area_min_items`` attempts leaves the exam without an estimate (shown as ``--``), since
a blueprint area nobody has practised says nothing about the items it will bring. With every area
covered, the items right in an area of q questions are Beta-Binomial(q, alpha, beta), the areas
independent, and their sum over the blueprint is computed exactly: the expected score, the range
that holds the score on one form with 90% probability, and P(score >= pass line).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tutor.content.exams import ExamProfile
from tutor.content.models import ChartExercise, McqExercise
from tutor.progress.attempt import Attempt
from tutor.progress.estimate import DEFAULT_SURE, Estimate, Policy, forecast_score, posterior, weigh


@dataclass(frozen=True)
class ExamReadiness:
    profile_id: str
    estimate: float | None  # expected share of the form's items right
    low: float | None  # the score on one form lies in [low, high] with 90% probability
    high: float | None
    items_seen: int  # attempts in any of the profile's areas
    pass_line: float
    p_pass: float | None = None
    short: tuple[tuple[str, int], ...] = ()
    """Areas below the minimum of evidence, with the attempts each has."""
    sure: float = DEFAULT_SURE

    @property
    def likely_pass(self) -> bool | None:
        """P(pass) >= the probability the tutor needs before it says so; None without an estimate."""
        return None if self.p_pass is None else self.p_pass >= self.sure


def pass_line_of(profile: ExamProfile) -> float:
    return (profile.pass_mark.value if profile.pass_mark.type == "percent"
            else profile.pass_mark.raw_percent_estimate or 70.0) / 100


def area_estimates(profile: ExamProfile, exercises: Mapping[str, ChartExercise | McqExercise],
                   attempts: Sequence[Attempt], policy: Policy = Policy()) -> tuple[dict[str, Estimate], int]:
    """Each area's estimate (one trial per attempt, aged by the area's own codes), and the attempts
    that fell in any of the profile's areas.

    An area's prior is centred on the trainee's own rate over all the profile's areas, worth
    ``policy.area_prior_strength`` items: with few items an area is taken to be like the trainee's
    other areas rather than a coin toss (a flat prior pulled every area toward 50% and made P(pass)
    too low for able trainees: the calibration test saw passes at 99% where it predicted 97%)."""
    area_ids = {a.id for a in profile.areas}
    series: dict[str, list[tuple[int, float]]] = {a.id: [] for a in profile.areas}
    pooled: list[tuple[int, float]] = []
    for attempt in sorted(attempts, key=lambda a: (a.submitted_at, a.id)):
        exercise = exercises.get(attempt.exercise_id)
        if exercise is None:
            continue
        areas = area_ids.intersection(exercise.exam_areas)
        trial = (max(attempt.codes_graded, 0), float(attempt.record_correct))
        if areas:
            pooled.append(trial)
        for area in areas:
            series[area].append(trial)
    return area_posteriors(series, pooled, policy), len(pooled)


def area_posteriors(series: Mapping[str, Sequence[tuple[int, float]]], pooled: Sequence[tuple[int, float]],
                    policy: Policy = Policy()) -> dict[str, Estimate]:
    """Per-area estimates from each area's trials (``(codes, 1.0 or 0.0)``, oldest first) and all of
    the profile's trials (``pooled``, each attempt once), which centre every area's prior."""
    overall = posterior(weigh(pooled, policy, per_attempt=True), policy).value
    centre = 0.5 if overall is None else overall
    prior = (policy.area_prior_strength * centre, policy.area_prior_strength * (1 - centre))
    return {area: posterior(weigh(trials, policy, per_attempt=True), policy, policy.area_min_items, prior)
            for area, trials in series.items()}


def exam_readiness(profile: ExamProfile, exercises: Mapping[str, ChartExercise | McqExercise],
                   attempts: Sequence[Attempt], policy: Policy = Policy()) -> ExamReadiness:
    pass_line = pass_line_of(profile)
    estimates, relevant = area_estimates(profile, exercises, attempts, policy)
    short = tuple((a.id, int(estimates[a.id].seen)) for a in profile.areas
                  if a.questions > 0 and not estimates[a.id].enough)
    if short:
        return ExamReadiness(profile.id, None, None, None, relevant, pass_line, None, short, policy.sure)
    forecast = forecast_score([(a.questions, estimates[a.id]) for a in profile.areas], pass_line, policy.level)
    return ExamReadiness(profile.id, forecast.estimate, forecast.low, forecast.high, relevant, pass_line,
                         forecast.p_pass, (), policy.sure)
