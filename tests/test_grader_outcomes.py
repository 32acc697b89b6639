"""Worked examples for every grading outcome (SPEC section 4), with real, verified codes.

Each example isolates one mistake: the finding it is about is checked field by field
(element, submitted, expected, outcome), every other finding must be right, and code
accuracy is checked as an exact fraction (codes right / codes graded).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from tutor.codes import CodeSystem
from tutor.content.models import McqExercise, McqKey, Submission
from tutor.content.report import Finding, GradeReport
from tutor.grading import Outcome, grade_mcq


DOS = date(2026, 5, 1)  # the factories' default date of service
INPATIENT = {"setting": "inpatient", "assign": ["icd10cm", "icd10pcs", "poa", "drg"], "age": 70, "sex": "M"}
SURGERY = {"setting": "inpatient", "assign": ["icd10cm", "icd10pcs"], "age": 45, "sex": "F"}
PROFESSIONAL = {"setting": "professional", "assign": ["icd10cm", "cpt", "hcpcs"]}

# Every ICD-10-CM and ICD-10-PCS code this file relies on is billable on DOS (checked below).
BILLABLE_CM = (
    "E11.9 E11.65 E11.69 E11.22 E11.3291 E11.3293 E11.3299 E78.5 I10 I11.0 I25.10 I50.32 I50.810 I50.9 "
    "J18.9 J44.0 J44.1 J96.01 E87.1 K35.80 M16.11 M17.10 M17.11 M17.12 N18.30 N30.00 N39.0 "
    "S72.001A S72.001D S72.002A Z79.84 H40.1131 H40.1132 O32.1XX1 O32.1XX2 "
    # Codes guidelines make optional: external cause, place, activity, status, SDOH, long-term drug use.
    "W01.0XXA W01.0XXD W01.10XA Y92.002 Y92.012 Y93.01 Y93.02 Y99.8 Y99.0 Z59.00 Z59.01 Z79.4 Z79.01 Z79.02"
).split()
VALID_PCS = "027034Z 02703DZ 0SR904A 0SR904Z 0SRB04A 0DTJ4ZZ 0DTJ0ZZ 0DBJ4ZZ 0FT44ZZ 3E03317".split()


# --- helpers ----------------------------------------------------------------------


def assert_accuracy(report: GradeReport, correct: int, graded: int) -> None:
    """Code accuracy as an exact fraction: numerator and denominator, then the rounded float."""
    assert (report.codes_correct, report.codes_graded) == (correct, graded)
    assert report.code_accuracy == pytest.approx(correct / graded, abs=5e-5)


def the_finding(report: GradeReport, element: str, outcome: Outcome | str | None = None) -> Finding:
    found = [f for f in report.findings if f.element == element and (outcome is None or f.outcome == outcome)]
    assert len(found) == 1, f"expected one {element} {outcome or ''} finding, got {report.findings}"
    return found[0]


def wrong(report: GradeReport) -> list[Finding]:
    return [f for f in report.findings if not Outcome(f.outcome).correct]


def line(code: str, **fields: Any) -> dict[str, Any]:
    return {"code": code, **fields}


@pytest.fixture
def grade(grader, make_exercise, make_key, make_submission):
    """``grade(key, submission, **exercise)`` where key and submission are dicts for the factories."""
    def run(key: dict[str, Any], submission: dict[str, Any], **exercise: Any) -> GradeReport:
        key, submission = dict(key), dict(submission)
        built_key = make_key(*key.pop("diagnoses", ()), **key)
        built_submission = make_submission(*submission.pop("diagnoses", ()), **submission)
        return grader.grade(make_exercise(**exercise), built_key, built_submission)
    return run


def test_the_codes_these_examples_rely_on_are_valid_on_the_date_of_service(codes):
    for code in BILLABLE_CM:
        assert codes.check(code, CodeSystem.ICD10CM, DOS).billable, code
    for code in VALID_PCS:
        assert codes.check(code, CodeSystem.ICD10PCS, DOS).billable, code
    assert codes.check("E11", CodeSystem.ICD10CM, DOS).status.invalid
    assert codes.check("J3301", CodeSystem.HCPCS, DOS).billable


# --- one worked example per outcome -------------------------------------------------


@dataclass(frozen=True)
class Case:
    outcome: Outcome
    key: dict[str, Any]
    submission: dict[str, Any]
    element: str
    submitted: str | None
    expected: str | None
    accuracy: tuple[int, int]  # codes right, codes graded
    exercise: dict[str, Any] = field(default_factory=dict)


def pcs_case(outcome: Outcome, diagnosis: str, key_code: str, submitted: str) -> Case:
    return Case(outcome, {"diagnoses": [diagnosis], "procedures": [key_code]},
                {"diagnoses": [diagnosis], "procedures": [submitted]},
                "procedure", submitted, key_code, (1, 2), SURGERY)


CASES = [
    Case(Outcome.CORRECT, {"diagnoses": ["E11.9"]}, {"diagnoses": ["E11.9"]},
         "diagnosis", "E11.9", "E11.9", (1, 1)),
    Case(Outcome.ALTERNATE, {"diagnoses": [line("E11.9", alternates=["E11.65"])]}, {"diagnoses": ["E11.65"]},
         "diagnosis", "E11.65", "E11.9", (1, 1)),
    Case(Outcome.WRONG_SPECIFICITY, {"diagnoses": ["E11.9"]}, {"diagnoses": ["E11.65"]},
         "diagnosis", "E11.65", "E11.9", (0, 1)),
    Case(Outcome.WRONG_LATERALITY, {"diagnoses": ["S72.001A"]}, {"diagnoses": ["S72.002A"]},
         "diagnosis", "S72.002A", "S72.001A", (0, 1)),
    Case(Outcome.WRONG_ENCOUNTER_7TH, {"diagnoses": ["S72.001A"]}, {"diagnoses": ["S72.001D"]},
         "diagnosis", "S72.001D", "S72.001A", (0, 1)),
    # E78.5 takes I10's place: one wrong code, not a missing plus an extra (denominator 2, not 3).
    Case(Outcome.WRONG_CODE, {"diagnoses": ["E11.9", "I10"]}, {"diagnoses": ["E11.9", "E78.5"]},
         "diagnosis", "E78.5", "I10", (1, 2)),
    Case(Outcome.INVALID, {"diagnoses": ["E11.9"]}, {"diagnoses": ["E11"]},
         "diagnosis", "E11", "E11.9", (0, 1)),
    Case(Outcome.MISSING_CODE, {"diagnoses": ["E11.9", "Z79.84"]}, {"diagnoses": ["E11.9"]},
         "diagnosis", None, "Z79.84", (1, 2)),
    Case(Outcome.EXTRA_CODE, {"diagnoses": ["E11.9"]}, {"diagnoses": ["E11.9", "I10"]},
         "diagnosis", "I10", None, (1, 2)),
    Case(Outcome.EXCLUDES1, {"diagnoses": ["N39.0"]}, {"diagnoses": ["N39.0", "N30.00"]},
         "diagnosis", "N30.00", None, (1, 2)),
    # Both codes right, order wrong: the first position costs, the codes do not.
    Case(Outcome.SEQUENCING, {"diagnoses": ["E11.9", "I10"]}, {"diagnoses": ["I10", "E11.9"]},
         "sequencing", "I10", "E11.9", (2, 2)),
    Case(Outcome.WRONG_POA,
         {"diagnoses": [line("J18.9", poa="Y"), line("E87.1", poa="Y")], "drg": "194"},
         {"diagnoses": [line("J18.9", poa="Y"), line("E87.1", poa="N")], "drg": "194"},
         "poa", "E87.1 N", "E87.1 Y", (2, 2), INPATIENT),
    Case(Outcome.MISSING_MODIFIER,
         {"diagnoses": ["M17.12"], "procedures": [line("20610", modifiers=["LT"])]},
         {"diagnoses": ["M17.12"], "procedures": [line("20610")]},
         "modifier", "20610 (none)", "20610 LT", (2, 2), PROFESSIONAL),
    Case(Outcome.WRONG_MODIFIER,
         {"diagnoses": ["M17.12"], "procedures": [line("20610", modifiers=["LT"])]},
         {"diagnoses": ["M17.12"], "procedures": [line("20610", modifiers=["RT"])]},
         "modifier", "20610 RT", "20610 LT", (2, 2), PROFESSIONAL),
    Case(Outcome.WRONG_UNITS,
         {"diagnoses": ["M17.12"], "procedures": [line("J3301", units=4)]},
         {"diagnoses": ["M17.12"], "procedures": [line("J3301", units=1)]},
         "units", "J3301 x1", "J3301 x4", (2, 2), PROFESSIONAL),
    pcs_case(Outcome.WRONG_PCS_SECTION, "K35.80", "0DTJ4ZZ", "3E03317"),
    pcs_case(Outcome.WRONG_PCS_BODY_SYSTEM, "K35.80", "0DTJ4ZZ", "0FT44ZZ"),
    pcs_case(Outcome.WRONG_PCS_ROOT_OP, "K35.80", "0DTJ4ZZ", "0DBJ4ZZ"),
    pcs_case(Outcome.WRONG_PCS_BODY_PART, "M16.11", "0SR904A", "0SRB04A"),
    pcs_case(Outcome.WRONG_PCS_APPROACH, "K35.80", "0DTJ4ZZ", "0DTJ0ZZ"),
    pcs_case(Outcome.WRONG_PCS_DEVICE, "I25.10", "027034Z", "02703DZ"),
    pcs_case(Outcome.WRONG_PCS_QUALIFIER, "M16.11", "0SR904A", "0SR904Z"),
    # The codes group to the key's MS-DRG 193; only the DRG the trainee typed is wrong.
    Case(Outcome.WRONG_DRG,
         {"diagnoses": [line("J18.9", poa="Y"), line("J96.01", poa="Y")], "drg": "193"},
         {"diagnoses": [line("J18.9", poa="Y"), line("J96.01", poa="Y")], "drg": "194"},
         "drg", "194", "193", (2, 2), INPATIENT),
    # Queries: graded by topic, outside code accuracy (one code, right: 1/1 in every query case).
    Case(Outcome.MISSED_QUERY,
         {"diagnoses": ["E11.9"], "queries": [{"topic": "specificity", "rationale": "Type of diabetes not stated."}]},
         {"diagnoses": ["E11.9"]},
         "query", None, "specificity", (1, 1)),
    Case(Outcome.UNNEEDED_QUERY, {"diagnoses": ["E11.9"]},
         {"diagnoses": ["E11.9"], "queries": [{"topic": "clinical_validity"}]},
         "query", "clinical_validity", None, (1, 1)),
]


# SPEC section 4's fixed vocabulary for charts, plus the query outcomes (issue 12); billing
# exercises add outcomes of their own.
SPEC_OUTCOMES = {
    "CORRECT", "ALTERNATE", "WRONG_SPECIFICITY", "WRONG_LATERALITY", "WRONG_ENCOUNTER_7TH", "WRONG_CODE",
    "INVALID", "MISSING_CODE", "EXTRA_CODE", "EXCLUDES1", "SEQUENCING", "WRONG_POA", "MISSING_MODIFIER",
    "WRONG_MODIFIER", "WRONG_UNITS", "WRONG_PCS_SECTION", "WRONG_PCS_BODY_SYSTEM", "WRONG_PCS_ROOT_OP",
    "WRONG_PCS_BODY_PART", "WRONG_PCS_APPROACH", "WRONG_PCS_DEVICE", "WRONG_PCS_QUALIFIER", "WRONG_DRG",
    "MISSED_QUERY", "UNNEEDED_QUERY",
}


def test_every_spec_outcome_exists_and_has_a_worked_example():
    assert SPEC_OUTCOMES <= {outcome.value for outcome in Outcome}
    assert sorted(case.outcome.value for case in CASES) == sorted(SPEC_OUTCOMES)


@pytest.mark.parametrize("case", CASES, ids=[case.outcome.value for case in CASES])
def test_worked_example(grade, case: Case):
    report = grade(case.key, case.submission, **case.exercise)

    finding = the_finding(report, case.element, case.outcome)
    assert (finding.element, finding.submitted, finding.expected, finding.outcome) == (
        case.element, case.submitted, case.expected, case.outcome.value)
    assert finding.message
    assert_accuracy(report, *case.accuracy)
    if case.outcome.correct:
        assert wrong(report) == []
        assert report.record_correct is True
        assert report.learning_score == 1.0
    else:
        assert wrong(report) == [finding], "the example should isolate exactly one mistake"
        assert report.record_correct is False
        assert 0.0 <= report.learning_score < 1.0


# --- near misses in more detail -----------------------------------------------------


@pytest.mark.parametrize(("expected", "submitted"), [
    ("M17.12", "M17.11"),  # left knee coded as right
    ("M17.12", "M17.10"),  # left knee coded as unspecified knee (docs: unspecified side is laterality)
    ("S72.001A", "S72.002A"),
    ("S72.001A", "S72.002D"),  # side and encounter both wrong: the first axis that differs is the side
])
def test_wrong_side_is_laterality(grade, expected, submitted):
    report = grade({"diagnoses": [expected]}, {"diagnoses": [submitted]})
    finding = the_finding(report, "diagnosis")
    assert (finding.submitted, finding.expected, finding.outcome) == (submitted, expected, "WRONG_LATERALITY")
    assert finding.credit == 0.5


@pytest.mark.parametrize(("expected", "submitted", "outcome"), [
    pytest.param("E11.3293", "E11.3299", Outcome.WRONG_LATERALITY, id="E11.32x: bilateral vs unspecified eye"),
    pytest.param("E11.3293", "E11.3291", Outcome.WRONG_LATERALITY, id="E11.32x: bilateral vs right eye"),
    pytest.param("H40.1131", "H40.1132", Outcome.WRONG_SPECIFICITY, id="H40.113x: glaucoma stage"),
    pytest.param("O32.1XX1", "O32.1XX2", Outcome.WRONG_SPECIFICITY, id="O32.1XXx: which fetus"),
])
def test_a_seventh_character_that_is_not_an_encounter(grade, expected, submitted, outcome):
    report = grade({"diagnoses": [expected]}, {"diagnoses": [submitted]})
    assert the_finding(report, "diagnosis").outcome == outcome


def test_right_heart_failure_is_a_type_of_heart_failure_not_a_side(grade):
    report = grade({"diagnoses": ["I50.810"]}, {"diagnoses": ["I50.9"]})
    assert the_finding(report, "diagnosis").outcome == Outcome.WRONG_SPECIFICITY


def test_invalid_codes_of_every_kind_are_graded_not_dropped(grade):
    report = grade({"diagnoses": ["S72.001A", "E11.9"]}, {"diagnoses": ["S72.001", "E11", "not a code"]})
    by_submitted = {f.submitted: f for f in report.findings if f.element == "diagnosis"}
    assert by_submitted["S72.001"].outcome == "INVALID"  # missing its 7th character
    assert by_submitted["S72.001"].expected == "S72.001A"
    assert "7th character" in by_submitted["S72.001"].message
    assert by_submitted["E11"].outcome == "INVALID"  # a category
    assert by_submitted["E11"].expected == "E11.9"
    garbage = [f for f in report.findings if f.element == "diagnosis" and f.expected is None]
    assert [(f.submitted, f.outcome) for f in garbage] == [("NOTACODE", "INVALID")]  # cleaned, not dropped
    assert_accuracy(report, 0, 3)


def test_invalid_stem_earns_a_quarter_and_the_principal_counts_double(grade):
    # E11 for E11.9: principal (weight 2) earns 0.25; the first position (weight 1) is right.
    report = grade({"diagnoses": ["E11.9"]}, {"diagnoses": ["E11"]})
    assert the_finding(report, "diagnosis").credit == 0.25
    assert report.learning_score == pytest.approx((2 * 0.25 + 1) / 3, abs=1e-4)
    # A near miss of the principal earns 0.5.
    report = grade({"diagnoses": ["S72.001A"]}, {"diagnoses": ["S72.002A"]})
    assert report.learning_score == pytest.approx((2 * 0.5 + 1) / 3, abs=1e-4)


# --- substitution, extras and Excludes1 --------------------------------------------


def test_a_substitute_counts_once_not_as_missing_plus_extra(grade):
    report = grade({"diagnoses": ["E11.9", "I10"]}, {"diagnoses": ["E11.9", "E78.5"]})
    outcomes = [f.outcome for f in report.findings if f.element == "diagnosis"]
    assert sorted(outcomes) == ["CORRECT", "WRONG_CODE"]
    assert_accuracy(report, 1, 2)


def test_a_procedure_substitute_counts_once(grade):
    report = grade({"diagnoses": ["K35.80"], "procedures": ["0DTJ4ZZ"]},
                   {"diagnoses": ["K35.80"], "procedures": ["0FT44ZZ"]}, **SURGERY)
    procedures = [f for f in report.findings if f.element == "procedure"]
    assert [(f.submitted, f.expected, f.outcome) for f in procedures] == [
        ("0FT44ZZ", "0DTJ4ZZ", "WRONG_PCS_BODY_SYSTEM")]
    assert_accuracy(report, 1, 2)


def test_an_extra_code_lowers_accuracy_and_a_duplicate_is_an_extra(grade):
    report = grade({"diagnoses": ["E11.9"]}, {"diagnoses": ["E11.9", "E11.9"]})
    extra = the_finding(report, "diagnosis", "EXTRA_CODE")
    assert extra.submitted == "E11.9"
    assert "more than once" in extra.message
    assert_accuracy(report, 1, 2)


def test_excludes1_is_symmetric_and_only_for_excludes1_pairs(codes):
    assert codes.excludes1_conflict("N39.0", "N30.00")
    assert codes.excludes1_conflict("N30.00", "N39.0")
    assert not codes.excludes1_conflict("J44.1", "J44.0")  # Excludes2 only
    assert not codes.excludes1_conflict("I10", "E11.9")


def test_an_excludes2_pair_is_a_plain_extra(grade):
    report = grade({"diagnoses": ["J44.1"]}, {"diagnoses": ["J44.1", "J44.0"]})
    extra = the_finding(report, "diagnosis", "EXTRA_CODE")
    assert (extra.submitted, extra.expected) == ("J44.0", None)
    assert not [f for f in report.findings if f.outcome == "EXCLUDES1"]
    assert_accuracy(report, 1, 2)


def test_a_code_in_excludes1_conflict_never_takes_a_missing_lines_place(grade):
    report = grade({"diagnoses": ["N39.0", "E11.9"]}, {"diagnoses": ["N39.0", "N30.00"]})
    excluded = the_finding(report, "diagnosis", "EXCLUDES1")
    assert (excluded.submitted, excluded.expected) == ("N30.00", None)
    assert "N39.0" in excluded.message
    missing = the_finding(report, "diagnosis", "MISSING_CODE")
    assert (missing.submitted, missing.expected) == (None, "E11.9")
    assert_accuracy(report, 1, 3)


def test_no_diagnoses_at_all(grade):
    report = grade({"diagnoses": ["E11.9"]}, {"diagnoses": []})
    assert the_finding(report, "diagnosis").outcome == "MISSING_CODE"
    assert the_finding(report, "sequencing").outcome == "SEQUENCING"
    assert_accuracy(report, 0, 1)
    assert report.learning_score == 0.0


# --- optional lines ---------------------------------------------------------------


def test_an_optional_key_code_left_out_costs_nothing(grade):
    report = grade({"diagnoses": ["E11.9", line("Z79.84", optional=True)]}, {"diagnoses": ["E11.9"]})
    assert [f.expected for f in report.findings if f.element == "diagnosis"] == ["E11.9"]
    assert_accuracy(report, 1, 1)
    assert report.record_correct is True
    assert report.learning_score == 1.0


def test_an_optional_key_code_reported_counts_as_right(grade):
    report = grade({"diagnoses": ["E11.9", line("Z79.84", optional=True)]}, {"diagnoses": ["E11.9", "Z79.84"]})
    assert {f.expected for f in report.findings if f.outcome == "CORRECT" and f.element == "diagnosis"} == {
        "E11.9", "Z79.84"}
    assert_accuracy(report, 2, 2)


def test_required_lines_are_served_before_optional_ones(grade):
    # E11.69 is a near miss of both E11.9 (optional, listed first) and E11.65 (required):
    # the required line gets it, and the optional one is simply not reported.
    report = grade({"diagnoses": ["J18.9", line("E11.9", optional=True), "E11.65"]},
                   {"diagnoses": ["J18.9", "E11.69"]})
    near = the_finding(report, "diagnosis", "WRONG_SPECIFICITY")
    assert (near.submitted, near.expected) == ("E11.69", "E11.65")
    assert_accuracy(report, 1, 2)


# Codes the guidelines make optional (external cause, place, activity, status, SDOH, long-term
# drug use), each with a near miss in its own category: (keyed, submitted, outcome).
OPTIONAL_KINDS = {
    "external cause, 7th character": ("W01.0XXA", "W01.0XXD", Outcome.WRONG_ENCOUNTER_7TH),
    "external cause, mechanism": ("W01.0XXA", "W01.10XA", Outcome.WRONG_SPECIFICITY),
    "place of occurrence": ("Y92.002", "Y92.012", Outcome.WRONG_SPECIFICITY),
    "activity": ("Y93.01", "Y93.02", Outcome.WRONG_SPECIFICITY),
    "external cause status": ("Y99.8", "Y99.0", Outcome.WRONG_SPECIFICITY),
    "SDOH (homelessness)": ("Z59.00", "Z59.01", Outcome.WRONG_SPECIFICITY),
    "long-term drug use": ("Z79.01", "Z79.02", Outcome.WRONG_SPECIFICITY),
}


@pytest.mark.parametrize("kind", OPTIONAL_KINDS)
def test_a_documented_optional_code_the_key_lists_is_accepted(grade, kind):
    keyed, _, _ = OPTIONAL_KINDS[kind]
    key = {"diagnoses": ["S72.001A", line(keyed, optional=True)]}
    report = grade(key, {"diagnoses": ["S72.001A", keyed]})
    [finding] = [f for f in report.findings if f.element == "diagnosis" and f.expected == keyed]
    assert (finding.submitted, finding.outcome, finding.optional) == (keyed, "CORRECT", True)
    assert wrong(report) == []
    assert_accuracy(report, 2, 2)
    assert (report.record_correct, report.learning_score) == (True, 1.0)
    # Left out, it costs nothing.
    left_out = grade(key, {"diagnoses": ["S72.001A"]})
    assert_accuracy(left_out, 1, 1)
    assert (left_out.record_correct, left_out.learning_score) == (True, 1.0)


@pytest.mark.parametrize("kind", OPTIONAL_KINDS)
def test_an_optional_line_at_the_wrong_specificity_is_a_finding_not_a_failed_record(grade, kind):
    keyed, submitted, outcome = OPTIONAL_KINDS[kind]
    report = grade({"diagnoses": ["S72.001A", line(keyed, optional=True)]}, {"diagnoses": ["S72.001A", submitted]})

    finding = the_finding(report, "diagnosis", outcome)
    assert (finding.submitted, finding.expected, finding.optional) == (submitted, keyed, True)
    assert finding.credit == 0.5  # the near-miss credit, in the learning score
    assert "optional" in finding.message
    assert wrong(report) == [finding]
    assert report.record_correct is True  # leaving it out would not fail the record: neither does this
    assert_accuracy(report, 1, 2)  # a reported code that is not the key's is not correct (audit rule)
    # principal 2 x 1 + first position 1 x 1 + the optional line 1 x 0.5, over 4
    assert report.learning_score == pytest.approx((2 + 1 + 0.5) / 4, abs=1e-4)


def test_a_required_line_at_the_wrong_specificity_still_fails_the_record(grade):
    report = grade({"diagnoses": ["S72.001A", "Z79.01"]}, {"diagnoses": ["S72.001A", "Z79.02"]})
    finding = the_finding(report, "diagnosis", "WRONG_SPECIFICITY")
    assert finding.optional is False
    assert report.record_correct is False


def test_an_invalid_code_on_an_optional_line_still_fails_the_record(grade):
    # W01.0XX is not billable: the claim would be refused, which no optional flag excuses.
    report = grade({"diagnoses": ["S72.001A", line("W01.0XXA", optional=True)]}, {"diagnoses": ["S72.001A", "W01.0XX"]})
    finding = the_finding(report, "diagnosis", "INVALID")
    assert (finding.expected, finding.credit, finding.optional) == ("W01.0XXA", 0.25, True)
    assert report.record_correct is False


def test_a_pcs_code_off_on_several_axes_of_an_optional_line_still_fails_the_record(grade):
    # Root operation and approach differ: a different procedure, not a near miss (no credit).
    report = grade({"diagnoses": ["K35.80"], "procedures": [line("0DTJ4ZZ", optional=True)]},
                   {"diagnoses": ["K35.80"], "procedures": ["0DBJ0ZZ"]}, **SURGERY)
    finding = the_finding(report, "procedure")
    assert (finding.outcome, finding.credit) == ("WRONG_PCS_ROOT_OP", 0.0)
    assert report.record_correct is False


def test_the_poa_of_an_optional_line_is_graded_as_on_any_line(grade):
    key = {"diagnoses": [line("J18.9", poa="Y"), line("Z79.01", poa="exempt", optional=True)], "drg": "195"}
    report = grade(key, {"diagnoses": [line("J18.9", poa="Y"), line("Z79.02", poa="Y")], "drg": "195"}, **INPATIENT)
    assert the_finding(report, "diagnosis", "WRONG_SPECIFICITY").optional is True
    assert the_finding(report, "poa", "WRONG_POA").submitted == "Z79.02 Y"
    assert report.record_correct is False


# Homelessness (Z59.00) is a CC: with it, pneumonia groups to MS-DRG 194; without it, to 195.
HOMELESS_KEY = {"diagnoses": [line("J18.9", poa="Y"), line("Z59.00", poa="Y", optional=True)], "drg": "194"}


@pytest.mark.parametrize(("reported", "drg"), [
    ([line("J18.9", poa="Y"), line("Z59.00", poa="Y")], "194"),
    ([line("J18.9", poa="Y")], "195"),  # the optional CC left out: the key's codes without it group to 195
])
def test_an_optional_code_that_changes_the_drg_may_still_be_left_out(grade, reported, drg):
    report = grade(HOMELESS_KEY, {"diagnoses": reported, "drg": drg}, **INPATIENT)
    assert (report.drg.submitted, report.drg.expected, report.drg.correct) == (drg, drg, True)
    assert the_finding(report, "drg").outcome == "CORRECT"
    assert wrong(report) == []
    assert report.record_correct is True


def test_the_drg_expected_without_an_optional_code_is_the_only_one_accepted_then(grade):
    report = grade(HOMELESS_KEY, {"diagnoses": [line("J18.9", poa="Y")], "drg": "194"}, **INPATIENT)
    finding = the_finding(report, "drg", "WRONG_DRG")
    assert (finding.submitted, finding.expected) == ("194", "195")
    assert "optional" in finding.message
    assert report.record_correct is False


def test_a_required_code_left_out_still_moves_the_expected_drg_nowhere(grade):
    key = {**HOMELESS_KEY, "diagnoses": [line("J18.9", poa="Y"), line("Z59.00", poa="Y")]}
    report = grade(key, {"diagnoses": [line("J18.9", poa="Y")]}, **{**INPATIENT, "assign": ["icd10cm", "poa"]})
    assert (report.drg.submitted, report.drg.expected, report.drg.correct) == ("195", "194", False)
    assert report.record_correct is False


# --- queries --------------------------------------------------------------------------


QUERY = {"topic": "clinical_validity", "rationale": "Sepsis is documented, but the vitals and lactate are normal.",
         "evidence": "sepsis, on IV ceftriaxone"}


def test_a_query_the_key_calls_for_is_correct_and_counts_only_outside_code_accuracy(grade):
    report = grade({"diagnoses": ["J18.9"], "queries": [QUERY]},
                   {"diagnoses": ["J18.9"], "queries": [{"topic": "clinical_validity", "note": "Sepsis: criteria?"}]})
    finding = the_finding(report, "query")
    assert (finding.submitted, finding.expected, finding.outcome) == (
        "clinical_validity", "clinical_validity", "CORRECT")
    assert (finding.rationale, finding.evidence) == (QUERY["rationale"], QUERY["evidence"])
    assert "Sepsis: criteria?" in finding.message  # the trainee's note, quoted back
    assert (finding.credit, finding.weight) == (1.0, 1.0)
    assert_accuracy(report, 1, 1)
    assert (report.record_correct, report.learning_score) == (True, 1.0)


def test_a_missed_query_costs_the_record_and_the_learning_score_not_code_accuracy(grade):
    report = grade({"diagnoses": ["J18.9"], "queries": [QUERY]}, {"diagnoses": ["J18.9"]})
    finding = the_finding(report, "query", "MISSED_QUERY")
    assert (finding.submitted, finding.expected) == (None, "clinical_validity")
    assert (finding.rationale, finding.evidence) == (QUERY["rationale"], QUERY["evidence"])
    assert "clinical validity" in finding.message
    assert_accuracy(report, 1, 1)
    assert report.record_correct is False
    # principal 2 + first position 1 right, the query (weight 1) missed: 3 / 4
    assert report.learning_score == pytest.approx(0.75, abs=1e-4)


def test_an_unneeded_query_costs_the_record_and_quotes_the_note(grade):
    report = grade({"diagnoses": ["J18.9"]},
                   {"diagnoses": ["J18.9"], "queries": [{"topic": "specificity", "note": "Which organism?"}]})
    finding = the_finding(report, "query", "UNNEEDED_QUERY")
    assert (finding.submitted, finding.expected) == ("specificity", None)
    assert "Which organism?" in finding.message
    assert_accuracy(report, 1, 1)
    assert report.record_correct is False
    assert report.learning_score == pytest.approx(0.75, abs=1e-4)


def test_a_query_on_the_wrong_topic_is_one_missed_and_one_unneeded(grade):
    report = grade({"diagnoses": ["J18.9"], "queries": [QUERY]},
                   {"diagnoses": ["J18.9"], "queries": [{"topic": "specificity"}]})
    assert sorted((f.outcome, f.submitted, f.expected) for f in report.findings if f.element == "query") == [
        ("MISSED_QUERY", None, "clinical_validity"), ("UNNEEDED_QUERY", "specificity", None)]
    assert_accuracy(report, 1, 1)


def test_a_topic_the_key_accepts_as_an_alternate_is_graded_alternate(grade):
    key = {"diagnoses": ["J18.9"], "queries": [{**QUERY, "alternates": ["conflicting_documentation"]}]}
    report = grade(key, {"diagnoses": ["J18.9"], "queries": [{"topic": "conflicting_documentation"}]})
    finding = the_finding(report, "query")
    assert (finding.submitted, finding.expected, finding.outcome) == (
        "conflicting_documentation", "clinical_validity", "ALTERNATE")
    assert report.record_correct is True


def test_alternates_are_matched_so_that_as_many_queries_as_possible_are_right(grade):
    # Greedy matching in key order would give Y to the first query and leave the second unmatched.
    key = {"diagnoses": ["J18.9"], "queries": [
        {"topic": "specificity", "alternates": ["clinical_validity", "cause_and_effect"], "rationale": "a"},
        {"topic": "procedure_detail", "alternates": ["clinical_validity"], "rationale": "b"}]}
    for submitted in (["clinical_validity", "cause_and_effect"], ["cause_and_effect", "clinical_validity"]):
        report = grade(key, {"diagnoses": ["J18.9"], "queries": [{"topic": t} for t in submitted]})
        assert sorted((f.submitted, f.expected, f.outcome) for f in report.findings if f.element == "query") == [
            ("cause_and_effect", "specificity", "ALTERNATE"), ("clinical_validity", "procedure_detail", "ALTERNATE")]
        assert report.record_correct is True


def test_the_same_topic_is_matched_as_many_times_as_the_key_lists_it(grade):
    two = {"diagnoses": ["J18.9"], "queries": [QUERY, {**QUERY, "rationale": "Acute respiratory failure too."}]}
    once = grade(two, {"diagnoses": ["J18.9"], "queries": ["clinical_validity"]})
    assert sorted(f.outcome for f in once.findings if f.element == "query") == ["CORRECT", "MISSED_QUERY"]
    twice = grade({"diagnoses": ["J18.9"], "queries": [QUERY]},
                  {"diagnoses": ["J18.9"], "queries": ["clinical_validity", "clinical_validity"]})
    assert sorted(f.outcome for f in twice.findings if f.element == "query") == ["CORRECT", "UNNEEDED_QUERY"]
    assert twice.record_correct is False


def test_a_key_without_queries_and_a_submission_without_queries_have_no_query_elements(grade):
    report = grade({"diagnoses": ["J18.9"]}, {"diagnoses": ["J18.9"]})
    assert not [f for f in report.findings if f.element == "query"]


def test_a_query_is_not_a_code_so_it_never_substitutes_or_sequences(grade):
    report = grade({"diagnoses": ["J18.9", "E87.1"], "queries": [QUERY]},
                   {"diagnoses": ["E87.1"], "queries": ["clinical_validity"]})
    assert the_finding(report, "diagnosis", "MISSING_CODE").expected == "J18.9"
    assert the_finding(report, "sequencing").outcome == "SEQUENCING"
    assert the_finding(report, "query").outcome == "CORRECT"
    assert_accuracy(report, 1, 2)


# --- sequencing -------------------------------------------------------------------


def test_a_near_miss_of_the_principal_still_stands_first(grade):
    report = grade({"diagnoses": ["E11.9", "I10"]}, {"diagnoses": ["E11.65", "I10"]})
    assert the_finding(report, "sequencing").outcome == "CORRECT"
    assert the_finding(report, "diagnosis", "WRONG_SPECIFICITY").submitted == "E11.65"


@pytest.mark.parametrize(("key", "submitted"), [
    pytest.param(["E11.9", "I10"], ["E11.65", "I10", "E11.69"], id="tie: E11.69 sorts after E11.65"),
    pytest.param(["S72.001A", "E11.9"], ["S72.002A", "E11.9", "S72.001D"], id="S72.001D is nearer"),
])
def test_a_near_miss_of_the_principal_stands_first_even_when_another_near_miss_is_paired(grade, key, submitted):
    report = grade({"diagnoses": key}, {"diagnoses": submitted})
    assert the_finding(report, "sequencing").outcome == "CORRECT"


def test_a_wrong_code_first_is_a_sequencing_error(grade):
    report = grade({"diagnoses": ["E11.9", "I10"]}, {"diagnoses": ["E78.5", "I10"]})
    position = the_finding(report, "sequencing")
    assert (position.submitted, position.expected, position.outcome) == ("E78.5", "E11.9", "SEQUENCING")
    assert the_finding(report, "diagnosis", "WRONG_CODE").expected == "E11.9"


def test_sequencing_first_lists_every_code_accepted_first(grade):
    key = {"diagnoses": ["E11.9", "I10"], "sequencing": {"first": ["E11.9", "I10"]}}
    report = grade(key, {"diagnoses": ["I10", "E11.9"]})
    assert the_finding(report, "sequencing").outcome == "CORRECT"
    assert report.record_correct is True


BEFORE_KEY = {"diagnoses": ["E11.9", "I11.0", "I50.32"], "sequencing": {"before": [["I11.0", "I50.32"]]}}


def test_a_before_pair_in_the_right_order(grade):
    report = grade(BEFORE_KEY, {"diagnoses": ["E11.9", "I11.0", "I50.32"]})
    pair = [f for f in report.findings if f.element == "sequencing" and "before" in (f.expected or "")]
    assert [(f.submitted, f.expected, f.outcome) for f in pair] == [
        ("I11.0 before I50.32", "I11.0 before I50.32", "CORRECT")]
    assert report.record_correct is True


def test_a_before_pair_in_the_wrong_order_costs_the_pair_not_the_codes(grade):
    report = grade(BEFORE_KEY, {"diagnoses": ["E11.9", "I50.32", "I11.0"]})
    pair = the_finding(report, "sequencing", "SEQUENCING")
    assert (pair.submitted, pair.expected) == ("I11.0 after I50.32", "I11.0 before I50.32")
    assert wrong(report) == [pair]
    assert_accuracy(report, 3, 3)
    assert report.record_correct is False


def test_a_before_pair_with_a_missing_code_is_not_graded_twice(grade):
    report = grade(BEFORE_KEY, {"diagnoses": ["E11.9", "I11.0"]})
    assert [f.outcome for f in wrong(report)] == ["MISSING_CODE"]
    assert [f.expected for f in report.findings if f.element == "sequencing"] == ["E11.9"]


# --- POA ----------------------------------------------------------------------------


POA_KEY = {"diagnoses": [line("J18.9", poa="Y"), line("Z79.84", poa="exempt")]}


@pytest.mark.parametrize("given", [None, "", "exempt", "1"])
def test_poa_exempt_in_the_key_accepts_a_blank_poa(grade, given):
    report = grade(POA_KEY, {"diagnoses": [line("J18.9", poa="Y"), line("Z79.84", poa=given)]}, **SURGERY)
    poa = [f for f in report.findings if f.element == "poa" and f.expected == "Z79.84 exempt"]
    assert [f.outcome for f in poa] == ["CORRECT"]
    assert report.record_correct is True


def test_poa_exempt_in_the_key_refuses_a_letter(grade):
    report = grade(POA_KEY, {"diagnoses": [line("J18.9", poa="Y"), line("Z79.84", poa="Y")]}, **SURGERY)
    poa = the_finding(report, "poa", "WRONG_POA")
    assert (poa.submitted, poa.expected) == ("Z79.84 Y", "Z79.84 exempt")
    assert_accuracy(report, 2, 2)


@pytest.mark.parametrize(("keyed", "given", "right"), [
    ("Y", "y", True), ("Y", "W", False), ("N", "U", False), ("W", "W", True), ("Y", None, False),
])
def test_poa_letters(grade, keyed, given, right):
    report = grade({"diagnoses": [line("J18.9", poa=keyed)]}, {"diagnoses": [line("J18.9", poa=given)]}, **SURGERY)
    assert the_finding(report, "poa").outcome == ("CORRECT" if right else "WRONG_POA")


# --- procedures: modifiers, units, normalisation ------------------------------------


def test_modifiers_are_compared_as_a_set_and_normalised(grade):
    key = {"diagnoses": ["M17.12"], "procedures": [line("20610", modifiers=["LT"])]}
    report = grade(key, {"diagnoses": ["M17.12"], "procedures": [line("20610", modifiers=["-lt"])]}, **PROFESSIONAL)
    assert the_finding(report, "modifier").outcome == "CORRECT"
    report = grade(key, {"diagnoses": ["M17.12"], "procedures": [line("20610", modifiers=["LT", "59"])]},
                   **PROFESSIONAL)
    assert the_finding(report, "modifier").outcome == "WRONG_MODIFIER"  # a superset is not a subset


def test_units_default_to_one(grade):
    key = {"diagnoses": ["M17.12"], "procedures": [line("J3301", units=4)]}
    report = grade(key, {"diagnoses": ["M17.12"], "procedures": ["J3301"]}, **PROFESSIONAL)
    units = the_finding(report, "units")
    assert (units.submitted, units.expected, units.outcome) == ("J3301 x1", "J3301 x4", "WRONG_UNITS")
    report = grade({"diagnoses": ["M17.12"], "procedures": ["J3301"]},
                   {"diagnoses": ["M17.12"], "procedures": [line("J3301", units=1)]}, **PROFESSIONAL)
    assert not [f for f in report.findings if f.element == "units"]
    assert report.record_correct is True


@pytest.mark.parametrize("typed", ["e119", " e11.9 ", "E1.19", "E119", "e11.9", "E 11.9"])
def test_diagnosis_codes_are_normalised_before_grading(grade, typed):
    report = grade({"diagnoses": ["E11.9"]}, {"diagnoses": [typed]})
    finding = the_finding(report, "diagnosis")
    assert (finding.submitted, finding.outcome) == ("E11.9", "CORRECT")
    assert report.record_correct is True


def test_procedure_codes_are_normalised_before_grading(grade):
    report = grade({"diagnoses": ["K35.80"], "procedures": ["0DTJ4ZZ"]},
                   {"diagnoses": ["k3580"], "procedures": [" 0dtj4zz "]}, **SURGERY)
    assert [(f.submitted, f.outcome) for f in report.findings if f.element in ("diagnosis", "procedure")] == [
        ("K35.80", "CORRECT"), ("0DTJ4ZZ", "CORRECT")]
    report = grade({"diagnoses": ["M17.12"], "procedures": [line("J3301", units=4)]},
                   {"diagnoses": ["M17.12"], "procedures": [line("j3301", units=4)]}, **PROFESSIONAL)
    assert report.record_correct is True


# --- distractors -------------------------------------------------------------------


DISTRACTORS = [
    {"codes": ["e11"], "lesson": "E11 is a category, not a billable code."},
    {"codes": ["S72.00-"], "lesson": "Check the side and the encounter in the S72.00- family."},
]


def test_a_distractor_lesson_is_attached_to_the_matching_finding(grade):
    report = grade({"diagnoses": ["E11.9"], "distractors": DISTRACTORS}, {"diagnoses": ["E11"]})
    assert the_finding(report, "diagnosis").lessons == ["E11 is a category, not a billable code."]
    assert the_finding(report, "sequencing").lessons == []


def test_a_family_distractor_matches_its_codes_but_never_a_right_answer(grade):
    report = grade({"diagnoses": ["S72.001A", "E11.9"], "distractors": DISTRACTORS},
                   {"diagnoses": ["S72.001A", "E11.9", "S72.002A"]})
    right = [f for f in report.findings if f.element == "diagnosis" and f.outcome == "CORRECT"]
    assert all(f.lessons == [] for f in right)
    extra = the_finding(report, "diagnosis", "EXTRA_CODE")
    assert (extra.submitted, extra.lessons) == ("S72.002A", [DISTRACTORS[1]["lesson"]])


# --- findings carry the key's teaching ------------------------------------------------


def test_a_finding_carries_the_key_lines_rationale_evidence_and_titles(grade):
    key = {"diagnoses": [line("E11.9", rationale="Type 2 diabetes, no complication documented (I.C.4.a).",
                            evidence="controlled on metformin")]}
    finding = the_finding(grade(key, {"diagnoses": ["E11.65"]}), "diagnosis")
    assert finding.rationale == "Type 2 diabetes, no complication documented (I.C.4.a)."
    assert finding.evidence == "controlled on metformin"
    assert finding.expected_title == "Type 2 diabetes mellitus without complications"
    assert finding.submitted_title == "Type 2 diabetes mellitus with hyperglycemia"


# --- MS-DRG --------------------------------------------------------------------------


@pytest.mark.parametrize(("diagnoses", "procedures", "drg"), [
    (["J18.9"], [], "195"),
    (["J18.9", "E87.1"], [], "194"),
    (["J18.9", "J96.01"], [], "193"),
    (["K35.80"], ["0DTJ4ZZ"], "399"),
])
def test_the_key_codes_group_to_the_keys_drg(grade, diagnoses, procedures, drg):
    lines = [line(code, poa="Y") for code in diagnoses]
    report = grade({"diagnoses": lines, "procedures": procedures, "drg": drg},
                   {"diagnoses": lines, "procedures": procedures, "drg": drg}, **INPATIENT)
    assert (report.drg.submitted, report.drg.expected, report.drg.entered, report.drg.correct) == (
        drg, drg, drg, True)
    assert the_finding(report, "drg").outcome == "CORRECT"
    assert report.record_correct is True


def test_codes_that_group_elsewhere_make_the_record_wrong(grade):
    # DRG not assigned to the trainee: no drg element, but the grouping is still compared.
    key = {"diagnoses": [line("J18.9", poa="Y"), line("J96.01", poa="Y")], "drg": "193"}
    report = grade(key, {"diagnoses": [line("J18.9", poa="Y"), line("E87.1", poa="Y")]},
                   **{**INPATIENT, "assign": ["icd10cm", "poa"]})
    assert (report.drg.submitted, report.drg.expected, report.drg.entered, report.drg.correct) == (
        "194", "193", None, False)
    assert not [f for f in report.findings if f.element == "drg"]
    assert the_finding(report, "diagnosis", "WRONG_CODE").submitted == "E87.1"
    assert_accuracy(report, 1, 2)
    assert report.record_correct is False


# --- multiple choice ---------------------------------------------------------------


@pytest.fixture
def mcq():
    exercise = McqExercise(format=1, id="mcq-1", kind="mcq", stem="Which 7th character for a follow-up visit?",
                           options={"A": "A", "B": "D", "C": "S"}, difficulty=1)
    key = McqKey(format=1, exercise="mcq-1", answer="B", rationale="Routine healing follow-up is D.")
    return exercise, key


@pytest.mark.parametrize(("answer", "outcome", "score"), [
    ("B", "CORRECT", 1.0), (" b ", "CORRECT", 1.0), ("A", "WRONG_CODE", 0.0), (None, "MISSING_CODE", 0.0),
])
def test_mcq_grading(mcq, grader, answer, outcome, score):
    exercise, key = mcq
    submission = Submission(exercise="mcq-1", answer=answer)
    for report in (grade_mcq(exercise, key, submission), grader.grade(exercise, key, submission)):
        finding = the_finding(report, "answer")
        assert (finding.expected, finding.outcome) == ("B", outcome)
        assert finding.submitted == (answer.strip().upper() if answer else None)
        assert finding.rationale == "Routine healing follow-up is D."
        assert (report.code_accuracy, report.learning_score, report.record_correct) == (score, score, score == 1.0)
        assert (report.codes_correct, report.codes_graded) == (int(score), 1)


def test_queries_on_an_mcq_are_not_graded(mcq, grader):
    exercise, key = mcq
    report = grader.grade(exercise, key, Submission(exercise="mcq-1", answer="B", queries=["specificity"]))
    assert [f.element for f in report.findings] == ["answer"]
    assert report.record_correct is True


def test_an_mcq_key_with_a_chart_exercise_is_refused(grader, make_exercise, mcq):
    with pytest.raises(TypeError):
        grader.grade(make_exercise(), mcq[1], Submission(exercise="ex-1", answer="B"))


def test_the_same_code_on_two_sided_lines_pairs_each_with_its_side(grader, make_exercise, make_key, make_submission):
    exercise = make_exercise(setting="professional", assign=["icd10cm", "cpt"])
    key = make_key("M17.0", procedures=[
        {"code": "20610", "system": "cpt", "modifiers": ["RT"], "rationale": "right knee"},
        {"code": "20610", "system": "cpt", "modifiers": ["LT"], "rationale": "left knee"},
    ])
    for order in (["LT", "RT"], ["RT", "LT"]):
        submission = make_submission("M17.0", procedures=[
            {"code": "20610", "modifiers": [order[0]]}, {"code": "20610", "modifiers": [order[1]]}])
        report = grader.grade(exercise, key, submission)
        assert report.record_correct, [(f.element, f.outcome) for f in report.findings]
