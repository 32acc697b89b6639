"""Coding-form lines: a code input with its live status underneath.

The widgets only display: the screen decides what a code means (it owns the
code sets) and hands each line its status text.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static

from tutor.ui.text import plain


class CodeInput(Input):
    """An input for a code: "?" is never part of a code, so it is left to the help binding."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character != "?" and super().check_consume_key(key, character)


class CodeLine(Vertical):
    """Base for one line of the coding form."""

    class Changed(Message):
        def __init__(self, line: CodeLine) -> None:
            super().__init__()
            self.line = line

    def __init__(self, number: int, **kwargs) -> None:
        super().__init__(classes="code-line", **kwargs)
        self.number = number

    @property
    def code_input(self) -> Input:
        return self.query_one(".code", Input)

    @property
    def code(self) -> str:
        return self.code_input.value

    def show_status(self, text: str, state: str) -> None:
        """state: empty | valid | unverified | invalid."""
        status = self.query_one(".status", Static)
        status.update(plain(text))  # it quotes what was typed
        for name in ("empty", "valid", "unverified", "invalid"):
            status.set_class(name == state, f"-{name}")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves on to the next field, as on a paper-like form."""
        event.stop()
        self.screen.focus_next()


class DiagnosisLine(CodeLine):
    def __init__(self, number: int, code: str = "", poa: str = "", ask_poa: bool = False, **kwargs) -> None:
        super().__init__(number, **kwargs)
        self._initial = (code, poa)
        self.ask_poa = ask_poa

    def compose(self) -> ComposeResult:
        code, poa = self._initial
        label = "1st" if self.number == 1 else f"{self.number:>3}"
        with Horizontal(classes="line-inputs"):
            yield Static(label, classes="line-number")
            yield CodeInput(code, placeholder="ICD-10-CM", classes="code", id=f"dx-{self.number}")
            if self.ask_poa:
                # One keystroke: Y, N, U or W; left blank for POA-exempt codes (as on the claim).
                yield Input(poa, placeholder="POA", max_length=1, restrict=r"[YNUWynuw]?",
                            classes="poa", id=f"poa-{self.number}", tooltip="POA: Y, N, U, W; blank if exempt")
        yield Static("", classes="status -empty")

    @property
    def poa(self) -> str:
        if not self.ask_poa:
            return ""
        return self.query_one(".poa", Input).value.upper()


class ProcedureLine(CodeLine):
    def __init__(self, number: int, code: str = "", modifiers: str = "", units: str = "",
                 placeholder: str = "CPT/HCPCS/PCS", details: bool = True, **kwargs) -> None:
        super().__init__(number, **kwargs)
        self._initial = (code, modifiers, units)
        self.placeholder = placeholder
        self.details = details

    def compose(self) -> ComposeResult:
        code, modifiers, units = self._initial
        with Horizontal(classes="line-inputs"):
            yield Static(f"{self.number:>3}", classes="line-number")
            yield CodeInput(code, placeholder=self.placeholder, classes="code", id=f"px-{self.number}")
            if self.details:
                yield Input(modifiers, placeholder="mods", classes="modifiers", id=f"mod-{self.number}")
                yield Input(units, placeholder="units", classes="units", restrict=r"\d*", id=f"units-{self.number}")
        yield Static("", classes="status -empty")

    @property
    def modifiers(self) -> str:
        return self.query_one(".modifiers", Input).value if self.details else ""

    @property
    def units(self) -> str:
        return self.query_one(".units", Input).value if self.details else ""
