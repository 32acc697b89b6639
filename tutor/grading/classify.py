"""How a near miss differs from the key: laterality, 7th character, specificity, PCS axis."""

from __future__ import annotations

import re
from typing import Protocol

from tutor.codes.index import CmEntry
from tutor.grading.outcomes import PCS_AXES, Outcome


class _Entries(Protocol):
    def cm(self, code: str) -> CmEntry | None: ...


_WORDS = re.compile(r"[a-z]+")
# Words that only say which side: ignored when comparing what two titles describe.
_SIDE_WORDS = frozenset({
    "right", "left", "bilateral", "unilateral", "unspecified", "side", "sides",
    "eye", "eyes", "ear", "ears", "of", "and", "the",
})


# "Right heart failure", "left bundle-branch block", "left main coronary artery": a part of
# an organ named by side, not the side of the body.
_ANATOMICAL_SIDES = re.compile(
    r"\b(?:right|left)[\s-]+(?:heart|ventric\w*|atri\w*|bundle|main|coronary|sided heart|colon|hemicolectomy)\b")


def side(title: str) -> str | None:
    """R, L, B (bilateral), U (side unspecified) or None (no laterality in the title)."""
    words = set(_WORDS.findall(_ANATOMICAL_SIDES.sub(" ", title.lower())))
    if "bilateral" in words or {"right", "left"} <= words:
        return "B"
    if "right" in words:
        return "R"
    if "left" in words:
        return "L"
    if "unspecified" in words:
        return "U"
    return None


def _what(title: str) -> list[str]:
    return [w for w in _WORDS.findall(title.lower()) if w not in _SIDE_WORDS]


def _first_difference(a: str, b: str) -> int:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def _without_seventh(code: str, entry: CmEntry | None) -> str:
    bare = code.replace(".", "")
    if entry and entry.seventh and len(bare) == 7:
        bare = bare[:6]
    return bare[:3] if len(bare) == 3 else f"{bare[:3]}.{bare[3:]}"


def classify_cm(submitted: str, expected: str, refs: _Entries) -> Outcome:
    """Two valid codes of the same category: which axis is wrong first?"""
    sub_entry, key_entry = refs.cm(submitted), refs.cm(expected)
    sub_bare, key_bare = submitted.replace(".", ""), expected.replace(".", "")
    first = _first_difference(sub_bare, key_bare)
    if first == 6 and len(sub_bare) == len(key_bare) == 7 and key_entry and key_entry.seventh:
        return _classify_seventh(key_entry.seventh.get(sub_bare[6], ""), key_entry.seventh.get(key_bare[6], ""))
    sub_base, key_base = refs.cm(_without_seventh(submitted, sub_entry)), refs.cm(_without_seventh(expected, key_entry))
    if sub_base and key_base:
        sub_side, key_side = side(sub_base.title), side(key_base.title)
        if (sub_side != key_side and {sub_side, key_side} & {"R", "L", "B"}
                and _what(sub_base.title) == _what(key_base.title)):
            return Outcome.WRONG_LATERALITY
    return Outcome.WRONG_SPECIFICITY


def _classify_seventh(submitted: str, expected: str) -> Outcome:
    """The 7th character means an encounter (A/D/S), a side (diabetic eye codes), a stage or a fetus."""
    if any(word in text for text in (submitted, expected) for word in ("encounter", "sequela")):
        return Outcome.WRONG_ENCOUNTER_7TH
    sides = {side(submitted), side(expected)}
    if len(sides) == 2 and sides & {"R", "L", "B"}:
        return Outcome.WRONG_LATERALITY
    return Outcome.WRONG_SPECIFICITY


def classify_pcs(submitted: str, expected: str) -> Outcome:
    """The first of the seven PCS axes on which two codes differ."""
    return PCS_AXES[min(_first_difference(submitted, expected), 6)]
