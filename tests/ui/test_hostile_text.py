"""Text from content files, submissions and trainees is shown as text on every screen, never as markup.

The hostile course is the fixed UI course plus one claim and one remittance, rewritten so that
titles, notes, stems, options, topics, rationales, payers, situations, an exam profile and the
trainee's name hold markup: an unbalanced close tag (which crashed the dashboard at start-up),
an unknown close tag, a live link, a bracketed letter (which Textual's markup silently dropped)
and an unclosed style. Each test drives one screen and checks that the text is on screen
exactly as written, and that nothing on screen is a link.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Select

from tests.ui.conftest import COURSE, MCQ, OUTPATIENT, ROOT, START, load_course, record
from tutor.content.exams import ExamProfile
from tutor.content.library import Library
from tutor.progress import ProgressStore
from tutor.textsafe import printable
from tutor.ui.app import MedcodeApp
from tutor.ui.context import Tutor
from tutor.ui.screens.billing import ClaimScreen, RemittanceScreen
from tutor.ui.screens.browser import BrowserScreen
from tutor.ui.screens.chart import ChartScreen
from tutor.ui.screens.dashboard import DashboardScreen
from tutor.ui.screens.dialogs import TraineeScreen
from tutor.ui.screens.exam import ExamReportScreen, ExamScreen, JumpScreen
from tutor.ui.screens.feedback import FeedbackScreen
from tutor.ui.screens.mcq import McqScreen

SIZE = (180, 60)
CLAIM = "clm-knee-injection-scrub"
REMITTANCE = "rem-medicare-coinsurance-secondary"

TITLE = "Knee [R] injection [/oops] [bold red] [/]"
"""Short enough to be shown whole wherever a title is shortened (42 characters); shown after submission."""
LABEL = "Clinic [R] visit [/oops] [bold red] [/]"
"""The neutral label charts, claims and remittances show before submission (blind presentation)."""
LINK = '[link="https://x"]click[/link]'
CONTROL = "\x1b[2J\x1b]0;pwned\x07\x9b1m"
"""Clears the terminal, retitles its window, rings the bell, and a one-byte CSI."""
TOPIC = "[/oops] [R]\x1b[2J"  # short enough for the topic list of the browser
NOTE = f"{LINK} [/] [bold red] {CONTROL}"
TRAINEE = "Ada [/] [R]"  # (the store refuses control characters in a name)


def _rewrite(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _exercise(data: dict[str, Any]) -> None:
    data["title"] = TITLE
    if data["kind"] != "mcq":  # a question shows its stem, and has no label
        data["label"] = LABEL
    data["topics"] = [TOPIC, *data.get("topics", [])]
    for document in data.get("documents", []):
        document["title"] = "Note [R] [/oops]"
        document["text"] = f"{NOTE}\n{document['text']}"
    if data["kind"] == "mcq":
        data["stem"] = f"{NOTE} {data['stem']}"
        data["options"] = {letter: f"[R] {text} {LINK}" for letter, text in data["options"].items()}
    if data["kind"] == "remittance":
        data["situation"] = f"{NOTE} {data['situation']}"
        data["remittance"]["payer"] = "Payer [R] [/]"
        line = data["remittance"]["lines"][0]
        line["code"] = "[/x]"
        line["adjustments"][0]["rarc"] = ["[/oops]"]


def _key(data: dict[str, Any]) -> None:
    for entry in [*data.get("diagnoses", []), *data.get("findings", [])]:
        entry["rationale"] = f"{NOTE} {entry['rationale']}"
    if "rationale" in data:
        data["rationale"] = f"{NOTE} {data['rationale']}"


@pytest.fixture
def hostile_course(tmp_path: Path) -> Library:
    root = tmp_path / "course"
    shutil.copytree(COURSE, root)
    for folder in ("exercises", "answer_keys"):
        for name in (CLAIM, REMITTANCE):
            kind = "claims" if name == CLAIM else "remittances"
            shutil.copy(ROOT / folder / "billing" / kind / f"{name}.yaml", root / folder / f"{name}.yaml")
    for path in (root / "exercises").rglob("*.yaml"):
        _rewrite(path, _exercise)
    for path in (root / "answer_keys").rglob("*.yaml"):
        _rewrite(path, _key)
    library = load_course(root)
    assert not library.problems, library.problems  # all of it passes validation
    return library


PROFILE = ExamProfile.model_validate({
    "format": 1, "id": "tiny", "title": "Tiny [/] exam [R]", "body": "test", "version": "1", "questions": 5,
    "time_limit_minutes": 10, "pass_mark": {"type": "percent", "value": 70}, "kinds": ["mcq", "chart"],
    "areas": [{"id": "cpc.icd10cm", "title": f"ICD [R] {LINK}", "questions": 2},
              {"id": "cpc.hcpcs", "title": "HCPCS [/oops]", "questions": 2},
              {"id": "cpb.payment_posting", "title": "Posting [bold red]", "questions": 1}],
})
"""Every item of the hostile course lands on the form: a chart, a question, a claim and a remittance."""


@pytest.fixture
def hostile_tutor(hostile_course: Library, ui_codes, store: ProgressStore) -> Tutor:
    """The clock stands still, so the exam's time never runs out."""
    store.ensure_trainee(TRAINEE)
    return Tutor(hostile_course, ui_codes, store, TRAINEE, lambda: START, profiles={"tiny": PROFILE})


def on_screen(app: App) -> tuple[str, list[str]]:
    """The screen as plain text (each line's trailing blanks dropped), and every link on it."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", legacy_windows=False, safe_box=False)
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    segments = list(console.render(update, console.options))
    text = "".join(s.text for s in segments if not s.control)
    links = [s.style.link for s in segments if s.style is not None and s.style.link]
    return "\n".join(line.rstrip() for line in text.splitlines()), links


def assert_shown(app: App, *texts: str) -> None:
    """Each text is on screen as written (control characters as visible escapes); no link, and no
    control character reaches the terminal."""
    screen, links = on_screen(app)
    for text in texts:
        assert printable(text) in screen, f"{printable(text)!r} is not on screen:\n{screen}"
    assert links == []
    assert printable(screen) == screen, "a control character reaches the terminal"


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.pause()


async def test_the_dashboard_shows_titles_topics_and_the_trainee_as_written(hostile_tutor: Tutor) -> None:
    for _ in range(7):  # a weak topic (called weak on 20 codes or more), and pace for the setting
        record(hostile_tutor, OUTPATIENT, diagnoses=["E11"])
    app = MedcodeApp(hostile_tutor)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        # "Practise next" names the pick by its neutral label (here a question's), never by its title.
        assert_shown(app, TOPIC, TRAINEE, "Practise next (n): Question (CPC)")
        assert TITLE not in on_screen(app)[0]


async def test_the_trainee_prompt_lists_names_as_written(hostile_tutor: Tutor) -> None:
    hostile_tutor.store.ensure_trainee("Bob [bold red]")
    hostile_tutor.trainee = None
    app = MedcodeApp(hostile_tutor)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TraineeScreen)
        assert_shown(app, TRAINEE, "Bob [bold red]")


async def test_a_pasted_name_with_control_characters_is_refused_and_asked_again(hostile_tutor: Tutor) -> None:
    hostile_tutor.trainee = None
    app = MedcodeApp(hostile_tutor)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.screen.query_one("#trainee-name", Input).value = f"Eve{CONTROL}"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TraineeScreen) and hostile_tutor.trainee is None
        told = [str(toast.render()) for toast in app.screen.query("Toast")]
        assert len(told) == 1 and "holds control characters" in told[0] and printable(told[0]) == told[0]


async def test_the_browser_shows_labels_titles_and_topics_as_written(hostile_tutor: Tutor) -> None:
    record(hostile_tutor, OUTPATIENT, diagnoses=["E11"])  # submitted: its title and topics may be shown
    app = MedcodeApp(hostile_tutor)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        assert_shown(app, LABEL, TITLE)
        app.screen.query_one("#topic", Select).expanded = True
        await settle(pilot)
        assert_shown(app, TOPIC)


async def test_the_chart_shows_the_record_and_typed_codes_as_written(hostile_tutor: Tutor) -> None:
    app = MedcodeApp(hostile_tutor)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_exercise(OUTPATIENT)
        await settle(pilot)
        assert isinstance(app.screen, ChartScreen)
        assert_shown(app, LABEL, "Note [R] [/oops]", NOTE)
        app.screen.query_one("#dx-1", Input).value = "[/oops]"
        await settle(pilot)
        assert_shown(app, "[/OOPS] is not an ICD-10-CM code")


async def test_feedback_shows_rationales_and_submitted_text_as_written(hostile_tutor: Tutor) -> None:
    app = MedcodeApp(hostile_tutor)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_exercise(OUTPATIENT)
        await settle(pilot)
        app.screen.query_one("#dx-1", Input).value = "E11[R]"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FeedbackScreen)
        assert_shown(app, TITLE, f"Why: {NOTE}", "E11[R]")


async def test_a_question_shows_its_stem_and_options_as_written(hostile_tutor: Tutor) -> None:
    app = MedcodeApp(hostile_tutor)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_exercise(MCQ)
        await settle(pilot)
        assert isinstance(app.screen, McqScreen)
        option = hostile_tutor.library.exercises[MCQ].options["B"]
        assert_shown(app, NOTE, f"B. {option}")


async def test_billing_screens_show_the_claim_and_statement_as_written(hostile_tutor: Tutor) -> None:
    app = MedcodeApp(hostile_tutor)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.open_exercise(CLAIM)
        await settle(pilot)
        assert isinstance(app.screen, ClaimScreen)
        assert_shown(app, LABEL, "Note [R] [/oops]", NOTE)
        app.screen.query("ProblemLine").first().query_one(Input).value = "[/oops]"
        app.screen.query("ProblemLine").first().query_one(Select).value = "MISSING_7TH"
        await pilot.press("ctrl+s")  # an unreadable 'where' is explained in a notification
        await settle(pilot)
        assert_shown(app, "'[/oops]'")
        app.pop_screen()
        app.open_exercise(REMITTANCE)
        await settle(pilot)
        assert isinstance(app.screen, RemittanceScreen)
        assert_shown(app, LABEL, "Payer [R] [/]", NOTE, "[/x]", "[[/oops]]")


async def test_an_exam_shows_items_navigator_and_report_as_written(hostile_tutor: Tutor) -> None:
    app = MedcodeApp(hostile_tutor, exam=("tiny", 1))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        seen = set()
        for _ in screen.session.form.items:  # every item of the form, whatever its kind
            await pilot.press("n")  # not "right": on a question, the options take the arrow keys
            await settle(pilot)
            seen.add(screen.item.exercise_id)
            assert_shown(app, "Tiny [/] exam [R]", NOTE if screen.item.exercise_id == MCQ else LABEL)
        assert {CLAIM, REMITTANCE, MCQ, OUTPATIENT} <= seen
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, JumpScreen)
        assert_shown(app, LABEL)
        await pilot.press("escape")
        while screen.item.exercise_id != MCQ:
            await pilot.press("n")
        await settle(pilot)
        option = hostile_tutor.library.exercises[MCQ].options["A"]
        assert_shown(app, f"A. {option}")
        screen.session.answer(MCQ, {"answer": "A"})  # wrong: the review shows the rationale
        await pilot.press("ctrl+e")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ExamReportScreen)
        assert_shown(app, "Tiny [/] exam [R]", "ICD [R]", "HCPCS [/oops]", TITLE, NOTE)

