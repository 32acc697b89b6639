"""Exercise status (new / missed / mastered) and the plain "what next" choice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Protocol


class Status(StrEnum):
    NEW = "new"
    MISSED = "missed"
    MASTERED = "mastered"


class _Attempt(Protocol):
    exercise_id: str
    record_correct: bool
    code_accuracy: float


class _Exercise(Protocol):
    id: str
    difficulty: int


def statuses(attempts: Iterable[_Attempt]) -> dict[str, Status]:
    """Status by the latest attempt (attempts oldest first): mastered when it was all correct."""
    latest: dict[str, _Attempt] = {}
    for attempt in attempts:
        latest[attempt.exercise_id] = attempt
    return {ident: Status.MASTERED if a.record_correct else Status.MISSED for ident, a in latest.items()}


def next_exercise(exercises: Sequence[_Exercise], status: Mapping[str, Status],
                  skip: str | None = None) -> str | None:
    """Missed exercises first (practise what you got wrong), then new ones, easiest first.

    Mastered exercises are offered again only when nothing else is left.
    """
    order = {Status.MISSED: 0, Status.NEW: 1, Status.MASTERED: 2}
    candidates = [e for e in exercises if e.id != skip]
    if not candidates:
        return None
    best = min(candidates, key=lambda e: (order[status.get(e.id, Status.NEW)], e.difficulty, e.id))
    return best.id
