"""Turning an answer key into the submission that would reproduce it."""

from __future__ import annotations

from tutor.content.models import ChartKey, McqKey, Submission


def key_as_submission(key) -> Submission:
    """The submission a perfect trainee would hand in (every line, optional ones too)."""
    from tutor.content.billing import ClaimKey, RemittanceKey

    if isinstance(key, McqKey):
        return Submission(exercise=key.exercise, answer=key.answer)
    if isinstance(key, RemittanceKey):
        return Submission(exercise=key.exercise, action=key.action, patient_responsibility=key.patient_responsibility)
    if isinstance(key, ClaimKey):
        corrected = ChartKey(format=1, exercise=key.exercise, diagnoses=key.corrected.diagnoses,
                             procedures=key.corrected.procedures, sequencing=key.corrected.sequencing)
        data = key_as_submission(corrected).model_dump()
        data["findings"] = [{"edit": f.edit, "line": f.line, "diagnosis": f.diagnosis} for f in key.findings]
        return Submission.model_validate(data)
    return Submission(
        exercise=key.exercise,
        diagnoses=[{"code": d.code, "poa": None if d.poa == "exempt" else d.poa} for d in key.diagnoses],
        procedures=[
            {"code": p.code, "system": p.system, "modifiers": list(p.modifiers), "units": p.units}
            for p in key.procedures
        ],
        drg=key.drg,
        queries=[{"topic": q.topic} for q in key.queries],
    )
