"""Exam mode: a timed form, no feedback until the end, answers kept through a crash."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Header, Label, OptionList, RadioButton, RadioSet, Static

from tutor.content.billing import ClaimExercise, RemittanceExercise
from tutor.content.kinds import AnyExercise
from tutor.content.models import McqExercise
from tutor.grading.billing import ACTION_WORDS
from tutor.practice.catalog import title_of
from tutor.practice.drafts import Draft
from tutor.practice.exam import ExamResult, ExamSession
from tutor.practice.presentation import list_text, neutral_label
from tutor.ui.context import Tutor
from tutor.ui.screens.answering import answer_screen
from tutor.ui.storage import STORE_ERRORS, SaveState
from tutor.ui.text import cell, markup, plain

SAVE_EVERY_SECONDS = 5


def clock_text(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600:d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def item_summary(exercise: AnyExercise, answer: Draft) -> tuple[str, str]:
    """What an item asks and how far its answer has got (plain text), and the label of its button.
    Blind: the item's neutral label, never its title (issue 12 item 1); the report shows titles."""
    when = exercise.date_of_service.isoformat()
    label = neutral_label(exercise)
    if isinstance(exercise, ClaimExercise):
        marked = sum(1 for mark in answer.problems if mark.where.strip() and mark.edit.strip())
        return (f"Claim: {label}\nCMS-1500, date of service {when}. Mark the problems on the claim and "
                f"correct it.\n{marked} problem(s) marked so far."), "Open the claim to scrub it (enter)"
    if isinstance(exercise, RemittanceExercise):
        action = ACTION_WORDS.get(answer.action, "not chosen yet")
        amount = f"${answer.amount}" if answer.amount.strip() else "not entered yet"
        return (f"Remittance: {label}\nDate of service {when}. Choose the next action and work out the "
                f"patient's responsibility.\nNext action: {action}; patient responsibility: {amount}."), \
            "Open the remittance to work it (enter)"
    count = sum(1 for line in answer.diagnoses if line.code.strip())
    return (f"Chart: {label}\n{exercise.setting}, {when}. Assign: {', '.join(exercise.assign)}.\n"
            f"{count} diagnosis code(s) entered so far."), "Open the chart to code it (enter)"


class ExamScreen(Screen):
    BINDINGS = [
        Binding("right,n", "move(1)", "Next"),
        Binding("left,p", "move(-1)", "Previous"),
        Binding("f", "flag", "Flag"),
        Binding("g", "jump", "Go to"),
        Binding("enter", "open_item", "Open the item", show=False),
        Binding("ctrl+e", "finish", "End exam", priority=True),
    ]

    def __init__(self, tutor: Tutor, session: ExamSession, session_id: int) -> None:
        super().__init__()
        self.tutor = tutor
        self.session = session
        self.session_id = session_id
        self._since_save = 0.0
        self.saving = SaveState(self, "The exam is not saved.", "It goes on, and saving is tried again every "
                                "few seconds.", "The exam is saved again.")
        self.handing_in = SaveState(self, "The exam could not be handed in.", "Your answers are kept here: "
                                    "end it again with ctrl+e.")

    @property
    def item(self):
        return self.session.form.items[self.session.current]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="exam-bar")
        with VerticalScroll(id="exam-item"):
            yield Static(id="exam-question")
            yield RadioSet(id="exam-options")
            yield Button(id="exam-open-item")
        yield Footer()

    def on_mount(self) -> None:
        self.session.resume(self.tutor.clock())
        self.sub_title = self.session.profile.title  # shown through MedcodeApp.format_title
        self.show_item()
        self.set_interval(1, self.tick)

    def tick(self) -> None:
        before = self.session.elapsed_seconds
        remaining = self.session.tick(self.tutor.clock())
        self._since_save += self.session.elapsed_seconds - before
        if self._since_save >= SAVE_EVERY_SECONDS:
            self.save()
        self.update_bar()
        if remaining <= 0:
            self.hand_in("Time is up: the exam was handed in.")

    def hand_in(self, done: str | None = None) -> None:
        """End the exam and show its report; if it cannot be stored, it stays open to hand in again."""
        try:
            self.app.finish_exam(self.session, self.session_id)
        except STORE_ERRORS as error:
            self.handing_in.failed(error)
            return
        if done:
            self.notify(done, severity="warning")

    def save(self) -> None:
        """Save the exam's state; if the store fails, the exam goes on in memory and the next save retries."""
        self._since_save = 0.0
        try:
            self.tutor.store.save_exam(self.tutor.trainee, self.session.profile.id, self.session.form.seed,
                                       self.session.to_state(), self.session_id)
        except STORE_ERRORS as error:
            self.saving.failed(error)
        else:
            self.saving.succeeded()

    def update_bar(self) -> None:
        s = self.session
        answered = sum(1 for i in s.form.items if i.exercise_id in s.answers)
        flag = "  ⚑ flagged" if self.item.exercise_id in s.flags else ""
        self.query_one("#exam-bar", Static).update(
            f"Item {s.current + 1} of {len(s.form.items)}{flag}   ·   answered {answered}   ·   "
            f"flagged {len(s.flags)}   ·   time left [b]{clock_text(s.remaining())}[/b]")

    def show_item(self) -> None:
        exercise = self.tutor.library.exercises[self.item.exercise_id]
        options = self.query_one("#exam-options", RadioSet)
        open_button = self.query_one("#exam-open-item", Button)
        options.remove_children()
        answer = Draft.from_data(self.session.answers.get(exercise.id))
        if isinstance(exercise, McqExercise):
            self.query_one("#exam-question", Static).update(plain(exercise.stem))
            options.mount_all([RadioButton(plain(f"{k}. {v}"), value=(k == answer.answer), name=k)
                               for k, v in sorted(exercise.options.items())])
            options.display, open_button.display = True, False
            self.call_after_refresh(options.focus)
        else:
            summary, label = item_summary(exercise, answer)
            self.query_one("#exam-question", Static).update(plain(summary))
            open_button.label = Content(label)
            options.display, open_button.display = False, True
            self.call_after_refresh(open_button.focus)
        self.update_bar()

    @on(RadioSet.Changed, "#exam-options")
    def _chosen(self, event: RadioSet.Changed) -> None:
        if event.pressed is not None and event.pressed.name:
            self.session.answer(self.item.exercise_id, {"answer": event.pressed.name})
            self.save()
            self.update_bar()

    def action_move(self, step: int) -> None:
        self.session.current = (self.session.current + step) % len(self.session.form.items)
        self.save()
        self.show_item()

    def action_flag(self) -> None:
        self.session.toggle_flag(self.item.exercise_id)
        self.save()
        self.update_bar()

    def action_jump(self) -> None:
        def go(index: int | None) -> None:
            if index is not None:
                self.session.current = index
                self.save()
                self.show_item()

        self.app.push_screen(JumpScreen(self.tutor, self.session), go)

    @on(Button.Pressed, "#exam-open-item")
    def action_open_item(self) -> None:
        """Open a chart, claim or remittance on its own screen; a question is answered here."""
        exercise = self.tutor.library.exercises[self.item.exercise_id]
        if isinstance(exercise, McqExercise):
            return
        ident = exercise.id

        def keep(data: dict) -> None:
            self.session.answer(ident, data)
            self.save()

        self.app.push_screen(answer_screen(self.tutor, exercise, on_answer=keep,
                                           answer=self.session.answers.get(ident)))

    def on_screen_resume(self) -> None:
        self.show_item()

    def action_finish(self) -> None:
        unanswered = sum(1 for i in self.session.form.items if i.exercise_id not in self.session.answers)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.hand_in()

        self.app.push_screen(ConfirmScreen(
            f"End the exam now? {unanswered} item(s) unanswered will count as wrong."), confirmed)


class JumpScreen(ModalScreen[int | None]):
    """The question navigator: every item with answered and flagged marks."""

    BINDINGS = [Binding("escape", "dismiss_none", "Close")]

    def __init__(self, tutor: Tutor, session: ExamSession) -> None:
        super().__init__()
        self.tutor = tutor
        self.session = session

    def compose(self) -> ComposeResult:
        lines = []
        for n, item in enumerate(self.session.form.items, start=1):
            answered = "●" if item.exercise_id in self.session.answers else "○"
            flagged = "⚑" if item.exercise_id in self.session.flags else " "
            # Blind: the neutral label (a question's with its stem), never the title (issue 12 item 1).
            label = list_text(self.tutor.library.exercises[item.exercise_id])
            label = label if len(label) <= 60 else label[:59] + "…"
            lines.append(plain(f"{n:>3} {answered} {flagged} {label}"))
        with VerticalScroll(id="jump"):
            yield Label("Go to item (● answered, ⚑ flagged)")
            yield OptionList(*lines, id="jump-list")

    def on_mount(self) -> None:
        jump = self.query_one(OptionList)
        jump.highlighted = self.session.current
        jump.focus()

    @on(OptionList.OptionSelected)
    def _go(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("escape,n", "answer(False)", "No"), Binding("y", "answer(True)", "Yes")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="confirm"):
            yield Label(plain(self.question))
            with Horizontal():
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class ExamReportScreen(Screen):
    """The score by area, pass or fail, and a review of every item with its rationale."""

    BINDINGS = [Binding("escape,d", "dashboard", "Dashboard")]

    def __init__(self, tutor: Tutor, result: ExamResult, session: ExamSession) -> None:
        super().__init__()
        self.tutor = tutor
        self.result = result
        self.session = session

    def compose(self) -> ComposeResult:
        r = self.result
        verdict = "[green]PASS[/green]" if r.passed else "[red]FAIL[/red]"
        scaled = f"   ·   estimated scaled score {r.scaled:.0f}" if r.scaled is not None else ""
        yield Header()
        yield Static(markup(
            f"[b]$title[/b]   {verdict}\n$figures", title=r.profile.title,
            figures=f"{r.correct} of {r.total} correct ({r.raw:.0%}; pass mark {r.profile.pass_mark.value:g}"
                    f"{'%' if r.profile.pass_mark.type == 'percent' else ' scaled'}){scaled}   ·   "
                    f"time used {clock_text(self.session.elapsed_seconds)}"), id="exam-summary")
        yield DataTable(id="exam-areas", cursor_type="row")
        with VerticalScroll(id="exam-review"):
            for n, item in enumerate(self.session.form.items, start=1):
                report = r.reports.get(item.exercise_id)
                exercise = self.tutor.library.exercises[item.exercise_id]
                yield Static(self._review(n, exercise, report), classes="finding " + (
                    "-correct" if report and report.record_correct else "-wrong"))
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#exam-areas", DataTable)
        table.add_columns("Area", "Correct", "Items", "Score")
        for area in self.result.areas:
            # A cell, not a str: the table reads a str cell as markup, and area titles come from the profile file.
            table.add_row(cell(area.title), str(area.correct), str(area.total), f"{area.percent:.0%}")

    @staticmethod
    def _review(n: int, exercise, report) -> Content:
        head = markup("[b]$n. $title[/b]", n=n, title=title_of(exercise))
        if report is None:
            return head + "\nNot answered."
        wrong = [f for f in report.findings if f.outcome not in ("CORRECT", "ALTERNATE")]
        lines = [head + ("  ✓" if report.record_correct else "  ✗")]
        for finding in wrong[:6]:
            lines.append(plain(finding.message))
            if finding.rationale:
                lines.append(markup("[dim]Why: $why[/dim]", why=finding.rationale))
        if report.record_correct and report.findings and report.findings[0].rationale:
            lines.append(markup("[dim]$why[/dim]", why=report.findings[0].rationale))
        return Content("\n").join(lines)

    def action_dashboard(self) -> None:
        self.app.show_dashboard()
