"""Which screen answers which kind of exercise, in practice and inside an exam."""

from __future__ import annotations

from typing import Any

from tutor.content.billing import ClaimExercise, RemittanceExercise
from tutor.content.kinds import AnyExercise
from tutor.content.models import McqExercise
from tutor.ui.context import Tutor
from tutor.ui.screens.base import AnswerKeeper, AnswerScreen
from tutor.ui.screens.billing import ClaimScreen, RemittanceScreen
from tutor.ui.screens.chart import ChartScreen
from tutor.ui.screens.mcq import McqScreen


def answer_screen(tutor: Tutor, exercise: AnyExercise, on_answer: AnswerKeeper | None = None,
                  answer: dict[str, Any] | None = None) -> AnswerScreen:
    """The screen for ``exercise``; with ``on_answer``, in exam mode holding ``answer``."""
    if isinstance(exercise, McqExercise):
        screen: type[AnswerScreen] = McqScreen
    elif isinstance(exercise, ClaimExercise):
        screen = ClaimScreen
    elif isinstance(exercise, RemittanceExercise):
        screen = RemittanceScreen
    else:
        screen = ChartScreen
    return screen(tutor, exercise, on_answer=on_answer, answer=answer)
