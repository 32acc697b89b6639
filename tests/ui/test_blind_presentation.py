"""Blind presentation (issue 12 item 1), the acceptance test: on a fresh database, the browser,
"practise next", the chart, question, claim and remittance screens and an exam (its items, its
navigator, a chart opened from it) show no exercise's title, topic or id before submission; the
feedback after submission shows the title.

The course is a small pack made for the test from the fixed course and two bundled billing
exercises, each given a distinctive title, topics and id (made-up words no document holds), so
that any of them on screen can only come from the metadata.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from rich.console import Console
from textual.app import App
from textual.widgets import DataTable

from tutor.content.exams import ExamProfile
from tutor.content.library import Library, load_library
from tutor.practice.presentation import neutral_label
from tutor.progress import ProgressStore
from tutor.ui.app import MedcodeApp
from tutor.ui.context import Tutor
from tutor.ui.screens.browser import BrowserScreen
from tutor.ui.screens.exam import ExamScreen, JumpScreen
from tutor.ui.screens.feedback import FeedbackScreen

from .conftest import COURSE, TRAINEE, type_keys

ROOT = Path(__file__).resolve().parents[2]
AREA = "blind.area"

# (source exercise, its key, the pack's id, title, topics, label or None for the derived default)
PACK = [
    (COURSE / "exercises/outpatient/op-dm2-metformin.yaml", COURSE / "answer_keys/outpatient/op-dm2-metformin.yaml",
     "blind-quokka-chart", "Quokkaline glycemia with zebrafold complications", ["quokka-topic", "zebrafold-tag"],
     None),
    (COURSE / "exercises/inpatient/ip-pneumonia-hyponatremia.yaml",
     COURSE / "answer_keys/inpatient/ip-pneumonia-hyponatremia.yaml",
     "blind-wombat-chart", "Wombatoid lobar consolidation (MCC)", ["wombat-topic", "cc-mccfold"],
     "Inpatient, medicine, 74 M: cough and fever x3 days"),
    (COURSE / "exercises/mcq/mcq-seventh-character-follow-up.yaml",
     COURSE / "answer_keys/mcq/mcq-seventh-character-follow-up.yaml",
     "blind-narwhal-question", "Narwhalic seventh character trap", ["narwhal-topic"], None),
    (ROOT / "exercises/billing/claims/clm-cerumen-bilateral-50-lt.yaml",
     ROOT / "answer_keys/billing/claims/clm-cerumen-bilateral-50-lt.yaml",
     "blind-axolotl-claim", "Axolotlian modifier clash billed twice", ["axolotl-topic"], None),
    (ROOT / "exercises/billing/remittances/rem-co11-wrong-pointer.yaml",
     ROOT / "answer_keys/billing/remittances/rem-co11-wrong-pointer.yaml",
     "blind-pangolin-remit", "Pangolinish pointer denial", ["pangolin-topic"], None),
]
CHART, INPATIENT_CHART, QUESTION, CLAIM, REMITTANCE = (row[2] for row in PACK)

PROFILE = ExamProfile.model_validate({
    "format": 1, "id": "blind", "title": "Blind exam", "body": "test", "version": "1", "questions": 3,
    "time_limit_minutes": 30, "pass_mark": {"type": "percent", "value": 70}, "kinds": ["mcq", "chart"],
    "areas": [{"id": AREA, "title": "Blind area", "questions": 3}],
})


def hidden() -> list[str]:
    """What must not be on screen before submission: every title, each of its made-up words, every
    topic, every id (compared without case)."""
    out = []
    for _, _, ident, title, topics, _ in PACK:
        out += [title, ident, *topics, title.split()[0]]
    return [text.lower() for text in out]


@pytest.fixture
def pack(tmp_path: Path) -> Library:
    for source, key_source, ident, title, topics, label in PACK:
        exercise = yaml.safe_load(source.read_text(encoding="utf-8"))
        exercise.update(id=ident, title=title, topics=topics, exam_areas=[AREA])
        exercise.pop("label", None)
        if label:
            exercise["label"] = label
        key = yaml.safe_load(key_source.read_text(encoding="utf-8"))
        key["exercise"] = ident
        (tmp_path / "exercises").mkdir(exist_ok=True)
        (tmp_path / "answer_keys").mkdir(exist_ok=True)
        (tmp_path / "exercises" / f"{ident}.yaml").write_text(yaml.safe_dump(exercise, sort_keys=False), "utf-8")
        (tmp_path / "answer_keys" / f"{ident}.yaml").write_text(yaml.safe_dump(key, sort_keys=False), "utf-8")
    library = load_library([tmp_path / "exercises", tmp_path / "answer_keys"])
    assert not [p for p in library.problems if p.severity == "error"], library.problems
    assert sorted(library.exercises) == sorted(row[2] for row in PACK) and len(library.keys) == len(PACK)
    return library


@pytest.fixture
def blind_app(pack: Library, ui_codes, store: ProgressStore, clock) -> MedcodeApp:
    """Ada on the pack, a fresh database, and the pack's exam."""
    assert store.trainees() == []
    store.ensure_trainee(TRAINEE)
    return MedcodeApp(Tutor(pack, ui_codes, store, TRAINEE, clock, profiles={"blind": PROFILE}))


def on_screen(app: App) -> str:
    """Everything on screen as plain text, the screens under a dialog included."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", legacy_windows=False, safe_box=False)
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return "".join(s.text for s in console.render(update, console.options) if not s.control)


def assert_blind(app: App, where: str) -> str:
    screen = on_screen(app)
    shown = [text for text in hidden() if text in screen.lower()]
    assert not shown, f"{where}: {shown} on screen before submission:\n{screen}"
    return screen


SIZE = (130, 40)


async def test_nothing_names_the_answer_before_submission_and_feedback_shows_the_title(
        blind_app: MedcodeApp) -> None:
    app = blind_app
    library = app.tutor.library
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = assert_blind(app, "dashboard")
        assert "Practise next (n):" in screen

        # The browser: rows show the neutral labels; search reads labels and notes, not titles or ids.
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        screen = assert_blind(app, "browser")
        assert neutral_label(library.exercises[INPATIENT_CHART])[:30] in screen  # cut to the column
        table = app.screen.query_one(DataTable)
        assert table.row_count == len(PACK)
        assert app.screen.topics == []  # no topic to filter on before any submission
        await pilot.press("slash")
        await type_keys(pilot, "quokkaline")
        assert table.row_count == 0, "search found a hidden title"
        app.screen.query_one("#search").value = CHART
        await pilot.pause()
        assert table.row_count == 0, "search found a hidden id"
        app.screen.query_one("#search").value = "metformin"  # in the outpatient chart's note
        await pilot.pause()
        assert table.row_count == 1
        app.screen.query_one("#search").value = "cough and fever"  # the inpatient chart's label
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("escape")
        await pilot.pause()

        # "Practise next" opens an exercise: its screen is blind too.
        await pilot.press("n")
        await pilot.pause()
        assert_blind(app, f"practise next ({type(app.screen).__name__})")
        app.show_dashboard()
        await pilot.pause()

        # Every kind of answering screen.
        for ident in (CHART, INPATIENT_CHART, QUESTION, CLAIM, REMITTANCE):
            app.open_exercise(ident)
            await pilot.pause()
            assert_blind(app, f"{type(app.screen).__name__} for {ident}")
            if ident != QUESTION:
                assert neutral_label(library.exercises[ident]) in on_screen(app)
            app.show_dashboard()
            await pilot.pause()

        # An exam: every item, the navigator, and a chart opened from it.
        app.start_exam("blind", seed=1)
        await pilot.pause()
        assert isinstance(app.screen, ExamScreen)
        opened = 0
        for n in range(PROFILE.questions):
            assert_blind(app, f"exam item {n + 1}")
            if app.screen.query_one("#exam-open-item").display:
                await pilot.press("enter")
                await pilot.pause()
                assert not isinstance(app.screen, ExamScreen)
                assert_blind(app, f"chart opened from exam item {n + 1}")
                opened += 1
                await pilot.press("escape")
                await pilot.pause()
            await pilot.press("n")
            await pilot.pause()
        assert opened == 2  # both charts of the pack
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, JumpScreen)
        assert_blind(app, "exam navigator")
        await pilot.press("escape")
        await pilot.pause()
        app.show_dashboard()
        await pilot.pause()
        assert_blind(app, "dashboard after the exam")

        # Submitting: the feedback names the exercise.
        app.open_exercise(CHART)
        await pilot.pause()
        await type_keys(pilot, "E11.9")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        title = library.exercises[CHART].title
        assert title in on_screen(app)

        # Once submitted, the browser may show its title and offer its topics; the others stay blind.
        app.show_dashboard()
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        screen = on_screen(app)
        assert "Quokkaline" in screen
        assert sorted(app.screen.topics) == ["quokka-topic", "zebrafold-tag"]
        others = [t for t in hidden() if "quokka" not in t and "zebrafold" not in t and t != CHART]
        assert not [t for t in others if t in screen.lower()]
