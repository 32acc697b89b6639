"""Flags text that looks like real personal data: content must stay synthetic.

Patterns are deliberately a little broad (a false alarm costs an author a
minute; a leaked identifier costs far more). Clinical numbers such as blood
pressures (128/78), doses and lab values do not match.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

PATTERNS: dict[str, re.Pattern[str]] = {
    "social security number": re.compile(r"\b\d{3}-\d{2}-\d{4}\b"),
    "phone number": re.compile(r"(?:\(\d{3}\)\s?|\b\d{3}[-.])\d{3}[-.]\d{4}\b"),
    "e-mail address": re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]{2,}\b"),
    "street address": re.compile(
        r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|"
        r"Court|Ct|Way|Place|Pl|Terrace|Circle|Highway|Hwy)\b\.?"
    ),
    "medical record number": re.compile(r"\b(?:MRN|medical record (?:number|no\.?)|acct(?:ount)? ?(?:no|#))\s*[:#]?\s*\d{4,}",
                                        re.IGNORECASE),
    "date of birth": re.compile(r"\b(?:DOB|date of birth|born on)\s*[:]?\s*\d{1,2}[/-]\d{1,2}[/-]\d{2,4}", re.IGNORECASE),
}


def personal_data(text: str) -> Iterator[tuple[str, str]]:
    """(kind, matched text) for everything that looks like an identifier."""
    for kind, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            yield kind, match.group(0)
