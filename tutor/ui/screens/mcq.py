"""An exam-style multiple-choice question."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Button, Footer, Header, RadioButton, RadioSet, Static

from tutor.content.models import McqExercise, Submission
from tutor.practice.drafts import Draft
from tutor.ui.screens.base import BACK, SUBMIT, AnswerScreen
from tutor.ui.text import plain


class McqScreen(AnswerScreen):
    BINDINGS = [SUBMIT, BACK]
    exercise: McqExercise

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="mcq"):
            yield Static(plain(self.exercise.stem), id="stem")
            with RadioSet(id="options"):
                for letter, text in sorted(self.exercise.options.items()):
                    yield RadioButton(plain(f"{letter}. {text}"), name=letter)
            yield Button("Submit (ctrl+s)", id="submit", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    def current_draft(self) -> Draft:
        pressed = self.query_one(RadioSet).pressed_button
        return Draft(answer=pressed.name or "" if pressed else "")

    def missing(self, submission: Submission) -> str | None:
        return "Choose an answer first." if submission.answer is None else None
