"""Every exercise kind and its key, as the loader reads them (chart, mcq, claim, remittance)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, TypeAdapter

from tutor.content.billing import ClaimExercise, ClaimKey, RemittanceExercise, RemittanceKey
from tutor.content.models import ChartExercise, ChartKey, McqExercise, McqKey

AnyExercise = ChartExercise | McqExercise | ClaimExercise | RemittanceExercise
AnyKey = ChartKey | McqKey | ClaimKey | RemittanceKey

KEY_FOR: dict[type, type] = {
    ChartExercise: ChartKey, McqExercise: McqKey, ClaimExercise: ClaimKey, RemittanceExercise: RemittanceKey,
}


def _key_kind(value: Any) -> str:
    if not isinstance(value, dict):
        return {McqKey: "mcq", ClaimKey: "claim", RemittanceKey: "remittance"}.get(type(value), "chart")
    if "answer" in value:
        return "mcq"
    if "action" in value or "patient_responsibility" in value:
        return "remittance"
    if "corrected" in value or "findings" in value:
        return "claim"
    return "chart"


EXERCISE_ADAPTER: TypeAdapter[AnyExercise] = TypeAdapter(
    Annotated[AnyExercise, Field(discriminator="kind")])
KEY_ADAPTER: TypeAdapter[AnyKey] = TypeAdapter(Annotated[
    Annotated[ChartKey, Tag("chart")] | Annotated[McqKey, Tag("mcq")]
    | Annotated[ClaimKey, Tag("claim")] | Annotated[RemittanceKey, Tag("remittance")],
    Discriminator(_key_kind),
])
UNION_TAGS = ("chart", "mcq", "claim", "remittance")
