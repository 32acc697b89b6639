"""``medcode report``: progress toward 95% from the database, as a table, CSV, JSON or HTML."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tutor.commands.common import db_path, load_content, progress_policy
from tutor.textsafe import printable


def run(args: argparse.Namespace) -> int:
    from tutor.practice.readiness import exam_readiness
    from tutor.progress import open_store
    from tutor.progress.report import as_csv, as_html, as_table, exam_entry, trainee_report

    store = open_store(db_path(args), lambda notice: print(notice, file=sys.stderr))
    try:
        names = [args.trainee] if args.trainee else store.trainees()
        if args.trainee and args.trainee not in store.trainees():
            have = ", ".join(store.trainees()) or "none"
            print(printable(f"error: no trainee '{args.trainee}' in {store.path} (have: {have})", one_line=True),
                  file=sys.stderr)
            return 1
        library, profiles = load_content(args)
        policy = progress_policy(args)
        reports = []
        for name in names:
            attempts = store.attempts(name)
            exams = {}
            for profile in sorted(profiles.values(), key=lambda p: p.id):
                exams[profile.id] = exam_entry(exam_readiness(profile, library.exercises, attempts, policy))
            reports.append(trainee_report(name, attempts, exams, policy=policy))
    finally:
        store.close()
    if args.format == "json":
        text = json.dumps(reports[0] if args.trainee else reports, indent=2)
    elif args.format == "csv":
        text = as_csv(reports)
    elif args.format == "html":
        text = as_html(reports)
    else:
        text = "\n\n".join(as_table(r) for r in reports) or "No trainees yet."
    if args.output:
        try:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            print(printable(f"error: cannot write {args.output}: {exc.strerror or exc}", one_line=True),
                  file=sys.stderr)
            return 1
        print(printable(f"wrote {args.output}", one_line=True))
    else:
        print(text)
    return 0


def add_parser(sub) -> None:
    report = sub.add_parser("report", help="progress toward 95%% from the progress database")
    report.add_argument("--trainee", default=argparse.SUPPRESS, help="one trainee (default: all)")
    report.add_argument("--format", choices=["table", "csv", "json", "html"], default="table")
    report.add_argument("--output", "-o", type=Path, help="write to a file instead of the screen")
    report.set_defaults(func=run)
