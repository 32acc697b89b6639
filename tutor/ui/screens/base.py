"""What every answering screen shares: the exercise, the moment it was opened, submit and back."""

from __future__ import annotations

from datetime import datetime

from textual.binding import Binding
from textual.screen import Screen

from tutor.ui.context import Tutor


class AnswerScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("escape", "leave", "Back"),
    ]

    def __init__(self, tutor: Tutor, exercise) -> None:
        super().__init__()
        self.tutor = tutor
        self.exercise = exercise
        self.started_at: datetime = tutor.clock()

    def action_leave(self) -> None:
        self.app.pop_screen()
