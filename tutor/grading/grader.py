"""The grader: a submission against an answer key, element by element (SPEC section 4).

Pure: no I/O, no clock, no randomness. Everything it knows about codes comes
from the ``CodeReference`` it is given (the real code sets, or a fake in tests).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Protocol

from tutor.codes import CodeCheck, CodeSystem, normalize, normalize_modifier
from tutor.codes.cms import DrgResult, GroupingClaim
from tutor.codes.excludes1 import Excludes1Relation, Ref
from tutor.codes.index import CmEntry
from tutor.codes.normalize import infer_procedure_system
from tutor.content.models import (
    ChartExercise, ChartKey, KeyQuery, McqExercise, McqKey, Submission, SubmittedQuery, query_topic_name,
)
from tutor.content.report import DrgSummary, Finding, GradeReport
from tutor.grading.classify import classify_cm, classify_pcs
from tutor.grading.outcomes import (
    CREDIT, INVALID_STEM_CREDIT, PCS_AXES, PCS_AXIS_NAMES, WEIGHTS, Outcome, fails_record,
)

CODE_ELEMENTS = ("diagnosis", "procedure")
RIGHT = frozenset({Outcome.CORRECT.value, Outcome.ALTERNATE.value})
SUBSTITUTED = frozenset({Outcome.WRONG_CODE, Outcome.INVALID})


def _finding(**fields) -> Finding:
    fields["outcome"] = str(fields["outcome"])
    return Finding(**fields)


class CodeReference(Protocol):
    """What the grader asks of the code sets."""

    def check(self, raw: object, system: CodeSystem, when: date) -> CodeCheck: ...
    def cm(self, code: str) -> CmEntry | None: ...
    def title(self, code: str, system: CodeSystem) -> str: ...
    def excludes1_refs(self, code: str) -> tuple[Ref, ...]: ...
    def group(self, claim: GroupingClaim) -> DrgResult: ...


@dataclass
class _KeyLine:
    index: int
    code: str
    system: CodeSystem
    alternates: tuple[str, ...]
    optional: bool
    rationale: str
    evidence: str | None
    poa: str | None = None
    modifiers: frozenset[str] = frozenset()
    units: int | None = None
    alternate_modifiers: tuple[frozenset[str], ...] = ()

    def accepts_modifiers(self, modifiers: frozenset[str]) -> bool:
        return modifiers == self.modifiers or modifiers in self.alternate_modifiers


@dataclass
class _Entry:
    index: int
    code: str
    system: CodeSystem
    check: CodeCheck
    poa: str | None = None
    modifiers: frozenset[str] = frozenset()
    units: int | None = None


@dataclass
class _Match:
    key: _KeyLine
    entry: _Entry
    outcome: Outcome


@dataclass
class _Pairing:
    matches: list[_Match] = field(default_factory=list)
    missing: list[_KeyLine] = field(default_factory=list)
    extras: list[tuple[_Entry, Outcome]] = field(default_factory=list)


# --- matching -----------------------------------------------------------------------


def _pair(keys: list[_KeyLine], entries: list[_Entry], near: Callable[[_Entry, _KeyLine], Outcome | None],
          conflicts: Callable[[_Entry], bool]) -> _Pairing:
    """Exact, then alternate, then near, then invalid-stem, then substitution matches.

    Required key lines are served before optional ones at every pass, so an
    optional line never takes a code a required line could have had.
    """
    result = _Pairing()
    free_keys = sorted(keys, key=lambda k: (k.optional, k.index))
    free_entries = list(entries)

    def take(rule: Callable[[_Entry, _KeyLine], Outcome | None], substitution: bool = False) -> None:
        if not free_keys or not free_entries:
            return
        for key in list(free_keys):
            if substitution and key.optional:
                continue
            candidates = [(e, rule(e, key)) for e in free_entries]
            candidates = [(e, o) for e, o in candidates if o is not None]
            if not candidates:
                continue
            # Ties go by content, never by position, so reordering secondary codes changes nothing.
            entry, outcome = max(candidates, key=lambda c: (_common_prefix(c[0].code, key.code), *_content(c[0])))
            result.matches.append(_Match(key, entry, outcome))
            free_keys.remove(key)
            free_entries.remove(entry)

    # Exact matches first, found through a dict (the common case: most codes are right).
    by_code: dict[tuple[str, CodeSystem], list[_Entry]] = {}
    for entry in free_entries:
        by_code.setdefault((entry.code, entry.system), []).append(entry)
    for key in list(free_keys):
        same = by_code.get((key.code, key.system))
        if same:
            # The same code on several lines (20610-RT and 20610-LT): pair each with the line it fits best.
            entry = min(same, key=lambda e: (not key.accepts_modifiers(e.modifiers), (e.units or 1) != (key.units or 1),
                                             (e.poa or "") != (key.poa or ""), _content(e)))
            same.remove(entry)
            result.matches.append(_Match(key, entry, Outcome.CORRECT))
            free_keys.remove(key)
            free_entries.remove(entry)
    take(lambda e, k: Outcome.ALTERNATE if e.code in k.alternates and e.system == k.system else None)
    take(near)
    take(lambda e, k: Outcome.INVALID if e.check.status.invalid and e.system == k.system
         and _stem(e.code) and k.code.replace(".", "").startswith(_stem(e.code)) else None)
    # Codes in Excludes1 conflict with another reported code are extras, never substitutes.
    excluded = [e for e in free_entries if not e.check.status.invalid and conflicts(e)]
    excluded_lines = {e.index for e in excluded}
    free_entries = [e for e in free_entries if e.index not in excluded_lines]
    take(lambda e, k: _substitute(e, k), substitution=True)

    result.missing = [k for k in free_keys if not k.optional]
    result.extras = [(e, Outcome.EXCLUDES1) for e in excluded]
    result.extras += [(e, Outcome.INVALID if e.check.status.invalid else Outcome.EXTRA_CODE) for e in free_entries]
    result.extras.sort(key=lambda pair: pair[0].index)
    return result


def _content(entry: _Entry) -> tuple[str, str, str, int]:
    return entry.code, entry.poa or "", ",".join(sorted(entry.modifiers)), entry.units or 0


def _stem(code: str) -> str:
    bare = code.replace(".", "")
    return bare if len(bare) >= 3 else ""


def _common_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b):
        if x != y:
            break
        count += 1
    return count


def _substitute(entry: _Entry, key: _KeyLine) -> Outcome | None:
    """A leftover code standing in a leftover key line's place (same code set)."""
    if entry.system != key.system:
        return None
    if entry.check.status.invalid:
        return Outcome.INVALID
    if entry.system is CodeSystem.ICD10PCS:
        return classify_pcs(entry.code, key.code)
    return Outcome.WRONG_CODE


# --- the grader ---------------------------------------------------------------------


class Grader:
    """Grades submissions with one code reference; cheap to keep and reuse."""

    def __init__(self, refs: CodeReference):
        self.refs = refs
        # A key's lines, normalised once: batch grading meets the same keys thousands of times.
        self._prepared: dict[int, tuple[ChartKey, _PreparedKey]] = {}

    def _prepare(self, key: ChartKey) -> _PreparedKey:
        found = self._prepared.get(id(key))
        if found is None or found[0] is not key:
            if len(self._prepared) > 10_000:
                self._prepared.clear()
            found = self._prepared[id(key)] = (key, _PreparedKey.of(key))
        return found[1]

    def grade(self, exercise, key, submission: Submission) -> GradeReport:
        """Any exercise kind against its key (chart, mcq, claim, remittance)."""
        from tutor.content.billing import ClaimExercise, ClaimKey, RemittanceExercise, RemittanceKey
        from tutor.grading.billing import grade_claim, grade_remittance

        if isinstance(exercise, ChartExercise) and isinstance(key, ChartKey):
            return _ChartGrading(self.refs, exercise, key, submission, self._prepare(key)).report()
        if isinstance(exercise, McqExercise) and isinstance(key, McqKey):
            return grade_mcq(exercise, key, submission)
        if isinstance(exercise, ClaimExercise) and isinstance(key, ClaimKey):
            return grade_claim(exercise, key, submission, self)
        if isinstance(exercise, RemittanceExercise) and isinstance(key, RemittanceKey):
            return grade_remittance(exercise, key, submission)
        raise TypeError("exercise and key are of different kinds")


def grade_mcq(exercise: McqExercise, key: McqKey, submission: Submission) -> GradeReport:
    chosen = (submission.answer or "").strip().upper() or None
    if chosen == key.answer:
        outcome, message = Outcome.CORRECT, f"{chosen} is correct."
    elif chosen is None:
        outcome, message = Outcome.MISSING_CODE, f"No answer given; the answer is {key.answer}."
    else:
        outcome, message = Outcome.WRONG_CODE, f"{chosen} is not correct; the answer is {key.answer}."
    finding = _finding(
        element="answer", submitted=chosen, expected=key.answer, outcome=outcome, message=message,
        rationale=key.rationale, expected_title=exercise.options.get(key.answer),
        submitted_title=exercise.options.get(chosen) if chosen else None,
        credit=1.0 if outcome.correct else 0.0, weight=WEIGHTS["answer"],
    )
    score = 1.0 if outcome.correct else 0.0
    return GradeReport(exercise=exercise.id, code_accuracy=score, record_correct=outcome.correct,
                       learning_score=score, findings=[finding], codes_graded=1, codes_correct=int(score))


@dataclass(frozen=True)
class _PreparedKey:
    diagnoses: tuple[_KeyLine, ...]
    procedures: tuple[_KeyLine, ...]
    lessons: tuple[tuple[frozenset[str], str], ...]

    @classmethod
    def of(cls, key: ChartKey) -> _PreparedKey:
        diagnoses = tuple(
            _KeyLine(i, normalize(d.code, CodeSystem.ICD10CM), CodeSystem.ICD10CM,
                     tuple(normalize(a, CodeSystem.ICD10CM) for a in d.alternates), d.optional,
                     d.rationale, d.evidence, poa=d.poa)
            for i, d in enumerate(key.diagnoses)
        )
        procedures = []
        for i, p in enumerate(key.procedures):
            code = normalize(p.code, None)
            system = CodeSystem(p.system) if p.system else (infer_procedure_system(code) or CodeSystem.CPT)
            procedures.append(_KeyLine(
                i, code, system, tuple(normalize(a, None) for a in p.alternates), p.optional, p.rationale,
                p.evidence, modifiers=frozenset(normalize_modifier(m) for m in p.modifiers), units=p.units,
                alternate_modifiers=tuple(frozenset(normalize_modifier(m) for m in ms) for ms in p.alternate_modifiers),
            ))
        lessons = tuple((frozenset(d.codes), d.lesson) for d in key.distractors)
        return cls(diagnoses, tuple(procedures), lessons)


class _ChartGrading:
    def __init__(self, refs: CodeReference, exercise: ChartExercise, key: ChartKey, submission: Submission,
                 prepared: _PreparedKey):
        self.refs = refs
        self.exercise = exercise
        self.key = key
        self.submission = submission
        self.prepared = prepared
        self.when = exercise.date_of_service
        self.findings: list[Finding] = []
        self.lessons = prepared.lessons
        self._dx_entries_reported: list[_Entry] = []
        self._dx_relation: Excludes1Relation | None = None

    # --- inputs -----------------------------------------------------------------

    def _check(self, code: str, system: CodeSystem) -> CodeCheck:
        return self.refs.check(code, system, self.when)

    def _dx_keys(self) -> list[_KeyLine]:
        return list(self.prepared.diagnoses)

    def _dx_entries(self) -> list[_Entry]:
        entries = []
        for i, d in enumerate(self.submission.diagnoses):
            code = normalize(d.code, CodeSystem.ICD10CM)
            entries.append(_Entry(i, code, CodeSystem.ICD10CM, self._check(code, CodeSystem.ICD10CM), poa=d.poa))
        return entries

    def _px_keys(self) -> list[_KeyLine]:
        return list(self.prepared.procedures)

    def _px_entries(self) -> list[_Entry]:
        entries = []
        for i, p in enumerate(self.submission.procedures):
            code = normalize(p.code, None)
            system = CodeSystem(p.system) if p.system else (infer_procedure_system(code) or CodeSystem.CPT)
            entries.append(_Entry(i, code, system, self._check(code, system),
                                  modifiers=frozenset(normalize_modifier(m) for m in p.modifiers), units=p.units))
        return entries

    # --- grading ----------------------------------------------------------------

    def report(self) -> GradeReport:
        dx_keys, dx_entries = self._dx_keys(), self._dx_entries()
        self._dx_entries_reported = dx_entries
        dx = _pair(dx_keys, dx_entries, self._near_cm, self._in_excludes1_conflict)
        self._code_findings("diagnosis", dx)
        self._sequencing(dx, dx_keys, dx_entries)
        self._poa(dx)
        px = _pair(self._px_keys(), self._px_entries(), self._near_pcs, lambda e: False)
        self._code_findings("procedure", px)
        self._line_details(px)
        drg = self._drg(dx_entries, dx, px)
        self._queries()
        return self._scores(drg)

    def _near_cm(self, entry: _Entry, key: _KeyLine) -> Outcome | None:
        if entry.system != key.system or entry.check.status.invalid or entry.code[:3] != key.code[:3]:
            return None
        return classify_cm(entry.code, key.code, self.refs)

    def _near_pcs(self, entry: _Entry, key: _KeyLine) -> Outcome | None:
        if (key.system is not CodeSystem.ICD10PCS or entry.system is not CodeSystem.ICD10PCS
                or entry.check.status.invalid or entry.code[:2] != key.code[:2]):
            return None
        return classify_pcs(entry.code, key.code)

    def _in_excludes1_conflict(self, entry: _Entry) -> bool:
        """Is a valid diagnosis in Excludes1 relation with another valid diagnosis reported?

        The relation is indexed once, on the first question (most charts never ask one),
        and answers each question without comparing pairs of codes.
        """
        if self._dx_relation is None:
            valid = (e.code for e in self._dx_entries_reported if not e.check.status.invalid)
            self._dx_relation = Excludes1Relation(valid, self.refs.excludes1_refs)
        return self._dx_relation.has_partner(entry.code)

    def _partners_among(self, reported: list[str]) -> Callable[[str], list[str]]:
        """The reported codes a code is in Excludes1 relation with, in report order, as often as reported."""
        @cache
        def relation() -> tuple[Excludes1Relation, dict[str, list[int]]]:
            places: dict[str, list[int]] = {}
            for place, code in enumerate(reported):
                places.setdefault(code, []).append(place)
            return Excludes1Relation(places, self.refs.excludes1_refs), places

        def partners(code: str) -> list[str]:
            found, places = relation()
            return [reported[place] for place in sorted(p for other in found.partners(code) for p in places[other])]

        return partners

    def _lessons(self, code: str | None) -> list[str]:
        if not code:
            return []
        return [lesson for codes, lesson in self.lessons if any(_lesson_applies(c, code) for c in codes)]

    def _title(self, code: str, system: CodeSystem) -> str | None:
        return self.refs.title(code, system) or None

    def _code_findings(self, element: str, pairing: _Pairing) -> None:
        principal = element == "diagnosis"
        for match in sorted(pairing.matches, key=lambda m: m.key.index):
            key, entry, outcome = match.key, match.entry, match.outcome
            credit = CREDIT.get(outcome, 0.0)
            if outcome in PCS_AXES and sum(a != b for a, b in zip(entry.code, key.code)) > 1:
                credit = 0.0  # partial credit is for a one-axis miss, not a different procedure
            if outcome is Outcome.INVALID and key.code.replace(".", "").startswith(_stem(entry.code) or "\0"):
                credit = INVALID_STEM_CREDIT
            message = self._message(outcome, entry, key)
            if key.optional and not fails_record(outcome, True, credit):
                message += (" The line is optional (leaving it out costs nothing), so this detail costs the code, "
                            "not the record.")
            self.findings.append(_finding(
                element=element, submitted=entry.code, expected=key.code, outcome=outcome,
                message=message, rationale=key.rationale,
                expected_title=self._title(key.code, key.system),
                submitted_title=entry.check.title or None, evidence=key.evidence,
                lessons=self._lessons(entry.code) if not outcome.correct else [],
                credit=credit, weight=WEIGHTS["principal" if principal and key.index == 0 else element],
                optional=key.optional,
            ))
        for key in pairing.missing:
            self.findings.append(_finding(
                element=element, expected=key.code, outcome=Outcome.MISSING_CODE,
                message=f"{key.code} is missing.", rationale=key.rationale,
                expected_title=self._title(key.code, key.system), evidence=key.evidence,
                weight=WEIGHTS["principal" if principal and key.index == 0 else element],
            ))
        if pairing.extras:  # most submissions have none: then nothing is counted or indexed for them
            self._extra_findings(element, pairing)

    def _extra_findings(self, element: str, pairing: _Pairing) -> None:
        reported = [e.code for e in self._entries_of(pairing)]
        times_reported, partners = Counter(reported), self._partners_among(reported)
        for entry, outcome in pairing.extras:
            self.findings.append(_finding(
                element=element, submitted=entry.code, outcome=outcome,
                message=self._extra_message(outcome, entry, times_reported, partners),
                submitted_title=entry.check.title or None,
                lessons=self._lessons(entry.code), weight=1.0,
            ))

    @staticmethod
    def _entries_of(pairing: _Pairing) -> list[_Entry]:
        return [m.entry for m in pairing.matches] + [e for e, _ in pairing.extras]

    def _message(self, outcome: Outcome, entry: _Entry, key: _KeyLine) -> str:
        sub, exp = entry.code, key.code
        if outcome is Outcome.CORRECT:
            return f"{sub} is correct."
        if outcome is Outcome.ALTERNATE:
            return f"{sub} is an accepted alternate for {exp}."
        if outcome is Outcome.INVALID:
            return f"{entry.check.message}; the key has {exp}."
        if outcome is Outcome.WRONG_ENCOUNTER_7TH:
            meanings = (self.refs.cm(exp) or self.refs.cm(sub))
            seventh = meanings.seventh if meanings else {}
            return (f"7th character {sub[-1]} ({seventh.get(sub[-1], '?')}) where the documentation supports "
                    f"{exp[-1]} ({seventh.get(exp[-1], '?')}).")
        if outcome is Outcome.WRONG_LATERALITY:
            return f"{sub} codes the wrong side; the documentation supports {exp}."
        if outcome is Outcome.WRONG_SPECIFICITY:
            return f"{sub} is in the right category ({exp[:3]}) but not the documented specificity: {exp}."
        if outcome in PCS_AXES:
            axis = PCS_AXES.index(outcome)
            return (f"{sub} differs from {exp} in the {PCS_AXIS_NAMES[axis]} (character {axis + 1}: "
                    f"{sub[axis] if axis < len(sub) else '-'} instead of {exp[axis]}).")
        return f"{sub} was reported where the key has {exp}."

    @staticmethod
    def _extra_message(outcome: Outcome, entry: _Entry, times_reported: Counter[str],
                       partners: Callable[[str], list[str]]) -> str:
        if outcome is Outcome.INVALID:
            return f"{entry.check.message}."
        if outcome is Outcome.EXCLUDES1:
            return (f"{entry.code} cannot be reported with {', '.join(partners(entry.code))}: "
                    "Excludes1 (NOT CODED HERE).")
        if times_reported[entry.code] > 1:
            return f"{entry.code} is reported more than once; report a code once per encounter."
        return f"{entry.code} is not supported by the documentation as keyed (extra code)."

    def _sequencing(self, dx: _Pairing, keys: list[_KeyLine], entries: list[_Entry]) -> None:
        if not keys:
            return
        first_key = keys[0]
        allowed = ({normalize(c, CodeSystem.ICD10CM) for c in self.key.sequencing.first}
                   if self.key.sequencing and self.key.sequencing.first
                   else {first_key.code, *first_key.alternates})
        # A near miss of the principal still stands in the principal's place; a wrong code does not.
        paired_key = {m.entry.index: m.key for m in dx.matches if m.outcome is not Outcome.WRONG_CODE}
        first_entry = entries[0] if entries else None
        rationale = first_key.rationale
        if first_entry is None:
            self._add_sequencing(None, f"{first_key.code} first", Outcome.SEQUENCING,
                                 "No diagnosis was reported, so nothing is first-listed.", rationale)
        else:
            standing_for = paired_key.get(first_entry.index)
            right = (first_entry.code in allowed
                     or (standing_for is not None and standing_for.code in allowed)
                     or any(self._near_cm(first_entry, k) for k in keys if k.code in allowed))
            expected = " or ".join(sorted(allowed))
            message = (f"{first_entry.code} is in the right first position." if right else
                       f"{first_entry.code} is listed first; the principal / first-listed diagnosis is {expected}.")
            self._add_sequencing(first_entry.code, expected, Outcome.CORRECT if right else Outcome.SEQUENCING,
                                 message, rationale)
        if not self.key.sequencing:
            return
        position = {}
        for match in dx.matches:
            position.setdefault(match.key.code, match.entry.index)
        for entry in entries:
            position.setdefault(entry.code, entry.index)
        for before, after in self.key.sequencing.before:
            a, b = normalize(before, CodeSystem.ICD10CM), normalize(after, CodeSystem.ICD10CM)
            if a not in position or b not in position:
                continue  # a missing code is already graded as missing
            right = position[a] < position[b]
            self._add_sequencing(
                f"{a} {'before' if right else 'after'} {b}", f"{a} before {b}",
                Outcome.CORRECT if right else Outcome.SEQUENCING,
                f"{a} is correctly reported before {b}." if right else f"{a} must be reported before {b}.",
                next((k.rationale for k in keys if k.code == b), rationale),
            )

    def _add_sequencing(self, submitted: str | None, expected: str, outcome: Outcome, message: str,
                        rationale: str) -> None:
        self.findings.append(_finding(
            element="sequencing", submitted=submitted, expected=expected, outcome=outcome, message=message,
            rationale=rationale, credit=CREDIT.get(outcome, 0.0), weight=WEIGHTS["sequencing"],
        ))

    def _poa(self, dx: _Pairing) -> None:
        for match in sorted(dx.matches, key=lambda m: m.key.index):
            if match.outcome in SUBSTITUTED:
                continue  # a different code's POA says nothing about the key line's
            expected = match.key.poa
            if expected is None:
                continue
            given = _poa_value(match.entry.poa)
            right = _poa_matches(given, expected)
            self.findings.append(_finding(
                element="poa", submitted=f"{match.entry.code} {given or '(none)'}",
                expected=f"{match.key.code} {expected}", outcome=Outcome.CORRECT if right else Outcome.WRONG_POA,
                message=(f"POA {expected} is correct." if right else
                         f"POA {given or '(none)'} for {match.entry.code}; the key has {expected}."),
                rationale=match.key.rationale, credit=1.0 if right else 0.0, weight=WEIGHTS["poa"],
            ))

    def _line_details(self, px: _Pairing) -> None:
        for match in sorted(px.matches, key=lambda m: m.key.index):
            if match.outcome in SUBSTITUTED:
                continue  # modifiers and units of a different code are not graded against this line
            key, entry = match.key, match.entry
            if key.system is CodeSystem.ICD10PCS:
                continue
            if key.modifiers or entry.modifiers:
                if entry.modifiers == key.modifiers:
                    outcome, message = Outcome.CORRECT, "Modifiers are correct."
                elif entry.modifiers in key.alternate_modifiers:
                    outcome = Outcome.ALTERNATE
                    message = (f"{entry.code} {_list(entry.modifiers)} is accepted as well as the key's "
                               f"{_list(key.modifiers)}.")
                elif entry.modifiers < key.modifiers:
                    outcome = Outcome.MISSING_MODIFIER
                    message = f"{entry.code} needs modifier(s) {', '.join(sorted(key.modifiers - entry.modifiers))}."
                else:
                    outcome = Outcome.WRONG_MODIFIER
                    message = (f"{entry.code} has modifier(s) {_list(entry.modifiers)}; the key has "
                               f"{_list(key.modifiers)}.")
                self.findings.append(_finding(
                    element="modifier", submitted=f"{entry.code} {_list(entry.modifiers)}",
                    expected=f"{key.code} {_list(key.modifiers)}", outcome=outcome, message=message,
                    rationale=key.rationale, credit=CREDIT.get(outcome, 0.0), weight=WEIGHTS["modifier"],
                ))
            expected_units = key.units or 1
            given_units = entry.units if entry.units is not None else 1
            if key.units is not None or given_units != expected_units:
                right = given_units == expected_units
                self.findings.append(_finding(
                    element="units", submitted=f"{entry.code} x{given_units}",
                    expected=f"{key.code} x{expected_units}",
                    outcome=Outcome.CORRECT if right else Outcome.WRONG_UNITS,
                    message=(f"{expected_units} unit(s) is correct." if right else
                             f"{given_units} unit(s) reported; the key has {expected_units}."),
                    rationale=key.rationale, credit=1.0 if right else 0.0, weight=WEIGHTS["units"],
                ))

    def _drg(self, dx_entries: list[_Entry], dx: _Pairing, px: _Pairing) -> DrgSummary | None:
        if self.key.drg is None:
            return None
        expected, left_out = self._expected_drg(dx, px)
        grouped = self._group(dx_entries, px)
        entered = self.submission.drg
        if "drg" in self.exercise.assign:
            right = entered == expected
            without = f", without the optional {', '.join(left_out)} you left out," if left_out else ""
            self.findings.append(_finding(
                element="drg", submitted=entered, expected=expected,
                outcome=Outcome.CORRECT if right else Outcome.WRONG_DRG,
                message=(f"MS-DRG {expected} is correct." if right else
                         f"MS-DRG {entered or '(none)'} entered; the key's codes{without} group to MS-DRG "
                         f"{expected}."),
                rationale=(f"The key's codes group to MS-DRG {self.key.drg}" +
                           (f"; without the optional {', '.join(left_out)}, to {expected}." if left_out else ".")),
                credit=1.0 if right else 0.0, weight=WEIGHTS["drg"],
            ))
        return DrgSummary(
            submitted=grouped.drg if grouped else None, expected=expected,
            correct=bool(grouped and grouped.drg == expected), entered=entered,
            submitted_title=grouped.title if grouped else None,
        )

    def _expected_drg(self, dx: _Pairing, px: _Pairing) -> tuple[str, list[str]]:
        """The MS-DRG the key's codes group to, less the optional lines the trainee left out.

        Leaving an optional line out costs nothing, and that holds for the DRG too: an optional code
        that is a CC (homelessness, Z59.0-) moves the key's DRG, so the DRG expected is the one the
        key's codes give without it. (The key's own ``drg`` is with every line: validate checks it.)
        """
        key_drg = self.key.drg or ""
        dx_reported, px_reported = {m.key.index for m in dx.matches}, {m.key.index for m in px.matches}
        dx_out = [k for k in self.prepared.diagnoses if k.optional and k.index not in dx_reported]
        px_out = [k for k in self.prepared.procedures if k.optional and k.index not in px_reported
                  and k.system is CodeSystem.ICD10PCS]
        if not dx_out and not px_out:
            return key_drg, []
        dx_gone, px_gone = {k.index for k in dx_out}, {k.index for k in px_out}
        kept_dx = [k for k in self.prepared.diagnoses if k.index not in dx_gone]
        kept_px = [k for k in self.prepared.procedures if k.index not in px_gone]
        if not kept_dx:
            return key_drg, []
        patient = self.exercise.patient
        result = self.refs.group(GroupingClaim(
            discharge=self.when, age=patient.age, sex=patient.sex, principal=kept_dx[0].code.replace(".", ""),
            secondary=tuple((k.code.replace(".", ""), _poa_letter(k.poa)) for k in kept_dx[1:]),
            procedures=tuple(sorted(k.code for k in kept_px if k.system is CodeSystem.ICD10PCS)),
            discharge_status=patient.discharge_status,
        ))
        if result is None or not result.drg or result.drg == key_drg:
            return key_drg, []
        return result.drg, [k.code for k in (*dx_out, *px_out)]

    def _group(self, dx_entries: list[_Entry], px: _Pairing) -> DrgResult | None:
        if not dx_entries or not _groupable(dx_entries[0].code):
            return None
        patient = self.exercise.patient
        pcs = [e.code for e in self._entries_of(px) if e.system is CodeSystem.ICD10PCS]
        claim = GroupingClaim(
            discharge=self.when, age=patient.age, sex=patient.sex,
            principal=dx_entries[0].code.replace(".", ""),
            secondary=tuple((e.code.replace(".", ""), _poa_letter(e.poa)) for e in dx_entries[1:]
                            if _groupable(e.code)),
            procedures=tuple(sorted(p for p in pcs if _groupable(p))), discharge_status=patient.discharge_status,
        )
        return self.refs.group(claim)

    def _queries(self) -> None:
        """The key's queries against the trainee's, by topic: matched (CORRECT, or ALTERNATE through a
        topic the key also accepts), missed (MISSED_QUERY) or not needed (UNNEEDED_QUERY)."""
        expected, raised = self.key.queries, self.submission.queries
        if not expected and not raised:
            return
        pairs = match_queries(expected, raised)
        for k, query in enumerate(expected):
            s = pairs.get(k)
            if s is None:
                self.findings.append(_finding(
                    element="query", expected=query.topic, outcome=Outcome.MISSED_QUERY,
                    message=(f"The record calls for a query to the provider on {query_topic_name(query.topic)}; "
                             "none was raised."),
                    rationale=query.rationale, evidence=query.evidence, weight=WEIGHTS["query"],
                ))
                continue
            mine = raised[s]
            outcome = Outcome.CORRECT if mine.topic == query.topic else Outcome.ALTERNATE
            message = (f"A query on {query_topic_name(query.topic)} is right." if outcome is Outcome.CORRECT else
                       f"A query on {query_topic_name(mine.topic)} is accepted for the key's query on "
                       f"{query_topic_name(query.topic)}.")
            self.findings.append(_finding(
                element="query", submitted=mine.topic, expected=query.topic, outcome=outcome,
                message=message + _your_note(mine), rationale=query.rationale, evidence=query.evidence,
                credit=1.0, weight=WEIGHTS["query"],
            ))
        matched = set(pairs.values())
        for s, mine in enumerate(raised):
            if s in matched:
                continue
            self.findings.append(_finding(
                element="query", submitted=mine.topic, outcome=Outcome.UNNEEDED_QUERY,
                message=(f"No query on {query_topic_name(mine.topic)} is needed: the documentation supports "
                         "the codes as keyed." + _your_note(mine)),
                weight=WEIGHTS["query"],
            ))

    def _scores(self, drg: DrgSummary | None) -> GradeReport:
        codes = [f for f in self.findings if f.element in CODE_ELEMENTS]
        correct = sum(1 for f in codes if f.outcome in RIGHT)
        weight = sum(f.weight for f in self.findings)
        earned = sum(f.weight * f.credit for f in self.findings)
        record = (not any(fails_record(f.outcome, f.optional, f.credit) for f in self.findings)
                  and (drg is None or drg.correct))
        return GradeReport(
            exercise=self.exercise.id,
            code_accuracy=round(correct / len(codes), 4) if codes else 1.0,
            record_correct=record,
            learning_score=round(earned / weight, 4) if weight else 1.0,
            drg=drg, findings=self.findings, codes_graded=len(codes), codes_correct=correct,
        )


def match_queries(expected: list[KeyQuery], raised: list[SubmittedQuery]) -> dict[int, int]:
    """Key query index -> submitted query index, as many pairs as possible.

    Same topics are paired first, in order (so a topic the key lists twice takes two queries);
    the rest through the key's ``alternates`` by a maximum bipartite matching (augmenting
    paths), so a greedy choice never leaves a query unmatched that could have been paired.
    At most ``MAX_QUERIES`` are submitted: the matching's cost is negligible.
    """
    pairs: dict[int, int] = {}
    free = list(range(len(raised)))
    for k, query in enumerate(expected):
        s = next((s for s in free if raised[s].topic == query.topic), None)
        if s is not None:
            pairs[k] = s
            free.remove(s)
    open_keys = [k for k in range(len(expected)) if k not in pairs and expected[k].alternates]
    owner: dict[int, int] = {}  # submitted index -> key index, within the alternates pass

    def augment(k: int, seen: set[int]) -> bool:
        for s in free:
            if s in seen or raised[s].topic not in expected[k].alternates:
                continue
            seen.add(s)
            if s not in owner or augment(owner[s], seen):
                owner[s] = k
                return True
        return False

    for k in open_keys:
        augment(k, set())
    pairs.update({k: s for s, k in owner.items()})
    return pairs


def _your_note(query: SubmittedQuery) -> str:
    return f" Your note: “{query.note.strip()}”" if query.note and query.note.strip() else ""


def _groupable(code: str) -> bool:
    """Only plain ASCII codes go to the native grouper (anything else is invalid anyway)."""
    bare = code.replace(".", "")
    return bare.isascii() and bare.isalnum()


def _list(values: frozenset[str]) -> str:
    return ", ".join(sorted(values)) if values else "(none)"


def _poa_value(raw: str | None) -> str | None:
    """Submitted POA as Y/N/U/W, 'exempt' (written 'exempt' or the legacy '1'), or None (blank)."""
    value = (raw or "").strip().upper()
    if not value:
        return None
    return "exempt" if value in ("1", "E", "EXEMPT") else value


def _poa_matches(given: str | None, expected: str) -> bool:
    """Exempt codes are reported with a blank POA; 'exempt' written out is accepted too."""
    return given == expected or (expected == "exempt" and given is None)


def _poa_letter(raw: str | None) -> str | None:
    value = _poa_value(raw)
    return value if value in ("Y", "N", "U", "W") else None


def _bare(code: str) -> str:
    return code.strip().upper().replace(".", "")


def _lesson_applies(distractor: str, code: str) -> bool:
    """A distractor names a code exactly, or a family with a trailing dash (``S72.00-``)."""
    if distractor.endswith("-"):
        return _bare(code).startswith(_bare(distractor.rstrip("-")))
    return _bare(code) == _bare(distractor)
