"""Code-set access: one object that answers "is this code valid on this date, and what is it?"."""

from tutor.codes.codesets import CodeCheck, CodeSets, Validity
from tutor.codes.normalize import CodeSystem, normalize, normalize_icd10cm, normalize_modifier

__all__ = [
    "CodeCheck",
    "CodeSets",
    "CodeSystem",
    "Validity",
    "normalize",
    "normalize_icd10cm",
    "normalize_modifier",
]
