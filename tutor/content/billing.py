"""Billing exercise formats (CPB practice): ``kind: claim`` and ``kind: remittance``.

These extend SPEC section 3 with new kinds and leave the chart and mcq formats
unchanged. A claim exercise shows a professional claim (the CMS-1500 fields that
matter) that may hide errors; its key lists the expected scrubber findings and
the corrected claim, graded like a chart. A remittance exercise shows a
remittance/EOB excerpt; its key gives the next action and the patient's share.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from tutor.content.models import (
    CodeText, Document, Identifier, KeyDiagnosis, KeyProcedure, Label, Model, Patient, Prose, Sequencing, ServiceDate,
)

Pointer = Literal["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L"]
POINTERS: tuple[str, ...] = ("A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L")

# The front-end edits the scrubber knows (and claim keys may expect).
EditType = Literal[
    "INVALID_DIAGNOSIS",      # not a valid, billable ICD-10-CM code on the date (truncated, deleted, unknown)
    "MISSING_7TH",            # a code that needs a 7th character lacks it
    "AGE_CONFLICT",           # Medicare Code Editor age edit
    "SEX_CONFLICT",           # payer sex edit (commercial payers; Medicare retired it in FY2025)
    "EXCLUDES1",              # two diagnoses in an Excludes1 relation
    "MANIFESTATION_FIRST",    # a manifestation ("in diseases classified elsewhere") code listed first
    "INVALID_PROCEDURE",      # not a CPT/HCPCS code (form), or unknown to the shipped tables
    "PTP_BUNDLED",            # procedure pair in the educational PTP excerpt, without a bypass modifier
    "UNITS_OVER_LIMIT",       # more units than the shipped per-code limit
    "MODIFIER_50_WITH_SIDE",  # 50 together with LT or RT on one line
    "MODIFIER_26_WITH_TC",    # 26 and TC on one line
    "MODIFIER_25_NOT_EM",     # 25 on a line that is not an E/M service
    "MODIFIER_NOT_ALLOWED",   # a modifier the code does not take (50, 26/TC, LT/RT) or an unknown modifier
    "POINTER_EMPTY",          # a diagnosis pointer to an empty slot, or a line without pointers
]

RemittanceAction = Literal["correct_and_resubmit", "appeal", "bill_secondary", "bill_patient", "write_off"]


class ClaimLine(Model):
    code: CodeText
    modifiers: list[CodeText] = Field(default_factory=list, max_length=4)
    units: int = Field(default=1, ge=0, le=9999)
    charge: float = Field(ge=0)
    pointers: list[Pointer] = Field(default_factory=list, max_length=4)
    service_date: ServiceDate | None = None
    place_of_service: str = "11"


class Claim(Model):
    payer: Literal["medicare", "medicaid", "commercial"] = "medicare"
    diagnoses: list[CodeText] = Field(min_length=1, max_length=12)
    """Item 21, slots A-L in order."""
    lines: list[ClaimLine] = Field(min_length=1, max_length=50)


class _BillingExercise(Model):
    """The fields every billing exercise has (the kinds add their own)."""

    format: Literal[1]
    id: Identifier
    title: Prose
    label: Label | None = None
    """What the trainee sees before submitting (see ChartExercise.label)."""
    date_of_service: ServiceDate
    patient: Patient
    difficulty: int = Field(ge=1, le=5)
    topics: list[str] = Field(default_factory=list)
    exam_areas: list[str] = Field(default_factory=list)


class ClaimExercise(_BillingExercise):
    kind: Literal["claim"]
    claim: Claim
    documents: list[Document] = Field(default_factory=list)
    """Supporting documentation, when the exercise needs it to correct the claim."""


class ClaimFile(Model):
    """A bare claim for ``medcode scrub``: the claim with what the edits need to know."""

    date_of_service: ServiceDate
    patient: Patient
    claim: Claim


class ExpectedEdit(Model):
    edit: EditType
    line: int | None = Field(default=None, ge=1)
    diagnosis: Pointer | None = None
    rationale: Prose

    @model_validator(mode="after")
    def _points_somewhere(self) -> ExpectedEdit:
        if self.line is None and self.diagnosis is None:
            raise ValueError("an expected edit names a line or a diagnosis slot")
        return self


class CorrectedClaim(Model):
    diagnoses: list[KeyDiagnosis] = Field(min_length=1)
    procedures: list[KeyProcedure] = Field(min_length=1)
    sequencing: Sequencing | None = None


class ClaimKey(Model):
    format: Literal[1]
    exercise: Identifier
    findings: list[ExpectedEdit] = Field(default_factory=list)
    corrected: CorrectedClaim


class Adjustment(Model):
    group: Literal["CO", "PR", "OA", "PI"]
    carc: CodeText
    amount: float
    rarc: list[CodeText] = Field(default_factory=list)


class RemittanceLine(Model):
    code: CodeText
    modifiers: list[CodeText] = Field(default_factory=list)
    units: int = Field(default=1, ge=0)
    billed: float = Field(ge=0)
    allowed: float = Field(ge=0)
    paid: float = Field(ge=0)
    adjustments: list[Adjustment] = Field(default_factory=list)


class Remittance(Model):
    payer: Prose
    claim_status: Literal["processed_as_primary", "processed_as_secondary", "denied", "rejected"]
    lines: list[RemittanceLine] = Field(min_length=1)
    remarks: list[CodeText] = Field(default_factory=list)
    """Claim-level remark codes (RARC)."""


class RemittanceExercise(_BillingExercise):
    kind: Literal["remittance"]
    situation: Prose
    """What the biller knows beyond the remittance: other coverage, the contract, what the chart says."""
    remittance: Remittance


class RemittanceKey(Model):
    format: Literal[1]
    exercise: Identifier
    action: RemittanceAction
    also_accepted: list[RemittanceAction] = Field(default_factory=list)
    """Other actions that reach the same result, where the key's rationale explains why."""
    patient_responsibility: float = Field(ge=0)
    rationale: Prose
