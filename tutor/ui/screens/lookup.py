"""Lookup: search code titles without leaving the chart, and insert the chosen code."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select
from textual.widgets.option_list import Option

from tutor.codes import CodeSets, CodeSystem
from tutor.codes.lookup import looks_like_code
from tutor.ui.text import markup

SYSTEM_CHOICES = [("ICD-10-CM", CodeSystem.ICD10CM), ("ICD-10-PCS", CodeSystem.ICD10PCS),
                  ("HCPCS II", CodeSystem.HCPCS), ("CPT (your file)", CodeSystem.CPT)]


class LookupScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss_none", "Close")]

    def __init__(self, codes: CodeSets, system: CodeSystem, when: date) -> None:
        super().__init__()
        self.codes = codes
        self.system = system
        self.when = when

    def compose(self) -> ComposeResult:
        with Vertical(id="lookup"):
            yield Label("Look up a code: type words or a code; Enter inserts the highlighted code")
            with Horizontal(id="lookup-bar"):
                yield Input(placeholder="e.g. diabetes kidney, S72.00", id="lookup-query")
                yield Select(SYSTEM_CHOICES, value=self.system, allow_blank=False, compact=True, id="lookup-system")
            yield OptionList(id="lookup-results")
            yield Label("", id="lookup-detail")

    def on_mount(self) -> None:
        self.query_one("#lookup-query", Input).focus()

    @on(Input.Changed, "#lookup-query")
    @on(Select.Changed, "#lookup-system")
    def _search(self) -> None:
        query = self.query_one("#lookup-query", Input).value.strip()
        system = self.query_one("#lookup-system", Select).value
        results = self.query_one("#lookup-results", OptionList)
        results.clear_options()
        if len(query) < 2:
            return
        found = self.codes.search(query, system, limit=40)
        if looks_like_code(query):
            check = self.codes.check(query, system, self.when)
            if check.title and all(code != check.code for code, _ in found):
                found.insert(0, (check.code, check.title))
            children = self.codes.index.children(check.code) if system is CodeSystem.ICD10CM else []
            found[1:1] = [(c, self.codes.title(c, system)) for c in children[:30]]
        not_billable = Content.from_markup("  [dim](not billable)[/dim]")
        for code, title in found:
            billable = system is not CodeSystem.ICD10CM or self._billable(code)
            prompt = markup("[b]$code[/b] $title", code=f"{code:<9}", title=title)
            results.add_option(Option(prompt if billable else prompt + not_billable, id=code))
        if found:
            results.highlighted = 0

    def _billable(self, code: str) -> bool:
        entry = self.codes.cm(code)
        return bool(entry and entry.billable)

    def on_key(self, event) -> None:
        results = self.query_one("#lookup-results", OptionList)
        if event.key in ("down", "up") and self.query_one("#lookup-query", Input).has_focus and results.option_count:
            results.focus()
            event.stop()
        elif event.key == "enter" and self.query_one("#lookup-query", Input).has_focus and results.option_count:
            index = results.highlighted or 0
            self.dismiss(results.get_option_at_index(index).id)
            event.stop()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
