"""The coding form as plain data (a draft) and its conversion to a submission.

The tutor saves drafts as the trainee types, so a kill loses nothing; the same
plain structure turns into the Submission the grader reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tutor.content.models import Submission

_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass
class DiagnosisLine:
    code: str = ""
    poa: str = ""


@dataclass
class ProcedureLine:
    code: str = ""
    modifiers: str = ""
    units: str = ""


@dataclass
class Draft:
    diagnoses: list[DiagnosisLine] = field(default_factory=list)
    procedures: list[ProcedureLine] = field(default_factory=list)
    drg: str = ""
    answer: str = ""

    def to_data(self) -> dict[str, Any]:
        return {
            "diagnoses": [{"code": d.code, "poa": d.poa} for d in self.diagnoses],
            "procedures": [{"code": p.code, "modifiers": p.modifiers, "units": p.units} for p in self.procedures],
            "drg": self.drg,
            "answer": self.answer,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> Draft:
        """Rebuild a draft from stored data; anything unexpected is dropped, never raised."""
        if not isinstance(data, dict):
            return cls()

        def rows(name: str) -> list[dict]:
            value = data.get(name)
            return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []

        return cls(
            diagnoses=[DiagnosisLine(str(r.get("code", "")), str(r.get("poa", ""))) for r in rows("diagnoses")],
            procedures=[ProcedureLine(str(r.get("code", "")), str(r.get("modifiers", "")), str(r.get("units", "")))
                        for r in rows("procedures")],
            drg=str(data.get("drg", "") or ""),
            answer=str(data.get("answer", "") or ""),
        )


def units_value(text: str) -> int | None:
    """Units typed in the form: blank means the default (1); otherwise a whole number."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"units must be a whole number, not '{text}'")
    return int(text)


def draft_to_submission(exercise_id: str, draft: Draft) -> Submission:
    """Blank lines are skipped; everything typed is handed in as typed (the grader normalises)."""
    return Submission(
        exercise=exercise_id,
        diagnoses=[{"code": d.code.strip(), "poa": d.poa.strip() or None} for d in draft.diagnoses if d.code.strip()],
        procedures=[
            {"code": p.code.strip(), "modifiers": [m for m in _SEPARATORS.split(p.modifiers.strip()) if m],
             "units": units_value(p.units)}
            for p in draft.procedures if p.code.strip()
        ],
        drg=draft.drg.strip() or None,
        answer=draft.answer.strip() or None,
    )
