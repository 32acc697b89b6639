"""Dashboard: accuracy toward 95%, the trend, weak spots, pace, and what to do next."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Sparkline, Static

from tutor.grading.outcomes import DESCRIPTIONS, Outcome
from tutor.practice.catalog import title_of
from tutor.practice.adaptive import drill, most_frequent_error, practise_next
from tutor.practice.readiness import exam_readiness
from tutor.progress import (
    by_code_set, code_accuracy, outcome_counts, pace, readiness, record_accuracy, trend, weakest_topics,
)
from tutor.ui.context import Tutor
from tutor.ui.text import markup, plain
from tutor.ui.widgets.gauge import TargetGauge

TARGET = 0.95
REASONS = {"due": "due for review", "weak": "weak topic", "new": "new", "review": "review"}


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _percent(value: float | None) -> str:
    return "--" if value is None else f"{value:.0%}"


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
            yield TargetGauge("Last 100 codes", id="gauge-rolling")
            yield TargetGauge("All time", id="gauge-all")
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
        accuracy = code_accuracy(attempts)
        ready = readiness(attempts, TARGET)
        records = record_accuracy(attempts)
        self.sub_title = self.tutor.trainee or ""
        self.query_one("#headline", Static).update(
            f"[b]Code accuracy toward {TARGET:.0%}[/b]   {len(attempts)} attempt(s), "
            f"{int(accuracy.all_time.graded)} graded code(s)   ·   record accuracy {_percent(records.accuracy)}"
        )
        self.query_one("#gauge-rolling", TargetGauge).set_value(accuracy.rolling.accuracy)
        self.query_one("#gauge-all", TargetGauge).set_value(accuracy.all_time.accuracy)
        self.query_one("#readiness", Static).update(self._readiness_text(accuracy, ready))
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
            # Content, not a str: a str label would be read as markup, and titles are the author's text.
            button.label = plain(f"Practise next (n): {_shorten(title_of(exercise), 44)} ({REASONS[pick[1]]})")
            button.disabled = False
        else:
            button.label = "No exercises loaded"
            button.disabled = True

    @staticmethod
    def _readiness_text(accuracy, ready) -> str:
        if accuracy.rolling.accuracy is None:
            return "No graded codes yet: practise a chart to see where you stand."
        low, high = accuracy.rolling.interval
        text = f"95% interval {low:.0%}-{high:.0%} over {accuracy.rolling.graded:.0f} codes.  "
        if ready.confident:
            return text + f"[green]At {TARGET:.0%} with confidence.[/green]"
        if ready.codes_needed is not None:
            return text + f"{ready.codes_needed} more correct codes in a row would show {TARGET:.0%} with confidence."
        return text + "Keep practising."

    @staticmethod
    def _weak_text(attempts) -> Content:
        weakest = [(topic, tally) for topic, tally in weakest_topics(attempts)
                   if tally.accuracy is not None and tally.accuracy < TARGET]
        lines = [f"{topic} {_percent(tally.accuracy)}" for topic, tally in weakest] or ["(none below 95% yet)"]
        return _panel("Weakest topics", lines)

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

    @staticmethod
    def _category_text(attempts) -> Content:
        """Code accuracy per code set, with billing work (claims, remittances) as its own category."""
        names = {"icd10cm": "ICD-10-CM", "icd10pcs": "PCS", "cpt": "CPT", "hcpcs": "HCPCS", "mcq": "questions",
                 "billing": "billing"}
        parts = [f"{names.get(key, key)} {_percent(tally.accuracy)}" for key, tally in sorted(by_code_set(attempts).items())]
        return markup("[b]By code set[/b]:  $parts", parts="   ".join(parts)) if parts else Content("")

    def _exam_text(self, attempts) -> Content:
        if not self.tutor.profiles:
            return Content("")
        parts = []
        for profile in sorted(self.tutor.profiles.values(), key=lambda p: p.id):
            if profile.id == "mini":
                continue
            ready = exam_readiness(profile, self.tutor.library.exercises, attempts)
            short = profile.id.split("-")[0].upper()
            if ready.estimate is None:
                parts.append(f"{short} --")
            else:
                mark = " ✓" if ready.likely_pass else ""
                parts.append(f"{short} {ready.estimate:.0%} ({ready.low:.0%}-{ready.high:.0%}){mark}")
        return markup("[b]Exam readiness[/b] (estimated score, 95% interval):  $parts", parts="   ".join(parts))

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
        self.notify(f"Drill: {DESCRIPTIONS.get(Outcome(outcome), outcome)} ({len(ids)} exercises)")
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
