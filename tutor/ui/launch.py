"""Starting the tutor from the command line: open the core, then the app."""

from __future__ import annotations

import argparse
import os
import sys

from tutor.progress import ProgressStore
from tutor.ui.context import Tutor


def pick_trainee(store: ProgressStore, requested: str | None) -> str | None:
    """The named trainee, or the only one there is; None means ask."""
    name = requested or os.environ.get("MEDCODE_TRAINEE")
    if name:
        store.ensure_trainee(name)
        return name
    names = store.trainees()
    return names[0] if len(names) == 1 else None


def launch(args: argparse.Namespace, exam: tuple[str, int | None] | None = None) -> int:
    from tutor.commands.common import db_path, load_content, open_codes, trainee_name
    from tutor.ui.app import MedcodeApp

    codes = open_codes(args)
    store = ProgressStore(db_path(args))
    if store.recovered_from:
        print(f"The progress database could not be read; it was kept as {store.recovered_from} "
              "and a new one was started.", file=sys.stderr)
    try:
        library, profiles = load_content(args, cached=True)
        tutor = Tutor(library, codes, store, pick_trainee(store, trainee_name(args)), profiles=profiles)
        MedcodeApp(tutor, exam=exam).run()
    finally:
        store.close()
        codes.close()
    return 0
