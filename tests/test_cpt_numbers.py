"""Every CPT number the bundled content uses is on one reviewed list (numbers only, never descriptors).

CPT descriptors are the AMA's and are never shipped, so a CPT number in a key cannot be checked
against a code set here. Instead every number used in an answer key, a generator template or a
question is kept in ``tests/cpt_numbers.txt``, and a number goes on that list only once an
independent second pass (a coder who never saw the key) has confirmed it for the service it keys.
This test fails on a number missing from the list, and on a listed number nothing uses any more,
so the list stays exactly what the content needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
LIST = Path(__file__).with_name("cpt_numbers.txt")

#: A CPT number: five digits, or four digits and F (Category II), T (Category III) or U (PLA).
CPT_NUMBER = re.compile(r"^\d{4}[0-9FTU]$")
#: The same inside prose (questions), not part of a longer number, an amount or a date.
CPT_IN_TEXT = re.compile(r"(?<![\w$.,/-])(\d{4}[0-9FTU])(?![\w%]|[.,]\d)")


def scalars(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from scalars(value)
    elif isinstance(node, list):
        for value in node:
            yield from scalars(value)
    elif isinstance(node, (str, int)) and not isinstance(node, bool):
        yield str(node)


def used_numbers() -> dict[str, str]:
    """Each CPT number in keys, templates and questions, with one file that uses it."""
    used: dict[str, str] = {}
    for folder in ("answer_keys", "exercises/templates"):
        for path in sorted((ROOT / folder).rglob("*.yaml")):
            for value in scalars(yaml.safe_load(path.read_text(encoding="utf-8"))):
                if CPT_NUMBER.match(value):
                    used.setdefault(value, str(path.relative_to(ROOT)))
    for path in sorted((ROOT / "exercises/mcq").rglob("*.yaml")):
        for value in scalars(yaml.safe_load(path.read_text(encoding="utf-8"))):
            for number in CPT_IN_TEXT.findall(value):
                used.setdefault(number, str(path.relative_to(ROOT)))
    return used


def reviewed_numbers() -> list[str]:
    lines = LIST.read_text(encoding="utf-8").splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def test_the_reviewed_list_is_well_formed_and_sorted() -> None:
    numbers = reviewed_numbers()
    assert numbers == sorted(set(numbers)), "one number a line, sorted, no repeats"
    assert [n for n in numbers if not CPT_NUMBER.match(n)] == []


def test_every_cpt_number_in_the_content_is_reviewed() -> None:
    missing = {n: where for n, where in used_numbers().items() if n not in set(reviewed_numbers())}
    assert missing == {}, "add each number to tests/cpt_numbers.txt once a second pass confirms it"


def test_every_reviewed_number_is_still_used() -> None:
    assert sorted(set(reviewed_numbers()) - set(used_numbers())) == []


def test_the_pattern_finds_numbers_in_prose_but_not_amounts_or_dates() -> None:
    text = "Report 99213-25 with 20610; $12500 billed, 2026.5 units, phone 555-12345, id 123456, 0001F and 0042T."
    assert CPT_IN_TEXT.findall(text) == ["99213", "20610", "0001F", "0042T"]
