"""Normalisation of typed codes and recognition of a code's system by its form.

Form checks are only a pre-filter: whether a code exists is always decided by
table lookup (ICD-10-CM even has a letter in the 2nd position since FY2026).
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import lru_cache


class CodeSystem(StrEnum):
    ICD10CM = "icd10cm"
    ICD10PCS = "icd10pcs"
    CPT = "cpt"
    HCPCS = "hcpcs"


_SPACES = re.compile(r"\s+")
_CM_FORM = re.compile(r"^[A-Z][0-9A-Z]{2}(\.[0-9A-Z]{1,4})?$")
_PCS_FORM = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")  # 34 values: digits and letters except I and O
_CPT_FORM = re.compile(r"^[0-9]{4}[0-9FTUAM]$")
_HCPCS_FORM = re.compile(r"^[A-CEGHJ-MP-V][0-9]{4}$")  # D codes are dental (CDT), not CMS
_MODIFIER_FORM = re.compile(r"^[0-9A-Z]{2}$")


# Control (Cc) and format (Cf) characters: NUL, ESC, DEL, C1, zero-width space, byte-order mark,
# bidirectional overrides. Invisible, never part of a code.
_INVISIBLE = frozenset({"Cc", "Cf"})


def clean(text: object) -> str:
    """Upper-case, strip, and remove inner white space and invisible characters; never raises.

    This is where every typed or submitted code is read, so every later step (validity,
    matching, sequencing, Excludes1, the report) sees the same code: "E11.9\\0" is E11.9.
    Submission files refuse control characters before this (tutor.content.submissions).
    """
    if text is None:
        return ""
    # Lone surrogates (from a broken paste) cannot be encoded for SQLite; they can't be codes either.
    text = _SPACES.sub("", str(text).encode("utf-8", "replace").decode("utf-8"))
    if not text.isprintable():  # rare: only then look at each character
        text = "".join(c for c in text if unicodedata.category(c) not in _INVISIBLE)
    return text.upper()


def normalize_icd10cm(text: object) -> str:
    """Canonical dotted ICD-10-CM form: ``e119`` -> ``E11.9``, ``E1.19`` -> ``E11.9``.

    Anything that cannot be an ICD-10-CM code is returned cleaned but otherwise
    untouched, so the grader can still report it as INVALID.
    """
    code = clean(text)
    bare = code.replace(".", "")
    if not 3 <= len(bare) <= 7 or not bare.isascii() or not bare.isalnum() or not bare[0].isalpha():
        return code
    if len(bare) == 3:
        return bare
    return f"{bare[:3]}.{bare[3:]}"


def normalize_procedure(text: object) -> str:
    """Procedure codes (PCS, CPT, HCPCS) carry no dots: strip them with spaces."""
    return clean(text).replace(".", "")


def normalize_modifier(text: object) -> str:
    return clean(text).lstrip("-")


def normalize(text: object, system: CodeSystem | None) -> str:
    if isinstance(text, str):
        return _normalize_text(text, system)
    return normalize_icd10cm(text) if system is CodeSystem.ICD10CM else normalize_procedure(text)


@lru_cache(maxsize=65_536)
def _normalize_text(text: str, system: CodeSystem | None) -> str:
    """Grading normalises the same few thousand codes over and over: remember them."""
    return normalize_icd10cm(text) if system is CodeSystem.ICD10CM else normalize_procedure(text)


def infer_procedure_system(code: str) -> CodeSystem | None:
    """Which procedure code set a normalised code's form belongs to, if any."""
    if _CPT_FORM.match(code):
        return CodeSystem.CPT
    if _HCPCS_FORM.match(code):
        return CodeSystem.HCPCS
    if _PCS_FORM.match(code):
        return CodeSystem.ICD10PCS
    return None


def has_form(code: str, system: CodeSystem) -> bool:
    """Does a normalised code have the written form of its system?"""
    pattern = {
        CodeSystem.ICD10CM: _CM_FORM,
        CodeSystem.ICD10PCS: _PCS_FORM,
        CodeSystem.CPT: _CPT_FORM,
        CodeSystem.HCPCS: _HCPCS_FORM,
    }[system]
    if system is CodeSystem.ICD10CM and len(code.replace(".", "")) > 7:
        return False
    return bool(pattern.match(code))


def is_modifier_form(code: str) -> bool:
    return bool(_MODIFIER_FORM.match(code))
