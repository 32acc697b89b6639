"""Starting the tutor from the command line: open the core, then the app."""

from __future__ import annotations

import argparse
import os
import sys

from tutor.content.library import load_library
from tutor.paths import bundled_dir
from tutor.progress import ProgressStore, default_db_path
from tutor.ui.context import Tutor


def content_paths(args: argparse.Namespace) -> list:
    return [bundled_dir("exercises"), bundled_dir("answer_keys"), *(getattr(args, "content", None) or [])]


def pick_trainee(store: ProgressStore, requested: str | None) -> str | None:
    """The named trainee, or the only one there is; None means ask."""
    name = requested or os.environ.get("MEDCODE_TRAINEE")
    if name:
        store.ensure_trainee(name)
        return name
    names = store.trainees()
    return names[0] if len(names) == 1 else None


def load_tutor_profiles(args: argparse.Namespace):
    from tutor.content.exams import load_profiles

    extra = [p / "exams" for p in (getattr(args, "content", None) or []) if (p / "exams").is_dir()]
    return load_profiles([bundled_dir("exams"), *extra])


def launch(args: argparse.Namespace, exam: tuple[str, int | None] | None = None) -> int:
    from tutor.cli import open_codes
    from tutor.ui.app import MedcodeApp

    codes = open_codes(args)
    store = ProgressStore(args.db or default_db_path())
    if store.recovered_from:
        print(f"The progress database could not be read; it was kept as {store.recovered_from} "
              "and a new one was started.", file=sys.stderr)
    try:
        library = load_library(content_paths(args))
        profiles, problems = load_tutor_profiles(args)
        library.problems.extend(problems)
        tutor = Tutor(library, codes, store, pick_trainee(store, args.trainee), profiles=profiles)
        MedcodeApp(tutor, exam=exam).run()
    finally:
        store.close()
        codes.close()
    return 0
