"""Handing in an attempt: grade it, then commit it before anyone sees the grade."""

from __future__ import annotations

from datetime import datetime

from tutor.content.kinds import AnyExercise
from tutor.content.library import Library
from tutor.content.models import Submission
from tutor.content.report import GradeReport
from tutor.errors import StorageError
from tutor.grading import Grader
from tutor.practice.catalog import code_sets_of
from tutor.progress import ProgressStore


def submit(library: Library, grader: Grader, store: ProgressStore, trainee: str,
           exercise: AnyExercise, submission: Submission,
           started_at: datetime, submitted_at: datetime, mode: str = "practice") -> GradeReport:
    """Grade and record an attempt; the row is committed when this returns, and the draft cleared.

    A ``StorageError`` means the attempt was not stored. Once it is stored, failing to clear the
    draft is not an error: the attempt must not be handed in twice, and a stale draft only
    fills the form the next time the exercise is opened.
    """
    key = library.keys[exercise.id]
    report = grader.grade(exercise, key, submission)
    store.record_attempt(
        trainee, exercise.id, mode, started_at, submitted_at, submission, report,
        setting=getattr(exercise, "setting", ""), code_sets=code_sets_of(exercise), topics=list(exercise.topics),
    )
    try:
        store.clear_draft(trainee, exercise.id)
    except StorageError:
        pass
    return report
