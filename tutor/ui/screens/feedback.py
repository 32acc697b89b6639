"""Feedback screen: every element's outcome, in words and colour, with the key's reasons."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tutor.content.models import QUERY_TOPICS, ChartExercise, McqExercise, query_topic_name
from tutor.content.report import Finding, GradeReport
from tutor.grading.outcomes import DESCRIPTIONS, Outcome
from tutor.ui.text import markup, plain

ELEMENT_LABELS = {
    "diagnosis": "Diagnosis", "procedure": "Procedure", "sequencing": "Sequencing", "poa": "POA",
    "modifier": "Modifiers", "units": "Units", "drg": "MS-DRG", "answer": "Answer",
    "edit": "Claim problem", "action": "Next action", "patient_responsibility": "Patient responsibility",
    "query": "Query",
}


def outcome_class(outcome: Outcome) -> str:
    if outcome.correct:
        return "-correct"
    if outcome.near_miss:
        return "-near"
    return "-wrong"


def finding_text(finding: Finding) -> Content:
    """One finding as content; what it quotes (codes typed, the key's reasons, evidence) is shown as written."""
    outcome = Outcome(finding.outcome)
    label = ELEMENT_LABELS.get(finding.element, finding.element)
    # A query's reasons teach even when it was right: why the record needed it, and the trainee's note.
    explain = not outcome.correct or finding.element == "query"
    lines = [markup("[b]$label: $description[/b]", label=label, description=DESCRIPTIONS[outcome])]
    if finding.submitted or finding.expected:
        submitted, expected = finding.submitted, finding.expected
        if finding.element == "query":
            submitted, expected = (query_topic_name(t) if t in QUERY_TOPICS else t for t in (submitted, expected))
        lines.append(plain(f"you: {submitted or '—'}   key: {expected or '—'}"))
    if finding.expected_title and not outcome.correct:
        lines.append(markup("[i]$code: $title[/i]", code=finding.expected or "", title=finding.expected_title))
    if explain:
        lines.append(plain(finding.message))
    if finding.rationale and explain:
        lines.append(plain(f"Why: {finding.rationale}"))
    if finding.evidence and explain:
        lines.append(plain(f"Evidence: “{finding.evidence}”"))
    lines += [plain(f"Lesson: {lesson}") for lesson in finding.lessons]
    return Content("\n").join(lines)


def scores_text(report: GradeReport) -> Content:
    parts = [
        Content.from_markup("Code accuracy [b]$percent[/b] ($correct/$graded)", percent=f"{report.code_accuracy:.0%}",
                            correct=report.codes_correct, graded=report.codes_graded),
        Content.from_markup("Record [b]correct[/b]") if report.record_correct else Content("Record not correct"),
        Content(f"Learning score {report.learning_score:.0%}"),
    ]
    if report.drg:
        drg = report.drg
        parts.append(plain(f"MS-DRG: your codes group to {drg.submitted or '—'}, key {drg.expected}"
                           + (" ✓" if drg.correct else " ✗")))
    return Content("   ·   ").join(parts)


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
        yield Static(markup("[b]$title[/b]\n", title=title) + scores_text(self.report), id="scores")
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
