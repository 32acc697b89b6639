"""Normalisation of typed codes, and code checks that never raise, whatever is typed."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutor.codes import CodeSystem, Validity, normalize, normalize_icd10cm, normalize_modifier
from tutor.codes.normalize import has_form, infer_procedure_system
from tutor.practice.drafts import Draft, DiagnosisLine, draft_to_submission

DOS = date(2026, 5, 1)

# Any text at all, lone surrogates included (hypothesis leaves those out of st.text() by default).
any_text = st.one_of(
    st.text(),
    st.text(st.one_of(st.characters(), st.characters(categories=["Cs"]))),
    st.sampled_from(["", " ", "None", "null", "~", "\x00", "\t\n", ".", "..", "-", "E11.", ".E119", "ǅ", "ß",
                     "ﬀ", "İ", "١٢٣", "Ⅻ", "e\u0301", "\ud800", "E11.\udcff"]),
)


@pytest.mark.parametrize(("typed", "normal"), [
    ("e119", "E11.9"),
    (" e11.9 ", "E11.9"),
    ("E11.9", "E11.9"),
    ("E1.19", "E11.9"),  # a misplaced dot
    ("E119.", "E11.9"),
    ("e 11 9", "E11.9"),  # inner spaces
    ("s72001a", "S72.001A"),
    ("S72.001a", "S72.001A"),
    ("i10", "I10"),
    ("I10.", "I10"),
    ("E11", "E11"),
    ("", ""),
])
def test_icd10cm_examples(typed, normal):
    assert normalize_icd10cm(typed) == normal
    assert normalize(typed, CodeSystem.ICD10CM) == normal


@pytest.mark.parametrize(("typed", "normal"), [
    ("0dtj4zz", "0DTJ4ZZ"),
    (" 0DTJ4ZZ ", "0DTJ4ZZ"),
    ("0DT.J4ZZ", "0DTJ4ZZ"),  # procedure codes carry no dot
    ("99213", "99213"),
    ("992.13", "99213"),
    ("j3301", "J3301"),
    ("0016070", "0016070"),
])
def test_procedure_codes_stay_undotted(typed, normal):
    assert normalize(typed, None) == normal
    for system in (CodeSystem.ICD10PCS, CodeSystem.CPT, CodeSystem.HCPCS):
        assert normalize(typed, system) == normal


def test_none_normalises_to_nothing():
    assert normalize_icd10cm(None) == ""
    assert normalize(None, None) == ""


@pytest.mark.parametrize(("typed", "normal"), [("-lt", "LT"), (" 25 ", "25"), ("rt", "RT")])
def test_modifiers(typed, normal):
    assert normalize_modifier(typed) == normal


# Invisible characters a paste or a terminal can put into a typed code: C0 and C1 controls,
# DEL, and format characters (zero-width space, byte-order mark, bidirectional overrides).
INVISIBLE = ["\x00", "\x1b", "\x07", "\x7f", "\x85", "\x9b", "\u200b", "\ufeff", "\u202e", "\u2066"]


@pytest.mark.parametrize("invisible", INVISIBLE)
def test_invisible_characters_are_no_part_of_a_typed_code(invisible):
    assert normalize(f"E11.9{invisible}", CodeSystem.ICD10CM) == "E11.9"
    assert normalize(f"{invisible}e1{invisible}19", CodeSystem.ICD10CM) == "E11.9"
    assert normalize(f"0DTJ4ZZ{invisible}", None) == "0DTJ4ZZ"
    assert normalize_modifier(f"{invisible}-rt") == "RT"


def test_a_typed_code_with_a_control_character_is_graded_as_the_code_everywhere(grader, make_exercise, make_key):
    """Typed in the tutor, "E11.9\\0" is E11.9 for every element: not INVALID as a code yet right in sequencing."""
    draft = Draft(diagnoses=[DiagnosisLine("E11.9\x00"), DiagnosisLine("\u200bZ79.84")])
    report = grader.grade(make_exercise(), make_key("E11.9", "Z79.84"), draft_to_submission("ex-1", draft))
    assert [(f.element, f.submitted, f.outcome) for f in report.findings] == [
        ("diagnosis", "E11.9", "CORRECT"), ("diagnosis", "Z79.84", "CORRECT"), ("sequencing", "E11.9", "CORRECT"),
    ]


@pytest.mark.parametrize(("code", "system"), [
    ("0DTJ4ZZ", CodeSystem.ICD10PCS), ("99213", CodeSystem.CPT), ("0001U", CodeSystem.CPT),
    ("1234F", CodeSystem.CPT), ("J3301", CodeSystem.HCPCS), ("E11.9", None), ("0DTJ4ZI", None),
])
def test_procedure_system_by_form(code, system):
    assert infer_procedure_system(code) is system


def test_form_is_only_a_prefilter():
    assert has_form("E11.9", CodeSystem.ICD10CM)
    assert not has_form("E11.99999", CodeSystem.ICD10CM)  # more than 7 characters
    assert not has_form("0DTJ4ZO", CodeSystem.ICD10PCS)  # PCS uses no letter O


def test_text_that_cannot_be_a_code_is_left_undotted():
    assert normalize_icd10cm("notacode") == "NOTACODE"  # 8 characters: longer than any code
    assert normalize_icd10cm("E11.9 E78.5") == "E11.9E78.5"


# --- properties ---------------------------------------------------------------------


@given(any_text)
def test_icd10cm_normalisation_is_idempotent_and_total(text):
    once = normalize_icd10cm(text)
    assert isinstance(once, str)
    assert normalize_icd10cm(once) == once
    assert normalize(once, CodeSystem.ICD10CM) == once
    assert not any(ch.isspace() for ch in once)


@given(any_text)
def test_procedure_normalisation_is_idempotent_and_total(text):
    once = normalize(text, None)
    assert normalize(once, None) == once
    assert "." not in once
    assert not any(ch.isspace() for ch in once)


@given(st.sampled_from(["E11.9", "S72.001A", "I10", "M17.12", "E11.3293"]), st.data())
def test_any_dot_placement_and_case_of_a_real_code_normalises_back(code, data):
    bare = code.replace(".", "")
    at = data.draw(st.integers(1, len(bare)))
    typed = bare[:at] + "." + bare[at:]
    typed = "".join(data.draw(st.sampled_from([ch.lower(), ch])) for ch in typed)
    assert normalize_icd10cm(typed) == code


@given(any_text, st.sampled_from(list(CodeSystem)))
def test_code_checks_never_raise(codes, text, system):
    check = codes.check(text, system, DOS)
    assert isinstance(check.status, Validity)
    assert check.system is system
    assert check.code == normalize(text, system)
    assert isinstance(check.message, str) and check.message


@given(any_text, st.dates())
def test_icd10cm_checks_never_raise_on_any_date(codes, text, when):
    assert isinstance(codes.check(text, CodeSystem.ICD10CM, when).status, Validity)


@pytest.mark.parametrize(("code", "status"), [
    ("E11.9", Validity.VALID),
    ("E11", Validity.HEADER),
    ("S72.00", Validity.HEADER),
    ("S72.001", Validity.MISSING_7TH),
    ("S72.0X1A", Validity.NOT_A_CODE),
    ("E11.99999", Validity.NOT_A_CODE),
    ("hello!", Validity.NOT_A_CODE),
    ("", Validity.NOT_A_CODE),
])
def test_icd10cm_validity_examples(codes, code, status):
    assert codes.check(code, CodeSystem.ICD10CM, DOS).status is status


def test_a_missing_placeholder_is_named(codes):
    # T36.0X5A (adverse effect of penicillins, initial) typed without its placeholder X.
    check = codes.check("T36.05A", CodeSystem.ICD10CM, DOS)
    assert check.status is Validity.PLACEHOLDER
    assert "T36.0X5A" in check.message


def test_other_code_sets(codes):
    assert codes.check("99213", CodeSystem.CPT, DOS).status is Validity.UNVERIFIED  # no licensed CPT file
    assert codes.check("9921", CodeSystem.CPT, DOS).status is Validity.NOT_A_CODE
    assert codes.check("J3301", CodeSystem.HCPCS, DOS).status is Validity.VALID
    assert codes.check("0DTJ4ZZ", CodeSystem.ICD10PCS, DOS).status is Validity.VALID
    assert codes.check("0DTJ4Z", CodeSystem.ICD10PCS, DOS).status is Validity.HEADER


@given(any_text)
def test_titles_entries_and_excludes1_never_raise(codes, text):
    for system in CodeSystem:
        assert isinstance(codes.title(text, system), str)
    codes.cm(text)
    assert codes.excludes1_conflict(text, "E11.9") in (True, False)
