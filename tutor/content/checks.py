"""Checks that need the code sets: every key code valid and billable on its date, and more.

These are what make an answer key safe to teach from: a wrong key is the most
harmful bug this product can have.
"""

from __future__ import annotations

from tutor.codes import CodeSets, CodeSystem, Validity, normalize
from tutor.codes.normalize import infer_procedure_system, normalize_modifier
from tutor.content.library import Library
from tutor.content.models import ChartExercise, ChartKey, McqExercise
from tutor.content.privacy import personal_data
from tutor.grading import Grader
from tutor.grading.keys import key_as_submission

ACCEPTED_IN_KEYS = (Validity.VALID, Validity.UNVERIFIED)


def check_codes(library: Library, codes: CodeSets) -> None:
    """Add code-set problems for every chart key that has its exercise."""
    grader = Grader(codes)
    for ident, key in sorted(library.keys.items()):
        exercise = library.exercises.get(ident)
        if not isinstance(key, ChartKey) or not isinstance(exercise, ChartExercise):
            continue
        before = len(library.errors)
        _check_key(library, ident, exercise, key, codes)
        if len(library.errors) == before:
            _check_self_grade(library, ident, exercise, key, grader)
    library.problems.sort()


def _check_key(library: Library, ident: str, exercise: ChartExercise, key: ChartKey, codes: CodeSets) -> None:
    source = library.key_files[ident]
    when = exercise.date_of_service
    inpatient = exercise.setting == "inpatient"

    def code_problem(loc: tuple, raw: str, system: CodeSystem) -> None:
        check = codes.check(raw, system, when)
        if check.status not in ACCEPTED_IN_KEYS:
            library.problem(source, loc, f"{check.message} (date of service {when.isoformat()})")

    for i, dx in enumerate(key.diagnoses):
        code_problem(("diagnoses", i, "code"), dx.code, CodeSystem.ICD10CM)
        for j, alternate in enumerate(dx.alternates):
            code_problem(("diagnoses", i, "alternates", j), alternate, CodeSystem.ICD10CM)
        if inpatient and dx.poa is None:
            library.problem(source, ("diagnoses", i), f"inpatient key: {dx.code} needs a POA indicator")
        if not inpatient and dx.poa is not None:
            library.problem(source, ("diagnoses", i, "poa"), f"POA is reported for inpatient charts only "
                                                             f"(this one is {exercise.setting})")
    for i, px in enumerate(key.procedures):
        code = normalize(px.code, None)
        system = CodeSystem(px.system) if px.system else infer_procedure_system(code)
        if system is None:
            library.problem(source, ("procedures", i, "code"), f"{code}: cannot tell the code set; add 'system'")
            continue
        if system.value not in exercise.assign:
            library.problem(source, ("procedures", i, "code"),
                            f"{code} is {system.value}, which the exercise does not assign ({', '.join(exercise.assign)})")
        code_problem(("procedures", i, "code"), code, system)
        for j, alternate in enumerate(px.alternates):
            code_problem(("procedures", i, "alternates", j), alternate, system)
        for j, modifier in enumerate(px.modifiers):
            if normalize_modifier(modifier) not in codes.modifiers:
                library.problem(source, ("procedures", i, "modifiers", j), f"unknown modifier '{modifier}'")
        if system is CodeSystem.ICD10PCS and (px.modifiers or px.units):
            library.problem(source, ("procedures", i), "ICD-10-PCS lines take no modifiers or units")
    _check_excludes1(library, source, key, codes)
    _check_sequencing(library, source, key)
    if key.drg and not inpatient:
        library.problem(source, ("drg",), "an MS-DRG belongs to inpatient charts only")
    if "drg" in exercise.assign and not key.drg:
        library.problem(source, (), "the exercise assigns a DRG but the key has none")


def _check_excludes1(library: Library, source, key: ChartKey, codes: CodeSets) -> None:
    required = [(i, normalize(d.code, CodeSystem.ICD10CM)) for i, d in enumerate(key.diagnoses)]
    for n, (i, a) in enumerate(required):
        for j, b in required[n + 1:]:
            if codes.excludes1_conflict(a, b):
                library.problem(source, ("diagnoses", j, "code"), f"{b} and {a} are in an Excludes1 relation")


def _check_sequencing(library: Library, source, key: ChartKey) -> None:
    if not key.sequencing:
        return
    listed = {normalize(c, CodeSystem.ICD10CM) for d in key.diagnoses for c in (d.code, *d.alternates)}
    for i, code in enumerate(key.sequencing.first or []):
        if normalize(code, CodeSystem.ICD10CM) not in listed:
            library.problem(source, ("sequencing", "first", i), f"{code} is not a diagnosis in this key")
    for i, pair in enumerate(key.sequencing.before):
        for j, code in enumerate(pair):
            if normalize(code, CodeSystem.ICD10CM) not in listed:
                library.problem(source, ("sequencing", "before", i, j), f"{code} is not a diagnosis in this key")


def _check_self_grade(library: Library, ident: str, exercise: ChartExercise, key: ChartKey, grader: Grader) -> None:
    """The key, handed in as a submission, must grade perfect (and group to its DRG)."""
    source = library.key_files[ident]
    report = grader.grade(exercise, key, key_as_submission(key))
    if report.drg and not report.drg.correct:
        library.problem(source, ("drg",), f"the key's codes group to MS-DRG {report.drg.submitted} "
                                          f"({report.drg.submitted_title}), not {key.drg}")
    for finding in report.findings:
        if finding.outcome not in ("CORRECT", "ALTERNATE"):
            library.problem(source, (), f"the key does not grade perfect against itself: {finding.message}")


def check_privacy(library: Library) -> None:
    """Every text field of every exercise: no SSNs, phones, e-mail, addresses, MRNs or birth dates."""
    for ident, exercise in sorted(library.exercises.items()):
        source = library.exercise_files[ident]
        fields: list[tuple[tuple, str]] = [(("title",), exercise.title or "")]
        if isinstance(exercise, ChartExercise):
            fields += [(("documents", i, "text"), doc.text) for i, doc in enumerate(exercise.documents)]
        elif isinstance(exercise, McqExercise):
            fields += [(("stem",), exercise.stem)] + [(("options", k), v) for k, v in exercise.options.items()]
        for loc, text in fields:
            for kind, found in personal_data(text):
                library.problem(source, loc, f"looks like a real {kind} ('{found}'): content must be synthetic")
    library.problems.sort()
