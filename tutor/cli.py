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
from tutor.textsafe import printable

SUMMARY_LIMIT = 300  # characters of the exception's message on the one line (the log has it all)


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
    """Run one command; the exit statuses are documented in the README (0, 1, 2, 70, 130)."""
    try:
        args = build_parser().parse_args(argv)
        func = getattr(args, "func", cmd_tutor)
        return func(args)
    except TutorError as exc:
        print(f"error: {printable(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``medcode lookup ... | head``): not an error worth a traceback.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the last resort: a bug, told in one line, never a traceback
        return internal_error(exc, sys.argv[1:] if argv is None else argv)


def internal_error(error: Exception, argv: Sequence[str]) -> int:
    from tutor.crashlog import EX_SOFTWARE, write_crash_log  # only on a crash: platform etc. cost each start

    log = write_crash_log(error, argv)
    where = f"details in {log}" if log else "its details could not be saved anywhere"
    summary = printable(f"{type(error).__name__}: {error}", one_line=True)
    if len(summary) > SUMMARY_LIMIT:
        summary = summary[:SUMMARY_LIMIT] + "..."
    print(f"internal error: {summary} (a bug; {where})", file=sys.stderr)
    return EX_SOFTWARE
