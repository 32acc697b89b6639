"""tutor.textsafe: control characters made visible, CSV cells that never become formulas."""

import csv
import io

import pytest

from tutor.textsafe import SafeCsvWriter, csv_cell, printable

CONTROL_BYTES = [chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0)]]
BIDI_AND_SEPARATORS = ["\u061c", "\u200e", "\u200f", "\u2028", "\u2029", "\u202a", "\u202e", "\u2066", "\u2069"]


def test_escape_sequences_become_visible_text():
    assert printable("Title\x1b[2J\x1b]0;pwned\x07 x\x9b31m") == "Title\\x1b[2J\\x1b]0;pwned\\x07 x\\x9b31m"


@pytest.mark.parametrize("char", CONTROL_BYTES + BIDI_AND_SEPARATORS)
def test_every_terminal_control_character_is_escaped(char):
    shown = printable(f"a{char}b")
    assert char not in shown
    assert shown.startswith("a\\") and shown.endswith("b")


def test_newline_tab_and_ordinary_text_are_kept():
    text = "Knee [R] injection\n\tE11.9 — résumé 糖尿病 👩‍⚕️"
    assert printable(text) == text


def test_one_line_shows_newline_and_tab():
    assert printable("alice\nbob 100%\tx", one_line=True) == "alice\\x0abob 100%\\x09x"


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+1", "-3", "-2+3+cmd|' /C calc'!A0", "@SUM(1)",
                                  '=HYPERLINK("http://x","y")', "\t=1", "\r=1", "\n=1"])
def test_formula_starts_get_a_quote(text):
    assert csv_cell(text).startswith("'")


@pytest.mark.parametrize("value, cell", [(-3, "-3"), (0.5, "0.5"), (-0.25, "-0.25"), (None, ""), ("alice", "alice"),
                                         ("a=b", "a=b")])
def test_numbers_and_plain_text_are_unchanged(value, cell):
    assert csv_cell(value) == cell


def test_safe_writer_round_trips_text_and_leaves_no_formula():
    out = io.StringIO()
    SafeCsvWriter(out).writerows([["=cmd|' /C calc'!A0", "a,\"b\"\nc", -1], ["@x\x1b[2J", "ok", 2.5]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["'=cmd|' /C calc'!A0", "a,\"b\"\nc", "-1"], ["'@x\\x1b[2J", "ok", "2.5"]]


def test_rows_end_in_a_plain_newline():
    out = io.StringIO()
    SafeCsvWriter(out).writerows([["a", "b\r"], ["c", 1]])
    assert "\r" not in out.getvalue() and out.getvalue().count("\n") == 2
