"""Feedback screen: every element's outcome, in words and colour, with the key's reasons."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tutor.content.models import ChartExercise, McqExercise
from tutor.content.report import Finding, GradeReport
from tutor.grading.outcomes import DESCRIPTIONS, Outcome

ELEMENT_LABELS = {
    "diagnosis": "Diagnosis", "procedure": "Procedure", "sequencing": "Sequencing", "poa": "POA",
    "modifier": "Modifiers", "units": "Units", "drg": "MS-DRG", "answer": "Answer",
    "edit": "Claim problem", "action": "Next action", "patient_responsibility": "Patient responsibility",
}


def outcome_class(outcome: Outcome) -> str:
    if outcome.correct:
        return "-correct"
    if outcome.near_miss:
        return "-near"
    return "-wrong"


def finding_text(finding: Finding) -> str:
    outcome = Outcome(finding.outcome)
    head = f"[b]{ELEMENT_LABELS.get(finding.element, finding.element)}: {escape(DESCRIPTIONS[outcome])}[/b]"
    lines = [head]
    if finding.submitted or finding.expected:
        sub = escape(finding.submitted or "—")
        exp = escape(finding.expected or "—")
        lines.append(f"you: {sub}   key: {exp}")
    if finding.expected_title and not outcome.correct:
        lines.append(f"[i]{escape(finding.expected)}: {escape(finding.expected_title)}[/i]")
    if not outcome.correct:
        lines.append(escape(finding.message))
    if finding.rationale and not outcome.correct:
        lines.append(f"Why: {escape(finding.rationale)}")
    if finding.evidence and not outcome.correct:
        lines.append(f"Evidence: “{escape(finding.evidence)}”")
    for lesson in finding.lessons:
        lines.append(f"Lesson: {escape(lesson)}")
    return "\n".join(lines)


def scores_text(report: GradeReport) -> str:
    parts = [
        f"Code accuracy [b]{report.code_accuracy:.0%}[/b] ({report.codes_correct}/{report.codes_graded})",
        f"Record {'[b]correct[/b]' if report.record_correct else 'not correct'}",
        f"Learning score {report.learning_score:.0%}",
    ]
    if report.drg:
        drg = report.drg
        parts.append(f"MS-DRG: your codes group to {drg.submitted or '—'}, key {drg.expected}"
                     + (" ✓" if drg.correct else " ✗"))
    return "   ·   ".join(parts)


class FeedbackScreen(Screen):
    BINDINGS = [
        Binding("r", "retry", "Retry"),
        Binding("n", "next", "Next"),
        Binding("escape,d", "dashboard", "Dashboard"),
    ]

    def __init__(self, exercise: ChartExercise | McqExercise, report: GradeReport) -> None:
        super().__init__()
        self.exercise = exercise
        self.report = report

    def compose(self) -> ComposeResult:
        title = getattr(self.exercise, "title", None) or self.exercise.id
        title = title if isinstance(title, str) else self.exercise.id
        yield Header()
        yield Static(f"[b]{escape(title)}[/b]\n{scores_text(self.report)}", id="scores")
        with VerticalScroll(id="findings"):
            wrong = [f for f in self.report.findings if not Outcome(f.outcome).correct]
            right = [f for f in self.report.findings if Outcome(f.outcome).correct]
            for finding in wrong + right:
                yield Static(finding_text(finding), classes=f"finding {outcome_class(Outcome(finding.outcome))}")
        yield Footer()

    def action_retry(self) -> None:
        self.app.open_exercise(self.exercise.id, replace=True)

    def action_next(self) -> None:
        self.app.open_next(skip=self.exercise.id, replace=True)

    def action_dashboard(self) -> None:
        self.app.show_dashboard()
