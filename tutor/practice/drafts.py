"""The answer form as plain data (a draft) and its conversion to a submission.

The tutor saves drafts as the trainee types, so a kill loses nothing; the same
plain structure turns into the Submission the grader reads. One draft serves every
kind: codes for a chart (and a corrected claim), the problems marked on a claim,
the action and amount for a remittance, the letter chosen for a question.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from tutor.content.models import Submission

_SEPARATORS = re.compile(r"[\s,;]+")
_WHERE = re.compile(r"^\s*(?:(?:line|l)\s*(\d+)|(?:dx|diagnosis)?\s*([A-La-l]))\s*$", re.IGNORECASE)


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
class ProblemMark:
    """A problem marked on a claim, as typed: where (a line number or a diagnosis letter) and which edit."""

    where: str = ""
    edit: str = ""


@dataclass
class QueryMark:
    """A query to the provider, as chosen and typed: its topic (from the fixed list) and a short note."""

    topic: str = ""
    note: str = ""


@dataclass
class Draft:
    diagnoses: list[DiagnosisLine] = field(default_factory=list)
    procedures: list[ProcedureLine] = field(default_factory=list)
    drg: str = ""
    answer: str = ""
    problems: list[ProblemMark] = field(default_factory=list)
    action: str = ""
    amount: str = ""
    """A remittance's patient responsibility, as typed."""
    queries: list[QueryMark] = field(default_factory=list)
    """A chart's queries to the provider."""

    def to_data(self) -> dict[str, Any]:
        return {
            "diagnoses": [{"code": d.code, "poa": d.poa} for d in self.diagnoses],
            "procedures": [{"code": p.code, "modifiers": p.modifiers, "units": p.units} for p in self.procedures],
            "drg": self.drg,
            "answer": self.answer,
            "problems": [{"where": p.where, "edit": p.edit} for p in self.problems],
            "action": self.action,
            "amount": self.amount,
            "queries": [{"topic": q.topic, "note": q.note} for q in self.queries],
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
            problems=[ProblemMark(str(r.get("where", "")), str(r.get("edit", ""))) for r in rows("problems")],
            action=str(data.get("action", "") or ""),
            amount=str(data.get("amount", "") or ""),
            queries=[QueryMark(str(r.get("topic", "") or ""), str(r.get("note", "") or "")) for r in rows("queries")],
        )


def units_value(text: str) -> int | None:
    """Units typed in the form: blank means the default (1); otherwise a whole number."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"units must be a whole number, not '{text}'")
    return int(text)


def amount_value(text: str) -> float | None:
    """An amount of money typed in the form: blank means none given; otherwise a number of dollars."""
    text = text.strip()
    if not text:
        return None
    try:
        amount = float(text)
    except ValueError:
        amount = math.nan
    if not (math.isfinite(amount) and amount >= 0):
        raise ValueError(f"'{text}' is not an amount")
    return amount


def parse_where(text: str) -> tuple[int | None, str | None] | None:
    """'2', 'line 2' or 'L2' -> line 2; 'B' or 'dx B' -> diagnosis slot B; None if unreadable."""
    text = text.strip()
    if text.isdigit():
        return int(text), None
    match = _WHERE.match(text)
    if not match:
        return None
    return (int(match.group(1)), None) if match.group(1) else (None, match.group(2).upper())


def _finding(mark: ProblemMark) -> dict[str, Any]:
    where = parse_where(mark.where)
    if where is None:
        raise ValueError(f"'{mark.where.strip()}': write a line number (2) or a diagnosis letter (B)")
    return {"edit": mark.edit.strip(), "line": where[0], "diagnosis": where[1]}


def draft_to_submission(exercise_id: str, draft: Draft) -> Submission:
    """Blank lines (and queries without a topic) are skipped; everything typed is handed in as typed
    (the grader normalises).

    A ValueError says what cannot be read (units, an amount, where a problem is).
    """
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
        findings=[_finding(mark) for mark in draft.problems if mark.where.strip() and mark.edit.strip()],
        action=draft.action.strip() or None,
        patient_responsibility=amount_value(draft.amount),
        queries=[{"topic": q.topic.strip(), "note": q.note.strip() or None} for q in draft.queries if q.topic.strip()],
    )
