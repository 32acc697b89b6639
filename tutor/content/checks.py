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
    """Add code-set problems for every key that has its exercise."""
    from tutor.content.billing import ClaimExercise, ClaimKey, RemittanceExercise, RemittanceKey

    grader = Grader(codes)
    for ident, key in sorted(library.keys.items()):
        exercise = library.exercises.get(ident)
        if isinstance(key, ClaimKey) and isinstance(exercise, ClaimExercise):
            _check_claim(library, ident, exercise, key, codes, grader)
            continue
        if isinstance(key, RemittanceKey) and isinstance(exercise, RemittanceExercise):
            _check_remittance(library, ident, exercise)
            continue
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
        for j, accepted in enumerate(px.alternate_modifiers):
            for m, modifier in enumerate(accepted):
                if normalize_modifier(modifier) not in codes.modifiers:
                    library.problem(source, ("procedures", i, "alternate_modifiers", j, m),
                                    f"unknown modifier '{modifier}'")
        if system is CodeSystem.ICD10PCS and (px.modifiers or px.alternate_modifiers or px.units):
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


def _check_claim(library: Library, ident: str, exercise, key, codes: CodeSets, grader: Grader) -> None:
    """The key's findings are exactly what the scrubber finds, and the corrected claim is clean."""
    from tutor.billing.scrubber import scrub
    from tutor.content.billing import POINTERS, Claim
    from tutor.grading.billing import as_chart

    source = library.key_files[ident]
    found = {(f.edit, f.line, f.diagnosis) for f in scrub(exercise.claim, exercise.date_of_service,
                                                           exercise.patient, codes)}
    expected = {(f.edit, f.line, f.diagnosis) for f in key.findings}
    for edit, line, diagnosis in sorted(expected - found, key=str):
        library.problem(source, ("findings",), f"the scrubber does not find {edit} at "
                                               f"{'line ' + str(line) if line else 'diagnosis ' + str(diagnosis)}")
    for edit, line, diagnosis in sorted(found - expected, key=str):
        library.problem(source, ("findings",), f"the scrubber also finds {edit} at "
                                               f"{'line ' + str(line) if line else 'diagnosis ' + str(diagnosis)}, "
                                               "which the key does not list")
    chart, chart_key = as_chart(exercise, key)
    before = len(library.errors)
    _check_key(library, ident, chart, chart_key, codes)
    if len(library.errors) == before:
        corrected = Claim(payer=exercise.claim.payer, diagnoses=[d.code for d in key.corrected.diagnoses], lines=[
            {"code": p.code, "modifiers": p.modifiers, "units": p.units or 1, "charge": 0,
             "pointers": list(POINTERS[:min(4, len(key.corrected.diagnoses))])} for p in key.corrected.procedures])
        for finding in scrub(corrected, exercise.date_of_service, exercise.patient, codes):
            library.problem(source, ("corrected",), f"the corrected claim still has a problem: {finding.message}")
        _check_self_grade(library, ident, chart, chart_key, grader)


def _check_remittance(library: Library, ident: str, exercise) -> None:
    """Every line balances (billed = paid + adjustments) and the reason codes are known."""
    from tutor.billing.scrubber import reason_codes

    carc, rarc = reason_codes()
    source = library.exercise_files[ident]
    for n, line in enumerate(exercise.remittance.lines):
        total = line.paid + sum(a.amount for a in line.adjustments)
        if abs(total - line.billed) > 0.005:
            library.problem(source, ("remittance", "lines", n), f"line {n + 1} does not balance: paid "
                                                               f"{line.paid:.2f} + adjustments = {total:.2f}, "
                                                               f"billed {line.billed:.2f}")
        for m, adjustment in enumerate(line.adjustments):
            if adjustment.carc not in carc:
                library.problem(source, ("remittance", "lines", n, "adjustments", m),
                                f"CARC {adjustment.carc} is not in the shipped reason-code table")
            for remark in adjustment.rarc:
                if remark not in rarc:
                    library.problem(source, ("remittance", "lines", n, "adjustments", m),
                                    f"RARC {remark} is not in the shipped remark-code table")
    for remark in exercise.remittance.remarks:
        if remark not in rarc:
            library.problem(source, ("remittance", "remarks"), f"RARC {remark} is not in the shipped remark-code table")
