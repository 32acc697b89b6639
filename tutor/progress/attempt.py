"""One stored attempt, as the statistics see it (SPEC section 5).

Kept apart from the store so that ``stats`` can be used, and tested, without
touching SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tutor.content.models import Submission
from tutor.content.report import GradeReport

if TYPE_CHECKING:
    import sqlite3

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

    @classmethod
    def from_row(cls, row: Mapping[str, Any] | sqlite3.Row) -> Attempt:
        """An ``attempts`` row joined with its trainee's name (column ``trainee``)."""
        return cls(
            id=row["id"],
            trainee=row["trainee"],
            exercise_id=row["exercise_id"],
            mode=row["mode"],
            started_at=datetime.fromisoformat(row["started_at"]),
            submitted_at=datetime.fromisoformat(row["submitted_at"]),
            setting=row["setting"],
            code_sets=tuple(json.loads(row["code_sets"])),
            topics=tuple(json.loads(row["topics"])),
            submission=Submission.model_validate_json(row["submission_json"]),
            report=GradeReport.model_validate_json(row["report_json"]),
            code_accuracy=row["code_accuracy"],
            codes_graded=row["codes_graded"],
            codes_correct=row["codes_correct"],
            record_correct=bool(row["record_correct"]),
            learning_score=row["learning_score"],
        )
