"""Turning an answer key into the submission that would reproduce it."""

from __future__ import annotations

from tutor.content.models import ChartKey, McqKey, Submission


def key_as_submission(key: ChartKey | McqKey) -> Submission:
    """The submission a perfect trainee would hand in (every line, optional ones too)."""
    if isinstance(key, McqKey):
        return Submission(exercise=key.exercise, answer=key.answer)
    return Submission(
        exercise=key.exercise,
        diagnoses=[{"code": d.code, "poa": None if d.poa == "exempt" else d.poa} for d in key.diagnoses],
        procedures=[
            {"code": p.code, "system": p.system, "modifiers": list(p.modifiers), "units": p.units}
            for p in key.procedures
        ],
        drg=key.drg,
    )
