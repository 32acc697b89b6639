"""Grading the billing kinds: claim findings and the corrected claim; remittance action and amount.

Elements and outcomes extend SPEC section 4 for these kinds only:
- claim, element ``edit``: CORRECT (a key finding the trainee marked), MISSED_EDIT (a key finding not
  marked), FALSE_ALARM (a marked problem the key does not have); the corrected claim is then graded
  exactly like a professional chart (diagnoses, procedures, modifiers, units, first position).
- remittance, elements ``action`` and ``patient_responsibility``: CORRECT, WRONG_ACTION, WRONG_AMOUNT.

For accuracy tracking, each expected finding and each false alarm counts like a code (found = correct),
and each remittance element counts once; these attempts are tracked under the "billing" category.
"""

from __future__ import annotations

from tutor.content.billing import ClaimExercise, ClaimKey, RemittanceExercise, RemittanceKey
from tutor.content.models import ChartExercise, ChartKey, Submission
from tutor.content.report import Finding, GradeReport

CORRECT, MISSED_EDIT, FALSE_ALARM = "CORRECT", "MISSED_EDIT", "FALSE_ALARM"
WRONG_ACTION, WRONG_AMOUNT = "WRONG_ACTION", "WRONG_AMOUNT"
ACTION_WORDS = {
    "correct_and_resubmit": "correct the claim and resubmit it", "appeal": "appeal with documentation",
    "bill_secondary": "bill the secondary payer", "bill_patient": "bill the patient",
    "write_off": "write off the amount (contractual)",
}


def _where(line: int | None, diagnosis: str | None) -> str:
    return f"line {line}" if line else f"diagnosis {diagnosis}"


def as_chart(exercise: ClaimExercise, key: ClaimKey) -> tuple[ChartExercise, ChartKey]:
    """The corrected claim, seen as a professional chart to grade like one."""
    systems = {p.system or "cpt" for p in key.corrected.procedures}
    chart = ChartExercise(
        format=1, id=exercise.id, kind="chart", title=exercise.title, setting="professional",
        date_of_service=exercise.date_of_service, patient=exercise.patient,
        assign=["icd10cm", *sorted(systems & {"cpt", "hcpcs"})], difficulty=exercise.difficulty,
        topics=exercise.topics, documents=exercise.documents or [
            {"type": "progress_note", "title": "Claim", "text": "(see the claim)"}],
    )
    chart_key = ChartKey(format=1, exercise=exercise.id, diagnoses=key.corrected.diagnoses,
                         procedures=key.corrected.procedures, sequencing=key.corrected.sequencing)
    return chart, chart_key


def grade_claim(exercise: ClaimExercise, key: ClaimKey, submission: Submission, chart_grader) -> GradeReport:
    expected = {(f.edit, f.line, f.diagnosis): f for f in key.findings}
    marked = {(m.edit.strip().upper(), m.line, (m.diagnosis or "").upper() or None) for m in submission.findings}
    findings = []
    for where, item in expected.items():
        found = where in marked
        findings.append(Finding(
            element="edit", submitted=f"{item.edit} at {_where(item.line, item.diagnosis)}" if found else None,
            expected=f"{item.edit} at {_where(item.line, item.diagnosis)}", outcome=CORRECT if found else MISSED_EDIT,
            message=("Found." if found else f"Missed: {item.edit} at {_where(item.line, item.diagnosis)}."),
            rationale=item.rationale, credit=1.0 if found else 0.0, weight=1.0))
    for edit, line, diagnosis in sorted(marked - set(expected), key=str):
        findings.append(Finding(
            element="edit", submitted=f"{edit} at {_where(line, diagnosis)}", outcome=FALSE_ALARM,
            message=f"{edit} at {_where(line, diagnosis)} is not a problem on this claim (false alarm).",
            weight=1.0))
    chart, chart_key = as_chart(exercise, key)
    # Queries are graded on charts only: a claim's submission may carry them, they are not read here.
    corrected = chart_grader.grade(chart, chart_key,
                                   submission.model_copy(update={"findings": [], "drg": None, "queries": []}))
    findings += corrected.findings
    edits_right = sum(1 for f in findings if f.element == "edit" and f.outcome == CORRECT)
    edits_total = sum(1 for f in findings if f.element == "edit")
    graded = corrected.codes_graded + edits_total
    correct = corrected.codes_correct + edits_right
    weight = sum(f.weight for f in findings)
    return GradeReport(
        exercise=exercise.id, code_accuracy=round(correct / graded, 4) if graded else 1.0,
        record_correct=corrected.record_correct and edits_right == edits_total,
        learning_score=round(sum(f.weight * f.credit for f in findings) / weight, 4) if weight else 1.0,
        findings=findings, codes_graded=graded, codes_correct=correct,
    )


def grade_remittance(exercise: RemittanceExercise, key: RemittanceKey, submission: Submission) -> GradeReport:
    action = (submission.action or "").strip().lower() or None
    amount = submission.patient_responsibility
    action_right = action == key.action or action in key.also_accepted
    amount_right = amount is not None and abs(amount - key.patient_responsibility) < 0.005
    findings = [
        Finding(element="action", submitted=action, expected=key.action,
                outcome=(CORRECT if action == key.action else "ALTERNATE") if action_right else WRONG_ACTION,
                message=(f"Right: {ACTION_WORDS[key.action]}." if action_right else
                         f"The next action is to {ACTION_WORDS[key.action]}, not "
                         f"{ACTION_WORDS.get(action or '', action or 'nothing')}."),
                rationale=key.rationale, credit=float(action_right)),
        Finding(element="patient_responsibility", submitted=None if amount is None else f"{amount:.2f}",
                expected=f"{key.patient_responsibility:.2f}", outcome=CORRECT if amount_right else WRONG_AMOUNT,
                message=(f"Patient responsibility {key.patient_responsibility:.2f} is right." if amount_right else
                         f"The patient owes {key.patient_responsibility:.2f}, not "
                         f"{'nothing entered' if amount is None else f'{amount:.2f}'}."),
                rationale=key.rationale, credit=float(amount_right)),
    ]
    correct = int(action_right) + int(amount_right)
    return GradeReport(exercise=exercise.id, code_accuracy=correct / 2, record_correct=correct == 2,
                       learning_score=correct / 2, findings=findings, codes_graded=2, codes_correct=correct)
