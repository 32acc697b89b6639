"""One stored attempt, as the statistics see it (SPEC section 5).

Kept apart from the store so that ``stats`` can be used, and tested, without
touching SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tutor.content.models import Submission
from tutor.content.report import GradeReport

# The modes the tutor uses today; the store accepts any non-empty mode so that a
# new one (say "review") needs no schema change.
KNOWN_MODES = ("practice", "exam", "drill")


@dataclass(frozen=True)
class Attempt:
    """A submitted attempt with its grade report, parsed back into the content models.

    ``code_accuracy`` .. ``learning_score`` repeat the report's scores; they are
    stored as columns so that the database can be queried without parsing JSON.
    """

    id: int
    trainee: str
    exercise_id: str
    mode: str
    started_at: datetime  # timezone-aware, UTC
    submitted_at: datetime  # timezone-aware, UTC
    setting: str  # "" for an exercise without one (a multiple-choice question)
    code_sets: tuple[str, ...]
    topics: tuple[str, ...]
    submission: Submission
    report: GradeReport
    code_accuracy: float
    codes_graded: int
    codes_correct: int
    record_correct: bool
    learning_score: float

    @property
    def minutes(self) -> float:
        """Time from opening the exercise to submitting it."""
        return (self.submitted_at - self.started_at).total_seconds() / 60.0
