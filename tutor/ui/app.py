"""The tutor application: routes between screens; the core does the work."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tutor.codes import CodeSystem
from tutor.content.models import ChartExercise, McqExercise, Submission
from tutor.practice import session
from tutor.practice.status import next_exercise, statuses
from tutor.ui.context import Tutor
from tutor.ui.screens.browser import BrowserScreen
from tutor.ui.screens.chart import ChartScreen
from tutor.ui.screens.dashboard import DashboardScreen
from tutor.ui.screens.dialogs import HelpScreen, ProblemsScreen, TraineeScreen
from tutor.ui.screens.feedback import FeedbackScreen
from tutor.ui.screens.lookup import LookupScreen
from tutor.ui.screens.mcq import McqScreen


class MedcodeApp(App):
    CSS_PATH = "medcode.tcss"
    TITLE = "medcode-tutor"
    BINDINGS = [
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, tutor: Tutor) -> None:
        super().__init__()
        self.tutor = tutor

    def on_mount(self) -> None:
        if self.tutor.trainee:
            self.push_screen(DashboardScreen(self.tutor))
        else:
            self.push_screen(DashboardScreen(self.tutor))
            self.choose_trainee()

    # --- navigation -----------------------------------------------------------------

    def choose_trainee(self) -> None:
        def chosen(name: str | None) -> None:
            if name:
                self.tutor.store.ensure_trainee(name)
                self.tutor.trainee = name
                self.show_dashboard()

        self.push_screen(TraineeScreen(self.tutor.store.trainees()), chosen)

    def _base(self) -> None:
        """Back to the dashboard at the bottom of the screen stack."""
        while len(self.screen_stack) > 2:
            self.pop_screen()

    def show_dashboard(self) -> None:
        self._base()
        if not isinstance(self.screen, DashboardScreen):
            self.pop_screen() if len(self.screen_stack) > 1 and isinstance(self.screen_stack[1], DashboardScreen) \
                else self.push_screen(DashboardScreen(self.tutor))
        else:
            self.screen.refresh_figures()

    def show_browser(self) -> None:
        self.push_screen(BrowserScreen(self.tutor))

    def show_problems(self) -> None:
        self.push_screen(ProblemsScreen(self.tutor.library.problems))

    def _exercise_screen(self, ident: str) -> Screen | None:
        exercise = self.tutor.library.exercises.get(ident)
        if exercise is None or ident not in self.tutor.library.keys:
            self.notify(f"Exercise '{ident}' cannot be opened (no answer key loaded).", severity="error")
            return None
        if isinstance(exercise, McqExercise):
            return McqScreen(self.tutor, exercise)
        return ChartScreen(self.tutor, exercise)

    def open_exercise(self, ident: str, replace: bool = False) -> None:
        if not self.tutor.trainee:
            self.choose_trainee()
            return
        screen = self._exercise_screen(ident)
        if screen is None:
            return
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def open_next(self, skip: str | None = None, replace: bool = False) -> None:
        ident = next_exercise(self.tutor.exercises(), statuses(self.tutor.attempts()), skip=skip)
        if ident is None:
            self.notify("No other exercise to practise.")
            return
        self.open_exercise(ident, replace=replace)

    def submit_attempt(self, exercise: ChartExercise | McqExercise, submission: Submission,
                       started_at: datetime) -> None:
        """Grade, commit the attempt, and only then show the feedback."""
        report = session.submit(
            self.tutor.library, self.tutor.grader, self.tutor.store, self.tutor.trainee, exercise, submission,
            started_at, self.tutor.clock(),
        )
        self.switch_screen(FeedbackScreen(exercise, report))

    # --- actions and commands ------------------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_lookup(self) -> None:
        chart = self.screen if isinstance(self.screen, ChartScreen) else None
        if chart:
            chart.action_lookup()
            return
        self.push_screen(LookupScreen(self.tutor.codes, CodeSystem.ICD10CM, self.tutor.clock().date()))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Look up a code", "Search code titles (ICD-10-CM, PCS, HCPCS)", self.action_lookup)
        yield SystemCommand("Dashboard", "Accuracy toward 95% and what to do next", self.show_dashboard)
        yield SystemCommand("Browse exercises", "Filter and pick an exercise", self.show_browser)
        yield SystemCommand("Practise next", "Open the suggested exercise", self.open_next)
        yield SystemCommand("Switch trainee", "Change who is practising", self.choose_trainee)
        yield SystemCommand("Content problems", "Files that could not be loaded", self.show_problems)
