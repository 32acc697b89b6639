"""Filtering the exercise list, as the browser does (pure, so it is tested without a screen).

Blind presentation (issue 12 item 1; docs/formats.md, "What the trainee sees"): before the trainee
has submitted an exercise, search reads only its neutral label and the text its screen shows
(``presentation.search_text``), never its title, id or topics, and the topic filter does not find
it. Once submitted (any attempt, practice or exam), its title is searched too and the topic filter
finds it: the feedback has shown both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tutor.content.models import ChartExercise, McqExercise
from tutor.practice.presentation import search_text
from tutor.practice.status import Status


@dataclass(frozen=True)
class Filters:
    text: str = ""
    setting: str | None = None
    code_set: str | None = None
    topic: str | None = None
    difficulty: int | None = None
    status: Status | None = None


def setting_of(exercise) -> str:
    if isinstance(exercise, ChartExercise):
        return exercise.setting
    return "exam question" if isinstance(exercise, McqExercise) else f"billing: {exercise.kind}"


def code_sets_of(exercise) -> list[str]:
    """What an attempt counts toward: its code sets, 'mcq', or 'billing' (claims and remittances)."""
    if isinstance(exercise, ChartExercise):
        return [a for a in exercise.assign if a not in ("poa", "drg")]
    return ["mcq"] if isinstance(exercise, McqExercise) else ["billing"]


def title_of(exercise) -> str:
    """The title: instructor metadata, shown only after submission (feedback, reports)."""
    return exercise.display_title if isinstance(exercise, McqExercise) else exercise.title


def submitted(status: Status) -> bool:
    """Whether the trainee has handed the exercise in at least once (and so seen its title and topics)."""
    return status is not Status.NEW


def topics_shown(exercises: Iterable, statuses: Mapping[str, Status]) -> list[str]:
    """The topics the browser may offer as a filter: those of exercises already submitted."""
    return sorted({t for e in exercises if submitted(statuses.get(e.id, Status.NEW)) for t in e.topics})


def matches(exercise: ChartExercise | McqExercise, filters: Filters, status: Status) -> bool:
    words = filters.text.lower().split()
    haystack = search_text(exercise)
    if submitted(status):
        haystack += f"\n{title_of(exercise)}"
    haystack = haystack.lower()
    return (
        all(w in haystack for w in words)
        and (filters.setting is None or setting_of(exercise) == filters.setting)
        and (filters.code_set is None or filters.code_set in code_sets_of(exercise))
        and (filters.topic is None or (submitted(status) and filters.topic in exercise.topics))
        and (filters.difficulty is None or exercise.difficulty == filters.difficulty)
        and (filters.status is None or status == filters.status)
    )


def select(exercises: Iterable[ChartExercise | McqExercise], filters: Filters,
           statuses: Mapping[str, Status]) -> list[ChartExercise | McqExercise]:
    return [e for e in exercises if matches(e, filters, statuses.get(e.id, Status.NEW))]
