"""``medcode new``: an exercise and its key with every required field, commented for authors."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from tutor.content.models import ID_PART
from tutor.errors import TutorError
from tutor.textsafe import printable

CHART = """\
# A synthetic chart: invented patient, no names, record numbers, phones or addresses.
format: 1
id: {id}                       # equals the file name; lower-case words joined by hyphens
kind: chart
title: {title}
setting: {setting}             # outpatient | inpatient | professional | emergency | ambulatory_surgery
date_of_service: {today}       # picks the code-set year; for inpatient, the discharge date
patient: {{age: 50, sex: F}}    # sex M, F or U; inpatient may add discharge_status (1 = home)
assign: {assign}               # icd10cm, icd10pcs, cpt, hcpcs, poa, drg
difficulty: 2                  # 1 (one obvious code) .. 5 (several conventions interact)
topics: []                     # e.g. [diabetes, z-codes]
exam_areas: []                 # e.g. [cpc.icd10cm]; used by exam blueprints
documents:
  - type: {document}           # progress_note, operative_report, discharge_summary, ed_note, h_and_p, consult, radiology, pathology
    title: {document_title}
    text: |
      CC:
      HPI:
      A/P:
"""

CHART_KEY = """\
format: 1
exercise: {id}
diagnoses:                     # reporting order: the first is principal / first-listed
  - code: R69                  # replace: every code must be valid and billable on the date of service
    rationale: >-
      Why this code, citing the guideline or convention (e.g. OCG IV.G).
    evidence: ""               # a span copied verbatim from the chart text
{poa_line}    alternates: []             # other codes accepted for this line
    optional: false            # true: omitting it costs nothing
{procedures}sequencing:
  first: [R69]                 # codes accepted in first position
  before: []                   # pairs that must keep their order, e.g. [[A41.9, R65.20]]
distractors: []                # common wrong answers: - {{codes: [E11], lesson: why it is wrong}}
queries: []                    # queries the record calls for: - {{topic: clinical_validity, rationale: why, evidence: a span}}
                               # topics: clinical_validity, conflicting_documentation, specificity, cause_and_effect,
                               # present_on_admission, abnormal_finding_significance, procedure_detail (docs/formats.md)
"""

PROCEDURES = """\
procedures:
  - code: "{code}"
    system: {system}
{details}    rationale: >-
      Why this code (and its modifiers and units).
"""

MCQ = """\
format: 1
id: {id}
kind: mcq
title: {title}
stem: >-
  The scenario and the question, in your own words (no CPT descriptor text).
options:
  A: first option
  B: second option
  C: third option
  D: fourth option
difficulty: 2
topics: []
exam_areas: []                 # e.g. [cpc.coding_guidelines]
"""

MCQ_KEY = """\
format: 1
exercise: {id}
answer: A
rationale: >-
  Why A is right and the others are not, citing the guideline.
"""

DOCUMENT_FOR = {
    "outpatient": ("progress_note", "Office visit"), "professional": ("progress_note", "Office visit"),
    "inpatient": ("discharge_summary", "Discharge summary"), "emergency": ("ed_note", "Emergency department note"),
    "ambulatory_surgery": ("operative_report", "Operative report"),
}
ASSIGN_FOR = {
    "outpatient": "[icd10cm]", "professional": "[icd10cm, cpt]", "emergency": "[icd10cm]",
    "inpatient": "[icd10cm, icd10pcs, poa, drg]", "ambulatory_surgery": "[icd10cm, cpt]",
}


def scaffold(kind: str, ident: str, setting: str, exercises: Path, keys: Path,
             today: date | None = None) -> tuple[Path, Path]:
    """Write the two files; never overwrite an existing one."""
    # The id is the file name too: no folder separators, control characters or spaces in it.
    if not re.fullmatch(ID_PART, ident):
        raise TutorError(f"'{printable(ident, one_line=True)}' is not an exercise id: use letters, digits, '.', '_' "
                         "and '-', starting with a letter or digit (e.g. op-knee-oa-injection)")
    exercise_path, key_path = exercises / f"{ident}.yaml", keys / f"{ident}.yaml"
    for path in (exercise_path, key_path):
        if path.exists():
            raise TutorError(f"{path} already exists")
    title = ident.replace("-", " ").capitalize()
    if kind == "mcq":
        exercise_text, key_text = MCQ.format(id=ident, title=title), MCQ_KEY.format(id=ident)
    else:
        document, document_title = DOCUMENT_FOR[setting]
        inpatient = setting == "inpatient"
        if inpatient:
            procedures = PROCEDURES.format(code="0DTJ4ZZ", system="icd10pcs", details="")
        else:
            procedures = PROCEDURES.format(code="99213", system="cpt",
                                           details="    modifiers: []\n    units: 1\n") \
                if setting in ("professional", "ambulatory_surgery") else ""
        exercise_text = CHART.format(id=ident, title=title, setting=setting, today=(today or date.today()).isoformat(),
                                     assign=ASSIGN_FOR[setting], document=document, document_title=document_title)
        key_text = CHART_KEY.format(id=ident, procedures=procedures,
                                    poa_line="    poa: Y                     # inpatient only: Y, N, U, W or exempt\n"
                                    if inpatient else "")
        if inpatient:
            key_text += 'drg: "000"                     # replace with the MS-DRG the key groups to (validate tells you)\n'
    exercises.mkdir(parents=True, exist_ok=True)
    keys.mkdir(parents=True, exist_ok=True)
    exercise_path.write_text(exercise_text, encoding="utf-8")
    key_path.write_text(key_text, encoding="utf-8")
    return exercise_path, key_path
