"""Chart screen: the documentation on the left, the coding form on the right."""

from __future__ import annotations

import re
from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static, TabbedContent, TabPane

from tutor.codes import CodeSystem, Validity
from tutor.codes.normalize import clean, infer_procedure_system
from tutor.content.models import MAX_QUERIES, ChartExercise, Submission
from tutor.practice.drafts import DiagnosisLine as DraftDx
from tutor.practice.drafts import Draft, QueryMark
from tutor.practice.drafts import ProcedureLine as DraftPx
from tutor.practice.presentation import neutral_label
from tutor.ui.screens.base import BACK, SUBMIT, AnswerScreen
from tutor.ui.text import markup, plain
from tutor.ui.widgets.lines import CodeLine, DiagnosisLine, ProcedureLine
from tutor.ui.widgets.queries import QueryLine

SETTING_LABELS = {
    "outpatient": "Outpatient", "inpatient": "Inpatient", "professional": "Professional fee",
    "emergency": "Emergency department", "ambulatory_surgery": "Ambulatory surgery",
}
PROCEDURE_SETS = ("icd10pcs", "cpt", "hcpcs")


def status_of(check) -> tuple[str, str]:
    """The line under a code: its title and whether it is reportable on the date."""
    if check.status is Validity.VALID:
        return f"✓ {check.title or check.message}", "valid"
    if check.status in (Validity.UNVERIFIED, Validity.UNKNOWN):
        return f"? {check.message}", "unverified"
    return f"✗ {check.message}", "invalid"


def _padded(rows: list, blank: Callable, minimum: int) -> list:
    """The typed rows without trailing blanks, then blanks up to ``minimum`` and at least one."""
    rows = list(rows)
    while rows and not rows[-1].code.strip():
        rows.pop()
    return rows + [blank() for _ in range(max(1, minimum - len(rows)))]


_BREAK_BEFORE = re.compile(r"^\s*(?:\d+[.)]|[-*•]|[A-Z][A-Za-z/&\- ]{0,24}:|[A-Z]{2,}\b)")


def reflow(text: str) -> str:
    """Join the hard line breaks of a note so it wraps to the pane, keeping paragraphs, list items
    and section labels ("A/P:", "1.", "- ") on lines of their own."""
    out: list[str] = []
    for line in text.splitlines():
        if out and out[-1].strip() and line.strip() and not _BREAK_BEFORE.match(line):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line.rstrip())
    return "\n".join(out)


def validate_line(line: CodeLine, codes, when, assigned: list[str]) -> None:
    """Show under a form line what its code is: title and validity on the date, or why it is wrong."""
    if not line.code.strip():
        line.show_status("", "empty")
        return
    if isinstance(line, DiagnosisLine):
        system = CodeSystem.ICD10CM
    else:
        system = infer_procedure_system(clean(line.code).replace(".", ""))
    if system is None:
        line.show_status("✗ not a CPT, HCPCS Level II or ICD-10-PCS code", "invalid")
        return
    check = codes.check(line.code, system, when)
    text, state = status_of(check)
    if system.value not in assigned and check.status is not Validity.NOT_A_CODE:
        text, state = f"✗ {system.value} is not assigned in this exercise", "invalid"
    line.show_status(text, state)


class ChartScreen(AnswerScreen):
    BINDINGS = [
        SUBMIT,
        Binding("ctrl+l", "lookup", "Lookup", priority=True),
        Binding("ctrl+n", "add_diagnosis", "+Dx"),
        Binding("ctrl+p", "add_procedure", "+Proc", show=False),
        Binding("ctrl+r", "add_query", "+Query"),
        Binding("ctrl+o", "switch_pane", "Notes/Form"),
        BACK,
    ]

    exercise: ChartExercise

    @property
    def asks_procedures(self) -> bool:
        return any(s in self.exercise.assign for s in PROCEDURE_SETS)

    def compose(self) -> ComposeResult:
        ex = self.exercise
        yield Header()
        with Horizontal(id="chart"):
            with Vertical(id="documents"):
                # Blind: the neutral label, never the title (issue 12 item 1); the feedback shows the title.
                yield Static(markup(
                    "[b]$label[/b]\n$details", label=neutral_label(ex),
                    details=f"{SETTING_LABELS[ex.setting]} · {ex.date_of_service.isoformat()} · {ex.patient.age} y/o "
                            f"{ex.patient.sex} · difficulty {ex.difficulty}"), id="chart-title")
                with TabbedContent(id="document-tabs"):
                    for n, doc in enumerate(ex.documents, start=1):
                        with TabPane(plain(doc.title), id=f"doc-{n}"):
                            with VerticalScroll(classes="document"):
                                yield Static(plain(reflow(doc.text)))
            with VerticalScroll(id="form"):
                yield Label(self._assign_text(), id="assign")
                yield Label("Diagnoses (1st = principal)" if ex.setting == "inpatient"
                            else "Diagnoses (1st = first-listed)", classes="section")
                yield Vertical(*self._diagnosis_lines(), id="diagnoses")
                if self.asks_procedures:
                    yield Label("Procedures (code, modifiers, units)", classes="section")
                    yield Vertical(*self._procedure_lines(), id="procedures")
                if "drg" in ex.assign:
                    with Horizontal(id="drg-row"):
                        yield Label("MS-DRG", id="drg-label")
                        yield Input(self.draft.drg, placeholder="e.g. 194", id="drg", restrict=r"\d{0,3}")
                # On every chart, needed or not: its presence must not hint that this record needs a query.
                yield Label("Query the provider (topic, note)", classes="section")
                yield Vertical(*self._query_lines(), id="queries")
                yield Button(self.submit_label, id="submit", variant="primary")
        yield Footer()

    def _assign_text(self) -> str:
        names = {"icd10cm": "ICD-10-CM", "icd10pcs": "ICD-10-PCS", "cpt": "CPT", "hcpcs": "HCPCS",
                 "poa": "POA", "drg": "MS-DRG"}
        return "Assign: " + ", ".join(names[a] for a in self.exercise.assign)

    def _diagnosis_lines(self) -> list[DiagnosisLine]:
        rows = _padded(self.draft.diagnoses, DraftDx, minimum=3)
        ask_poa = "poa" in self.exercise.assign
        return [DiagnosisLine(n, row.code, row.poa, ask_poa) for n, row in enumerate(rows, start=1)]

    def _procedure_lines(self) -> list[ProcedureLine]:
        rows = _padded(self.draft.procedures, DraftPx, minimum=2)
        only_pcs = [s for s in PROCEDURE_SETS if s in self.exercise.assign] == ["icd10pcs"]
        return [ProcedureLine(n, row.code, row.modifiers, row.units,
                              placeholder="ICD-10-PCS" if only_pcs else "CPT/HCPCS/PCS", details=not only_pcs)
                for n, row in enumerate(rows, start=1)]

    def _query_lines(self) -> list[QueryLine]:
        marks = [m for m in self.draft.queries if m.topic or m.note] or [QueryMark()]
        return [QueryLine(n, mark) for n, mark in enumerate(marks[:MAX_QUERIES], start=1)]

    def on_mount(self) -> None:
        for line in self.query(CodeLine):
            self._validate(line)
        self.query_one("#dx-1", Input).focus()

    # --- live validation and drafts ------------------------------------------------

    def _validate(self, line: CodeLine) -> None:
        validate_line(line, self.tutor.codes, self.exercise.date_of_service, self.exercise.assign)

    @on(CodeLine.Changed)
    def _line_changed(self, event: CodeLine.Changed) -> None:
        self._validate(event.line)
        self.keep_draft()

    @on(Input.Changed, "#drg")
    @on(Input.Changed, ".query-note")
    @on(Select.Changed, ".query-topic")
    def _field_changed(self) -> None:
        self.keep_draft()

    def current_draft(self) -> Draft:
        return Draft(
            diagnoses=[DraftDx(line.code, line.poa) for line in self.query(DiagnosisLine)],
            procedures=[DraftPx(line.code, line.modifiers, line.units) for line in self.query(ProcedureLine)],
            drg=self.query_one("#drg", Input).value if "drg" in self.exercise.assign else "",
            queries=[line.value for line in self.query(QueryLine)],
        )

    # --- actions -------------------------------------------------------------------

    async def action_add_diagnosis(self) -> None:
        container = self.query_one("#diagnoses", Vertical)
        line = DiagnosisLine(len(container.children) + 1, ask_poa="poa" in self.exercise.assign)
        await container.mount(line)
        line.code_input.focus()

    async def action_add_procedure(self) -> None:
        if not self.asks_procedures:
            return
        container = self.query_one("#procedures", Vertical)
        first = container.query(ProcedureLine).first()
        line = ProcedureLine(len(container.children) + 1, placeholder=first.placeholder, details=first.details)
        await container.mount(line)
        line.code_input.focus()

    async def action_add_query(self) -> None:
        container = self.query_one("#queries", Vertical)
        if len(container.children) >= MAX_QUERIES:
            self.notify(f"At most {MAX_QUERIES} queries.", severity="warning")
            return
        line = QueryLine(len(container.children) + 1)
        await container.mount(line)
        line.topic_select.focus()

    def action_switch_pane(self) -> None:
        if self.query_one("#form").has_focus_within:
            tabs = self.query_one("#document-tabs", TabbedContent)
            tabs.get_pane(tabs.active).query_one(".document").focus()
        else:
            self.query_one("#dx-1", Input).focus()

    def action_lookup(self) -> None:
        from tutor.ui.screens.lookup import LookupScreen

        focused = self.focused
        target = focused if isinstance(focused, Input) and focused.has_class("code") else None
        line = next((a for a in (target.ancestors if target else []) if isinstance(a, CodeLine)), None)
        system = CodeSystem.ICD10CM if line is None or isinstance(line, DiagnosisLine) else (
            CodeSystem.ICD10PCS if "icd10pcs" in self.exercise.assign else CodeSystem.HCPCS)

        def insert(code: str | None) -> None:
            if not code:
                return
            lines = list(self.query(DiagnosisLine if system is CodeSystem.ICD10CM else ProcedureLine))
            chosen = line if line is not None else next((ln for ln in lines if not ln.code.strip()), None)
            if chosen is None:
                self.notify("No empty line: add one with ctrl+n", severity="warning")
                return
            chosen.code_input.value = code
            chosen.code_input.focus()

        self.app.push_screen(LookupScreen(self.tutor.codes, system, self.exercise.date_of_service), insert)

    def missing(self, submission: Submission) -> str | None:
        if not submission.diagnoses and not submission.procedures:
            return "Enter at least one code before submitting."
        return None
