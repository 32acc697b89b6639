"""Exam profiles, seeded blueprint assembly, the exam clock and the score report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutor.cli import main
from tutor.content.exams import ExamProfile, load_profiles
from tutor.content.models import McqExercise
from tutor.content.report import Finding, GradeReport
from tutor.practice.exam import ExamSession, assemble, score

ROOT = Path(__file__).resolve().parent.parent
AREAS = ["a.one", "a.two", "a.three", "a.four"]


def profile(counts: dict[str, int], kinds=("mcq",), minutes: int = 30) -> ExamProfile:
    return ExamProfile.model_validate({
        "format": 1, "id": "test", "title": "Test exam", "body": "test", "version": "1",
        "questions": sum(counts.values()), "time_limit_minutes": minutes,
        "pass_mark": {"type": "percent", "value": 70}, "kinds": list(kinds),
        "areas": [{"id": a, "title": a, "questions": n} for a, n in counts.items()],
    })


def mcq(ident: str, areas: list[str]) -> McqExercise:
    return McqExercise(format=1, id=ident, kind="mcq", stem="Which?", options={"A": "a", "B": "b"},
                       difficulty=1, exam_areas=areas)


def report(ident: str, right: bool) -> GradeReport:
    finding = Finding(element="answer", outcome="CORRECT" if right else "WRONG_CODE", message="m")
    return GradeReport(exercise=ident, code_accuracy=float(right), record_correct=right,
                       learning_score=float(right), findings=[finding])


def test_bundled_profiles_load_and_match_the_published_facts() -> None:
    profiles, problems = load_profiles([ROOT / "exams"])
    assert problems == []
    assert {"cpc-2026", "cpb-2026", "cca-2026", "ccs-2026", "mini"} <= set(profiles)
    cpc = profiles["cpc-2026"]
    assert (cpc.questions, cpc.time_limit_minutes, cpc.pass_mark.value, len(cpc.areas)) == (100, 240, 70, 17)
    assert (profiles["cca-2026"].questions, profiles["cca-2026"].time_limit_minutes) == (105, 120)
    assert (profiles["ccs-2026"].questions, profiles["ccs-2026"].time_limit_minutes) == (107, 240)
    assert "chart" in profiles["ccs-2026"].kinds and "chart" in profiles["mini"].kinds


def test_a_profile_whose_areas_do_not_add_up_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "exams" / "mini.yaml").read_text().replace("questions: 20", "questions: 21")
    (tmp_path / "mini.yaml").write_text(text)
    profiles, problems = load_profiles([tmp_path])
    assert profiles == {} and "add up to 20, not 21" in problems[0].message


@given(
    counts=st.lists(st.integers(0, 6), min_size=len(AREAS), max_size=len(AREAS)),
    bank_sizes=st.lists(st.integers(0, 9), min_size=len(AREAS), max_size=len(AREAS)),
    seed=st.integers(0, 10_000),
)
def test_assembly_follows_the_blueprint_and_never_repeats(counts, bank_sizes, seed) -> None:
    if sum(counts) == 0:
        counts[0] = 1
    exam = profile(dict(zip(AREAS, counts)))
    bank = [mcq(f"{area}-{n}", [area]) for area, size in zip(AREAS, bank_sizes) for n in range(size)]
    form = assemble(exam, bank, seed)
    ids = [item.exercise_id for item in form.items]
    assert len(ids) == len(set(ids))  # never an item twice
    assert len(ids) == min(sum(counts), len(bank))
    for area, wanted, size in zip(AREAS, counts, bank_sizes):
        from_area = [i for i in form.items if i.area == area and i.exercise_id.startswith(area)]
        assert len(from_area) >= min(wanted, size)
        assert form.shortfall.get(area, 0) == max(0, wanted - size)
    assert assemble(exam, list(reversed(bank)), seed) == form  # the bank's order does not matter


def test_the_same_seed_gives_the_same_form_and_another_seed_another() -> None:
    exam = profile({"a.one": 5, "a.two": 5})
    bank = [mcq(f"q{n}", ["a.one" if n % 2 else "a.two"]) for n in range(40)]
    assert assemble(exam, bank, 1) == assemble(exam, bank, 1)
    assert assemble(exam, bank, 1).items != assemble(exam, bank, 2).items


def test_kinds_the_profile_does_not_take_are_left_out() -> None:
    from tutor.content.models import ChartExercise

    chart = ChartExercise.model_validate({
        "format": 1, "id": "c1", "kind": "chart", "title": "t", "setting": "outpatient",
        "date_of_service": "2026-05-01", "patient": {"age": 40, "sex": "F"}, "assign": ["icd10cm"],
        "difficulty": 1, "exam_areas": ["a.one"], "documents": [{"type": "progress_note", "title": "n", "text": "x"}],
    })
    form = assemble(profile({"a.one": 2}), [chart, mcq("m1", ["a.one"])], 0)
    assert [i.exercise_id for i in form.items] == ["m1"]
    assert form.shortfall == {"a.one": 1}


def test_the_clock_counts_only_time_the_exam_is_open() -> None:
    exam = ExamSession(profile({"a.one": 1}, minutes=30), assemble(profile({"a.one": 1}), [mcq("m", ["a.one"])], 0))
    start = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    exam.resume(start)
    assert exam.tick(start + timedelta(minutes=10)) == 20 * 60
    state = exam.to_state()  # saved; then the process is killed for an hour
    resumed = ExamSession.from_state(exam.profile, 0, state)
    later = start + timedelta(minutes=70)
    resumed.resume(later)
    assert resumed.remaining() == 20 * 60
    assert resumed.tick(later + timedelta(minutes=25)) == 0 and resumed.expired()


def test_answers_and_flags_survive_the_state_round_trip() -> None:
    exam = ExamSession(profile({"a.one": 2}), assemble(profile({"a.one": 2}), [mcq("m1", ["a.one"]),
                                                                              mcq("m2", ["a.one"])], 3))
    exam.answer("m1", {"answer": "B"})
    exam.toggle_flag("m2")
    exam.current = 1
    again = ExamSession.from_state(exam.profile, 3, exam.to_state())
    assert (again.answers, again.flags, again.current, again.form.items) == (
        {"m1": {"answer": "B"}}, {"m2"}, 1, exam.form.items)


def test_score_by_area_and_pass_mark() -> None:
    exam = profile({"a.one": 2, "a.two": 2})
    form = assemble(exam, [mcq("o1", ["a.one"]), mcq("o2", ["a.one"]), mcq("t1", ["a.two"]), mcq("t2", ["a.two"])], 0)
    result = score(exam, form, {"o1": report("o1", True), "o2": report("o2", True), "t1": report("t1", True)})
    by_area = {a.area: (a.correct, a.total) for a in result.areas}
    assert by_area == {"a.one": (2, 2), "a.two": (1, 2)}  # t2 unanswered counts as wrong
    assert (result.correct, result.total, result.passed) == (3, 4, True)
    assert score(exam, form, {"o1": report("o1", True)}).passed is False


def test_scaled_profiles_show_an_estimate_around_the_pass_line() -> None:
    profiles, _ = load_profiles([ROOT / "exams"])
    cca = profiles["cca-2026"]
    assert cca.scaled_estimate(0.70) == 300 and cca.passed(0.70) and not cca.passed(0.69)
    assert cca.scaled_estimate(0.0) == 100 and cca.scaled_estimate(1.0) == 400


def test_medcode_exam_print_gives_the_same_form_twice(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exam", "mini", "--seed", "1", "--print"]) == 0
    first = capsys.readouterr().out
    assert main(["exam", "mini", "--seed", "1", "--print"]) == 0
    assert capsys.readouterr().out == first
    assert "Daily mini exam" in first and " 1. " in first


def test_medcode_exam_names_the_profiles_when_one_is_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exam", "nope", "--print"]) == 2
    assert "cpc-2026" in capsys.readouterr().err
