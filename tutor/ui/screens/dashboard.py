"""Dashboard: accuracy toward 95%, the trend, weak spots, pace, and what to do next."""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Sparkline, Static

from tutor.grading.outcomes import DESCRIPTIONS, Outcome
from tutor.practice.catalog import title_of
from tutor.practice.status import next_exercise, statuses
from tutor.progress import code_accuracy, outcome_counts, pace, readiness, record_accuracy, trend, weakest_topics
from tutor.ui.context import Tutor
from tutor.ui.widgets.gauge import TargetGauge

TARGET = 0.95


def _percent(value: float | None) -> str:
    return "--" if value is None else f"{value:.0%}"


class DashboardScreen(Screen):
    BINDINGS = [
        Binding("n", "next", "Practise next"),
        Binding("b", "browse", "Browse"),
        Binding("e", "problems", "Content errors", show=False),
        Binding("t", "trainee", "Trainee", show=False),
    ]

    def __init__(self, tutor: Tutor) -> None:
        super().__init__()
        self.tutor = tutor
        self.next_id: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="dashboard"):
            yield Static(id="headline")
            yield TargetGauge("Last 100 codes", id="gauge-rolling")
            yield TargetGauge("All time", id="gauge-all")
            yield Static(id="readiness")
            yield Static("Accuracy per attempt, oldest to newest:", classes="caption", id="trend-caption")
            yield Sparkline([], id="trend")
            with Horizontal(id="panels"):
                yield Static(id="weak", classes="panel")
                yield Static(id="errors", classes="panel")
                yield Static(id="pace", classes="panel")
            yield Static(id="content-problems")
            with Horizontal(id="actions"):
                yield Button("Practise next (n)", id="next", variant="primary")
                yield Button("Browse exercises (b)", id="browse")
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
        problems = len(self.tutor.library.problems)
        self.query_one("#content-problems", Static).update(
            f"[red]{problems} content file problem(s): press e to see them[/red]" if problems else "")
        exercises = self.tutor.exercises()
        self.next_id = next_exercise(exercises, statuses(attempts))
        button = self.query_one("#next", Button)
        if self.next_id:
            exercise = self.tutor.library.exercises[self.next_id]
            button.label = f"Practise next (n): {title_of(exercise)}"
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
    def _weak_text(attempts) -> str:
        weakest = weakest_topics(attempts)
        lines = ["[b]Weakest topics[/b]"]
        lines += [f"{escape(topic)} {_percent(tally.accuracy)}" for topic, tally in weakest] or ["(not enough data)"]
        return "\n".join(lines)

    @staticmethod
    def _errors_text(attempts) -> str:
        counts = outcome_counts(attempts).most_common(5)
        lines = ["[b]Most frequent errors[/b]"]
        lines += [f"{DESCRIPTIONS.get(Outcome(o), o) if o in Outcome.__members__ else o}: {n}" for o, n in counts] \
            or ["(none yet)"]
        return "\n".join(lines)

    @staticmethod
    def _pace_text(attempts) -> str:
        lines = ["[b]Pace (min per chart)[/b]"]
        for setting, p in sorted(pace(attempts).items()):
            target = f" (field {p.target_minutes[0]:.0f}-{p.target_minutes[1]:.0f})" if p.target_minutes else ""
            lines.append(f"{setting or 'questions'}: {p.median_minutes:.1f}{target}")
        return "\n".join(lines) if len(lines) > 1 else lines[0] + "\n(no charts yet)"

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
