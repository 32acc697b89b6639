"""Billing screens: a claim to scrub and correct, a remittance to work."""

from __future__ import annotations

from typing import get_args

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, RadioButton, RadioSet, Select, Static

from tutor.billing.statement import statement_text
from tutor.codes import CodeSystem
from tutor.content.billing import POINTERS, ClaimExercise, EditType, RemittanceExercise
from tutor.content.models import Submission
from tutor.grading.billing import ACTION_WORDS
from tutor.practice.drafts import DiagnosisLine as DraftDx
from tutor.practice.drafts import Draft, ProblemMark
from tutor.practice.drafts import ProcedureLine as DraftPx
from tutor.practice.presentation import neutral_label
from tutor.textsafe import printable
from tutor.ui.screens.base import BACK, SUBMIT, AnswerScreen
from tutor.ui.screens.chart import reflow, validate_line
from tutor.ui.text import cell, markup, plain
from tutor.ui.widgets.lines import CodeLine, DiagnosisLine, ProcedureLine

EDITS = [(e.replace("_", " ").lower(), e) for e in get_args(EditType)]
CLAIM_CODE_SETS = ["icd10cm", "cpt", "hcpcs"]


class ProblemLine(Horizontal):
    """One problem the trainee marks: where (line number or diagnosis letter) and which edit."""

    def __init__(self, mark: ProblemMark | None = None) -> None:
        super().__init__()
        self.mark = mark or ProblemMark()

    def compose(self) -> ComposeResult:
        known = {edit for _, edit in EDITS}
        yield Input(self.mark.where, placeholder="line # or dx letter", classes="where")
        yield Select(EDITS, prompt="which problem", compact=True, classes="edit",
                     value=self.mark.edit if self.mark.edit in known else Select.NULL)

    @property
    def value(self) -> ProblemMark:
        edit = self.query_one(".edit", Select).value
        return ProblemMark(self.query_one(".where", Input).value, "" if edit is Select.NULL else str(edit))


class ClaimScreen(AnswerScreen):
    BINDINGS = [
        SUBMIT,
        BACK,
        Binding("ctrl+f", "add_problem", "+Problem"),
        Binding("ctrl+n", "add_diagnosis", "+Dx"),
    ]
    exercise: ClaimExercise

    def compose(self) -> ComposeResult:
        ex, claim = self.exercise, self.exercise.claim
        yield Header()
        with Horizontal(id="chart"):
            with VerticalScroll(id="documents"):
                # Blind: the neutral label, never the title (issue 12 item 1).
                yield Static(markup(
                    "[b]$label[/b]\n$details", label=neutral_label(ex),
                    details=f"CMS-1500 · payer {claim.payer} · date of service {ex.date_of_service.isoformat()} · "
                            f"{ex.patient.age} y/o {ex.patient.sex}"), id="chart-title")
                yield Label("Item 21: diagnoses", classes="section")
                yield DataTable(id="claim-diagnoses", cursor_type="none")
                yield Label("Item 24: service lines", classes="section")
                yield DataTable(id="claim-lines", cursor_type="none")
                for doc in ex.documents:
                    yield Label(plain(doc.title), classes="section")
                    yield Static(plain(reflow(doc.text)), classes="document")
            with VerticalScroll(id="form"):
                yield Label("Problems on the claim (where, which)", classes="section")
                yield Vertical(*self._problem_lines(), id="claim-problems")
                yield Label("Corrected claim: diagnoses (A first)", classes="section")
                diagnoses, procedures = self._corrected_lines()
                yield Vertical(*[DiagnosisLine(n, row.code) for n, row in enumerate(diagnoses, start=1)],
                               id="diagnoses")
                yield Label("Corrected claim: lines (code, modifiers, units)", classes="section")
                yield Vertical(*[ProcedureLine(n, row.code, row.modifiers, row.units, placeholder="CPT/HCPCS")
                                 for n, row in enumerate(procedures, start=1)], id="procedures")
                yield Button(self.submit_label, id="submit", variant="primary")
        yield Footer()

    def _problem_lines(self) -> list[ProblemLine]:
        marks = self.draft.problems + [ProblemMark() for _ in range(2 - len(self.draft.problems))]
        return [ProblemLine(mark) for mark in marks]

    def _corrected_lines(self) -> tuple[list[DraftDx], list[DraftPx]]:
        """The corrected claim as the trainee left it, or else the claim as submitted (to correct in place)."""
        claim = self.exercise.claim
        diagnoses = self.draft.diagnoses or [*(DraftDx(code) for code in claim.diagnoses), DraftDx()]
        procedures = self.draft.procedures or [DraftPx(line.code, " ".join(line.modifiers), str(line.units))
                                               for line in claim.lines]
        return diagnoses, procedures

    def on_mount(self) -> None:
        diagnoses = self.query_one("#claim-diagnoses", DataTable)
        # Cells, not str: the table reads a str cell as markup, and the claim is the author's text.
        diagnoses.add_columns("slot", "code", "title")
        for letter, code in zip(POINTERS, self.exercise.claim.diagnoses):
            title = self.tutor.codes.title(code, CodeSystem.ICD10CM) or "(not a code)"
            diagnoses.add_row(cell(letter), cell(code), cell(title))
        lines = self.query_one("#claim-lines", DataTable)
        lines.add_columns("#", "code", "mods", "units", "charge", "pointers")
        for n, line in enumerate(self.exercise.claim.lines, start=1):
            cells = (str(n), line.code, " ".join(line.modifiers), str(line.units), f"{line.charge:.2f}",
                     "".join(line.pointers) or "-")
            lines.add_row(*map(cell, cells))
        for form_line in self.query(CodeLine):
            validate_line(form_line, self.tutor.codes, self.exercise.date_of_service, CLAIM_CODE_SETS)
        self.query(ProblemLine).first().query_one(Input).focus()

    @on(CodeLine.Changed)
    def _line_changed(self, event: CodeLine.Changed) -> None:
        validate_line(event.line, self.tutor.codes, self.exercise.date_of_service, CLAIM_CODE_SETS)
        self.keep_draft()

    @on(Input.Changed, ".where")
    @on(Select.Changed, ".edit")
    def _problem_changed(self) -> None:
        self.keep_draft()

    def current_draft(self) -> Draft:
        return Draft(diagnoses=[DraftDx(line.code) for line in self.query(DiagnosisLine)],
                     procedures=[DraftPx(line.code, line.modifiers, line.units) for line in self.query(ProcedureLine)],
                     problems=[line.value for line in self.query(ProblemLine)])

    async def action_add_problem(self) -> None:
        line = ProblemLine()
        await self.query_one("#claim-problems", Vertical).mount(line)
        line.query_one(Input).focus()

    async def action_add_diagnosis(self) -> None:
        container = self.query_one("#diagnoses", Vertical)
        line = DiagnosisLine(len(container.children) + 1)
        await container.mount(line)
        line.code_input.focus()


class RemittanceScreen(AnswerScreen):
    BINDINGS = [SUBMIT, BACK]
    exercise: RemittanceExercise

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="chart"):
            with VerticalScroll(id="documents"):
                # The statement is Rich markup with the author's text escaped for Rich (not Textual) markup;
                # printable adds no markup of its own.
                yield Static(Text.from_markup(printable(statement_text(self.exercise))), id="statement")
            with VerticalScroll(id="form"):
                yield Label("Next action", classes="section")
                with RadioSet(id="actions"):
                    for action, words in ACTION_WORDS.items():
                        yield RadioButton(words.capitalize(), value=action == self.draft.action, name=action)
                yield Label("Patient responsibility ($)", classes="section")
                yield Input(self.draft.amount, placeholder="0.00", id="amount", restrict=r"[0-9.]*")
                yield Button(self.submit_label, id="submit", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    @on(RadioSet.Changed)
    @on(Input.Changed, "#amount")
    def _changed(self) -> None:
        self.keep_draft()

    def current_draft(self) -> Draft:
        pressed = self.query_one(RadioSet).pressed_button
        return Draft(action=pressed.name or "" if pressed else "", amount=self.query_one("#amount", Input).value)

    def missing(self, submission: Submission) -> str | None:
        if submission.action is None or submission.patient_responsibility is None:
            return "Choose the next action and enter the patient's responsibility."
        return None
