"""Blind presentation (issue 12 item 1): the neutral label and what search reads before submission.

Worked examples: an author's label wins; the default says setting, age and sex and the chief
complaint when no word of it names the answer, else the document types; claims, remittances and
questions get their own neutral lines.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tutor.content.billing import ClaimExercise, RemittanceExercise
from tutor.content.library import load_library
from tutor.content.models import ChartExercise, McqExercise
from tutor.practice.presentation import (
    MAX_LABEL,
    chief_complaint,
    default_label,
    exam_families,
    list_text,
    named_words,
    neutral_label,
    revealed_title,
    safe_reason,
    search_text,
)

ROOT = Path(__file__).resolve().parent.parent


def chart(text: str, *, title: str = "Community-acquired pneumonia with hyponatremia", topics=("pneumonia",),
          label: str | None = None, setting: str = "inpatient", age: int = 74, sex: str = "M",
          documents: list[dict] | None = None) -> ChartExercise:
    return ChartExercise.model_validate({
        "format": 1, "id": "ip-cap-hyponatremia", "kind": "chart", "title": title, "label": label,
        "setting": setting, "date_of_service": date(2026, 3, 2), "patient": {"age": age, "sex": sex},
        "assign": ["icd10cm"], "difficulty": 3, "topics": list(topics), "exam_areas": ["ccs.inpatient"],
        "documents": documents or [{"type": "h_and_p", "title": "H&P", "text": text}],
    })


def test_the_authors_label_wins() -> None:
    ex = chart("CC: cough", label="Inpatient, medicine, 74 M: cough and fever x3 days")
    assert neutral_label(ex) == "Inpatient, medicine, 74 M: cough and fever x3 days"


@pytest.mark.parametrize("text,label", [
    # the patient's words, quotes and the full stop left out
    ('CC: "Cough and fever for three days."\nHPI: 74 y/o M w/ HTN...', "Inpatient, 74 M: Cough and fever for three days"),
    # a chief complaint wrapped over two lines in the file is one line on screen
    ('CC: "My stomach started hurting around my belly button and now it\'s down on the\nright side."\nHPI: ...',
     "Inpatient, 74 M: My stomach started hurting around my belly button and now it's down on the right side"),
    # the first sentence only
    ('CC: "I get woozy every time I stand up." Weak x 4 days.', "Inpatient, 74 M: I get woozy every time I stand up"),
    # no chief complaint: the triage line, up to its vitals
    ("Triage: fell at home, L hip pain 8/10, unable to bear weight. BP 162/84, HR 96",
     "Inpatient, 74 M: fell at home, L hip pain 8/10, unable to bear weight"),
    ("Chief complaint: short of breath", "Inpatient, 74 M: short of breath"),
    ("Reason for visit: follow-up of labs", "Inpatient, 74 M: follow-up of labs"),
])
def test_the_default_quotes_a_safe_chief_complaint(text: str, label: str) -> None:
    assert default_label(chart(text)) == label


@pytest.mark.parametrize("text", [
    "CC: pneumonia",                       # a word of the topics
    "CC: low sodium, hyponatremia on labs",  # a word of the title
    "CC: CHF exacerbation",                # a clinical abbreviation in capitals
    "CC: appendicitis?",                   # a diagnosis ending
    "CC: here for cholecystectomy",        # a procedure ending
    "HPI: 74 y/o M, 3 d productive cough",  # no chief complaint at all
])
def test_unsure_falls_back_to_the_documents(text: str) -> None:
    assert default_label(chart(text)) == "Inpatient, 74 M: H&P"


def test_the_fallback_lists_each_document_type_once_in_order() -> None:
    docs = [{"type": t, "title": t, "text": "Note."} for t in
            ("ed_note", "h_and_p", "operative_report", "progress_note", "progress_note", "discharge_summary")]
    ex = chart("", setting="emergency", age=34, sex="F", documents=docs)
    assert default_label(ex) == "ED, 34 F: ED note, H&P, operative report, progress note, discharge summary"


def test_settings_and_unrecorded_sex() -> None:
    assert default_label(chart("CC: rash", setting="professional", sex="U", age=7)) == "Professional fee, 7 y: rash"
    assert default_label(chart("CC: rash", setting="ambulatory_surgery")).startswith("Ambulatory surgery, 74 M")


def test_named_words_leave_out_chief_complaint_words() -> None:
    named = named_words(chart("Note.", title="Left hip pain after a fall: intertrochanteric fracture", topics=["seventh-character"]))
    assert {"intertrochanteric", "fracture", "seventh"} <= named
    assert not {"left", "hip", "pain"} & named
    assert safe_reason("fell, L hip pain", named)
    assert not safe_reason("hip fracture", named)


def test_a_long_reason_is_cut_at_a_word() -> None:
    label = default_label(chart("CC: " + "tired and achy all over " * 12))
    assert len(label) <= MAX_LABEL and label.endswith("…") and "\n" not in label


def mcq(title: str | None = "7th character at a fracture follow-up", areas=("cpc.icd10cm", "cca.classification",
                                                                              "cpc.coding_guidelines")):
    return McqExercise.model_validate({
        "format": 1, "id": "mcq-seventh", "kind": "mcq", "title": title, "stem": "Which 7th character?",
        "options": {"A": "A", "B": "D"}, "difficulty": 2, "topics": ["seventh-character"], "exam_areas": list(areas),
    })


def test_a_question_says_only_its_exam_families() -> None:
    assert neutral_label(mcq()) == "Question (CPC, CCA)"
    assert neutral_label(mcq(areas=())) == "Question"
    assert exam_families(["cpb.claims", "cpc.em", "cpb.denials"]) == ["CPB", "CPC"]
    assert list_text(mcq()) == "Question (CPC, CCA): Which 7th character?"
    assert "fracture" not in search_text(mcq()) and "seventh" not in search_text(mcq())
    assert revealed_title(mcq()) == "7th character at a fracture follow-up"
    assert revealed_title(mcq(title=None)) == "Question (CPC, CCA)"


def test_claims_and_remittances() -> None:
    base = {"format": 1, "title": "Ceftriaxone injection billed in milligrams", "date_of_service": date(2026, 3, 2),
            "patient": {"age": 80, "sex": "F"}, "difficulty": 2, "topics": ["drug-units"]}
    claim = ClaimExercise.model_validate({**base, "id": "clm-x", "kind": "claim", "claim": {
        "payer": "medicare", "diagnoses": ["J18.9"], "lines": [{"code": "J0696", "units": 1, "charge": 20}]}})
    assert neutral_label(claim) == "Office claim, Medicare, 80 F"
    remittance = RemittanceExercise.model_validate({**base, "id": "rem-x", "kind": "remittance", "situation": "x",
                                                    "remittance": {"payer": "Commercial  PPO",
                                                                   "claim_status": "denied",
                                                                   "lines": [{"code": "99213", "billed": 100,
                                                                              "allowed": 0, "paid": 0}]}})
    assert neutral_label(remittance) == "Remittance, Commercial PPO, 80 F"


def test_search_reads_the_label_and_documents_never_the_title_id_or_topics() -> None:
    ex = chart("CC: cough\nA/P: CAP RLL, Na 128.")
    text = search_text(ex).lower()
    assert "cough" in text and "cap rll" in text and "h&p" in text
    assert "hyponatremia" not in text and "ip-cap" not in text and "pneumonia" not in text


def test_chief_complaint_is_none_without_one() -> None:
    assert chief_complaint(chart("HPI: cough").documents) is None


def test_every_bundled_exercise_has_a_one_line_label_without_its_topics() -> None:
    """Derived or written, each label is one line within the limit; a derived one never holds a
    word of the exercise's title or topics (the label check of ``medcode validate`` covers written ones)."""
    library = load_library([ROOT / "exercises", ROOT / "answer_keys"])
    assert library.exercises
    for exercise in library.exercises.values():
        label = neutral_label(exercise)
        assert label and "\n" not in label and len(label) <= MAX_LABEL, exercise.id
        if not getattr(exercise, "label", None) and isinstance(exercise, ChartExercise):
            reason = label.split(": ", 1)[1]
            assert safe_reason(reason, named_words(exercise)), (exercise.id, label)
