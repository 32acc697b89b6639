"""Billing screens: a claim to scrub and correct, a remittance to work."""

from __future__ import annotations

import re
from typing import get_args

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, RadioButton, RadioSet, Select, Static

from tutor.billing.statement import statement_text
from tutor.codes import CodeSystem
from tutor.content.billing import POINTERS, ClaimExercise, EditType, RemittanceExercise
from tutor.content.models import Submission
from tutor.grading.billing import ACTION_WORDS
from tutor.practice.drafts import Draft, draft_to_submission
from tutor.practice.drafts import DiagnosisLine as DraftDx
from tutor.practice.drafts import ProcedureLine as DraftPx
from tutor.ui.screens.base import AnswerScreen
from tutor.ui.screens.chart import reflow, validate_line
from tutor.ui.widgets.lines import CodeLine, DiagnosisLine, ProcedureLine

EDITS = [(e.replace("_", " ").lower(), e) for e in get_args(EditType)]
_WHERE = re.compile(r"^\s*(?:(?:line|l)\s*(\d+)|(?:dx|diagnosis)?\s*([A-La-l]))\s*$", re.IGNORECASE)


def parse_where(text: str) -> tuple[int | None, str | None] | None:
    """'2', 'line 2' or 'L2' -> line 2; 'B' or 'dx B' -> diagnosis slot B; None if unreadable."""
    text = text.strip()
    if text.isdigit():
        return int(text), None
    match = _WHERE.match(text)
    if not match:
        return None
    return (int(match.group(1)), None) if match.group(1) else (None, match.group(2).upper())


class ProblemLine(Horizontal):
    """One problem the trainee marks: where (line number or diagnosis letter) and which edit."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="line # or dx letter", classes="where")
        yield Select(EDITS, prompt="which problem", compact=True, classes="edit")

    @property
    def value(self) -> tuple[str, str] | None:
        edit = self.query_one(".edit", Select).value
        where = self.query_one(".where", Input).value
        if edit is Select.NULL or not where.strip():
            return None
        return where, str(edit)


class ClaimScreen(AnswerScreen):
    BINDINGS = [
        Binding("ctrl+f", "add_problem", "+Problem"),
        Binding("ctrl+n", "add_diagnosis", "+Dx"),
    ]
    exercise: ClaimExercise

    def compose(self) -> ComposeResult:
        ex, claim = self.exercise, self.exercise.claim
        yield Header()
        with Horizontal(id="chart"):
            with VerticalScroll(id="documents"):
                yield Static(Content.from_markup(
                    "[b]$title[/b]\n$details", title=ex.title,
                    details=f"CMS-1500 · payer {claim.payer} · date of service {ex.date_of_service.isoformat()} · "
                            f"{ex.patient.age} y/o {ex.patient.sex}"), id="chart-title")
                yield Label("Item 21: diagnoses", classes="section")
                yield DataTable(id="claim-diagnoses", cursor_type="none")
                yield Label("Item 24: service lines", classes="section")
                yield DataTable(id="claim-lines", cursor_type="none")
                for doc in ex.documents:
                    yield Label(Content(doc.title), classes="section")
                    yield Static(reflow(doc.text), markup=False, classes="document")
            with VerticalScroll(id="form"):
                yield Label("Problems on the claim (where, which)", classes="section")
                yield Vertical(ProblemLine(), ProblemLine(), id="claim-problems")
                yield Label("Corrected claim: diagnoses (A first)", classes="section")
                yield Vertical(*[DiagnosisLine(n, code) for n, code in enumerate(claim.diagnoses, start=1)],
                               DiagnosisLine(len(claim.diagnoses) + 1), id="diagnoses")
                yield Label("Corrected claim: lines (code, modifiers, units)", classes="section")
                yield Vertical(*[ProcedureLine(n, line.code, " ".join(line.modifiers), str(line.units),
                                               placeholder="CPT/HCPCS")
                                 for n, line in enumerate(claim.lines, start=1)], id="procedures")
                yield Button("Submit for grading (ctrl+s)", id="submit", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        diagnoses = self.query_one("#claim-diagnoses", DataTable)
        # Cells are Text, not str: the table reads a str cell as markup, and the claim is the author's text.
        diagnoses.add_columns("slot", "code", "title")
        for letter, code in zip(POINTERS, self.exercise.claim.diagnoses):
            title = self.tutor.codes.title(code, CodeSystem.ICD10CM) or "(not a code)"
            diagnoses.add_row(Text(letter), Text(code), Text(title))
        lines = self.query_one("#claim-lines", DataTable)
        lines.add_columns("#", "code", "mods", "units", "charge", "pointers")
        for n, line in enumerate(self.exercise.claim.lines, start=1):
            cells = (str(n), line.code, " ".join(line.modifiers), str(line.units), f"{line.charge:.2f}",
                     "".join(line.pointers) or "-")
            lines.add_row(*map(Text, cells))
        for form_line in self.query(CodeLine):
            validate_line(form_line, self.tutor.codes, self.exercise.date_of_service, ["icd10cm", "cpt", "hcpcs"])
        self.query(ProblemLine).first().query_one(Input).focus()

    @on(CodeLine.Changed)
    def _line_changed(self, event: CodeLine.Changed) -> None:
        validate_line(event.line, self.tutor.codes, self.exercise.date_of_service, ["icd10cm", "cpt", "hcpcs"])

    async def action_add_problem(self) -> None:
        line = ProblemLine()
        await self.query_one("#claim-problems", Vertical).mount(line)
        line.query_one(Input).focus()

    async def action_add_diagnosis(self) -> None:
        container = self.query_one("#diagnoses", Vertical)
        line = DiagnosisLine(len(container.children) + 1)
        await container.mount(line)
        line.code_input.focus()

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        marked = []
        for problem in self.query(ProblemLine):
            if problem.value is None:
                continue
            where = parse_where(problem.value[0])
            if where is None:
                self.notify(f"'{problem.value[0]}': write a line number (2) or a diagnosis letter (B)",
                            severity="error", markup=False)
                return
            marked.append({"edit": problem.value[1], "line": where[0], "diagnosis": where[1]})
        draft = Draft(diagnoses=[DraftDx(line.code) for line in self.query(DiagnosisLine)],
                      procedures=[DraftPx(line.code, line.modifiers, line.units) for line in self.query(ProcedureLine)])
        try:
            corrected = draft_to_submission(self.exercise.id, draft)
        except ValueError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        submission = Submission.model_validate({**corrected.model_dump(), "findings": marked})
        self.app.submit_attempt(self.exercise, submission, self.started_at)


class RemittanceScreen(AnswerScreen):
    exercise: RemittanceExercise

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="chart"):
            with VerticalScroll(id="documents"):
                # The statement is Rich markup with the author's text escaped for Rich (not Textual) markup.
                yield Static(Text.from_markup(statement_text(self.exercise)), id="statement")
            with VerticalScroll(id="form"):
                yield Label("Next action", classes="section")
                with RadioSet(id="actions"):
                    for action, words in ACTION_WORDS.items():
                        yield RadioButton(words.capitalize(), name=action)
                yield Label("Patient responsibility ($)", classes="section")
                yield Input(placeholder="0.00", id="amount", restrict=r"[0-9.]*")
                yield Button("Submit for grading (ctrl+s)", id="submit", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        pressed = self.query_one(RadioSet).pressed_button
        text = self.query_one("#amount", Input).value.strip()
        if pressed is None or not text:
            self.notify("Choose the next action and enter the patient's responsibility.", severity="warning")
            return
        try:
            amount = float(text)
        except ValueError:
            self.notify(f"'{text}' is not an amount.", severity="error", markup=False)
            return
        submission = Submission(exercise=self.exercise.id, action=pressed.name, patient_responsibility=amount)
        self.app.submit_attempt(self.exercise, submission, self.started_at)
