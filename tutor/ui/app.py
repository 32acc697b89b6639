"""The tutor application: routes between screens; the core does the work."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import Screen

from tutor.codes import CodeSystem
from tutor.errors import TutorError
from tutor.content.kinds import AnyExercise
from tutor.content.models import Submission
from tutor.practice import session
from tutor.practice.adaptive import practise_next
from tutor.practice.drafts import Draft, draft_to_submission
from tutor.practice.exam import BrokenExam, ExamSession, assemble, score
from tutor.textsafe import printable
from tutor.ui.context import Tutor
from tutor.ui.screens.answering import answer_screen
from tutor.ui.screens.browser import BrowserScreen
from tutor.ui.screens.chart import ChartScreen
from tutor.ui.screens.dashboard import DashboardScreen
from tutor.ui.screens.dialogs import ChoiceScreen, HelpScreen, ProblemsScreen, TraineeScreen
from tutor.ui.screens.exam import ConfirmScreen, ExamReportScreen, ExamScreen
from tutor.ui.screens.feedback import FeedbackScreen
from tutor.ui.screens.lookup import LookupScreen
from tutor.ui.storage import STORE_ERRORS

SavedExam = tuple[int, ExamSession]
"""An exam in progress: its session id in the store, and the session."""


class MedcodeApp(App):
    CSS_PATH = "medcode.tcss"
    TITLE = "medcode-tutor"
    BINDINGS = [
        # Priority: codes never contain "?", so it opens the help even while typing a code.
        Binding("question_mark", "help", "Help", priority=True),
        Binding("f1", "help", "Help", show=False, priority=True),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, tutor: Tutor, exam: tuple[str, int | None] | None = None,
                 notices: Iterable[str] = ()) -> None:
        """``exam``: (profile id, seed) to go straight into that exam (resuming an open one);
        ``notices``: what the trainee must be told at start-up (a damaged database set aside)."""
        super().__init__()
        self.tutor = tutor
        self.exam_request = exam
        self.notices = list(notices)

    def on_mount(self) -> None:
        self.sub_title = self.tutor.trainee or ""
        self.push_screen(DashboardScreen(self.tutor))
        for notice in self.notices:
            self.notify(notice, severity="warning", timeout=30)
        if not self.tutor.trainee:
            self.choose_trainee()
        elif self.exam_request:
            profile_id, seed = self.exam_request

            def resume_or_start(saved: SavedExam | None) -> None:
                if saved and saved[1].profile.id == profile_id:
                    self.resume_exam(saved)
                else:
                    self.start_exam(profile_id, seed)

            self.with_saved_exam(resume_or_start)

    # --- what every screen shows ----------------------------------------------------

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification is plain text with control characters shown as escapes, whatever
        ``markup`` says: messages quote titles, paths, errors and what was typed."""
        super().notify(printable(message), title=printable(title), severity=severity, timeout=timeout,
                       markup=False)

    def format_title(self, title: str, sub_title: str) -> Content:
        """The header: sub-titles are trainee names and exam titles (Textual reads no markup in them)."""
        return super().format_title(printable(title, one_line=True), printable(sub_title, one_line=True))

    # --- navigation -----------------------------------------------------------------

    def choose_trainee(self) -> None:
        def chosen(name: str | None) -> None:
            if name:
                try:
                    self.tutor.store.ensure_trainee(name)
                except STORE_ERRORS as error:  # the first attempt stored records the name anyway
                    self.notify(f"The new name is not saved yet. {error}", severity="warning")
                except TutorError as refused:  # not a name the store keeps (e.g. pasted control characters)
                    self.notify(str(refused), severity="error")
                    self.choose_trainee()
                    return
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
            self.notify(f"Exercise '{ident}' cannot be opened (no answer key loaded).", severity="error")
            return None
        return answer_screen(self.tutor, exercise)

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

    def submit_attempt(self, exercise: AnyExercise, submission: Submission, started_at: datetime) -> None:
        """Grade, commit the attempt, and only then show the feedback.

        If the attempt cannot be stored, no grade is shown (it would look like a recorded one): the
        answer stays on its screen for the trainee to submit again.
        """
        try:
            report = session.submit(
                self.tutor.library, self.tutor.grader, self.tutor.store, self.tutor.trainee, exercise, submission,
                started_at, self.tutor.clock(),
            )
        except STORE_ERRORS as error:
            self.notify(f"Your answer was not stored, so it is not graded yet. {error} It stays on screen: "
                        "press ctrl+s to submit it again.", severity="error", timeout=20)
            return
        self.switch_screen(FeedbackScreen(exercise, report))

    # --- exams ---------------------------------------------------------------------

    def choose_exam(self) -> None:
        """Resume the open exam, or pick a profile and start a new form."""
        if not self.tutor.trainee:
            self.choose_trainee()
            return
        def offer(saved: SavedExam | None) -> None:
            choices = []
            if saved:
                choices.append(("resume", f"Resume the {saved[1].profile.title} exam in progress"))
            for profile in sorted(self.tutor.profiles.values(), key=lambda p: (p.id != "mini", p.id)):
                choices.append((profile.id, f"{profile.title}: {profile.questions} items, "
                                            f"{profile.time_limit_minutes} min"))

            def chosen(choice: str | None) -> None:
                if choice == "resume" and saved:
                    self.resume_exam(saved)
                elif choice:
                    self.start_exam(choice)

            self.push_screen(ChoiceScreen("Exam simulation: no feedback until the end", choices), chosen)

        self.with_saved_exam(offer)

    def saved_exam(self) -> SavedExam | None:
        """The trainee's exam in progress, if any; ``BrokenExam`` if it cannot be resumed."""
        try:
            found = self.tutor.store.open_exam(self.tutor.trainee)
        except ValueError as error:  # the saved state is not JSON: a damaged row
            raise BrokenExam("its saved state is damaged") from error
        if found is None:
            return None
        session_id, profile_id, seed, state = found
        profile = self.tutor.profiles.get(profile_id)
        if profile is None:
            raise BrokenExam(f"its exam profile '{profile_id}' is no longer loaded")
        exam = ExamSession.from_state(profile, seed, state)
        library = self.tutor.library
        gone = [i.exercise_id for i in exam.form.items if i.exercise_id not in library.exercises
                or i.exercise_id not in library.keys]
        if gone:
            raise BrokenExam(f"{len(gone)} of its items are no longer loaded with an answer key "
                             f"({', '.join(gone[:3])})")
        return session_id, exam

    def with_saved_exam(self, then: Callable[[SavedExam | None], None]) -> None:
        """Call ``then`` with the exam in progress (or None). One that cannot be resumed is first offered
        for discarding; kept, it stays saved and the tutor goes on without it."""
        try:
            saved = self.saved_exam()
        except BrokenExam as problem:
            def answered(discard: bool | None) -> None:
                if not discard:
                    return
                try:
                    self.tutor.store.discard_open_exams(self.tutor.trainee)
                except STORE_ERRORS as error:
                    self.notify(f"The saved exam could not be discarded. {error}", severity="error")
                    return
                then(None)

            self.push_screen(ConfirmScreen(f"Your saved exam cannot be resumed: {problem}. Discard it? "
                                           "Your attempt history is kept either way."), answered)
            return
        except STORE_ERRORS as error:
            self.notify(f"Your saved exam could not be read. {error}", severity="error")
            return
        then(saved)

    def start_exam(self, profile_id: str, seed: int | None = None) -> None:
        profile = self.tutor.profiles.get(profile_id)
        if profile is None:
            self.notify(f"There is no exam profile '{profile_id}'.", severity="error")
            return
        seed = seed if seed is not None else int(self.tutor.clock().timestamp())
        bank = [self.tutor.library.exercises[i] for i in self.tutor.library.keys if i in self.tutor.library.exercises]
        form = assemble(profile, bank, seed)
        if not form.items:
            self.notify(f"No exercises in the bank match the {profile.title} blueprint.", severity="error")
            return
        exam = ExamSession(profile, form)
        try:
            session_id = self.tutor.store.save_exam(self.tutor.trainee, profile.id, seed, exam.to_state())
        except STORE_ERRORS as error:
            self.notify(f"The exam could not be started. {error}", severity="error")
            return
        if form.shortfall:
            self.notify(f"The bank is short of {sum(form.shortfall.values())} item(s) in some areas; "
                        "they were filled from other areas.")
        self.push_screen(ExamScreen(self.tutor, exam, session_id))

    def resume_exam(self, saved: SavedExam) -> None:
        session_id, exam = saved
        self.push_screen(ExamScreen(self.tutor, exam, session_id))

    def finish_exam(self, exam: ExamSession, session_id: int) -> None:
        """Grade every answered item, record them as exam attempts, then show the report.

        A ``StorageError`` leaves the exam open with its answers, to hand in again; items already
        recorded are kept in ``exam.reports`` and not recorded twice.
        """
        if exam.finished:
            return
        now = self.tutor.clock()
        started = datetime.fromisoformat(exam.started_at) if exam.started_at else now
        for item in exam.form.items:
            data = exam.answers.get(item.exercise_id)
            if not data or item.exercise_id in exam.reports:
                continue
            exercise = self.tutor.library.exercises[item.exercise_id]
            try:
                submission = draft_to_submission(exercise.id, Draft.from_data(data))
            except ValueError:  # unreadable (e.g. units 'x'): graded as a blank answer, as on paper
                submission = Submission(exercise=exercise.id)
            exam.reports[item.exercise_id] = session.submit(
                self.tutor.library, self.tutor.grader, self.tutor.store, self.tutor.trainee, exercise,
                submission, started, now, mode="exam")
        self.tutor.store.save_exam(self.tutor.trainee, exam.profile.id, exam.form.seed, exam.to_state(),
                                   session_id, finished=True)
        exam.finished = True
        result = score(exam.profile, exam.form, exam.reports)
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
