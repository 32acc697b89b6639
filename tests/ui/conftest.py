"""Fixtures for the Textual UI tests: a tutor on a fixed course, a fixed clock, and an app factory.

The course under ``tests/ui/course/`` is a verbatim copy of four bundled exercises and
their keys (outpatient, inpatient, professional fee, multiple choice). The UI tests and
the snapshots read only this copy, so editing the bundled content never changes them.

Every test gets its own progress database (a file in ``tmp_path``) and a clock that
returns successive fixed instants, so nothing on screen depends on when the tests run.

``async def`` tests are run here with ``asyncio.run`` (see ``pytest_pyfunc_call``): the
project has no pytest asyncio plugin, and Textual's ``App.run_test`` needs only a loop.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # plain `pytest` from a checkout, without installing the package
    sys.path.insert(0, str(ROOT))

from textual.pilot import Pilot  # noqa: E402
from textual.widgets import Input  # noqa: E402

from tutor.codes import CodeSets  # noqa: E402
from tutor.content.library import Library, load_library  # noqa: E402
from tutor.content.models import Submission  # noqa: E402
from tutor.content.report import GradeReport  # noqa: E402
from tutor.practice import session  # noqa: E402
from tutor.progress import ProgressStore  # noqa: E402
from tutor.ui.app import MedcodeApp  # noqa: E402
from tutor.ui.context import Tutor  # noqa: E402

COURSE = Path(__file__).resolve().parent / "course"
TRAINEE = "Ada"
#: The first instant the fixed clock returns; each later call is ``CLOCK_STEP`` later.
START = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
CLOCK_STEP = timedelta(minutes=4)

OUTPATIENT = "op-dm2-metformin"
INPATIENT = "ip-pneumonia-hyponatremia"
PROFESSIONAL = "pro-knee-injection-em"
MCQ = "mcq-seventh-character-follow-up"

#: A YAML syntax error: the flow sequence opened on line 4 is never closed, and the
#: parser reports it where it notices, at line 5, column 8.
BROKEN_NAME = "broken-chart.yaml"
BROKEN_YAML = "format: 1\nid: broken-chart\nkind: chart\ntitle: [unclosed\nsetting: outpatient\n"
BROKEN_WHERE = "5:8"


# --- async tests ------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in this folder on a fresh event loop."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True


# --- the clock --------------------------------------------------------------------


class FixedClock:
    """A clock for the tutor: ``START``, then ``START + step``, ``START + 2 * step``, ..."""

    def __init__(self, start: datetime = START, step: timedelta = CLOCK_STEP) -> None:
        self.start = start
        self.step = step
        self.calls = 0

    def __call__(self) -> datetime:
        moment = self.start + self.calls * self.step
        self.calls += 1
        return moment


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


# --- core objects -----------------------------------------------------------------


@pytest.fixture(scope="session")
def ui_codes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CodeSets]:
    """The real code sets, opened once; CPT stays form-checked only (no licensed file)."""
    cache = os.environ.get("MEDCODE_CACHE_DIR")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MEDCODE_CPT_FILE", raising=False)
        code_sets = CodeSets.open(Path(cache) if cache else tmp_path_factory.mktemp("medcode-cache"))
    try:
        yield code_sets
    finally:
        code_sets.close()


def load_course(root: Path = COURSE) -> Library:
    return load_library([root / "exercises", root / "answer_keys"])


@pytest.fixture(scope="session")
def course() -> Library:
    """The fixed course: four exercises with keys, no problems (the app does not modify it)."""
    library = load_course()
    assert not library.problems, library.problems
    assert sorted(library.exercises) == sorted([OUTPATIENT, INPATIENT, PROFESSIONAL, MCQ])
    return library


@pytest.fixture
def broken_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    """The course plus one malformed exercise, loaded by relative paths.

    The working folder is ``tmp_path`` so that problems read ``course/exercises/...``,
    the same on every machine (the problems screen is snapshotted).
    """
    shutil.copytree(COURSE, tmp_path / "course")
    (tmp_path / "course" / "exercises" / BROKEN_NAME).write_text(BROKEN_YAML, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return load_course(Path("course"))


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "progress.sqlite"


@pytest.fixture
def store(store_path: Path) -> Iterator[ProgressStore]:
    progress = ProgressStore(store_path)
    try:
        yield progress
    finally:
        progress.close()


@pytest.fixture
def make_tutor(course: Library, ui_codes: CodeSets, store: ProgressStore,
               clock: FixedClock) -> Callable[..., Tutor]:
    """``make_tutor()`` is the tutor for ``Ada`` on the fixed course, the test's store and clock;
    keyword arguments replace any of them (``trainee=None`` means nobody has been chosen yet)."""

    def build(library: Library | None = None, progress: ProgressStore | None = None,
              trainee: str | None = TRAINEE, now: Callable[[], datetime] | None = None) -> Tutor:
        progress = progress or store
        if trainee:
            progress.ensure_trainee(trainee)
        return Tutor(library or course, ui_codes, progress, trainee, now or clock)

    return build


@pytest.fixture
def tutor(make_tutor: Callable[..., Tutor]) -> Tutor:
    return make_tutor()


@pytest.fixture
def app(make_tutor: Callable[..., Tutor]) -> Callable[..., MedcodeApp]:
    """``app()`` is the tutor for ``Ada`` on the fixed course; ``app(tutor)`` wraps a given tutor;
    keyword arguments go to ``make_tutor``."""

    def build(tutor: Tutor | None = None, **options: Any) -> MedcodeApp:
        return MedcodeApp(tutor or make_tutor(**options))

    return build


# --- recorded attempts ------------------------------------------------------------


def record(tutor: Tutor, exercise_id: str, minutes: float = 6.0, **submission: Any) -> GradeReport:
    """Grade and store an attempt as the app does, without driving the screens.

    The attempt starts at the tutor's next clock reading and takes ``minutes``.
    """
    exercise = tutor.library.exercises[exercise_id]
    started = tutor.clock()
    handed_in = Submission.model_validate({"exercise": exercise_id, **submission})
    return session.submit(tutor.library, tutor.grader, tutor.store, tutor.trainee, exercise, handed_in,
                          started, started + timedelta(minutes=minutes))


# --- driving the app ----------------------------------------------------------------

_KEY_NAMES = {" ": "space", ".": "full_stop", "?": "question_mark"}


async def type_keys(pilot: Pilot, keys: str) -> None:
    """Type text one key at a time, as a trainee does, then let the screen settle."""
    await pilot.press(*[_KEY_NAMES.get(c, c) for c in keys])
    await pilot.pause()


async def steady_cursors(pilot: Pilot) -> None:
    """Stop the text cursors blinking (shown, not hidden), so screenshots do not depend on timing."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()
