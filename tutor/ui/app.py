"""The tutor application: routes between screens; the core does the work."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tutor.codes import CodeSystem
from tutor.content.billing import ClaimExercise, RemittanceExercise
from tutor.content.models import ChartExercise, McqExercise, Submission
from tutor.practice import session
from tutor.practice.drafts import Draft, draft_to_submission
from tutor.practice.exam import ExamSession, assemble, score
from tutor.practice.adaptive import practise_next
from tutor.ui.context import Tutor
from tutor.ui.screens.billing import ClaimScreen, RemittanceScreen
from tutor.ui.screens.browser import BrowserScreen
from tutor.ui.screens.chart import ChartScreen
from tutor.ui.screens.dashboard import DashboardScreen
from tutor.ui.screens.dialogs import ChoiceScreen, HelpScreen, ProblemsScreen, TraineeScreen
from tutor.ui.screens.exam import ExamReportScreen, ExamScreen
from tutor.ui.screens.feedback import FeedbackScreen
from tutor.ui.screens.lookup import LookupScreen
from tutor.ui.screens.mcq import McqScreen


class MedcodeApp(App):
    CSS_PATH = "medcode.tcss"
    TITLE = "medcode-tutor"
    BINDINGS = [
        # Priority: codes never contain "?", so it opens the help even while typing a code.
        Binding("question_mark", "help", "Help", priority=True),
        Binding("f1", "help", "Help", show=False, priority=True),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, tutor: Tutor, exam: tuple[str, int | None] | None = None) -> None:
        """``exam``: (profile id, seed) to go straight into that exam (resuming an open one)."""
        super().__init__()
        self.tutor = tutor
        self.exam_request = exam

    def on_mount(self) -> None:
        self.sub_title = self.tutor.trainee or ""
        self.push_screen(DashboardScreen(self.tutor))
        if not self.tutor.trainee:
            self.choose_trainee()
        elif self.exam_request:
            profile_id, seed = self.exam_request
            open_exam = self.tutor.store.open_exam(self.tutor.trainee)
            if not (open_exam and open_exam[1] == profile_id and self.resume_exam()):
                self.start_exam(profile_id, seed)

    # --- navigation -----------------------------------------------------------------

    def choose_trainee(self) -> None:
        def chosen(name: str | None) -> None:
            if name:
                self.tutor.store.ensure_trainee(name)
                self.tutor.trainee = name
                self.sub_title = name
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
            self.notify(f"Exercise '{ident}' cannot be opened (no answer key loaded).", severity="error", markup=False)
            return None
        if isinstance(exercise, McqExercise):
            return McqScreen(self.tutor, exercise)
        if isinstance(exercise, ClaimExercise):
            return ClaimScreen(self.tutor, exercise)
        if isinstance(exercise, RemittanceExercise):
            return RemittanceScreen(self.tutor, exercise)
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
        pick = practise_next(self.tutor.exercises(), self.tutor.attempts(), self.tutor.clock(), skip=skip)
        if pick is None:
            self.notify("No other exercise to practise.")
            return
        self.open_exercise(pick[0], replace=replace)

    def submit_attempt(self, exercise: ChartExercise | McqExercise, submission: Submission,
                       started_at: datetime) -> None:
        """Grade, commit the attempt, and only then show the feedback."""
        report = session.submit(
            self.tutor.library, self.tutor.grader, self.tutor.store, self.tutor.trainee, exercise, submission,
            started_at, self.tutor.clock(),
        )
        self.switch_screen(FeedbackScreen(exercise, report))

    # --- exams ---------------------------------------------------------------------

    def choose_exam(self) -> None:
        """Resume the open exam, or pick a profile and start a new form."""
        if not self.tutor.trainee:
            self.choose_trainee()
            return
        open_exam = self.tutor.store.open_exam(self.tutor.trainee)
        choices = []
        if open_exam and open_exam[1] in self.tutor.profiles:
            choices.append(("resume", f"Resume the {self.tutor.profiles[open_exam[1]].title} exam in progress"))
        for profile in sorted(self.tutor.profiles.values(), key=lambda p: (p.id != "mini", p.id)):
            choices.append((profile.id, f"{profile.title}: {profile.questions} items, "
                                        f"{profile.time_limit_minutes} min"))

        def chosen(choice: str | None) -> None:
            if choice == "resume":
                self.resume_exam()
            elif choice:
                self.start_exam(choice)

        self.push_screen(ChoiceScreen("Exam simulation: no feedback until the end", choices), chosen)

    def start_exam(self, profile_id: str, seed: int | None = None) -> None:
        profile = self.tutor.profiles[profile_id]
        seed = seed if seed is not None else int(self.tutor.clock().timestamp())
        bank = [self.tutor.library.exercises[i] for i in self.tutor.library.keys if i in self.tutor.library.exercises]
        form = assemble(profile, bank, seed)
        if not form.items:
            self.notify(f"No exercises in the bank match the {profile.title} blueprint.", severity="error", markup=False)
            return
        exam = ExamSession(profile, form)
        session_id = self.tutor.store.save_exam(self.tutor.trainee, profile.id, seed, exam.to_state())
        if form.shortfall:
            self.notify(f"The bank is short of {sum(form.shortfall.values())} item(s) in some areas; "
                        "they were filled from other areas.")
        self.push_screen(ExamScreen(self.tutor, exam, session_id))

    def resume_exam(self) -> bool:
        found = self.tutor.store.open_exam(self.tutor.trainee) if self.tutor.trainee else None
        if not found or found[1] not in self.tutor.profiles:
            return False
        session_id, profile_id, seed, state = found
        exam = ExamSession.from_state(self.tutor.profiles[profile_id], seed, state)
        exam.form = type(exam.form)(exam.form.profile_id, seed,
                                    tuple(i for i in exam.form.items if i.exercise_id in self.tutor.library.keys),
                                    exam.form.shortfall)
        self.push_screen(ExamScreen(self.tutor, exam, session_id))
        return True

    def finish_exam(self, exam: ExamSession, session_id: int) -> None:
        """Grade every answered item, record them as exam attempts, then show the report."""
        if exam.finished:
            return
        exam.finished = True
        now = self.tutor.clock()
        started = datetime.fromisoformat(exam.started_at) if exam.started_at else now
        reports = {}
        for item in exam.form.items:
            data = exam.answers.get(item.exercise_id)
            exercise = self.tutor.library.exercises[item.exercise_id]
            if not data:
                continue
            try:
                submission = draft_to_submission(exercise.id, Draft.from_data(data))
            except ValueError:
                submission = Submission(exercise=exercise.id)
            reports[item.exercise_id] = session.submit(
                self.tutor.library, self.tutor.grader, self.tutor.store, self.tutor.trainee, exercise,
                submission, started, now, mode="exam")
        self.tutor.store.save_exam(self.tutor.trainee, exam.profile.id, exam.form.seed, exam.to_state(),
                                   session_id, finished=True)
        result = score(exam.profile, exam.form, reports)
        self._base()
        self.push_screen(ExamReportScreen(self.tutor, result, exam))

    # --- actions and commands ------------------------------------------------------

    def action_help(self) -> None:
        """Open the help; the same key closes it."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
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
        yield SystemCommand("Exam simulation", "A timed exam after a certification profile", self.choose_exam)
        yield SystemCommand("Switch trainee", "Change who is practising", self.choose_trainee)
        yield SystemCommand("Content problems", "Files that could not be loaded", self.show_problems)
