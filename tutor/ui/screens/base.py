"""What every answering screen shares: the exercise, when it was opened, its draft, submit and back.

In practice the draft is saved as the trainee types and submit grades the answer. In an exam
(``on_answer`` given) every change goes to the exam instead, and submit only keeps the answer:
nothing is graded until the exam ends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual import on
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Button

from tutor.content.kinds import AnyExercise
from tutor.content.models import Submission
from tutor.practice.drafts import Draft, draft_to_submission
from tutor.ui.context import Tutor
from tutor.ui.storage import STORE_ERRORS, SaveState

AnswerKeeper = Callable[[dict[str, Any]], None]
"""Where an exam screen's answer goes as the trainee works (the exam session)."""

SUBMIT = Binding("ctrl+s", "submit", "Submit", priority=True)
BACK = Binding("escape", "leave", "Back")


class AnswerScreen(Screen):
    """Each screen lists SUBMIT and BACK among its own bindings, in the order its footer shows them."""

    def __init__(self, tutor: Tutor, exercise: AnyExercise, on_answer: AnswerKeeper | None = None,
                 answer: dict[str, Any] | None = None) -> None:
        """``on_answer`` puts the screen in exam mode, ``answer`` being what the exam holds so far."""
        super().__init__()
        self.tutor = tutor
        self.exercise = exercise
        self.on_answer = on_answer
        self.started_at: datetime = tutor.clock()
        self.saving = SaveState(self, "Your answer is not saved.",
                                "It stays on screen, and saving is tried again at your next change.",
                                "Your answer is saved again.")
        self.draft = Draft.from_data(answer) if on_answer is not None else self._saved_draft()
        self._kept: dict[str, Any] | None = None
        """The answer as last kept (saved, or handed to the exam); None until the form is on screen."""

    @property
    def submit_label(self) -> str:
        return "Submit for grading (ctrl+s)" if self.on_answer is None else "Keep answer, back to the exam (ctrl+s)"

    def _saved_draft(self) -> Draft:
        if not self.tutor.trainee:
            return Draft()
        try:
            return Draft.from_data(self.tutor.store.load_draft(self.tutor.trainee, self.exercise.id))
        except STORE_ERRORS as error:
            self.app.notify(f"Your saved draft could not be read ({error}); the form starts blank.",
                            severity="warning")
            return Draft()

    def current_draft(self) -> Draft:
        """The form as it stands."""
        raise NotImplementedError

    def missing(self, submission: Submission) -> str | None:
        """What must still be filled in before the answer can be graded, if anything."""
        return None

    def on_mount(self) -> None:
        # Textual calls this after the subclass's own on_mount: the form holds what it was opened with.
        self._kept = self.current_draft().to_data()

    def keep_draft(self) -> None:
        """After each change: hand the answer to the exam, or save it as the trainee's draft.

        Only a real change is kept: widgets also report their first values as they mount, and
        merely opening an exam item must not answer it.
        """
        data = self.current_draft().to_data()
        if self._kept is None or data == self._kept:
            return
        if self.on_answer is not None:
            self.on_answer(data)
        elif self.tutor.trainee:
            try:
                self.tutor.store.save_draft(self.tutor.trainee, self.exercise.id, data)
            except STORE_ERRORS as error:
                self.saving.failed(error)
                return
            self.saving.succeeded()
        self._kept = data

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        draft = self.current_draft()
        try:
            submission = draft_to_submission(self.exercise.id, draft)
        except ValueError as error:
            self.notify(str(error), severity="error")
            return
        if self.on_answer is not None:
            self.on_answer(draft.to_data())
            self.app.pop_screen()
            return
        problem = self.missing(submission)
        if problem:
            self.notify(problem, severity="warning")
            return
        self.app.submit_attempt(self.exercise, submission, self.started_at)

    def action_leave(self) -> None:
        self.app.pop_screen()
