"""An exam-style multiple-choice question."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Button, Footer, Header, RadioButton, RadioSet, Static

from tutor.content.models import McqExercise, Submission
from tutor.ui.screens.base import AnswerScreen


class McqScreen(AnswerScreen):
    exercise: McqExercise

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="mcq"):
            yield Static(self.exercise.stem, id="stem", markup=False)
            with RadioSet(id="options"):
                for letter, text in sorted(self.exercise.options.items()):
                    yield RadioButton(Content(f"{letter}. {text}"), name=letter)
            yield Button("Submit (ctrl+s)", id="submit", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        pressed = self.query_one(RadioSet).pressed_button
        if pressed is None:
            self.notify("Choose an answer first.", severity="warning")
            return
        submission = Submission(exercise=self.exercise.id, answer=pressed.name)
        self.app.submit_attempt(self.exercise, submission, self.started_at)
