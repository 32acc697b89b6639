"""Text from content files, submissions and trainees, made safe to show in the tutor.

Two things would otherwise act on it. Markup: a title holding "[/]" crashed a screen, "[link=...]"
became a live link and "[R]" vanished. Terminal control characters: Textual writes them to the
terminal as they are, so an ESC sequence in a title could clear or retitle the trainee's
terminal. Whatever the tutor shows that its own code did not write goes through these helpers:
no markup is read from it, and control characters are shown as visible escapes (``\\x1b``).
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from tutor.textsafe import printable


def plain(text: str) -> Content:
    """``text`` shown as written."""
    return Content(printable(text))


def markup(template: str, **values: object) -> Content:
    """Our own markup ``template`` with each ``$name`` replaced by its value shown as written."""
    return Content.from_markup(template, **{name: printable(str(value)) for name, value in values.items()})


def cell(text: str, style: str = "") -> Text:
    """A table cell or a list label shown as written, on one line (tables and selects take Rich text)."""
    return Text(printable(text, one_line=True), style=style)
