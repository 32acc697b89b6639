"""Excludes1 conflicts in a submission: found without comparing every pair of codes.

The pairwise definition (``CodeSets.excludes1_conflict`` on every two codes) is the
reference: the grader's fast detection must agree with it on any submission, and grading
must ask the code sets about each code a bounded number of times, never about each pair.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from tutor.codes import CodeSets, CodeSystem, normalize
from tutor.codes.excludes1 import Excludes1Relation
from tutor.grading import Grader, Outcome

# Codes that stand in Excludes1 relations with each other, through a code's own notes, its
# ancestors' notes, a family reference (N30.-) or a range (E08-E13, J60-J67.9, T80-T88.6);
# headers and invalid codes (which have notes or fall in ranges but are never valid); and
# codes with no relation to the rest.
POOL = (
    "R73.03 R73.09 R73 E11.9 E10.9 E13.9 E08.9 E16.2 E11 O24.410 "  # R73 excludes E08-E13, O24, E16.2 ...
    "N39.0 N30.00 N30.01 N30.90 N30 N13.6 N34.1 B37.41 "  # N39.0 excludes N30.-, N34.-, B37.4- ...
    "J39.3 J60 J64 J67.9 J68.0 T88.7 T80.0XXA T88.6XXA T87.2 "  # J39.3 excludes J60-J67.9; T88.7 T80-T88.6
    "C50.412 C44.501 Z17.0 J44.0 J44.1 I10 K35.80 M17.11 "
    "E11.9X ZZZ.9 R7303 e11.9 E1.19"  # invalid, and codes written unnormalised
).split()

code_lists = st.lists(st.sampled_from(POOL), max_size=12)


def pairwise_partners(codes: CodeSets, code: str, among: list[str]) -> set[str]:
    """The definition: every other code among them that ``code`` is in Excludes1 relation with."""
    return {other for other in among if other != code and codes.excludes1_conflict(code, other)}


@given(code_lists)
def test_the_relation_agrees_with_the_pairwise_definition(codes, chosen):
    normal = [normalize(c, CodeSystem.ICD10CM) for c in chosen]
    relation = Excludes1Relation(normal, codes.excludes1_refs)
    for code in normal:
        expected = pairwise_partners(codes, code, normal)
        assert relation.partners(code) == expected, code
        assert relation.has_partner(code) == bool(expected), code


@given(st.lists(st.sampled_from(POOL), min_size=1, max_size=4), code_lists)
def test_the_grader_flags_excludes1_exactly_as_the_pairwise_definition(codes, grader, make_exercise, make_key,
                                                                       make_submission, keyed, submitted):
    report = grader.grade(make_exercise(), make_key(*dict.fromkeys(keyed)), make_submission(*submitted))
    normal = [normalize(c, CodeSystem.ICD10CM) for c in submitted]
    valid = [c for c in normal if not codes.check(c, CodeSystem.ICD10CM, make_exercise().date_of_service)
             .status.invalid]
    for finding in report.findings:
        if finding.element != "diagnosis" or finding.expected is not None:
            continue  # only extras can be Excludes1 conflicts
        partners = pairwise_partners(codes, finding.submitted, valid)
        if finding.outcome == Outcome.EXCLUDES1:
            assert partners, finding
            # The message names every reported code it conflicts with, once per time it was reported.
            named = finding.message.split(" cannot be reported with ")[1].split(": Excludes1")[0].split(", ")
            assert Counter(named) == Counter(c for c in normal if c in pairwise_partners(codes, finding.submitted,
                                                                                         normal))
        elif finding.outcome == Outcome.EXTRA_CODE:
            assert not partners, finding


class CountingCodeSets(CodeSets):
    """The real code sets, counting the Excludes1 questions the grader asks."""

    def __init__(self, real: CodeSets):
        super().__init__(real.index, real.editor, real.cpt)
        self.questions = 0

    def excludes1_conflict(self, first: str, second: str) -> bool:
        self.questions += 1
        return super().excludes1_conflict(first, second)

    def excludes1_refs(self, code: str) -> tuple[tuple[str, str], ...]:
        self.questions += 1
        return super().excludes1_refs(code)


def test_grading_asks_about_each_code_not_each_pair(codes, make_exercise, make_key, make_submission):
    counting = CountingCodeSets(codes)
    # 600 distinct billable codes, many of them in conflict (the diabetes families and R73, N30 and N39 ...).
    found = [code for topic in ("diabetes", "hyperglycemia", "cystitis", "urinary", "fracture")
             for code, _, billable in codes.index.search(topic, 300) if billable]
    submitted = list(dict.fromkeys(found))[:600]
    assert len(submitted) == 600
    report = Grader(counting).grade(make_exercise(), make_key("E11.9"), make_submission(*submitted))
    assert any(f.outcome == Outcome.EXCLUDES1 for f in report.findings)
    # Once for deciding which codes conflict, once for naming their partners: never per pair.
    assert counting.questions <= 2 * len(submitted)
