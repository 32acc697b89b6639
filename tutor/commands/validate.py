"""``medcode validate``: every problem in the content at once, with path:line:column."""

from __future__ import annotations

import argparse
import json
import sys

from tutor.commands.common import content_packs, open_codes
from tutor.textsafe import printable


def run(args: argparse.Namespace) -> int:
    from tutor.content.checks import check_codes, check_privacy
    from tutor.content.exams import load_profiles
    from tutor.content.library import load_library, yaml_files
    from tutor.content.lint import check_warnings

    pack_problems = []
    if args.paths:
        paths = args.paths
    else:
        packs = content_packs(args)
        paths = [folder for p in packs for part in ("exercises", "answer_keys") if (folder := p.readable(part))]
        pack_problems = [problem for p in packs for problem in p.links_not_followed()]
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        print(printable(f"{path}: no such file or folder", one_line=True), file=sys.stderr)
    present = [p for p in paths if p.exists()]
    exam_paths = [p for p in present if p.name == "exams" or (p.is_file() and p.parent.name == "exams")]
    content = [p for p in present if p not in exam_paths]
    files = yaml_files(present)
    library = load_library(content)
    profiles, exam_problems = load_profiles(exam_paths) if exam_paths else ({}, [])
    library.problems.extend(exam_problems + pack_problems)
    check_privacy(library)
    codes = open_codes(args)
    measured = None
    try:
        check_codes(library, codes)
        check_warnings(library, codes)
        if args.giveaways:
            from tutor.content.giveaways import measure

            measured = measure(library, codes)
    finally:
        codes.close()
    errors = len(library.errors) + len(missing)
    warnings = len(library.problems) - len(library.errors)
    if args.format == "json":
        print(json.dumps({
            "files": len(files), "exercises": len(library.exercises), "keys": len(library.keys),
            "exam_profiles": len(profiles), "errors": errors, "warnings": warnings,
            "problems": [
                {"path": p.path, "line": p.line, "column": p.column, "severity": p.severity, "message": p.message}
                for p in library.problems
            ],
            **({"giveaways": measured.as_json()} if measured else {}),
        }, indent=2))
    else:
        for problem in library.problems:  # messages quote content files: shown, never obeyed by the terminal
            print(printable(str(problem), one_line=True))
        extra = f", {len(profiles)} exam profiles" if exam_paths else ""
        print(f"{len(files)} files, {len(library.exercises)} exercises, {len(library.keys)} answer keys{extra}: "
              f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")
        if measured:
            _print_measurement(measured)
    return 1 if errors or (args.strict and warnings) else 0


def _print_measurement(measured) -> None:
    parts = [f"{kind}s {sum(h.kind == kind for h in measured.hits)} of {n} ({measured.share_of(kind):.1%})"
             for kind, n in sorted(measured.titles.items())]
    parts.append(f"all {len(measured.hits)} of {measured.total} ({measured.share:.1%}) "
                 f"in {len({h.exercise for h in measured.hits})} exercises")
    print("giveaways: required diagnosis titles (four or more content words) spelled out in one line of their "
          f"documents: {', '.join(parts)}")
    for hit in measured.hits:
        print(printable(f"  {hit.path}:{hit.line}:{hit.column}: {hit.code} \"{hit.title}\": \"{hit.text}\"",
                        one_line=True))


def add_parser(sub) -> None:
    validate = sub.add_parser("validate", help="check exercises, answer keys and exam profiles (exit 1 on any error)")
    validate.add_argument("paths", nargs="*", type=__import__("pathlib").Path,
                          help="files or folders (default: the bundled content and your packs)")
    validate.add_argument("--format", choices=["text", "json"], default="text")
    validate.add_argument("--strict", action="store_true", help="fail on warnings (weak content) too")
    validate.add_argument("--giveaways", action="store_true",
                          help="also measure the share of required diagnosis titles (four or more content words) "
                               "spelled out in one line of their chart, and list them")
    validate.set_defaults(func=run)
