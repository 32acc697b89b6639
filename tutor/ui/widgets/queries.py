"""A query to the provider on the coding form: a topic from the fixed list and a short note.

Every chart shows the query section, whether or not its key calls for a query: its presence
says nothing about the answer.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Select

from tutor.content.models import MAX_QUERY_NOTE_CHARS, QUERY_TOPICS, query_topic_name
from tutor.practice.drafts import QueryMark

# Our own words (never the trainee's), so the option labels are safe as they are.
TOPIC_OPTIONS = [(query_topic_name(topic), topic) for topic in QUERY_TOPICS]


class QueryLine(Vertical):
    """One query: which topic, and what the trainee would ask (a line or two, never graded)."""

    def __init__(self, number: int, mark: QueryMark | None = None) -> None:
        super().__init__(classes="query-line")
        self.number = number
        self.mark = mark or QueryMark()

    def compose(self) -> ComposeResult:
        topic = self.mark.topic if self.mark.topic in QUERY_TOPICS else Select.NULL
        yield Select(TOPIC_OPTIONS, prompt="no query" if self.number == 1 else "query topic", compact=True,
                     value=topic, classes="query-topic", id=f"query-topic-{self.number}",
                     tooltip="; ".join(f"{query_topic_name(t)}: {meaning}" for t, meaning in QUERY_TOPICS.items()))
        yield Input(self.mark.note, placeholder="note for the provider (optional)", max_length=MAX_QUERY_NOTE_CHARS,
                    classes="query-note", id=f"query-note-{self.number}")

    @property
    def topic_select(self) -> Select:
        return self.query_one(".query-topic", Select)

    @property
    def value(self) -> QueryMark:
        topic = self.topic_select.value
        return QueryMark("" if topic is Select.NULL else str(topic), self.query_one(".query-note", Input).value)
