"""The grade report (SPEC section 4): what ``medcode grade`` prints and the tutor stores."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    element: str  # diagnosis | procedure | sequencing | poa | modifier | units | drg | answer | query
    submitted: str | None = None
    expected: str | None = None
    outcome: str
    message: str
    rationale: str | None = None
    # Optional extensions (SPEC allows new optional fields):
    expected_title: str | None = None
    submitted_title: str | None = None
    evidence: str | None = None
    lessons: list[str] = Field(default_factory=list)
    credit: float = Field(default=0.0, ge=0.0, le=1.0)
    weight: float = Field(default=1.0, ge=0.0)
    optional: bool = False
    """A code finding on an optional key line: a near miss there does not make the record wrong."""


class DrgSummary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    submitted: str | None  # what the submitted codes group to
    expected: str
    correct: bool
    entered: str | None = None  # the trainee's own DRG, where the exercise asks for one
    submitted_title: str | None = None
    expected_title: str | None = None


class GradeReport(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    exercise: str
    code_accuracy: float = Field(ge=0.0, le=1.0)
    record_correct: bool
    learning_score: float = Field(ge=0.0, le=1.0)
    drg: DrgSummary | None = None
    findings: list[Finding]
    # Optional extensions:
    codes_graded: int = 0  # the code-accuracy denominator: required key codes + extra codes
    codes_correct: int = 0
