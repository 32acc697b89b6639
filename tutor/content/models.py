"""The content formats (SPEC section 3): exercises, answer keys and submissions.

Every model forbids unknown fields and is frozen: a typo in a field name is an
error the author sees, never a silently ignored line.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from tutor import codeyears

Setting = Literal["outpatient", "inpatient", "professional", "emergency", "ambulatory_surgery"]
Assignable = Literal["icd10cm", "icd10pcs", "cpt", "hcpcs", "poa", "drg"]
DocumentType = Literal[
    "progress_note", "operative_report", "discharge_summary", "ed_note", "h_and_p",
    "consult", "radiology", "pathology",
]
ProcedureSystem = Literal["cpt", "hcpcs", "icd10pcs"]
Poa = Literal["Y", "N", "U", "W", "exempt"]
OptionLetter = Literal["A", "B", "C", "D"]
QueryTopic = Literal[
    "clinical_validity", "conflicting_documentation", "specificity", "cause_and_effect",
    "present_on_admission", "abnormal_finding_significance", "procedure_detail",
]

# What a query on each topic asks the provider (AHIMA/ACDIS, "Guidelines for Achieving a Compliant
# Query Practice", 2022 update): the fixed list a key and a submission choose from (docs/formats.md).
QUERY_TOPICS: dict[str, str] = {
    "clinical_validity": "a documented diagnosis the clinical indicators in the record do not support",
    "conflicting_documentation": "providers or documents that disagree about a diagnosis or a detail",
    "specificity": "a documented condition missing a detail the code needs (type, acuity, stage, site, side)",
    "cause_and_effect": "a link between two conditions, or a condition and a drug or procedure, that is "
                        "suggested but not stated and that the classification does not presume",
    "present_on_admission": "whether a condition was present when the inpatient order was written",
    "abnormal_finding_significance": "an abnormal lab, imaging or pathology result the provider has not "
                                     "interpreted or treated",
    "procedure_detail": "an operative or procedure note missing what the code needs (approach, body part, "
                        "device, extent, objective)",
}
MAX_QUERIES = 20  # queries in one submission: a chart needs one or two, rarely more
MAX_QUERY_NOTE_CHARS = 300  # a query's note: a line or two, never the whole query text


def query_topic_name(topic: str) -> str:
    """``clinical_validity`` -> ``clinical validity``."""
    return topic.replace("_", " ")


def _as_text(value: Any) -> Any:
    """YAML reads ``99213`` or ``291`` as numbers; codes are always text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    return value


def _as_drg(value: Any) -> Any:
    value = _as_text(value)
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip().zfill(3)
    return value


def _covered(value: date) -> date:
    """A date the code sets cannot check (``0001-01-01``, ``9999-12-31``) would grade against the wrong year."""
    if not codeyears.covered(value):
        raise PydanticCustomError("date_not_covered", "{message}", {"message": codeyears.not_covered_message(value)})
    return value


# StringConstraints, not Field: after a BeforeValidator, Field's limits are checked as a sequence's
# ("at most 40 items"), which misleads a trainee who typed a long code.
CodeText = Annotated[str, StringConstraints(min_length=1, max_length=40), BeforeValidator(_as_text)]
DrgText = Annotated[str, StringConstraints(pattern=r"^\d{3}$"), BeforeValidator(_as_drg)]
# One part of an id: a file's stem, or a content pack's folder name.
ID_PART = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}"
# An id may carry its content pack's name once loaded ("cardiology/ip-stemi"); in a file it is the
# file's stem, which cannot hold a slash.
Identifier = Annotated[str, Field(pattern=rf"^(?:{ID_PART}/)?{ID_PART}$")]
ExerciseRef = Identifier
ServiceDate = Annotated[date, AfterValidator(_covered)]
"""A date of service (or discharge) within the code-set years this version knows."""
Prose = Annotated[str, Field(min_length=1)]
# The neutral label shown before submission: one line.
Label = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=r"^[^\n]*$")]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- Exercises --------------------------------------------------------------------


class Patient(Model):
    age: int = Field(ge=0, le=124)
    sex: Literal["M", "F", "U"]
    discharge_status: int = Field(default=1, ge=1, le=99)
    """UB-04 patient discharge status (01 home); only the DRG grouper reads it."""


class Document(Model):
    type: DocumentType
    title: Prose
    text: Prose


class ChartExercise(Model):
    format: Literal[1]
    id: Identifier
    kind: Literal["chart"]
    title: Prose
    """Instructor metadata: shown only after submission (it may name the answer)."""
    label: Label | None = None
    """What the trainee sees before submitting: setting and service, age and sex, the reason for
    the encounter in the patient's or triage words. Never names a diagnosis or a procedure."""
    setting: Setting
    date_of_service: ServiceDate
    """Picks the code-set year; for inpatient charts, the discharge date."""
    patient: Patient
    assign: list[Assignable] = Field(min_length=1)
    difficulty: int = Field(ge=1, le=5)
    topics: list[str] = Field(default_factory=list)
    exam_areas: list[str] = Field(default_factory=list)
    documents: list[Document] = Field(min_length=1)

    @field_validator("assign")
    @classmethod
    def _unique_assign(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("assign lists a code set twice")
        return value


class McqExercise(Model):
    format: Literal[1]
    id: Identifier
    kind: Literal["mcq"]
    title: str | None = None
    stem: Prose
    options: dict[OptionLetter, Prose]
    difficulty: int = Field(ge=1, le=5)
    topics: list[str] = Field(default_factory=list)
    exam_areas: list[str] = Field(default_factory=list)

    @field_validator("options")
    @classmethod
    def _enough_options(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) < 2:
            raise ValueError("an mcq needs at least two options")
        return value

    @property
    def display_title(self) -> str:
        return self.title or (self.stem if len(self.stem) <= 60 else self.stem[:57] + "...")


Exercise = Annotated[ChartExercise | McqExercise, Field(discriminator="kind")]


# --- Answer keys ------------------------------------------------------------------


class KeyDiagnosis(Model):
    code: CodeText
    rationale: Prose
    evidence: str | None = None
    alternates: list[CodeText] = Field(default_factory=list)
    optional: bool = False
    poa: Poa | None = None


class KeyProcedure(Model):
    code: CodeText
    system: ProcedureSystem | None = None
    modifiers: list[CodeText] = Field(default_factory=list, max_length=4)
    alternate_modifiers: list[Annotated[list[CodeText], Field(max_length=4)]] = Field(default_factory=list)
    """Other modifier sets accepted on this line (``[]`` for none), graded ALTERNATE: a pair that
    many payers edit and some do not (12002 beside 12051 with or without 59/XS)."""
    units: int | None = Field(default=None, ge=1, le=9999)
    rationale: Prose
    evidence: str | None = None
    alternates: list[CodeText] = Field(default_factory=list)
    optional: bool = False


class Sequencing(Model):
    first: list[CodeText] | None = None
    """Codes accepted in first position (default: the first diagnosis line and its alternates)."""
    before: list[tuple[CodeText, CodeText]] = Field(default_factory=list)


class KeyQuery(Model):
    """A query the coder should send the provider before (or instead of) coding a point."""

    topic: QueryTopic
    rationale: Prose
    """Why the record calls for it: the conflict, the missing detail, the unsupported diagnosis."""
    evidence: str | None = None
    """A verbatim span of the chart that shows the need."""
    alternates: list[QueryTopic] = Field(default_factory=list)
    """Other topics accepted for this query, where the need fits more than one (graded ALTERNATE)."""


class Distractor(Model):
    codes: list[CodeText] = Field(min_length=1)
    lesson: Prose


class ChartKey(Model):
    format: Literal[1]
    exercise: Identifier
    diagnoses: list[KeyDiagnosis] = Field(default_factory=list)
    sequencing: Sequencing | None = None
    procedures: list[KeyProcedure] = Field(default_factory=list)
    drg: DrgText | None = None
    distractors: list[Distractor] = Field(default_factory=list)
    queries: list[KeyQuery] = Field(default_factory=list)
    """The queries the record calls for; graded by topic (docs/grading.md, "Queries")."""

    @model_validator(mode="after")
    def _not_empty(self) -> ChartKey:
        if not self.diagnoses and not self.procedures:
            raise ValueError("a chart key needs at least one diagnosis or procedure")
        return self


class McqKey(Model):
    format: Literal[1]
    exercise: Identifier
    answer: OptionLetter
    rationale: Prose


def _key_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "mcq" if "answer" in value else "chart"
    return "mcq" if isinstance(value, McqKey) else "chart"


AnswerKey = Annotated[
    Annotated[ChartKey, Tag("chart")] | Annotated[McqKey, Tag("mcq")],
    Discriminator(_key_kind),
]


# --- Submissions ------------------------------------------------------------------


class SubmittedDiagnosis(Model):
    code: CodeText
    poa: str | None = None

    @field_validator("poa", mode="before")
    @classmethod
    def _poa_text(cls, value: Any) -> Any:
        return value if value is None else str(value)


class SubmittedProcedure(Model):
    code: CodeText
    system: ProcedureSystem | None = None
    modifiers: list[CodeText] = Field(default_factory=list)
    units: int | None = Field(default=None, ge=0, le=99999)


class SubmittedEdit(Model):
    edit: str = Field(min_length=1, max_length=40)
    line: int | None = Field(default=None, ge=1)
    diagnosis: str | None = Field(default=None, max_length=1)


def _topic_text(value: Any) -> Any:
    """A topic as a trainee may write it by hand: ``Clinical validity``, ``cause-and-effect``."""
    if isinstance(value, str):
        return "_".join(value.strip().lower().replace("-", " ").split())
    return value


def _query_entry(value: Any) -> Any:
    return {"topic": value} if isinstance(value, str) else value


class SubmittedQuery(Model):
    topic: Annotated[QueryTopic, BeforeValidator(_topic_text)]
    note: str | None = Field(default=None, max_length=MAX_QUERY_NOTE_CHARS)
    """What the trainee would ask, in a line or two; shown in feedback, never graded."""


def _diagnosis_entry(value: Any) -> Any:
    return {"code": _as_text(value)} if isinstance(value, (str, int)) and not isinstance(value, bool) else value


def _procedure_entry(value: Any) -> Any:
    return _diagnosis_entry(value)


class Submission(Model):
    exercise: ExerciseRef
    diagnoses: list[Annotated[SubmittedDiagnosis, BeforeValidator(_diagnosis_entry)]] = Field(default_factory=list)
    procedures: list[Annotated[SubmittedProcedure, BeforeValidator(_procedure_entry)]] = Field(default_factory=list)
    drg: str | None = None
    answer: str | None = None
    """The chosen option letter, for an mcq exercise."""
    trainee: str | None = Field(default=None, max_length=100)
    """Who handed it in (batch grading of a class); optional."""
    findings: list[SubmittedEdit] = Field(default_factory=list)
    """Claim exercises: the problems the trainee marks on the claim."""
    action: str | None = None
    """Remittance exercises: the next action chosen."""
    patient_responsibility: float | None = None
    """Remittance exercises: what the patient owes, as computed by the trainee."""
    queries: list[Annotated[SubmittedQuery, BeforeValidator(_query_entry)]] = Field(
        default_factory=list, max_length=MAX_QUERIES)
    """Chart exercises: the queries the trainee would send the provider (graded by topic)."""

    @field_validator("drg", mode="before")
    @classmethod
    def _drg_text(cls, value: Any) -> Any:
        value = _as_text(value)
        if isinstance(value, str) and value.strip().isdigit():
            return value.strip().zfill(3)
        return value
