"""Batch grading of a class: every trainee's submissions, per-trainee and per-exercise results.

A class folder holds one file per trainee per exercise (JSON or YAML), either as
``<class>/<trainee>/<anything>.json`` or flat as ``<class>/<trainee>__<anything>.json``.
Where a file sits names its trainee: a ``trainee`` field inside the file cannot move work to
someone else (a file in ``alice/`` saying ``"trainee": "bob"`` counts for alice, and the
mismatch is reported as a problem). Only a flat file without ``__`` takes its trainee from the
field, else from its name. A broken file is reported with its path; the rest is graded. A
symbolic link leading out of the class folder is not followed, and is reported as skipped.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tutor.content.folders import files_under
from tutor.content.library import Library
from tutor.content.report import GradeReport
from tutor.content.submissions import load_submission
from tutor.errors import TutorError
from tutor.grading.grader import Grader

SUBMISSION_SUFFIXES = (".json", ".yaml", ".yml")
SKIPPED_LINK = "a symbolic link leading out of the class folder: not followed"


@dataclass(frozen=True)
class Graded:
    path: Path
    trainee: str
    report: GradeReport
    problem: str = ""  # graded, but worth the instructor's look (a mismatching trainee field)


@dataclass
class ClassResults:
    graded: list[Graded] = field(default_factory=list)
    failures: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # links out of the class folder, not followed

    @property
    def problems(self) -> list[tuple[Path, str]]:
        return [(g.path, g.problem) for g in self.graded if g.problem]

    def by_trainee(self) -> dict[str, dict]:
        return _aggregate(self.graded, lambda g: g.trainee)

    def by_exercise(self) -> dict[str, dict]:
        return _aggregate(self.graded, lambda g: g.report.exercise)

    def summary(self, top: int = 5) -> dict:
        codes = sum(g.report.codes_graded for g in self.graded)
        correct = sum(g.report.codes_correct for g in self.graded)
        outcomes = Counter(f.outcome for g in self.graded for f in g.report.findings
                           if f.outcome not in ("CORRECT", "ALTERNATE"))
        exercises = self.by_exercise()
        missed = sorted(exercises.items(), key=lambda kv: (kv[1]["code_accuracy"], kv[0]))[:top]
        return {
            "submissions": len(self.graded), "broken_files": len(self.failures),
            "trainees": len({g.trainee for g in self.graded}),
            "code_accuracy": round(correct / codes, 4) if codes else None,
            "record_accuracy": round(sum(g.report.record_correct for g in self.graded) / len(self.graded), 4)
            if self.graded else None,
            "most_missed_exercises": [{"exercise": e, **stats} for e, stats in missed],
            "most_frequent_outcomes": [{"outcome": o, "count": n} for o, n in outcomes.most_common(top)],
            "problems": [{"file": str(path), "problem": problem} for path, problem in self.problems],
            "skipped": [{"file": str(path), "reason": SKIPPED_LINK} for path in self.skipped],
        }


def _aggregate(graded: list[Graded], key) -> dict[str, dict]:
    groups: dict[str, list[Graded]] = defaultdict(list)
    for item in graded:
        groups[key(item)].append(item)
    result = {}
    for name, items in sorted(groups.items()):
        codes = sum(i.report.codes_graded for i in items)
        correct = sum(i.report.codes_correct for i in items)
        result[name] = {
            "submissions": len(items), "codes_graded": codes, "codes_correct": correct,
            "code_accuracy": round(correct / codes, 4) if codes else 1.0,
            "record_accuracy": round(sum(i.report.record_correct for i in items) / len(items), 4),
            "learning_score": round(sum(i.report.learning_score for i in items) / len(items), 4),
        }
    return result


def _is_submission(path: Path) -> bool:
    return path.suffix.lower() in SUBMISSION_SUFFIXES and not path.name.startswith(".")


def trainee_of(path: Path, folder: Path, named: str | None) -> tuple[str, str]:
    """(the trainee, a problem or ""): the file's place names the trainee; the field only when it cannot."""
    relative = path.relative_to(folder)
    prefix = path.stem.partition("__")[0] if "__" in path.stem else ""
    if len(relative.parts) > 1:
        trainee, place = relative.parts[0], f"is in {relative.parts[0]}'s folder"
    elif prefix:
        trainee, place = prefix, f"is named for {prefix}"
    else:
        return named or path.stem, ""
    if named is not None and named != trainee:
        return trainee, f"names trainee '{named}' but {place}; counted for {trainee}"
    return trainee, ""


def grade_class(folder: Path, library: Library, grader: Grader) -> ClassResults:
    if not folder.is_dir():
        raise TutorError(f"{folder}: not a folder of submissions")
    found = files_under(folder, _is_submission)
    results = ClassResults(skipped=found.outside_links)
    for path in found.files:
        try:
            submission = load_submission(path)
            exercise, key = library.exercises.get(submission.exercise), library.keys.get(submission.exercise)
            if exercise is None or key is None:
                raise TutorError(f"no {'exercise' if exercise is None else 'answer key'} "
                                 f"for '{submission.exercise}'")
            trainee, problem = trainee_of(path, folder, submission.trainee)
            results.graded.append(Graded(path, trainee, grader.grade(exercise, key, submission), problem))
        except TutorError as exc:
            results.failures.append((path, str(exc)))
    return results
