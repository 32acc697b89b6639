"""``medcode grade``: submissions against answer keys, one by one or a whole class."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.commands.common import load_content, open_codes
from tutor.errors import TutorError
from tutor.textsafe import SafeCsvWriter, printable

if TYPE_CHECKING:
    from tutor.grading.batch import ClassResults


def _library(args: argparse.Namespace):
    if args.exercises or args.keys:
        from tutor.content.library import load_library
        from tutor.paths import bundled_dir

        return load_library([args.exercises or bundled_dir("exercises"), args.keys or bundled_dir("answer_keys")])
    return load_content(args)[0]


def run(args: argparse.Namespace) -> int:
    if args.class_folder:
        return run_class(args)
    if not args.submissions:
        print("error: give submission files, or --class FOLDER", file=sys.stderr)
        return 2
    from tutor.content.submissions import load_submission
    from tutor.grading import Grader

    library = _library(args)
    codes = open_codes(args)
    grader = Grader(codes)
    reports, failures = [], 0
    try:
        for path in args.submissions:
            try:
                submission = load_submission(path)
                exercise = library.exercises.get(submission.exercise)
                key = library.keys.get(submission.exercise)
                if exercise is None or key is None:
                    broken = [str(p) for p in library.problems if Path(p.path).stem == submission.exercise]
                    detail = f" (its files have errors: {broken[0]})" if broken else ""
                    what = "exercise" if exercise is None else "answer key"
                    raise TutorError(f"{path}: no {what} for '{submission.exercise}'{detail}")
                reports.append((path, grader.grade(exercise, key, submission)))
            except TutorError as exc:
                failures += 1
                print(printable(f"error: {exc}", one_line=True), file=sys.stderr)
    finally:
        codes.close()
    if args.format == "json":
        # Always valid JSON on stdout: one report for one file, else a list (empty when none graded).
        data = [report.model_dump(mode="json") for _, report in reports]
        print(json.dumps(data[0] if len(args.submissions) == 1 and data else data, indent=2))
    else:
        from tutor.grading.table import report_table

        for path, report in reports:
            print(printable(report_table(report, str(path))))
    return 1 if failures else 0


def run_class(args: argparse.Namespace) -> int:
    from tutor.grading import Grader
    from tutor.grading.batch import SKIPPED_LINK, grade_class

    folder: Path = args.class_folder
    out: Path = args.out or _default_out(folder)
    if out.resolve().is_relative_to(folder.resolve()):
        # Results written there would overwrite a trainee's files and be graded as submissions next time.
        print(printable(f"error: --out {out} is inside the class folder {folder}; choose a folder outside it "
                        f"(the default is {_default_out(folder)})", one_line=True),
              file=sys.stderr)
        return 1
    library = _library(args)
    codes = open_codes(args)
    try:
        results = grade_class(folder, library, Grader(codes))
    finally:
        codes.close()
    for path, message in results.failures:
        text = message if message.startswith(str(path)) else f"{path}: {message}"
        print(printable(f"error: {text}", one_line=True), file=sys.stderr)
    for path, problem in results.problems:
        print(printable(f"warning: {path}: {problem}", one_line=True), file=sys.stderr)
    for path in results.skipped:
        print(printable(f"warning: {path}: {SKIPPED_LINK}", one_line=True), file=sys.stderr)
    if not results.graded:
        print(printable(f"error: {folder}: no gradable submissions found", one_line=True), file=sys.stderr)
        return 1
    summary = results.summary()
    summary["broken"] = [{"file": str(p), "error": m} for p, m in results.failures]
    try:
        _write_results(out, results, summary)
    except OSError as exc:
        print(printable(f"error: cannot write the results to {out}: {exc.strerror or exc}", one_line=True),
              file=sys.stderr)
        return 1
    print(_summary_table(summary, out))
    return 1 if results.failures else 0


def _default_out(folder: Path) -> Path:
    """``FOLDER-results`` next to the class folder (also for ``.`` or ``/``, which have no name of their own)."""
    real = folder.resolve()
    return real.parent / f"{real.name or 'class'}-results"


def _write_results(out: Path, results: ClassResults, summary: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    _write_rows(out / "submissions.csv", [
        {"trainee": g.trainee, "exercise": g.report.exercise, "file": str(g.path),
         "code_accuracy": g.report.code_accuracy, "codes_correct": g.report.codes_correct,
         "codes_graded": g.report.codes_graded, "record_correct": g.report.record_correct,
         "learning_score": g.report.learning_score, "problem": g.problem} for g in results.graded])
    for name, table in (("trainees", results.by_trainee()), ("exercises", results.by_exercise())):
        _write_rows(out / f"{name}.csv", [{name[:-1]: k, **v} for k, v in table.items()])
        (out / f"{name}.json").write_text(json.dumps(table, indent=2), encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    (out / "reports.json").write_text(json.dumps(
        [{"trainee": g.trainee, "file": str(g.path), "problem": g.problem, **g.report.model_dump(mode="json")}
         for g in results.graded], indent=2), encoding="utf-8")


def _write_rows(path: Path, rows: list[dict]) -> None:
    """A CSV file of ``rows`` (dicts with the same keys); every cell neutralised for spreadsheets."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        if not rows:
            return
        writer = SafeCsvWriter(handle)
        writer.writerow(rows[0])
        writer.writerows(row.values() for row in rows)


def _percent(value: float | None) -> str:
    return "--" if value is None else f"{value:.1%}"


def _summary_table(summary: dict, out: Path) -> str:
    """The class summary for the terminal; ids and paths come from files, so each is shown, never obeyed."""
    lines = [
        f"Class results: {summary['trainees']} trainees, {summary['submissions']} submissions graded, "
        f"{summary['broken_files']} broken file(s)",
        f"  code accuracy   {_percent(summary['code_accuracy'])}   (target 95%)",
        f"  record accuracy {_percent(summary['record_accuracy'])}",
        "  most missed exercises:",
        *(f"    {_shown(e['exercise']):<40} {_percent(e['code_accuracy'])} code accuracy over {e['submissions']}"
          for e in summary["most_missed_exercises"]),
        "  most frequent errors:",
        *(f"    {o['outcome']:<22} {o['count']}" for o in summary["most_frequent_outcomes"]),
    ]
    if summary["problems"]:
        lines.append(f"  {len(summary['problems'])} file(s) naming another trainee (see summary.json 'problems')")
    if summary["skipped"]:
        lines.append(f"  {len(summary['skipped'])} link(s) out of the folder skipped (see summary.json 'skipped')")
    lines.append(f"  written to {_shown(str(out))}/ (submissions.csv, trainees.csv/json, exercises.csv/json, "
                 "summary.json, reports.json)")
    return "\n".join(lines)


def _shown(text: str) -> str:
    return printable(text, one_line=True)


def add_parser(sub) -> None:
    grade = sub.add_parser("grade", help="grade submission files, or a class folder, against answer keys")
    grade.add_argument("submissions", nargs="*", type=Path, metavar="SUBMISSION")
    grade.add_argument("--class", dest="class_folder", type=Path, metavar="FOLDER",
                       help="grade a folder of submissions from many trainees")
    grade.add_argument("--out", type=Path,
                       help="where --class writes its results, outside FOLDER (default: FOLDER-results)")
    grade.add_argument("--exercises", type=Path, help="exercise folder (default: bundled and your packs)")
    grade.add_argument("--keys", type=Path, help="answer-key folder (default: bundled and your packs)")
    grade.add_argument("--format", choices=["json", "table"], default="json")
    grade.set_defaults(func=run)
