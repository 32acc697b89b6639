"""``medcode``: the tutor (no subcommand) and the command-line tools.

Textual is imported only when the tutor itself starts, so the tools stay fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tutor import __version__
from tutor.commands import author, exam, generate, grade, lookup, report, scrub, validate
from tutor.errors import TutorError


def cmd_tutor(args: argparse.Namespace) -> int:
    from tutor.ui.launch import launch

    return launch(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="medcode", description="medcode-tutor: practise medical coding against answer keys.",
    )
    parser.add_argument("--version", action="version", version=f"medcode-tutor {__version__}")
    parser.add_argument("--cpt-file", type=Path, help="your licensed CPT file (CSV: code,descriptor)")
    parser.add_argument("--db", type=Path, help="progress database (default: in your user data folder)")
    parser.add_argument("--content", type=Path, action="append",
                        help="a content pack folder (exercises/, answer_keys/, exams/); repeatable")
    parser.add_argument("--no-bundled", action="store_true", help="use only the --content packs")
    parser.add_argument("--trainee", help="trainee name")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    validate.add_parser(sub)
    grade.add_parser(sub)
    lookup.add_parsers(sub)
    exam.add_parser(sub)
    author.add_parsers(sub)
    report.add_parser(sub)
    generate.add_parser(sub)
    scrub.add_parser(sub)
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
    except BrokenPipeError:
        # The reader went away (``medcode lookup ... | head``): not an error worth a traceback.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
