"""The fixed outcome vocabulary (SPEC section 4) and what each is worth."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    CORRECT = "CORRECT"
    ALTERNATE = "ALTERNATE"
    WRONG_SPECIFICITY = "WRONG_SPECIFICITY"
    WRONG_LATERALITY = "WRONG_LATERALITY"
    WRONG_ENCOUNTER_7TH = "WRONG_ENCOUNTER_7TH"
    WRONG_CODE = "WRONG_CODE"
    INVALID = "INVALID"
    MISSING_CODE = "MISSING_CODE"
    EXTRA_CODE = "EXTRA_CODE"
    EXCLUDES1 = "EXCLUDES1"
    SEQUENCING = "SEQUENCING"
    WRONG_POA = "WRONG_POA"
    MISSING_MODIFIER = "MISSING_MODIFIER"
    WRONG_MODIFIER = "WRONG_MODIFIER"
    WRONG_UNITS = "WRONG_UNITS"
    WRONG_PCS_SECTION = "WRONG_PCS_SECTION"
    WRONG_PCS_BODY_SYSTEM = "WRONG_PCS_BODY_SYSTEM"
    WRONG_PCS_ROOT_OP = "WRONG_PCS_ROOT_OP"
    WRONG_PCS_BODY_PART = "WRONG_PCS_BODY_PART"
    WRONG_PCS_APPROACH = "WRONG_PCS_APPROACH"
    WRONG_PCS_DEVICE = "WRONG_PCS_DEVICE"
    WRONG_PCS_QUALIFIER = "WRONG_PCS_QUALIFIER"
    WRONG_DRG = "WRONG_DRG"
    # Queries to the provider (chart keys that list ``queries``, and any chart a trainee queries on):
    MISSED_QUERY = "MISSED_QUERY"
    UNNEEDED_QUERY = "UNNEEDED_QUERY"
    # Billing kinds only (claim and remittance exercises):
    MISSED_EDIT = "MISSED_EDIT"
    FALSE_ALARM = "FALSE_ALARM"
    WRONG_ACTION = "WRONG_ACTION"
    WRONG_AMOUNT = "WRONG_AMOUNT"

    @property
    def correct(self) -> bool:
        return self in (Outcome.CORRECT, Outcome.ALTERNATE)

    @property
    def near_miss(self) -> bool:
        return self in NEAR_MISSES


# Character 1..7 of an ICD-10-PCS code, named as in the Medical and Surgical section.
PCS_AXES = (
    Outcome.WRONG_PCS_SECTION, Outcome.WRONG_PCS_BODY_SYSTEM, Outcome.WRONG_PCS_ROOT_OP,
    Outcome.WRONG_PCS_BODY_PART, Outcome.WRONG_PCS_APPROACH, Outcome.WRONG_PCS_DEVICE,
    Outcome.WRONG_PCS_QUALIFIER,
)
PCS_AXIS_NAMES = ("section", "body system", "root operation", "body part", "approach", "device", "qualifier")

NEAR_MISSES = frozenset({
    Outcome.WRONG_SPECIFICITY, Outcome.WRONG_LATERALITY, Outcome.WRONG_ENCOUNTER_7TH, *PCS_AXES,
})

# Learning-score credit per outcome (feedback only; code accuracy is binary).
# A right code earns 1; a near miss (right category, wrong detail) 0.5; an
# invalid code whose stem matches the key (E11 for E11.9) 0.25; anything else 0.
CREDIT = {Outcome.CORRECT: 1.0, Outcome.ALTERNATE: 1.0, **{o: 0.5 for o in NEAR_MISSES}}
INVALID_STEM_CREDIT = 0.25

# Learning-score weight per element. The principal / first-listed diagnosis code
# counts double, as audits weigh it; details of a line (POA, modifiers, units)
# count half; each extra code is an element worth nothing.
WEIGHTS = {
    "principal": 2.0, "diagnosis": 1.0, "procedure": 1.0, "sequencing": 1.0,
    "poa": 0.5, "modifier": 0.5, "units": 0.5, "drg": 1.0, "answer": 1.0, "edit": 1.0, "action": 1.0,
    "patient_responsibility": 1.0, "query": 1.0,
}

def fails_record(outcome: str, optional: bool = False, credit: float = 0.0) -> bool:
    """Does a finding make the record wrong?

    Every outcome but CORRECT and ALTERNATE does, except a near miss on an *optional* key line
    (right category, one detail off, and so earning the near-miss credit): leaving the line out
    costs the record nothing, so coding it with a detail wrong must not cost more than that.
    The code still counts as not correct in code accuracy (docs/grading.md, "Optional lines").
    """
    kind = Outcome(outcome)
    if kind.correct:
        return False
    return not (optional and kind.near_miss and credit > 0)


DESCRIPTIONS = {
    Outcome.CORRECT: "correct",
    Outcome.ALTERNATE: "accepted alternate",
    Outcome.WRONG_SPECIFICITY: "right category, wrong specificity",
    Outcome.WRONG_LATERALITY: "wrong side (laterality)",
    Outcome.WRONG_ENCOUNTER_7TH: "wrong encounter (7th character)",
    Outcome.WRONG_CODE: "wrong code",
    Outcome.INVALID: "not a valid, billable code",
    Outcome.MISSING_CODE: "missing code",
    Outcome.EXTRA_CODE: "extra code (not supported)",
    Outcome.EXCLUDES1: "Excludes1 conflict",
    Outcome.SEQUENCING: "sequencing",
    Outcome.WRONG_POA: "wrong POA indicator",
    Outcome.MISSING_MODIFIER: "missing modifier",
    Outcome.WRONG_MODIFIER: "wrong modifier",
    Outcome.WRONG_UNITS: "wrong units",
    Outcome.WRONG_DRG: "wrong MS-DRG",
    Outcome.MISSED_QUERY: "query to the provider missed",
    Outcome.UNNEEDED_QUERY: "query not needed",
    Outcome.MISSED_EDIT: "claim problem missed",
    Outcome.FALSE_ALARM: "false alarm",
    Outcome.WRONG_ACTION: "wrong next action",
    Outcome.WRONG_AMOUNT: "wrong amount",
    **{axis: f"wrong PCS {name}" for axis, name in zip(PCS_AXES, PCS_AXIS_NAMES)},
}
