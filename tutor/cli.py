"""``medcode``: the tutor (no subcommand) and the command-line tools.

Textual is imported only when the tutor itself starts, so the tools stay fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from tutor import __version__
from tutor.errors import TutorError


def _progress_bar(label: str):
    """A one-line progress bar on stderr for the one-time index build."""
    def report(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {100 * done // max(total, 1):3d}%")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return report


def open_codes(args: argparse.Namespace):
    from tutor.codes import CodeSets
    from tutor.codes.index import default_index_path
    from tutor.paths import cache_dir

    cache = cache_dir()
    progress = None
    if not default_index_path(cache).exists():
        sys.stderr.write(f"Building the code index once into {cache} ...\n")
        progress = _progress_bar("ICD-10-CM/PCS index")
    return CodeSets.open(cache, progress, getattr(args, "cpt_file", None))


# --- validate ---------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from tutor.content.checks import check_codes, check_privacy
    from tutor.content.lint import check_warnings
    from tutor.content.library import load_library, yaml_files
    from tutor.paths import bundled_dir

    paths = args.paths or [bundled_dir("exercises"), bundled_dir("answer_keys")]
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        print(f"{path}: no such file or folder", file=sys.stderr)
    files = yaml_files(p for p in paths if p.exists())
    library = load_library(p for p in paths if p.exists())
    check_privacy(library)
    codes = open_codes(args)
    try:
        check_codes(library, codes)
        check_warnings(library, codes)
    finally:
        codes.close()
    errors = len(library.errors) + len(missing)
    warnings = len(library.problems) - len(library.errors)
    if args.format == "json":
        print(json.dumps({
            "files": len(files), "exercises": len(library.exercises), "keys": len(library.keys),
            "errors": errors, "warnings": warnings,
            "problems": [
                {"path": p.path, "line": p.line, "column": p.column, "severity": p.severity, "message": p.message}
                for p in library.problems
            ],
        }, indent=2))
    else:
        for problem in library.problems:
            print(problem)
        print(f"{len(files)} files, {len(library.exercises)} exercises, {len(library.keys)} answer keys: "
              f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")
    return 1 if errors or (args.strict and warnings) else 0


# --- grade ------------------------------------------------------------------------


def cmd_grade(args: argparse.Namespace) -> int:
    from tutor.content.library import load_library
    from tutor.content.submissions import load_submission
    from tutor.grading import Grader
    from tutor.paths import bundled_dir

    library = load_library([args.exercises or bundled_dir("exercises"), args.keys or bundled_dir("answer_keys")])
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
                print(f"error: {exc}", file=sys.stderr)
    finally:
        codes.close()
    if args.format == "json":
        data = [report.model_dump(mode="json") for _, report in reports]
        print(json.dumps(data[0] if len(args.submissions) == 1 and data else data, indent=2))
    else:
        from tutor.grading.table import report_table

        for path, report in reports:
            print(report_table(report, str(path)))
    return 1 if failures else 0


# --- lookup -----------------------------------------------------------------------


def cmd_lookup(args: argparse.Namespace) -> int:
    from datetime import date

    from tutor.codes import CodeSystem
    from tutor.codes.lookup import describe, looks_like_code

    query = " ".join(args.query).strip()
    if not query:
        print("error: give a code or search words", file=sys.stderr)
        return 2
    when = date.fromisoformat(args.date) if args.date else date.today()
    codes = open_codes(args)
    try:
        system = CodeSystem(args.system) if args.system else None
        if looks_like_code(query):
            print(describe(codes, query, when, system))
            return 0
        results = codes.search(query, system or CodeSystem.ICD10CM, args.limit)
        if not results:
            print(f"nothing found for '{query}'")
            return 1
        for code, title in results:
            print(f"{code:<9} {title}")
        return 0
    finally:
        codes.close()


def cmd_index(args: argparse.Namespace) -> int:
    from tutor.codes.index import build_index, default_index_path
    from tutor.paths import cache_dir

    path = default_index_path(cache_dir())
    if path.exists() and not args.rebuild:
        print(f"index ready: {path}")
        return 0
    build_index(path, _progress_bar("ICD-10-CM/PCS index"))
    print(f"index built: {path}")
    return 0


# --- exam -------------------------------------------------------------------------


def cmd_exam(args: argparse.Namespace) -> int:
    from tutor.content.library import load_library
    from tutor.practice.exam import assemble
    from tutor.ui.launch import content_paths, load_tutor_profiles

    profiles, problems = load_tutor_profiles(args)
    for problem in problems:
        print(problem, file=sys.stderr)
    profile_id = args.profile if args.profile in profiles else next(
        (p for p in profiles if p.split("-")[0] == args.profile.lower()), None)
    if profile_id is None:
        print(f"error: no exam profile '{args.profile}' (have: {', '.join(sorted(profiles))})", file=sys.stderr)
        return 2
    if not args.print:
        from tutor.ui.launch import launch

        return launch(args, exam=(profile_id, args.seed))
    library = load_library(content_paths(args))
    bank = [library.exercises[i] for i in library.keys if i in library.exercises]
    profile = profiles[profile_id]
    form = assemble(profile, bank, args.seed if args.seed is not None else 0)
    print(f"{profile.title} ({profile.id}, version {profile.version}): {len(form.items)} of "
          f"{profile.questions} items, {profile.time_limit_minutes} min, seed {form.seed}")
    for n, item in enumerate(form.items, start=1):
        print(f"{n:>3}. {item.exercise_id}  [{item.area}]")
    for area, missing in sorted(form.shortfall.items()):
        print(f"  note: {area} is short of {missing} item(s) in the bank")
    return 0


# --- the tutor --------------------------------------------------------------------


def cmd_tutor(args: argparse.Namespace) -> int:
    try:
        from tutor.ui.launch import launch
    except ImportError:
        print("The tutor's screens are not installed in this build; see `medcode --help` for the tools.",
              file=sys.stderr)
        return 2
    return launch(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="medcode", description="medcode-tutor: practise medical coding against answer keys.",
    )
    parser.add_argument("--version", action="version", version=f"medcode-tutor {__version__}")
    parser.add_argument("--cpt-file", type=Path, help="your licensed CPT file (CSV: code,descriptor)")
    parser.add_argument("--db", type=Path, help="progress database (default: in your user data folder)")
    parser.add_argument("--content", type=Path, action="append", help="extra content folder (repeatable)")
    parser.add_argument("--trainee", help="trainee name")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = sub.add_parser("validate", help="check exercises and answer keys (exit 1 on any error)")
    validate.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the bundled content)")
    validate.add_argument("--format", choices=["text", "json"], default="text")
    validate.add_argument("--strict", action="store_true", help="fail on warnings (weak content) too")
    validate.set_defaults(func=cmd_validate)

    grade = sub.add_parser("grade", help="grade submission files against answer keys")
    grade.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSION")
    grade.add_argument("--exercises", type=Path, help="exercise folder (default: bundled)")
    grade.add_argument("--keys", type=Path, help="answer-key folder (default: bundled)")
    grade.add_argument("--format", choices=["json", "table"], default="json")
    grade.set_defaults(func=cmd_grade)

    lookup = sub.add_parser("lookup", help="look up a code, or search titles")
    lookup.add_argument("query", nargs="+", metavar="CODE|TERMS")
    lookup.add_argument("--system", choices=["icd10cm", "icd10pcs", "cpt", "hcpcs"])
    lookup.add_argument("--date", help="date of service for validity (YYYY-MM-DD; default today)")
    lookup.add_argument("--limit", type=int, default=15)
    lookup.set_defaults(func=cmd_lookup)

    exam = sub.add_parser("exam", help="take a timed exam after a certification profile (cpc, cpb, cca, ccs, mini)")
    exam.add_argument("profile", metavar="PROFILE")
    exam.add_argument("--seed", type=int, help="form seed (the same seed gives the same form)")
    exam.add_argument("--print", action="store_true", help="print the assembled form instead of starting the exam")
    exam.set_defaults(func=cmd_exam)

    index = sub.add_parser("index", help="build the code index now (it is built on first use otherwise)")
    index.add_argument("--rebuild", action="store_true")
    index.set_defaults(func=cmd_index)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func = getattr(args, "func", cmd_tutor)
    try:
        return func(args)
    except TutorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
