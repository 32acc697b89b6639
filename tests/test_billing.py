"""The claim scrubber (every edit fires when it should and stays quiet when it should not),
billing grading, and `medcode scrub`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.billing.scrubber import scrub
from tutor.cli import main
from tutor.content.billing import Claim, ClaimExercise, ClaimKey, RemittanceExercise, RemittanceKey
from tutor.content.library import load_library
from tutor.content.models import Patient, Submission
from tutor.grading.keys import key_as_submission

ROOT = Path(__file__).resolve().parent.parent
DOS = date(2026, 6, 3)
ADULT_F = Patient(age=66, sex="F")


def edits(codes, diagnoses, lines, patient=ADULT_F, payer="medicare") -> set[tuple]:
    claim = Claim(payer=payer, diagnoses=diagnoses, lines=[
        {"charge": 100.0, "pointers": ["A"], **line} for line in lines])
    return {(f.edit, f.line, f.diagnosis) for f in scrub(claim, DOS, patient, codes)}


CLEAN_LINE = {"code": "99213", "units": 1}

# (edit, a claim where it fires, where it is expected, a near claim where it must not fire)
CASES = [
    ("INVALID_DIAGNOSIS", (["E11"], [CLEAN_LINE]), (None, "A"), (["E11.9"], [CLEAN_LINE])),
    ("MISSING_7TH", (["S52.501"], [CLEAN_LINE]), (None, "A"), (["S52.501D"], [CLEAN_LINE])),
    ("AGE_CONFLICT", (["E11.9", "O80"], [CLEAN_LINE]), (None, "B"), (["E11.9", "Z79.84"], [CLEAN_LINE])),
    ("EXCLUDES1", (["N39.0", "N30.00"], [CLEAN_LINE]), (None, "B"), (["N39.0", "B96.20"], [CLEAN_LINE])),
    ("MANIFESTATION_FIRST", (["F02.80", "G30.9"], [CLEAN_LINE]), (None, "A"), (["G30.9", "F02.80"], [CLEAN_LINE])),
    ("INVALID_PROCEDURE", (["E11.9"], [{"code": "J9999"}]), (1, None), (["E11.9"], [{"code": "J3301"}])),
    ("PTP_BUNDLED", (["M17.12"], [{"code": "99213"}, {"code": "20610", "modifiers": ["LT"]}]), (1, None),
     (["M17.12"], [{"code": "99213", "modifiers": ["25"]}, {"code": "20610", "modifiers": ["LT"]}])),
    ("UNITS_OVER_LIMIT", (["M17.12"], [{"code": "J3301", "units": 40}]), (1, None),
     (["M17.12"], [{"code": "J3301", "units": 4}])),
    ("MODIFIER_50_WITH_SIDE", (["M17.12"], [{"code": "20610", "modifiers": ["50", "LT"]}]), (1, None),
     (["M17.12"], [{"code": "20610", "modifiers": ["50"]}])),
    ("MODIFIER_26_WITH_TC", (["R07.9"], [{"code": "71046", "modifiers": ["26", "TC"]}]), (1, None),
     (["R07.9"], [{"code": "71046", "modifiers": ["26"]}])),
    ("MODIFIER_25_NOT_EM", (["M17.12"], [{"code": "20610", "modifiers": ["25", "LT"]}]), (1, None),
     (["M17.12"], [{"code": "99213", "modifiers": ["25"]}, {"code": "20610", "modifiers": ["LT"]}])),
    ("MODIFIER_NOT_ALLOWED", (["Z12.31"], [{"code": "77067", "modifiers": ["50"]}]), (1, None),
     (["Z12.31"], [{"code": "77067"}])),
    ("POINTER_EMPTY", (["E11.9"], [{"code": "99213", "pointers": ["C"]}]), (1, None), (["E11.9"], [CLEAN_LINE])),
]


@pytest.mark.parametrize("edit,firing,where,quiet", CASES, ids=[c[0] for c in CASES])
def test_each_edit_fires_and_stays_quiet(codes, edit, firing, where, quiet) -> None:
    assert (edit, *where) in edits(codes, *firing)
    assert not any(found[0] == edit for found in edits(codes, *quiet))


def test_sex_edit_only_for_commercial_payers(codes) -> None:
    male = Patient(age=40, sex="M")
    assert ("SEX_CONFLICT", None, "A") in edits(codes, ["N80.00"], [CLEAN_LINE], male, payer="commercial")
    assert not any(e[0] == "SEX_CONFLICT" for e in edits(codes, ["N80.00"], [CLEAN_LINE], male, payer="medicare"))


def test_a_distinct_service_modifier_bypasses_only_an_indicator_1_pair(codes) -> None:
    biopsy_and_snare = [{"code": "45385"}, {"code": "45380", "modifiers": ["XS"]}]
    assert not any(e[0] == "PTP_BUNDLED" for e in edits(codes, ["K63.5"], biopsy_and_snare))
    ekg_and_read = [{"code": "93000"}, {"code": "93010", "modifiers": ["59"]}]
    assert ("PTP_BUNDLED", 2, None) in edits(codes, ["R07.9"], ekg_and_read)  # indicator 0


def test_the_acceptance_claim_reports_exactly_its_three_problems(capsys) -> None:
    claim = ROOT / "exercises" / "billing" / "claims" / "clm-knee-injection-scrub.yaml"
    assert main(["scrub", str(claim), "--format", "json"]) == 1
    found = {(f["edit"], f["line"], f["diagnosis"]) for f in json.loads(capsys.readouterr().out)}
    assert found == {("MODIFIER_50_WITH_SIDE", 1, None), ("MISSING_7TH", None, "B"), ("UNITS_OVER_LIMIT", 2, None)}


def test_scrub_of_a_clean_bare_claim_and_of_a_broken_file(tmp_path: Path, capsys) -> None:
    clean = tmp_path / "clean.yaml"
    clean.write_text("date_of_service: 2026-06-03\npatient: {age: 50, sex: F}\nclaim:\n  diagnoses: [E11.9]\n"
                     "  lines:\n    - {code: '99213', units: 1, charge: 90, pointers: [A]}\n")
    assert main(["scrub", str(clean)]) == 0
    assert "clean" in capsys.readouterr().out
    broken = tmp_path / "broken.yaml"
    broken.write_text("date_of_service: 2026-06-03\nclaim: [\n")
    assert main(["scrub", str(broken)]) == 1
    assert "broken.yaml:" in capsys.readouterr().err


@pytest.fixture(scope="module")
def billing_library():
    return load_library([ROOT / "exercises" / "billing", ROOT / "answer_keys" / "billing"])


def _claims(library):
    return [(e, library.keys[i]) for i, e in sorted(library.exercises.items()) if isinstance(e, ClaimExercise)]


def test_every_claim_key_matches_the_scrubber_and_its_corrected_claim_is_clean(codes, billing_library) -> None:
    assert _claims(billing_library)
    for exercise, key in _claims(billing_library):
        found = {(f.edit, f.line, f.diagnosis) for f in scrub(exercise.claim, exercise.date_of_service,
                                                               exercise.patient, codes)}
        assert found == {(f.edit, f.line, f.diagnosis) for f in key.findings}, exercise.id
        corrected = Claim(payer=exercise.claim.payer, diagnoses=[d.code for d in key.corrected.diagnoses],
                          lines=[{"code": p.code, "modifiers": p.modifiers, "units": p.units or 1, "charge": 1.0,
                                  "pointers": ["A"]} for p in key.corrected.procedures])
        assert scrub(corrected, exercise.date_of_service, exercise.patient, codes) == [], exercise.id


INJECTIONS = {
    "truncate a diagnosis": lambda c: ({**c, "diagnoses": [c["diagnoses"][0].split(".")[0], *c["diagnoses"][1:]]},
                                       "INVALID_DIAGNOSIS"),
    "add 50 to a sided line": lambda c: (_with_line(c, {"code": "20610", "modifiers": ["50", "RT"]}),
                                         "MODIFIER_50_WITH_SIDE"),
    "too many units": lambda c: (_with_line(c, {"code": "J3301", "units": 99}), "UNITS_OVER_LIMIT"),
    "pointer to nowhere": lambda c: (_with_line(c, {"code": "96372", "pointers": ["L"]}), "POINTER_EMPTY"),
    "25 on a procedure": lambda c: (_with_line(c, {"code": "96372", "modifiers": ["25"]}), "MODIFIER_25_NOT_EM"),
}


def _with_line(claim: dict, line: dict) -> dict:
    return {**claim, "lines": [*claim["lines"], {"charge": 10.0, "pointers": ["A"], "units": 1, **line}]}


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_clean_key_claim_has_no_findings_and_each_injected_error_is_found(codes, billing_library, data) -> None:
    exercise, key = data.draw(st.sampled_from(_claims(billing_library)))
    clean = {"payer": exercise.claim.payer, "diagnoses": [d.code for d in key.corrected.diagnoses],
             "lines": [{"code": p.code, "modifiers": p.modifiers, "units": p.units or 1, "charge": 1.0,
                        "pointers": ["A"]} for p in key.corrected.procedures]}
    assert scrub(Claim.model_validate(clean), exercise.date_of_service, exercise.patient, codes) == []
    name = data.draw(st.sampled_from(sorted(INJECTIONS)))
    broken, expected = INJECTIONS[name](clean)
    found = {f.edit for f in scrub(Claim.model_validate(broken), exercise.date_of_service, exercise.patient, codes)}
    if name == "truncate a diagnosis" and "." not in clean["diagnoses"][0]:
        return  # a 3-character code cannot be truncated
    assert expected in found, (exercise.id, name, found)


def test_claim_grading_reports_found_missed_and_false_alarms(grader, billing_library) -> None:
    exercise, key = _claims(billing_library)[0]
    perfect = key_as_submission(key)
    report = grader.grade(exercise, key, perfect)
    assert report.code_accuracy == 1.0 and report.record_correct
    if key.findings:
        first = key.findings[0]
        partial = perfect.model_copy(update={"findings": []})
        data = partial.model_dump()
        data["findings"] = [{"edit": "POINTER_EMPTY", "line": 9}]
        report = grader.grade(exercise, key, Submission.model_validate(data))
        outcomes = [f.outcome for f in report.findings if f.element == "edit"]
        assert outcomes.count("MISSED_EDIT") == len(key.findings) and outcomes.count("FALSE_ALARM") == 1
        assert report.code_accuracy < 1.0 and not report.record_correct
        assert first.rationale in [f.rationale for f in report.findings]


def test_queries_on_a_claim_or_a_remittance_are_not_graded(grader, billing_library) -> None:
    """Queries are graded on charts; a billing submission that carries some grades as without them."""
    for exercise in billing_library.exercises.values():
        key = billing_library.keys[exercise.id]
        perfect = key_as_submission(key)
        with_queries = Submission.model_validate({**perfect.model_dump(), "queries": ["clinical_validity"]})
        assert grader.grade(exercise, key, with_queries) == grader.grade(exercise, key, perfect), exercise.id


def test_remittance_grading(grader, billing_library) -> None:
    remits = [(e, billing_library.keys[i]) for i, e in billing_library.exercises.items()
              if isinstance(e, RemittanceExercise)]
    exercise, key = remits[0]
    assert isinstance(key, RemittanceKey)
    right = grader.grade(exercise, key, key_as_submission(key))
    assert right.record_correct and right.code_accuracy == 1.0
    wrong = grader.grade(exercise, key, Submission(exercise=exercise.id, action="write_off",
                                                   patient_responsibility=key.patient_responsibility + 1))
    assert [f.outcome for f in wrong.findings] == ["WRONG_ACTION", "WRONG_AMOUNT"] and wrong.code_accuracy == 0.0


def test_claim_keys_and_exercises_are_paired(billing_library) -> None:
    for ident, exercise in billing_library.exercises.items():
        key = billing_library.keys[ident]
        assert isinstance(key, ClaimKey) == isinstance(exercise, ClaimExercise)


def test_a_remittance_key_may_accept_a_second_action(grader, billing_library) -> None:
    exercise = billing_library.exercises["rem-ma04-medicare-secondary-payer"]
    key = billing_library.keys["rem-ma04-medicare-secondary-payer"]
    other = grader.grade(exercise, key, Submission(exercise=exercise.id, action="correct_and_resubmit",
                                                   patient_responsibility=key.patient_responsibility))
    assert other.record_correct and other.findings[0].outcome == "ALTERNATE"


def test_50_on_a_code_that_takes_none_is_flagged_with_the_side_conflict(codes) -> None:
    found = edits(codes, ["H61.23"], [{"code": "69210", "modifiers": ["50", "LT"]}])
    assert found == {("MODIFIER_50_WITH_SIDE", 1, None), ("MODIFIER_NOT_ALLOWED", 1, None)}
