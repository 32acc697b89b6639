"""Suggested difficulty (issue 12 item 6): the measurable part of the rubric in docs/formats.md.

A chart is hard for what it makes the trainee do, not for how rare its topic is. The rubric adds
points for that work, read from the exercise and its key, and maps the sum to a level 1-5
(docs/formats.md, "How difficulty is rated"):

- charts (:func:`chart_points`): required codes, code sets beyond ICD-10-CM, POA decisions,
  modifiers and units, sequencing decisions, queries, conventions the note leaves to the coder
  (from the topics), 7th characters, an E/M level, noise (documents and words) and what to leave
  out (uncertain, ruled-out and history mentions);
- claims (:func:`claim_points`): findings, the claim's size, codes the corrected claim adds,
  modifiers and units, supporting documentation;
- remittances (:func:`remittance_points`): lines, adjustments and remarks, group mix, the action,
  the patient's share, the situation's length.

What the points cannot see (a subtle Index default, an unusual convention, a misleading
document) is left to the author, who may rate a level above or below the suggestion.
Multiple-choice questions are not rated here. No Textual import: ``medcode preview`` and the
tests share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Topic tags that name a convention the note does not spell out: an Index default, an instructional
# note ("use additional code", "code first", "code also"), a combination code, an Excludes1 choice.
CONVENTION_TOPICS = frozenset({
    "conventions", "code-also", "use-additional-code", "code-first", "etiology-manifestation",
    "combination-codes", "dominance-default", "index-default", "default-code", "excludes1", "placeholder",
})
SEQUENCING_TOPICS = frozenset({"sequencing"})
# Level thresholds on the points: level N from LEVELS[N-2] points up (0-2 -> 1, 3-5 -> 2, ...).
LEVELS = (3, 6, 9, 12)
# Claims and remittances score fewer items: 0-1 -> 1, 2-3 -> 2, 4-5 -> 3, 6-7 -> 4, 8+ -> 5.
BILLING_LEVELS = (2, 4, 6, 8)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'/.-]*")
# What the coder must read and leave out: uncertain and ruled-out diagnoses (OCG IV.H, II.H),
# history and resolved problems. Counted as whole words, case ignored.
_LEAVE_OUT = re.compile(
    r"(?<![\w/])(?:r/o|rule[sd]? out|ruled-out|possible|possibly|probable|likely|suspected|versus|vs\.?|"
    r"h/o|hx of|history of|s/p|resolved|no longer|neg(?:ative)? for)(?![\w/])",
    re.IGNORECASE)
# E/M services: the level is derived from the MDM or the time, never stated in the note.
_EM = re.compile(r"^99(?:2[0-9]{2}|3[0-9]{2}|4[0-9]{2})$")


@dataclass
class Rating:
    """Points per rubric item and the level they map to."""

    points: dict[str, int] = field(default_factory=dict)
    levels: tuple[int, ...] = LEVELS

    @property
    def total(self) -> int:
        return sum(self.points.values())

    @property
    def level(self) -> int:
        return level_for(self.total, self.levels)

    def explain(self) -> str:
        """``codes 3, code sets 3, query 2, noise 3``: the items that scored."""
        return ", ".join(f"{name} {value}" for name, value in self.points.items() if value)


def level_for(points: int, levels: tuple[int, ...] = LEVELS) -> int:
    return 1 + sum(points >= threshold for threshold in levels)


def words(text: str) -> int:
    return len(_WORD.findall(text))


def _band(value: int, bands: tuple[int, ...]) -> int:
    """How many of ``bands`` (ascending lower bounds) ``value`` reaches."""
    return sum(value >= low for low in bands)


def _noise(documents: list, extra_words: int = 0) -> int:
    """Documents (1: 0, 2-3: 1, 4+: 2) plus length (<150 words: 0, 150-399: 1, 400+: 2), at most 3."""
    count = len(documents)
    total = sum(words(d.text) for d in documents) + extra_words
    return min(3, _band(count, (2, 4)) + _band(total, (150, 400)))


def leave_out_markers(documents: list) -> int:
    """How many uncertain, ruled-out, history and resolved mentions the documents hold."""
    return sum(len(_LEAVE_OUT.findall(d.text)) for d in documents)


def _modifiers_units(procedures: list) -> int:
    """Modifiers and units over 1 to assign: none 0, 1-2 items 1, 3+ items 2."""
    items = sum(len(p.modifiers) + (1 if (p.units or 1) > 1 else 0) for p in procedures)
    return _band(items, (1, 3))


def chart_points(exercise, key) -> Rating:
    diagnoses = [d for d in key.diagnoses if not d.optional]
    procedures = [p for p in key.procedures if not p.optional]
    assign = set(exercise.assign)
    topics = {t.lower() for t in exercise.topics}
    points: dict[str, int] = {}
    # Required codes: 1: 0, 2-3: 1, 4-6: 2, 7-9: 3, 10+: 4.
    points["codes"] = _band(len(diagnoses) + len(procedures), (2, 4, 7, 10))
    # Code sets beyond ICD-10-CM: PCS, CPT, HCPCS, DRG, POA; one more when a POA value is not Y/exempt.
    points["code sets"] = len(assign & {"icd10pcs", "cpt", "hcpcs", "drg", "poa"}) - (0 if "icd10cm" in assign else 1)
    points["code sets"] = max(0, points["code sets"])
    points["poa decision"] = int("poa" in assign and any(d.poa in ("N", "U", "W") for d in diagnoses))
    points["modifiers/units"] = _modifiers_units(procedures)
    points["E/M level"] = int(any(p.system in (None, "cpt") and _EM.match(p.code) for p in procedures))
    # Sequencing: an order the key checks (etiology/manifestation, code first, external cause), and a
    # principal or first-listed choice (more than one code accepted first, or tagged "sequencing").
    sequencing = key.sequencing
    ordered = bool(sequencing and sequencing.before)
    choice = bool(sequencing and sequencing.first and len(sequencing.first) > 1) or bool(topics & SEQUENCING_TOPICS)
    points["sequencing"] = int(ordered) + int(choice)
    # Queries: the first 2, each further one 1, at most 3.
    points["queries"] = min(3, 2 * bool(key.queries) + max(0, len(key.queries) - 1))
    points["conventions"] = min(2, len(topics & CONVENTION_TOPICS))
    points["7th character"] = int(any(len(d.code.replace(".", "")) == 7 for d in diagnoses))
    points["noise"] = _noise(exercise.documents)
    # Uncertain, ruled-out and history mentions to leave out: 0-1: 0, 2-4: 1, 5+: 2.
    points["leave out"] = _band(leave_out_markers(exercise.documents), (2, 5))
    return Rating(points)


def claim_points(exercise, key) -> Rating:
    claim = exercise.claim
    findings = key.findings
    original = set(claim.diagnoses) | {line.code for line in claim.lines}
    corrected = [*key.corrected.diagnoses, *key.corrected.procedures]
    points: dict[str, int] = {}
    # Findings: a clean claim (none) 1 (nothing anchors the search), 1: 0, 2: 1, 3+: 2.
    points["findings"] = 1 if not findings else _band(len(findings), (2, 3))
    points["edit kinds"] = int(len({f.edit for f in findings}) >= 2)
    # The claim's size: lines plus item 21 slots, up to 3: 0, 4-6: 1, 7+: 2.
    points["claim size"] = _band(len(claim.lines) + len(claim.diagnoses), (4, 7))
    # Codes the corrected claim needs that the claim did not have: coded from the documentation.
    points["new codes"] = _band(sum(1 for c in corrected if c.code not in original), (1, 2))
    points["modifiers/units"] = _modifiers_units(key.corrected.procedures)
    points["noise"] = _noise(exercise.documents) if exercise.documents else 0
    return Rating(points, BILLING_LEVELS)


def remittance_points(exercise, key) -> Rating:
    remittance = exercise.remittance
    lines = remittance.lines
    adjustments = [a for line in lines for a in line.adjustments]
    points: dict[str, int] = {}
    points["lines"] = _band(len(lines), (2, 4))
    # Adjustments and remark codes to read: up to 1: 0, 2-3: 1, 4+: 2.
    points["adjustments"] = _band(len(adjustments) + sum(len(a.rarc) for a in adjustments)
                                  + len(remittance.remarks), (2, 4))
    points["group mix"] = int(len({a.group for a in adjustments}) >= 2)
    # Actions that need an argument or coordination of benefits; a secondary's remittance.
    points["action"] = int(key.action in ("appeal", "bill_secondary"))
    points["secondary"] = int(remittance.claim_status == "processed_as_secondary")
    points["patient share"] = int(key.patient_responsibility > 0)
    # The situation: up to 59 words 0, 60-119: 1, 120+: 2.
    points["situation"] = _band(words(exercise.situation), (60, 120))
    return Rating(points, BILLING_LEVELS)


def rate(exercise, key) -> Rating | None:
    """The rubric's points for an exercise and its key; None for a question or a missing key."""
    from tutor.content.billing import ClaimExercise, ClaimKey, RemittanceExercise, RemittanceKey
    from tutor.content.models import ChartExercise, ChartKey

    if isinstance(exercise, ChartExercise) and isinstance(key, ChartKey):
        return chart_points(exercise, key)
    if isinstance(exercise, ClaimExercise) and isinstance(key, ClaimKey):
        return claim_points(exercise, key)
    if isinstance(exercise, RemittanceExercise) and isinstance(key, RemittanceKey):
        return remittance_points(exercise, key)
    return None


def suggested_difficulty(exercise, key) -> int | None:
    """The rubric's level (1-5) for an exercise and its key; None where the rubric does not apply."""
    rating = rate(exercise, key)
    return rating.level if rating else None
