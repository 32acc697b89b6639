"""Warnings for weak content: things that are not wrong by format but teach badly.

``medcode validate`` shows them; ``--strict`` makes them fail the run.
"""

from __future__ import annotations

import hashlib
import re

from tutor.codes import CodeSets, CodeSystem, normalize
from tutor.content.giveaways import check_giveaways
from tutor.content.library import Library, SourceFile
from tutor.content.models import ChartExercise, ChartKey
from tutor.grading.classify import side

# A rationale should say which rule it applies: a guideline section, a convention, a table note.
_CITATION = re.compile(
    r"\b(?:OCG|guideline|Guidelines|Section [IVX]+|[IVX]{1,3}\.[A-Z](?:\.\d+)*|I\.[A-C]\.\d+|PCS|"
    r"B\d\.\d+|Tabular|Index|convention|Excludes ?[12]|code first|use additional|NCCI|CMS|MS-DRG|"
    r"UHDDS|Appendix I|modifier|descriptor|MUE|CPT|HCPCS|E/M|MDM|AHA|Coding Clinic)\b",
    re.IGNORECASE,
)
_SIDE_WORDS = {"R": ("right", " rt ", "r "), "L": ("left", " lt ", "l ")}


def _warn(library: Library, source: SourceFile, loc: tuple, message: str) -> None:
    library.problem(source, loc, message, severity="warning")


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def check_warnings(library: Library, codes: CodeSets) -> None:
    _duplicates(library)
    for ident, key in sorted(library.keys.items()):
        exercise = library.exercises.get(ident)
        if not isinstance(key, ChartKey) or not isinstance(exercise, ChartExercise):
            continue
        source = library.key_files[ident]
        chart_text = "\n".join(doc.text for doc in exercise.documents)
        flat = " ".join(chart_text.split()).lower()
        lines = [("diagnoses", i, d) for i, d in enumerate(key.diagnoses)]
        lines += [("procedures", i, p) for i, p in enumerate(key.procedures)]
        for section, i, line in lines:
            if not _CITATION.search(line.rationale):
                _warn(library, source, (section, i, "rationale"),
                      f"{line.code}: the rationale names no guideline, convention or rule")
            if line.evidence and " ".join(line.evidence.split()).lower() not in flat:
                _warn(library, source, (section, i, "evidence"),
                      f"{line.code}: evidence '{_short(line.evidence)}' is not in the chart text")
        for i, dx in enumerate(key.diagnoses):
            _check_dx_against_chart(library, source, exercise, i, dx.code, chart_text, codes)
        if key.diagnoses:
            first = normalize(key.diagnoses[0].code, CodeSystem.ICD10CM)
            if codes.editor.is_manifestation(first.replace(".", ""), exercise.date_of_service):
                _warn(library, source, ("diagnoses", 0, "code"),
                      f"{first} is a manifestation code ('in diseases classified elsewhere'), "
                      "never principal or first-listed (OCG I.A.13)")
    check_giveaways(library, codes)
    library.problems.sort()


def _check_dx_against_chart(library: Library, source: SourceFile, exercise: ChartExercise, index: int,
                            raw: str, chart_text: str, codes: CodeSets) -> None:
    entry = codes.cm(normalize(raw, CodeSystem.ICD10CM))
    if entry is None:
        return
    code_side = side(entry.title)
    words = _words(chart_text)
    if code_side in ("R", "L"):
        own = any(w in words for w in _SIDE_WORDS[code_side])
        other = any(w in words for w in _SIDE_WORDS["L" if code_side == "R" else "R"])
        if other and not own:
            _warn(library, source, ("diagnoses", index, "code"),
                  f"{entry.code} codes the {'right' if code_side == 'R' else 'left'} side, but the chart "
                  f"only mentions the {'left' if code_side == 'R' else 'right'}")
    if codes.editor.sex_conflict(entry.code.replace(".", ""), exercise.patient.sex):
        _warn(library, source, ("diagnoses", index, "code"),
              f"{entry.code} ({entry.title}) does not fit a patient of sex {exercise.patient.sex} "
              "(Medicare Code Editor sex edit)")


def _duplicates(library: Library) -> None:
    seen: dict[str, str] = {}
    for ident, exercise in sorted(library.exercises.items()):
        if not isinstance(exercise, ChartExercise):
            continue
        text = " ".join(" ".join(doc.text for doc in exercise.documents).split()).lower()
        digest = hashlib.sha256(text.encode()).hexdigest()
        if digest in seen:
            _warn(library, library.exercise_files[ident], ("documents",),
                  f"the documentation duplicates exercise '{seen[digest]}'")
        else:
            seen[digest] = ident


def _short(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
