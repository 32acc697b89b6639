"""Queries to the provider on the chart screen, driven through the Textual pilot: raise one (topic
and note), keep it in the draft, hand it in, and read CORRECT, MISSED_QUERY or UNNEEDED_QUERY in
the feedback.

The course is the fixed UI course; for the query cases its outpatient key is given a query in
memory (the files under ``course/`` are never changed).
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Select

from tutor.content.library import Library
from tutor.content.models import KeyQuery
from tutor.progress import ProgressStore
from tutor.ui.app import MedcodeApp
from tutor.ui.screens.chart import ChartScreen
from tutor.ui.screens.feedback import FeedbackScreen
from tutor.ui.widgets.queries import TOPIC_OPTIONS, QueryLine

from .conftest import OUTPATIENT, TRAINEE, load_course, type_keys

SIZE = (100, 30)
RATIONALE = "The note calls the diabetes controlled but gives no type: type 1 or type 2?"
# A note that would be markup (and crash the screen on "[/]") if it were not shown as written.
NOTE = "Type 1 or 2? [b]not bold[/b] [/]"


def with_a_query(topic: str = "specificity") -> Library:
    library = load_course()
    key = library.keys[OUTPATIENT]
    library.keys[OUTPATIENT] = key.model_copy(update={"queries": [KeyQuery(
        topic=topic, rationale=RATIONALE, evidence="controlled on metformin")]})
    return library


def text(widget: Widget) -> str:
    return str(widget.render())


async def code_the_chart(pilot: Pilot) -> ChartScreen:
    """Open the outpatient chart and enter its three codes, right."""
    pilot.app.open_exercise(OUTPATIENT)
    await pilot.pause()
    chart = pilot.app.screen
    assert isinstance(chart, ChartScreen)
    for code in ("E11.9", "I10", "Z79.84"):
        await type_keys(pilot, code)
        await pilot.press("enter")
    return chart


async def raise_query(pilot: Pilot, chart: ChartScreen, topic: str, note: str, line: int = 1) -> None:
    """Choose the topic with the keyboard (open the list, arrow down to it, enter), then type the note."""
    select = chart.query_one(f"#query-topic-{line}", Select)
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    for _ in range([value for _, value in TOPIC_OPTIONS].index(topic) + 1):  # below the blank choice
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()
    assert select.value == topic
    chart.query_one(f"#query-note-{line}", Input).focus()
    await type_keys(pilot, note)


def feedback_findings(screen: FeedbackScreen) -> list[str]:
    return [text(widget) for widget in screen.query(".finding")]


async def test_a_query_the_key_calls_for_is_shown_correct_with_its_reason(app, store: ProgressStore) -> None:
    tutor_app = app(library=with_a_query())
    async with tutor_app.run_test(size=SIZE) as pilot:
        chart = await code_the_chart(pilot)
        assert [line.value.topic for line in chart.query(QueryLine)] == [""]  # one blank query on every chart
        await raise_query(pilot, chart, "specificity", NOTE)
        await pilot.press("ctrl+s")
        await pilot.pause()

        feedback = tutor_app.screen
        assert isinstance(feedback, FeedbackScreen)
        [query] = [f for f in feedback_findings(feedback) if f.startswith("Query")]
        assert query.startswith("Query: correct\nyou: specificity   key: specificity")
        assert f"Why: {RATIONALE}" in query
        assert f"Your note: “{NOTE}”" in query  # as typed: no markup read from it
        scores = text(feedback.query_one("#scores"))
        assert "Code accuracy 100% (3/3)" in scores and "Record correct" in scores

    [attempt] = store.attempts(TRAINEE)
    assert [(q.topic, q.note) for q in attempt.submission.queries] == [("specificity", NOTE)]
    assert attempt.record_correct and attempt.code_accuracy == 1.0


async def test_a_missed_query_is_shown_with_the_keys_reason_and_costs_the_record(app, store) -> None:
    tutor_app = app(library=with_a_query())
    async with tutor_app.run_test(size=SIZE) as pilot:
        await code_the_chart(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        feedback = tutor_app.screen
        assert isinstance(feedback, FeedbackScreen)
        [query] = [f for f in feedback_findings(feedback) if f.startswith("Query")]
        assert query.startswith("Query: query to the provider missed\nyou: —   key: specificity")
        assert f"Why: {RATIONALE}" in query
        assert "Evidence: “controlled on metformin”" in query
        # Wrong findings come first: the missed query is the first finding on screen.
        assert feedback_findings(feedback)[0] == query
        scores = text(feedback.query_one("#scores"))
        assert "Code accuracy 100% (3/3)" in scores and "Record not correct" in scores
    [attempt] = store.attempts(TRAINEE)
    assert (attempt.code_accuracy, attempt.record_correct) == (1.0, False)


async def test_a_query_the_record_does_not_need_is_shown_unneeded(app, store) -> None:
    tutor_app = app()  # the course as it is: no key asks for a query
    async with tutor_app.run_test(size=SIZE) as pilot:
        chart = await code_the_chart(pilot)
        await raise_query(pilot, chart, "clinical_validity", "Is the DM really controlled?")
        await pilot.press("ctrl+s")
        await pilot.pause()
        feedback = tutor_app.screen
        [query] = [f for f in feedback_findings(feedback) if f.startswith("Query")]
        assert query.startswith("Query: query not needed\nyou: clinical validity   key: —")
        assert "Is the DM really controlled?" in query
        assert "Record not correct" in text(feedback.query_one("#scores"))


async def test_queries_are_kept_in_the_draft_and_more_can_be_added(make_tutor, tmp_path) -> None:
    path = tmp_path / "drafts.sqlite"
    with ProgressStore(path) as first_store:
        first = MedcodeApp(make_tutor(progress=first_store))
        async with first.run_test(size=SIZE) as pilot:
            chart = await code_the_chart(pilot)
            await raise_query(pilot, chart, "present_on_admission", "POA?")
            await pilot.press("ctrl+r")  # +Query: a second line, its topic focused
            await pilot.pause()
            assert first.focused is chart.query_one("#query-topic-2", Select)
            await raise_query(pilot, chart, "procedure_detail", "", line=2)
            saved = first_store.load_draft(TRAINEE, OUTPATIENT)
            assert saved is not None
            assert saved["queries"] == [{"topic": "present_on_admission", "note": "POA?"},
                                        {"topic": "procedure_detail", "note": ""}]

    with ProgressStore(path) as second_store:
        second = MedcodeApp(make_tutor(progress=second_store))
        async with second.run_test(size=SIZE) as pilot:
            second.open_exercise(OUTPATIENT)
            await pilot.pause()
            lines = list(second.screen.query(QueryLine))
            assert [(line.value.topic, line.value.note) for line in lines] == [
                ("present_on_admission", "POA?"), ("procedure_detail", "")]
        assert second_store.attempts(TRAINEE) == []
