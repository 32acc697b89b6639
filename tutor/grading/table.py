"""A grade report as plain text for the terminal (``medcode grade --format table``)."""

from __future__ import annotations

from tutor.content.report import GradeReport
from tutor.grading.outcomes import DESCRIPTIONS, Outcome
from tutor.textsafe import printable


def report_table(report: GradeReport, source: str = "") -> str:
    lines = [
        f"{report.exercise}" + (f"  ({source})" if source else ""),
        f"  code accuracy {report.code_accuracy:.0%} ({report.codes_correct}/{report.codes_graded})   "
        f"record {'correct' if report.record_correct else 'not correct'}   learning score {report.learning_score:.0%}",
    ]
    if report.drg:
        lines.append(f"  MS-DRG: codes group to {report.drg.submitted or '-'}, key {report.drg.expected}"
                     + (f", entered {report.drg.entered}" if report.drg.entered else ""))
    lines.append(f"  {'element':<11} {'submitted':<16} {'expected':<16} outcome")
    for f in report.findings:
        outcome = Outcome(f.outcome)
        mark = "ok" if outcome.correct else "!!"
        # What the trainee submitted is one cell: a newline in it must not fake another row.
        submitted = printable(f.submitted or "-", one_line=True)
        lines.append(f"  {mark} {f.element:<8} {submitted:<16} {(f.expected or '-'):<16} "
                     f"{f.outcome} ({DESCRIPTIONS[outcome]})")
        if not outcome.correct:
            lines.append(f"     {printable(f.message, one_line=True)}")
    return "\n".join(lines)
