"""Safe output of text that came from files and users: on a terminal and in a CSV file.

Student submissions, class folders and content packs are written by people the instructor does
not control. Two kinds of output would otherwise execute what they wrote:

* a terminal obeys control characters: ESC/CSI/OSC sequences clear the screen, move the cursor,
  retitle the window or rewrite earlier lines, BEL rings, a carriage return overwrites a line, and
  bidi overrides reorder what is shown so text hides or disguises itself.  ``printable`` makes each
  such character visible as an escape (``\\x1b``, ``\\x9b``, ``\\u202e``); what follows it, such as
  ``[2J``, is then ordinary harmless text.
* a spreadsheet runs a cell starting with ``= + - @`` (or TAB/CR before one) as a formula.
  ``csv_cell`` prefixes such a cell with ``'`` (OWASP "CSV Injection"), and ``SafeCsvWriter`` is
  the one CSV writer every command uses, so no cell escapes that rule.

JSON output needs neither: ``json.dumps`` escapes C0, and with ``ensure_ascii`` (the default) every
non-ASCII character (C1, bidi) too, so JSON stays exact and safe.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

# Bidi controls and line/paragraph separators: invisible, yet they reorder or break what a terminal
# shows. (Joiners such as U+200D are left alone: scripts and emoji need them and they hide nothing.)
_INVISIBLE_LAYOUT = [0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]


def _escape(code_point: int) -> str:
    return f"\\x{code_point:02x}" if code_point <= 0xFF else f"\\u{code_point:04x}"


def _table(code_points: Iterable[int]) -> dict[int, str]:
    return {cp: _escape(cp) for cp in code_points}


# C0 controls except newline and tab, DEL, C1 controls (U+0080-U+009F: 0x9b is a one-byte CSI).
_MULTI_LINE = _table([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0), *_INVISIBLE_LAYOUT])
# A table cell or a one-line message: a newline there could forge a row, so it is shown too.
_ONE_LINE = {**_MULTI_LINE, **_table([0x09, 0x0A])}


def printable(text: str, *, one_line: bool = False) -> str:
    """``text`` with every terminal control character shown as a visible escape.

    Newlines and tabs are kept unless ``one_line`` is set (for table cells and one-line messages,
    where a newline in a name could fake another row). Everything else is unchanged.
    """
    return text.translate(_ONE_LINE if one_line else _MULTI_LINE)


def has_control_characters(text: str) -> bool:
    """True when ``printable(text, one_line=True)`` would change ``text``: for names, one line each."""
    return text.translate(_ONE_LINE) != text


# OWASP: a cell starting with one of these is (or leads into) a formula. LF is added because some
# spreadsheet importers drop leading whitespace as they do for TAB and CR.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: object) -> str:
    """One CSV cell that a spreadsheet shows as text and never evaluates.

    The rule is by type, not by look: an ``int``/``float`` the product computed (a count, a score,
    possibly negative) stays a number; every string is text from somewhere and is neutralised, even
    one that looks like ``-3`` or ``+1`` (``'-3`` displays as -3 but cannot start a formula such as
    ``-3+cmd|' /C calc'!A0``). Control characters are made visible as in ``printable`` (newlines
    and tabs kept, the csv module quotes them) so a CSV shown with ``cat`` is safe too.
    ``None`` is an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float)):  # bool is an int: True/False, harmless
        return str(value)
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        text = "'" + text
    return printable(text)


class SafeCsvWriter:
    """``csv.writer`` whose every cell goes through ``csv_cell``: the only CSV writer to use.

    Rows end in a plain newline, not the csv module's CRLF: the CSV may be printed on a terminal,
    and spreadsheets and csv readers take either.
    """

    def __init__(self, handle: TextIO):
        self._writer = csv.writer(handle, lineterminator="\n")

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
