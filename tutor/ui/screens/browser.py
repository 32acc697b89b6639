"""Exercise browser: filter by setting, code set, difficulty, status and topic; search what is shown.

Blind presentation (issue 12 item 1): a row shows the exercise's neutral label until the trainee has
submitted it, then its title (the feedback has shown it). Search reads the label and the documents, and the
title once submitted; the topic filter offers and finds only submitted exercises' topics
(``tutor.practice.catalog``).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Select

from tutor.practice.catalog import Filters, code_sets_of, select, setting_of, submitted, title_of, topics_shown
from tutor.practice.presentation import list_text
from tutor.practice.status import Status, statuses
from tutor.ui.context import Tutor
from tutor.ui.text import cell

STATUS_MARKS = {Status.NEW: cell("new"), Status.MISSED: cell("missed", "red"),
                Status.MASTERED: cell("mastered", "green")}


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class BrowserScreen(Screen):
    BINDINGS = [
        Binding("escape", "dashboard", "Dashboard"),
        Binding("slash", "search", "Search"),
    ]

    def __init__(self, tutor: Tutor) -> None:
        super().__init__()
        self.tutor = tutor
        self.statuses: dict[str, Status] = statuses(tutor.attempts())
        self.topics: list[str] = []

    def compose(self) -> ComposeResult:
        exercises = self.tutor.exercises()
        settings = sorted({setting_of(e) for e in exercises})
        code_sets = sorted({c for e in exercises for c in code_sets_of(e)})
        # Topics name the answer: only those of exercises the trainee has submitted are offered.
        self.topics = topics_shown(exercises, self.statuses)
        yield Header()
        yield Input(placeholder="Search labels and notes ( / )", id="search")
        with Horizontal(id="filters"):
            # Labels are cells, not str: a str label is read as markup, and topics are the author's text.
            yield Select([(cell(s), s) for s in settings], prompt="setting", compact=True, id="setting")
            yield Select([(cell(c), c) for c in code_sets], prompt="code set", compact=True, id="code-set")
            yield Select(self._topic_options(), prompt="topic (done)", compact=True, id="topic")
            yield Select([(str(d), d) for d in range(1, 6)], prompt="level", compact=True, id="difficulty")
            yield Select([(s.value, s) for s in Status], prompt="status", compact=True, id="status")
        yield DataTable(id="exercise-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Exercise", "Setting", "Codes", "Lvl", "Status")
        self.on_screen_resume()
        table.focus()

    def on_screen_resume(self) -> None:
        # Statuses change only when an attempt is made (elsewhere): read them here, not per keystroke.
        self.statuses = statuses(self.tutor.attempts())
        topics = topics_shown(self.tutor.exercises(), self.statuses)
        if topics != self.topics:  # an exercise submitted since: its topics may be filtered on now
            self.topics = topics
            self.query_one("#topic", Select).set_options(self._topic_options())
        self.refresh_rows()

    def _topic_options(self) -> list:
        return [(cell(t), t) for t in self.topics]

    def _filters(self) -> Filters:
        def value(selector: str):
            chosen = self.query_one(selector, Select).value
            return None if chosen is Select.NULL else chosen

        return Filters(
            text=self.query_one("#search", Input).value, setting=value("#setting"), code_set=value("#code-set"),
            topic=value("#topic"), difficulty=value("#difficulty"), status=value("#status"),
        )

    @on(Input.Changed, "#search")
    @on(Select.Changed)
    def refresh_rows(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for exercise in select(self.tutor.exercises(), self._filters(), self.statuses):
            # Cells, not str: the table reads a str cell as markup.
            table.add_row(
                self._exercise_cell(exercise), cell(setting_of(exercise)),
                cell(", ".join(code_sets_of(exercise))), cell(str(exercise.difficulty)),
                STATUS_MARKS[self.statuses.get(exercise.id, Status.NEW)], key=exercise.id,
            )
        self.sub_title = f"{table.row_count} of {len(self.tutor.exercises())} exercises"

    def _exercise_cell(self, exercise) -> Text:
        """The neutral label; once the trainee has submitted the exercise (and seen its feedback), its title."""
        if submitted(self.statuses.get(exercise.id, Status.NEW)):
            return cell(_shorten(title_of(exercise), 42))
        return cell(_shorten(list_text(exercise), 42))

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        self.app.open_exercise(event.row_key.value)

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_dashboard(self) -> None:
        self.app.show_dashboard()
