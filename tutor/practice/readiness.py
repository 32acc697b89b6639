"""Readiness for an exam profile: an estimated score with an interval, from the trainee's history.

For each area of the profile, the share of the trainee's attempts on exercises
tagged with that area that were fully right (exam items are scored that way).
The estimate is the blueprint-weighted mean of the area shares; areas never
practised count at the trainee's overall rate (or are unknown when there is no
history at all). The interval is a Wilson 95% interval on the weighted share,
with the number of attempts in the profile's areas as its sample size, so it
narrows as the trainee practises the blueprint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tutor.content.exams import ExamProfile
from tutor.content.models import ChartExercise, McqExercise
from tutor.progress.attempt import Attempt
from tutor.progress.stats import wilson_interval


@dataclass(frozen=True)
class ExamReadiness:
    profile_id: str
    estimate: float | None
    low: float | None
    high: float | None
    items_seen: int
    pass_line: float

    @property
    def likely_pass(self) -> bool | None:
        if self.low is None or self.estimate is None:
            return None
        return self.low >= self.pass_line


def exam_readiness(profile: ExamProfile, exercises: Mapping[str, ChartExercise | McqExercise],
                   attempts: Sequence[Attempt]) -> ExamReadiness:
    pass_line = (profile.pass_mark.value if profile.pass_mark.type == "percent"
                 else profile.pass_mark.raw_percent_estimate or 70.0) / 100
    area_ids = {a.id for a in profile.areas}
    per_area: dict[str, list[int]] = {}
    relevant = 0
    for attempt in attempts:
        exercise = exercises.get(attempt.exercise_id)
        if exercise is None:
            continue
        areas = area_ids.intersection(exercise.exam_areas)
        relevant += bool(areas)
        for area in areas:
            tally = per_area.setdefault(area, [0, 0])
            tally[0] += int(attempt.record_correct)
            tally[1] += 1
    overall = sum(int(a.record_correct) for a in attempts) / len(attempts) if attempts else None
    if overall is None:
        return ExamReadiness(profile.id, None, None, None, 0, pass_line)
    weighted = sum(a.questions * (per_area[a.id][0] / per_area[a.id][1] if a.id in per_area else overall)
                   for a in profile.areas) / profile.questions
    n = max(relevant, 1)
    low, high = wilson_interval(weighted * n, n)
    return ExamReadiness(profile.id, weighted, low, high, relevant, pass_line)
