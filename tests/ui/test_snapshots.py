"""Snapshot tests: every screen of the tutor, in its key states, as SVG screenshots.

Baselines live in ``__snapshots__/test_snapshots/``; after a deliberate UI change,
regenerate them with ``pytest tests/ui --snapshot-update`` and look at the new SVGs
before committing them. A failing run writes ``snapshot_report.html`` with the diffs.

Nothing on screen depends on the date or on chance: the course is a fixed copy, the
clock is fixed, the header clock is off, and the text cursors do not blink.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.pilot import Pilot

from .conftest import INPATIENT, MCQ, OUTPATIENT, PROFESSIONAL, record, steady_cursors, type_keys

SIZE = (100, 30)
SMALL = (80, 24)  # the smallest terminal the tutor must be usable in

Steps = Callable[[Pilot], Awaitable[None]]


def opening(exercise_id: str, *then: Steps) -> Steps:
    """Open an exercise from the dashboard, then run the further steps."""

    async def run(pilot: Pilot) -> None:
        await pilot.pause()
        pilot.app.open_exercise(exercise_id)
        await pilot.pause()
        for step in then:
            await step(pilot)
        await steady_cursors(pilot)

    return run


def keys(*presses: str, typed: str = "") -> Steps:
    """Press named keys, or type text."""

    async def run(pilot: Pilot) -> None:
        if typed:
            await type_keys(pilot, typed)
        if presses:
            await pilot.press(*presses)
            await pilot.pause()

    return run


def lines(*entries: str) -> Steps:
    """Fill the form from the focused field on, moving on with Enter after each entry."""

    async def run(pilot: Pilot) -> None:
        for entry in entries:
            if entry:
                await type_keys(pilot, entry)
            await pilot.press("enter")
        await pilot.pause()

    return run


# A professional-fee chart, part coded: a valid ICD-10-CM code, a category (invalid), a
# valid code left at the last line; a CPT E/M with modifier 25 (form-checked only: no
# licensed CPT file) and an HCPCS drug with units.
async def PROFESSIONAL_PART_CODED(pilot: Pilot) -> None:
    await lines("M17.12", "E11", "Z79.84", "99214", "25", "1", "J3301", "")(pilot)
    await type_keys(pilot, "4")  # units of the drug line; the cursor stays there


# --- dashboard ------------------------------------------------------------------------


def test_dashboard_empty(snap_compare, app) -> None:
    assert snap_compare(app(), terminal_size=SIZE)


def test_dashboard_after_two_attempts(snap_compare, app, tutor) -> None:
    record(tutor, OUTPATIENT, minutes=6, diagnoses=["E11.9", "I10"])
    record(tutor, INPATIENT, minutes=21, drg="194", diagnoses=[
        {"code": "J18.9", "poa": "Y"}, {"code": "E87.1", "poa": "N"},
        {"code": "K59.00", "poa": "N"}, {"code": "I10", "poa": "Y"}])
    assert snap_compare(app(tutor), terminal_size=SIZE)


def test_dashboard_after_two_attempts_small_terminal(snap_compare, app, tutor) -> None:
    record(tutor, OUTPATIENT, minutes=6, diagnoses=["E11.9", "I10"])
    record(tutor, INPATIENT, minutes=21, drg="194", diagnoses=[
        {"code": "J18.9", "poa": "Y"}, {"code": "E87.1", "poa": "N"},
        {"code": "K59.00", "poa": "N"}, {"code": "I10", "poa": "Y"}])
    assert snap_compare(app(tutor), terminal_size=SMALL)


def test_dashboard_with_content_problems(snap_compare, app, broken_course) -> None:
    assert snap_compare(app(library=broken_course), terminal_size=SIZE)


# --- browser --------------------------------------------------------------------------


def test_browser_with_statuses(snap_compare, app, tutor) -> None:
    record(tutor, OUTPATIENT, diagnoses=["E11.9"])  # missed
    record(tutor, MCQ, answer="B")  # mastered
    assert snap_compare(app(tutor), press=["b"], terminal_size=SIZE)


# --- chart ------------------------------------------------------------------------------


def test_chart_with_typed_codes(snap_compare, app) -> None:
    assert snap_compare(app(), terminal_size=SIZE, run_before=opening(PROFESSIONAL, PROFESSIONAL_PART_CODED))


def test_chart_with_typed_codes_small_terminal(snap_compare, app) -> None:
    assert snap_compare(app(), terminal_size=SMALL, run_before=opening(PROFESSIONAL, PROFESSIONAL_PART_CODED))


def test_chart_outpatient_fresh_small_terminal(snap_compare, app) -> None:
    assert snap_compare(app(), terminal_size=SMALL, run_before=opening(OUTPATIENT, keys(typed="e119")))


def test_chart_inpatient_poa_and_drg(snap_compare, app) -> None:
    # Enter after the third POA moves to the MS-DRG box.
    steps = lines("J18.9", "Y", "E87.1", "N", "K59.00", "N")
    assert snap_compare(app(), terminal_size=SIZE, run_before=opening(INPATIENT, steps, keys(typed="194")))


def test_lookup_with_results(snap_compare, app) -> None:
    steps = (keys("ctrl+l"), keys(typed="diabetes kidney"))
    assert snap_compare(app(), terminal_size=SIZE, run_before=opening(OUTPATIENT, *steps))


# --- feedback ---------------------------------------------------------------------------


def test_feedback_with_errors(snap_compare, app) -> None:
    # E11 is a category, Z79.4 is insulin (the key has Z79.84), I10 is right.
    steps = (lines("E11", "Z79.4", "I10"), keys("ctrl+s"))
    assert snap_compare(app(), terminal_size=SIZE, run_before=opening(OUTPATIENT, *steps))


def test_feedback_all_correct(snap_compare, app) -> None:
    steps = (lines("E11.9", "I10", "Z79.84"), keys("ctrl+s"))
    assert snap_compare(app(), terminal_size=SIZE, run_before=opening(OUTPATIENT, *steps))


def test_feedback_inpatient_wrong_poa_and_drg(snap_compare, app) -> None:
    steps = (lines("J18.9", "Y", "E87.1", "N", "K59.00", "N"), keys("ctrl+s", typed="195"))
    assert snap_compare(app(), terminal_size=SIZE, run_before=opening(INPATIENT, *steps))


# --- multiple choice --------------------------------------------------------------------


def test_mcq_with_an_answer_chosen(snap_compare, app) -> None:
    assert snap_compare(app(), terminal_size=SIZE, run_before=opening(MCQ, keys("down", "enter")))


# --- dialogs ------------------------------------------------------------------------------


def test_help(snap_compare, app) -> None:
    assert snap_compare(app(), press=["question_mark"], terminal_size=SIZE)


def test_trainee_prompt_first_start(snap_compare, app) -> None:
    assert snap_compare(app(trainee=None), terminal_size=SIZE, run_before=steady_cursors)


def test_trainee_prompt_with_known_trainees(snap_compare, app, store) -> None:
    for name in ("Ada", "Ben"):
        store.ensure_trainee(name)
    assert snap_compare(app(trainee=None), terminal_size=SIZE, run_before=steady_cursors)


def test_problems_screen(snap_compare, app, broken_course) -> None:
    assert snap_compare(app(library=broken_course), press=["e"], terminal_size=SIZE)
