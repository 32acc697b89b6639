"""Small screens: help, choosing a trainee, and the list of broken content files."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tutor.content.library import Problem
from tutor.ui.text import markup, plain

HELP = """\
# medcode-tutor

Read the chart on the left, code it on the right, submit, and learn from the
line-by-line feedback. Your code accuracy is tracked toward the **95%** target
that employers audit for. The dashboard's **Now** is your current accuracy from
all your work, recent codes counting more, with its 90% interval; it says
**At 95%** once it is 80% sure of it, and otherwise what would get you there.

| keys | where | what |
| --- | --- | --- |
| `n` | dashboard, feedback | practise the next exercise |
| `b` | dashboard | browse and filter exercises |
| `x` | dashboard | exam simulation (timed, feedback at the end) |
| `d` | dashboard | drill your most frequent error |
| `ctrl+l` | chart | look up a code and insert it |
| `ctrl+n` / `ctrl+p` | chart | add a diagnosis / procedure line |
| `ctrl+r` | chart | add a query to the provider |
| `ctrl+o` | chart | switch between the notes and the form |
| `ctrl+s` | chart, question | submit for grading |
| `r` | feedback | retry the same exercise |
| `escape` | anywhere | go back |
| `ctrl+p` | anywhere else | command palette (look up a code from anywhere) |
| `?` or `F1` | anywhere | this help |
| `q` / `ctrl+q` | anywhere | quit |

While you type, each code shows its title and whether it is **valid and billable
on the chart's date of service** (✓), only checked for form (?), or not
reportable (✗: truncated, missing 7th character, placeholder, unknown).
Your typing is saved as you go: close the tutor or lose power and the chart
comes back as you left it.

When the record conflicts, leaves out a detail the code needs, or states a
diagnosis the clinical picture does not support, **query the provider**: pick
the query's topic under the codes and add a short note. Code what the record
supports as it stands. A query the record needs and you left out, or one it
does not need, makes the record not correct; it never changes code accuracy.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown  # a heavy import, needed only when help is opened

        with VerticalScroll(id="help"):
            yield Markdown(HELP)

    def action_close(self) -> None:
        self.dismiss(None)


class TraineeScreen(ModalScreen[str]):
    """Pick who is practising; a new name creates a trainee."""

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self.names = names

    def compose(self) -> ComposeResult:
        with Vertical(id="trainee"):
            yield Label("Who is practising? Type your name and press Enter" +
                        (", or pick one below." if self.names else "."))
            yield Input(placeholder="your name", id="trainee-name")
            if self.names:
                yield OptionList(*(Option(plain(name)) for name in self.names), id="trainee-list")

    def on_mount(self) -> None:
        self.query_one("#trainee-name", Input).focus()

    @on(Input.Submitted, "#trainee-name")
    def _typed(self, event: Input.Submitted) -> None:
        name = " ".join(event.value.split())
        if not name:
            self.notify("Type a name first.", severity="warning")
            return
        self.dismiss(name)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.names[event.option_index])


class ProblemsScreen(Screen):
    """Content files that could not be loaded, with where and why."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__()
        self.problems = problems

    def compose(self) -> ComposeResult:
        yield Header()
        text = "\n".join(str(p) for p in self.problems) or "All content files loaded without problems."
        with VerticalScroll(id="problems"):
            yield Static(markup(
                "[b]$count content problem(s)[/b] (the rest of the content loaded)\n\n$text",
                count=len(self.problems), text=text))
        yield Footer()


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one of a few labelled choices (returns the choice's id)."""

    BINDINGS = [Binding("escape", "dismiss_none", "Close")]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.heading = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="choice"):
            yield Label(plain(self.heading))
            yield OptionList(*(Option(plain(label), id=ident) for ident, label in self.choices), id="choice-list")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
