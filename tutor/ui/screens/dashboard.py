"""Dashboard: accuracy toward 95%, the trend, weak spots, pace, and what to do next.

The figures are the recency-weighted estimates of ``tutor.progress.estimate`` (docs/progress.md),
the same ``medcode report`` prints; the plain share of the last 100 codes is kept as a second line.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Sparkline, Static

from tutor.grading.outcomes import DESCRIPTIONS, Outcome
from tutor.practice.adaptive import drill, most_frequent_error, practise_next
from tutor.practice.presentation import neutral_label
from tutor.practice.readiness import exam_readiness
from tutor.progress import code_accuracy, outcome_counts, pace, trend
from tutor.progress.estimate import (
    Estimate, code_estimate, describe, estimates_by_code_set, outlook, record_estimate, weak_topics,
)
from tutor.ui.context import Tutor
from tutor.ui.text import markup, plain
from tutor.ui.widgets.gauge import TargetGauge

CODE_SETS = {"icd10cm": "ICD-10-CM", "icd10pcs": "PCS", "cpt": "CPT", "hcpcs": "HCPCS", "mcq": "questions",
             "billing": "billing"}
REASONS = {"due": "due for review", "weak": "lowest topic", "new": "new", "review": "review"}


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _percent(value: float | None) -> str:
    return "--" if value is None else f"{value:.0%}"


def _with_interval(estimate: Estimate) -> str:
    """``62% (55%-70%)``: the estimate and its 90% interval, or ``--`` before any evidence."""
    if estimate.value is None:
        return "--"
    low, high = estimate.interval
    return f"{estimate.value:.0%} ({low:.0%}-{high:.0%})"


def _panel(heading: str, lines: list[str]) -> Content:
    """A bold heading over lines shown as written (topics and settings come from content files)."""
    return Content("\n").join([markup("[b]$heading[/b]", heading=heading), *map(plain, lines)])


class DashboardScreen(Screen):
    BINDINGS = [
        Binding("n", "next", "Practise next"),
        Binding("b", "browse", "Browse"),
        Binding("x", "exam", "Exam"),
        Binding("d", "drill", "Drill"),
        Binding("e", "problems", "Content errors", show=False),
        Binding("t", "trainee", "Trainee", show=False),
    ]

    def __init__(self, tutor: Tutor) -> None:
        super().__init__()
        self.tutor = tutor
        self.next_id: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="dashboard"):
            yield Static(id="headline")
            with Horizontal(id="actions"):  # the next step first: always on screen
                yield Button("Practise next (n)", id="next", variant="primary")
                yield Button("Browse (b)", id="browse")
                yield Button("Exam (x)", id="exam")
            yield TargetGauge("Now (estimate)", id="gauge-now")
            yield TargetGauge("Last 100 codes", id="gauge-rolling", secondary=True)
            yield Static(id="readiness")
            yield Static("Accuracy per attempt, oldest to newest:", classes="caption", id="trend-caption")
            yield Sparkline([], id="trend")
            with Horizontal(id="panels"):
                yield Static(id="weak", classes="panel")
                yield Static(id="errors", classes="panel")
                yield Static(id="pace", classes="panel")
            yield Static(id="by-category")
            yield Static(id="exam-readiness")
            yield Static(id="content-problems")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_figures()

    def on_screen_resume(self) -> None:
        self.refresh_figures()

    def refresh_figures(self) -> None:
        attempts = self.tutor.attempts()
        policy = self.tutor.policy
        accuracy = code_accuracy(attempts)
        now = code_estimate(attempts, policy)
        records = record_estimate(attempts, policy)
        self.sub_title = self.tutor.trainee or ""
        self.query_one("#headline", Static).update(
            f"[b]Code accuracy toward {policy.target:.0%}[/b]   {len(attempts)} attempt(s), "
            f"{int(accuracy.all_time.graded)} graded code(s)   ·   record accuracy {_with_interval(records)}"
        )
        self.query_one("#gauge-now", TargetGauge).set_value(now.value)
        self.query_one("#gauge-rolling", TargetGauge).set_value(accuracy.rolling.accuracy)
        self.query_one("#readiness", Static).update(self._readiness_text(accuracy, now))
        series = trend(attempts)
        self.query_one("#trend", Sparkline).data = series
        self.query_one("#trend", Sparkline).display = len(series) > 1
        self.query_one("#trend-caption", Static).display = len(series) > 1
        self.query_one("#weak", Static).update(self._weak_text(attempts))
        self.query_one("#errors", Static).update(self._errors_text(attempts))
        self.query_one("#pace", Static).update(self._pace_text(attempts))
        self.query_one("#by-category", Static).update(self._category_text(attempts))
        self.query_one("#exam-readiness", Static).update(self._exam_text(attempts))
        problems = len(self.tutor.library.problems)
        self.query_one("#content-problems", Static).update(
            f"[red]{problems} content file problem(s): press e to see them[/red]" if problems else "")
        exercises = self.tutor.exercises()
        pick = practise_next(exercises, attempts, self.tutor.clock())
        self.next_id = pick[0] if pick else None
        button = self.query_one("#next", Button)
        if self.next_id and pick:
            exercise = self.tutor.library.exercises[self.next_id]
            # Blind: the neutral label, never the title (issue 12 item 1), even for a review.
            # Content, not a str: a str label would be read as markup, and labels are the author's text.
            button.label = plain(f"Practise next (n): {_shorten(neutral_label(exercise), 44)} ({REASONS[pick[1]]})")
            button.disabled = False
        else:
            button.label = "No exercises loaded"
            button.disabled = True

    @staticmethod
    def _readiness_text(accuracy, now: Estimate) -> Content:
        """The estimate with its interval and P(>= 95%), then the verdict and what would change it."""
        ahead = outlook(now)
        verdict = describe(now, ahead)
        if now.value is None:
            return Content(verdict)
        low, high = now.interval
        target = f"{now.policy.target:.0%}"
        figures = (f"Now {now.value:.1%} (90% interval {low:.1%}-{high:.1%}), P(≥{target}) {now.p_target:.0%}"
                   f"   ·   all time {_percent(accuracy.all_time.accuracy)} over {accuracy.all_time.graded:.0f} codes")
        style = "green" if now.at_target else ""
        return Content("\n").join([Content(figures), Content.styled(verdict, style) if style else Content(verdict)])

    def _weak_text(self, attempts) -> Content:
        policy = self.tutor.policy
        weak = weak_topics(attempts, policy)
        lines = [f"{topic} {_with_interval(estimate)}" for topic, estimate in weak]
        return _panel("Weak topics", lines or [f"(none: a topic needs {policy.weak_min_codes} codes)"])

    @staticmethod
    def _errors_text(attempts) -> Content:
        counts = outcome_counts(attempts).most_common(5)
        lines = [f"{DESCRIPTIONS.get(Outcome(o), o) if o in Outcome.__members__ else o}: {n}" for o, n in counts]
        return _panel("Most frequent errors", lines or ["(none yet)"])

    @staticmethod
    def _pace_text(attempts) -> Content:
        lines = []
        for setting, p in sorted(pace(attempts).items()):
            target = f" (field {p.target_minutes[0]:.0f}-{p.target_minutes[1]:.0f})" if p.target_minutes else ""
            lines.append(f"{setting or 'questions'}: {p.median_minutes:.1f}{target}")
        return _panel("Pace (min per chart)", lines or ["(no charts yet)"])

    def _category_text(self, attempts) -> Content:
        """Code accuracy now per code set, questions and billing work (claims, remittances) among them;
        ✓ where it is at the target."""
        parts = [f"{CODE_SETS.get(key, key)} {_percent(estimate.value)}{' ✓' if estimate.at_target else ''}"
                 for key, estimate in estimates_by_code_set(attempts, self.tutor.policy).items()]
        return markup("[b]By code set[/b] (now):  $parts", parts="   ".join(parts)) if parts else Content("")

    def _exam_text(self, attempts) -> Content:
        if not self.tutor.profiles:
            return Content("")
        parts, waiting = [], False
        for profile in sorted(self.tutor.profiles.values(), key=lambda p: p.id):
            if profile.id == "mini":
                continue
            ready = exam_readiness(profile, self.tutor.library.exercises, attempts, self.tutor.policy)
            short = profile.id.split("-")[0].upper()
            if ready.estimate is None or ready.p_pass is None:
                parts.append(f"{short} --")
                waiting = True
            else:
                mark = " ✓" if ready.likely_pass else ""
                parts.append(f"{short} {ready.estimate:.0%} P(pass) {ready.p_pass:.0%}{mark}")
        note = f"   (--: fewer than {self.tutor.policy.area_min_items} items in an area)" if waiting else ""
        return markup("[b]Exam readiness[/b] (estimated score):  $parts$note", parts="   ".join(parts), note=note)

    @on(Button.Pressed, "#exam")
    def action_exam(self) -> None:
        self.app.choose_exam()

    def action_drill(self) -> None:
        outcome = most_frequent_error(self.tutor.attempts())
        if outcome is None:
            self.notify("No errors yet to drill: practise a few charts first.")
            return
        ids = drill(outcome, self.tutor.exercises(), self.tutor.attempts())
        if not ids:
            self.notify(f"No exercise practises {outcome} yet.")
            return
        # The drill's error is on the dashboard already ("Most frequent errors"); the notice does not
        # repeat it over the exercise it opens, where it would say what to look for.
        self.notify(f"Drill: {len(ids)} exercise(s) chosen for your most frequent error.")
        self.app.open_exercise(ids[0])

    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        if self.next_id:
            self.app.open_exercise(self.next_id)

    @on(Button.Pressed, "#browse")
    def action_browse(self) -> None:
        self.app.show_browser()

    def action_problems(self) -> None:
        self.app.show_problems()

    def action_trainee(self) -> None:
        self.app.choose_trainee()
