"""Blind presentation (issue 12 item 1): what the trainee sees of an exercise before submitting.

Before the trainee submits an exercise the tutor shows only its **neutral label** and its documents
(docs/formats.md, "label"; ../shared/domain/chart-writing.md, "What the trainee sees before
submitting"). The title, the id, the topics, the exam areas: instructor metadata that may name the
answer, shown after submission (feedback, history, reports) and to instructors (``medcode preview``).

:func:`neutral_label` is the author's ``label`` when there is one, and otherwise a default:

- a chart: ``<setting>, <age> <sex>: <reason>``, the reason being the chart's chief complaint
  ("CC:", "Chief complaint:", "Reason for visit:", then the triage line) when it is safe, and the
  document types when it is not ("ED, 34 F: ED note, radiology report");
- a claim: ``<place of service> claim, <payer>, <age> <sex>`` ("Office claim, Medicare, 80 F");
- a remittance: ``Remittance, <payer>, <age> <sex>``;
- a multiple-choice question: ``Question`` with the exam families of its areas ("Question (CPC, CCA)"):
  the stem is shown anyway, the title and topics are not.

A chief complaint is *safe* (:func:`safe_reason`) when none of its words names the answer: no
content word of the exercise's title or topics (less the words every chief complaint uses,
``tutor/content/data/label_words.txt``), no clinical abbreviation in capitals ("CHF", "UTI"), and no
word with a diagnosis or procedure ending ("-itis", "-ectomy"). Unsure means unsafe: the default
then says what documents the record holds, never a guess at the reason.

Nothing here imports Textual: the screens, ``medcode`` and the tests share it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from tutor.content.billing import ClaimExercise, RemittanceExercise
from tutor.content.giveaways import display_lines, label_words, title_words, words
from tutor.content.models import ChartExercise, Document, McqExercise

MAX_LABEL = 120
"""A label is one line of at most this many characters (the ``label`` field's own limit)."""

SETTINGS = {
    "outpatient": "Outpatient", "inpatient": "Inpatient", "professional": "Professional fee",
    "emergency": "ED", "ambulatory_surgery": "Ambulatory surgery",
}
DOCUMENT_TYPES = {
    "progress_note": "progress note", "operative_report": "operative report",
    "discharge_summary": "discharge summary", "ed_note": "ED note", "h_and_p": "H&P",
    "consult": "consult", "radiology": "radiology report", "pathology": "pathology report",
}
PLACES_OF_SERVICE = {
    "02": "Telehealth", "10": "Telehealth", "11": "Office", "12": "Home visit", "19": "Outpatient hospital",
    "20": "Urgent care", "21": "Inpatient hospital", "22": "Outpatient hospital", "23": "ED",
    "24": "Ambulatory surgery", "31": "Nursing facility", "32": "Nursing facility",
}
PAYERS = {"medicare": "Medicare", "medicaid": "Medicaid", "commercial": "commercial payer"}

# Where a chart states the reason for the encounter, best first: the chief complaint in the
# patient's words, the reason for the visit, then the triage nurse's line.
_REASON_LINES = (
    re.compile(r"^\s*(?:CC|C/C|Chief complaints?)\s*[:\-]\s*(?P<reason>\S.*)$", re.IGNORECASE),
    re.compile(r"^\s*(?:Reason for (?:visit|encounter|consult(?:ation)?)|Presenting complaint)\s*[:\-]\s*"
               r"(?P<reason>\S.*)$", re.IGNORECASE),
    re.compile(r"^\s*Triage(?: note)?\s*[:\-]\s*(?P<reason>\S.*)$", re.IGNORECASE),
)
# Words clinicians give diagnoses and procedures: never in a label the tutor writes itself.
_NAMING_ENDINGS = ("itis", "osis", "oses", "emia", "aemia", "pathy", "oma", "omas", "ectomy", "otomy",
                   "ostomy", "plasty", "scopy", "rrhage", "algia", "uria", "plegia", "paresis", "ism")
_ABBREVIATION = re.compile(r"\b[A-Z][A-Z0-9/]*[A-Z]\b")
_VITALS = re.compile(r"\b(?:BP|HR|RR|SpO2|O2 sat|T(?:emp)?)\s*[:\d]", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”]?\s+(?=[A-Z0-9\"'“])")


def neutral_label(exercise: Any) -> str:
    """What the trainee sees of ``exercise`` before submitting: its ``label``, or the default."""
    label = getattr(exercise, "label", None)
    if isinstance(label, str) and label.strip():
        return label.strip()
    return default_label(exercise)


def default_label(exercise: Any) -> str:
    """The neutral label derived from the exercise's setting, patient and documents (module doc)."""
    if isinstance(exercise, McqExercise):
        families = exam_families(exercise.exam_areas)
        return f"Question ({', '.join(families)})" if families else "Question"
    who = patient_words(exercise.patient.age, exercise.patient.sex)
    if isinstance(exercise, ClaimExercise):
        place = PLACES_OF_SERVICE.get(exercise.claim.lines[0].place_of_service, "Professional")
        return _fit(f"{place} claim, {PAYERS.get(exercise.claim.payer, exercise.claim.payer)}, {who}")
    if isinstance(exercise, RemittanceExercise):
        return _fit(f"Remittance, {' '.join(exercise.remittance.payer.split())}, {who}")
    head = f"{SETTINGS.get(exercise.setting, exercise.setting)}, {who}"
    reason = chief_complaint(exercise.documents)
    if reason is None or not safe_reason(reason, named_words(exercise)):
        reason = document_list(exercise.documents)
    return _fit(f"{head}: {reason}")


def patient_words(age: int, sex: str) -> str:
    """``67 M``; ``67 y`` when the sex is not recorded."""
    return f"{age} {sex}" if sex in ("M", "F") else f"{age} y"


def exam_families(areas: Iterable[str]) -> list[str]:
    """The exams an item's areas belong to ("cpc.icd10cm" -> "CPC"), in the order first met;
    the area itself (what the item tests) is left out."""
    out: list[str] = []
    for area in areas:
        family = area.split(".", 1)[0]
        if family.isalnum() and len(family) <= 6 and family.upper() not in out:
            out.append(family.upper())
    return out


def document_list(documents: Iterable[Document]) -> str:
    """The types of the documents, each once, in order ("H&P, operative report, discharge summary")."""
    seen: list[str] = []
    for document in documents:
        name = DOCUMENT_TYPES.get(document.type, document.type.replace("_", " "))
        if name not in seen:
            seen.append(name)
    return ", ".join(seen) or "record"


def chief_complaint(documents: Iterable[Document]) -> str | None:
    """The reason for the encounter as the record states it (chief complaint, reason for visit,
    triage: the first kind found in any document), its first sentence, quotes and vitals left out."""
    lines = [line.text for document in documents for line in display_lines(document.text)]
    for pattern in _REASON_LINES:
        for line in lines:
            found = pattern.match(line)
            if found:
                reason = _first_sentence(found.group("reason"))
                if reason:
                    return reason
    return None


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    vitals = _VITALS.search(text)
    if vitals:
        text = text[:vitals.start()]
    text = _SENTENCE_END.split(text, maxsplit=1)[0]
    text = text.strip().strip("\"'“”").strip()
    text = text.rstrip(".;,: ").strip().strip("\"'“”").strip()
    return text


def named_words(exercise: Any) -> set[str]:
    """Words that name the answer: content words of the title and the topics, less the words every
    chief complaint may use (``label_words.txt``)."""
    allowed = label_words()
    texts = [getattr(exercise, "title", None) or ""] + [t.replace("-", " ").replace("_", " ")
                                                         for t in exercise.topics]
    return {w for text in texts for w in title_words(text) if len(w) > 2 and not w.isdigit() and w not in allowed}


def safe_reason(reason: str, named: set[str]) -> bool:
    """Whether ``reason`` can be shown before submission (module doc): no answer word, no clinical
    abbreviation in capitals, no diagnosis or procedure ending."""
    allowed = label_words()
    for word in words(reason):
        if word in named:
            return False
        if word not in allowed and len(word) > 4 and word.endswith(_NAMING_ENDINGS):
            return False
    for abbreviation in _ABBREVIATION.findall(reason):
        if abbreviation.lower() not in allowed and not _common(abbreviation):
            return False
    return True


def _common(abbreviation: str) -> bool:
    """Capitals a chief complaint uses without naming anything (sides, units, the ED)."""
    return abbreviation in {"RLQ", "LLQ", "RUQ", "LUQ", "ED", "ER", "EMS", "PCP", "OK", "AM", "PM", "MVC", "MVA"}


def _fit(text: str) -> str:
    """One line of at most :data:`MAX_LABEL` characters, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= MAX_LABEL:
        return text
    cut = text[:MAX_LABEL - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > MAX_LABEL // 2 else cut).rstrip(",;: ") + "…"


def list_text(exercise: Any) -> str:
    """A row in a list before submission: the neutral label, and for a question the start of its
    stem (shown on its screen anyway)."""
    label = neutral_label(exercise)
    if isinstance(exercise, McqExercise):
        return f"{label}: {' '.join(exercise.stem.split())}"
    return label


def search_text(exercise: Any) -> str:
    """What the browser's search reads before submission: the neutral label and the text the
    trainee sees (documents, a question's stem and options, a claim's payer), never the title,
    the id or the topics."""
    parts = [neutral_label(exercise)]
    if isinstance(exercise, McqExercise):
        parts += [exercise.stem, *exercise.options.values()]
    for document in getattr(exercise, "documents", None) or []:
        parts += [document.title, document.text]
    return "\n".join(parts)


def revealed_title(exercise: Any) -> str:
    """The exercise's title, shown after submission (feedback, history, reports)."""
    title = getattr(exercise, "title", None)
    return title if isinstance(title, str) and title.strip() else neutral_label(exercise)
