"""Handing in an attempt: grade it, then commit it before anyone sees the grade."""

from __future__ import annotations

from datetime import datetime

from tutor.content.library import Library
from tutor.content.models import ChartExercise, McqExercise, Submission
from tutor.content.report import GradeReport
from tutor.grading import Grader
from tutor.practice.catalog import code_sets_of
from tutor.progress import ProgressStore


def submit(library: Library, grader: Grader, store: ProgressStore, trainee: str,
           exercise: ChartExercise | McqExercise, submission: Submission,
           started_at: datetime, submitted_at: datetime, mode: str = "practice") -> GradeReport:
    """Grade and record an attempt; the row is committed when this returns, and the draft cleared."""
    key = library.keys[exercise.id]
    report = grader.grade(exercise, key, submission)
    store.record_attempt(
        trainee, exercise.id, mode, started_at, submitted_at, submission, report,
        setting=getattr(exercise, "setting", ""), code_sets=code_sets_of(exercise), topics=list(exercise.topics),
    )
    store.clear_draft(trainee, exercise.id)
    return report
