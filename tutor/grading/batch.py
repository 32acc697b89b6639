"""Batch grading of a class: every trainee's submissions, per-trainee and per-exercise results.

A class folder holds one file per trainee per exercise (JSON or YAML), either as
``<class>/<trainee>/<anything>.json`` or flat with a ``trainee`` field in the
submission (falling back to the part of the file name before ``__``). A broken
file is reported with its path; the rest is graded.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tutor.content.library import Library
from tutor.content.report import GradeReport
from tutor.content.submissions import load_submission
from tutor.errors import TutorError
from tutor.grading.grader import Grader

SUBMISSION_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass(frozen=True)
class Graded:
    path: Path
    trainee: str
    report: GradeReport


@dataclass
class ClassResults:
    graded: list[Graded] = field(default_factory=list)
    failures: list[tuple[Path, str]] = field(default_factory=list)

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


def submission_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUBMISSION_SUFFIXES
                  and not p.name.startswith("."))


def trainee_of(path: Path, folder: Path, named: str | None) -> str:
    if named:
        return named
    relative = path.relative_to(folder)
    if len(relative.parts) > 1:
        return relative.parts[0]
    return path.stem.split("__")[0]


def grade_class(folder: Path, library: Library, grader: Grader, skip: frozenset[Path] = frozenset()) -> ClassResults:
    if not folder.is_dir():
        raise TutorError(f"{folder}: not a folder of submissions")
    results = ClassResults()
    for path in submission_files(folder):
        if path.resolve() in skip:
            continue
        try:
            submission = load_submission(path)
            exercise, key = library.exercises.get(submission.exercise), library.keys.get(submission.exercise)
            if exercise is None or key is None:
                raise TutorError(f"no {'exercise' if exercise is None else 'answer key'} "
                                 f"for '{submission.exercise}'")
            results.graded.append(Graded(path, trainee_of(path, folder, submission.trainee),
                                         grader.grade(exercise, key, submission)))
        except TutorError as exc:
            results.failures.append((path, str(exc)))
    return results
