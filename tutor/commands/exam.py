"""``medcode exam PROFILE``: start (or resume) a timed exam, or print a seeded form."""

from __future__ import annotations

import argparse
import sys

from tutor.commands.common import SEEDS, load_content, whole_number
from tutor.textsafe import printable


def run(args: argparse.Namespace) -> int:
    from tutor.practice.exam import assemble

    library, profiles = load_content(args)
    profile_id = args.profile if args.profile in profiles else next(
        (p for p in sorted(profiles) if p.split("-")[0] == args.profile.lower()), None)
    if profile_id is None:
        print(printable(f"error: no exam profile '{args.profile}' (have: {', '.join(sorted(profiles))})", one_line=True),
              file=sys.stderr)
        return 2
    if not args.print:
        from tutor.ui.launch import launch

        return launch(args, exam=(profile_id, args.seed))
    bank = [library.exercises[i] for i in library.keys if i in library.exercises]
    profile = profiles[profile_id]
    form = assemble(profile, bank, args.seed if args.seed is not None else 0)
    print(printable(f"{profile.title} ({profile.id}, version {profile.version}): {len(form.items)} of "
                    f"{profile.questions} items, {profile.time_limit_minutes} min, seed {form.seed}", one_line=True))
    for n, item in enumerate(form.items, start=1):
        print(f"{n:>3}. {item.exercise_id}  [{item.area}]")
    for area, missing in sorted(form.shortfall.items()):
        print(f"  note: {area} is short of {missing} item(s) in the bank")
    return 0


def add_parser(sub) -> None:
    exam = sub.add_parser("exam", help="take a timed exam after a certification profile (cpc, cpb, cca, ccs, mini)")
    exam.add_argument("profile", metavar="PROFILE")
    exam.add_argument("--seed", type=whole_number(*SEEDS), help="form seed (the same seed gives the same form)")
    exam.add_argument("--print", action="store_true", help="print the assembled form instead of starting the exam")
    exam.set_defaults(func=run)
