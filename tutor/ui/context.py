"""What the screens share: the core objects, handed in once (no globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tutor.codes import CodeSets
from tutor.content.exams import ExamProfile
from tutor.content.library import Library
from tutor.content.models import ChartExercise, McqExercise
from tutor.grading import Grader
from tutor.progress import ProgressStore
from tutor.progress.estimate import Policy


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Tutor:
    library: Library
    codes: CodeSets
    store: ProgressStore
    trainee: str | None = None
    clock: Callable[[], datetime] = utc_now
    profiles: dict[str, ExamProfile] = field(default_factory=dict)
    policy: Policy = field(default_factory=Policy)  # how progress is estimated (settings file)
    grader: Grader = field(init=False)

    def __post_init__(self) -> None:
        self.grader = Grader(self.codes)

    def exercises(self) -> list[ChartExercise | McqExercise]:
        """Exercises that have a key (only those can be graded), in a stable order."""
        return [e for ident, e in sorted(self.library.exercises.items()) if ident in self.library.keys]

    def attempts(self):
        return self.store.attempts(self.trainee) if self.trainee else []
