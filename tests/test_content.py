"""The bundled content library: counts, coverage, and content that is safe to teach from."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tutor.codes import CodeSets, CodeSystem
from tutor.content.billing import ClaimExercise, RemittanceExercise
from tutor.content.checks import check_codes, check_privacy
from tutor.content.library import Library, load_library
from tutor.content.models import ChartExercise, ChartKey, McqExercise
from tutor.content.privacy import personal_data

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = [str(n) for n in range(1, 23)]


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library([ROOT / "exercises", ROOT / "answer_keys"])


def charts(library: Library) -> list[ChartExercise]:
    return [e for e in library.exercises.values() if isinstance(e, ChartExercise)]


def test_the_library_loads_without_problems(library: Library) -> None:
    assert library.problems == []
    assert set(library.exercises) == set(library.keys)


def test_chart_counts_by_kind_of_work(library: Library) -> None:
    by_setting = Counter(e.setting for e in charts(library))
    assert len(charts(library)) >= 150
    assert by_setting["outpatient"] + by_setting["ambulatory_surgery"] >= 50
    assert by_setting["inpatient"] >= 40
    assert by_setting["professional"] >= 30
    assert by_setting["emergency"] >= 20


def test_exam_question_and_billing_counts(library: Library) -> None:
    kinds = Counter(type(e) for e in library.exercises.values())
    assert kinds[McqExercise] >= 200
    assert kinds[ClaimExercise] >= 40
    assert kinds[RemittanceExercise] >= 30


def test_inpatient_charts_have_more_than_a_discharge_summary(library: Library) -> None:
    for exercise in charts(library):
        if exercise.setting == "inpatient":
            types = [d.type for d in exercise.documents]
            assert "discharge_summary" in types and len(types) >= 2, exercise.id


def test_every_icd10cm_chapter_and_every_difficulty_is_practised(library: Library, codes: CodeSets) -> None:
    chapters: set[str] = set()
    for exercise in charts(library):
        key = library.keys[exercise.id]
        assert isinstance(key, ChartKey)
        for line in key.diagnoses:
            entry = codes.cm(line.code)
            if entry:
                chapters.add(entry.chapter)
    assert set(CHAPTERS) <= chapters, f"missing chapters: {sorted(set(CHAPTERS) - chapters, key=int)}"
    assert {e.difficulty for e in charts(library)} == {1, 2, 3, 4, 5}


def test_at_least_half_the_charts_teach_with_distractors(library: Library) -> None:
    with_lessons = [e for e in charts(library) if library.keys[e.id].distractors]
    assert len(with_lessons) * 2 >= len(charts(library))


def test_every_key_line_has_a_rationale_and_every_mcq_key_too(library: Library) -> None:
    for ident, key in library.keys.items():
        if isinstance(key, ChartKey):
            assert all(line.rationale.strip() for line in [*key.diagnoses, *key.procedures]), ident
        else:
            assert getattr(key, "rationale", "x").strip(), ident


def test_the_code_set_checks_pass_on_every_key(library: Library, codes: CodeSets) -> None:
    """Every key code valid and billable on its date, POA rules, Excludes1, DRGs as stated, keys grade 1.0."""
    checked = load_library([ROOT / "exercises", ROOT / "answer_keys"])
    check_codes(checked, codes)
    assert [str(p) for p in checked.errors] == []


def test_inpatient_keys_group_to_their_stated_drg(library: Library, grader) -> None:
    from tutor.grading.keys import key_as_submission

    for exercise in charts(library):
        key = library.keys[exercise.id]
        if exercise.setting == "inpatient" and key.drg:
            report = grader.grade(exercise, key, key_as_submission(key))
            assert report.drg is not None and report.drg.submitted == key.drg, exercise.id


def test_no_text_looks_like_real_personal_data(library: Library) -> None:
    checked = load_library([ROOT / "exercises", ROOT / "answer_keys"])
    check_privacy(checked)
    assert [str(p) for p in checked.problems] == []


@pytest.mark.parametrize("text,kind", [
    ("SSN 123-45-6789", "social security number"), ("call 555-867-5309", "phone number"),
    ("write to jo@example.org", "e-mail address"), ("lives at 12 Oak Street", "street address"),
    ("MRN: 00123456", "medical record number"), ("DOB: 04/12/1961", "date of birth"),
])
def test_the_personal_data_check_catches_each_pattern(text: str, kind: str) -> None:
    assert [k for k, _ in personal_data(text)] == [kind]


@pytest.mark.parametrize("text", ["BP 128/78, HR 72", "Na 128 (ref 135-145)", "metformin 1000 mg BID",
                                  "Admit date: 02/05/2026", "eGFR 52, A1c 7.9%"])
def test_clinical_numbers_are_not_personal_data(text: str) -> None:
    assert list(personal_data(text)) == []


def test_hcpcs_codes_in_keys_are_in_the_shipped_table(library: Library, codes: CodeSets) -> None:
    for ident, key in library.keys.items():
        for line in getattr(key, "procedures", []):
            if line.system == "hcpcs":
                assert codes.check(line.code, CodeSystem.HCPCS, library.exercises[ident].date_of_service).billable
