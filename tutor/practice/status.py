"""Exercise status (new / missed / mastered), as the browser shows it."""

from __future__ import annotations

from collections.abc import Iterable
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


def statuses(attempts: Iterable[_Attempt]) -> dict[str, Status]:
    """Status by the latest attempt (attempts oldest first): mastered when it was all correct."""
    latest: dict[str, _Attempt] = {}
    for attempt in attempts:
        latest[attempt.exercise_id] = attempt
    return {ident: Status.MASTERED if a.record_correct else Status.MISSED for ident, a in latest.items()}
