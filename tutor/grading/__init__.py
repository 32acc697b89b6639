"""The pure grader: submissions against answer keys, element by element."""

from tutor.grading.grader import CodeReference, Grader, grade_mcq
from tutor.grading.outcomes import Outcome

__all__ = ["CodeReference", "Grader", "Outcome", "grade_mcq"]
