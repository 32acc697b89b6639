"""Starting the tutor from the command line: open the core, then the app."""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import ExitStack

from tutor.crashlog import EX_SOFTWARE
from tutor.progress import ProgressStore, open_store
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
    """Run the tutor; exit status 0, or ``EX_SOFTWARE`` (70, as for the tools) after an error the app
    did not handle: Textual shows its traceback and sets the return code to 1, which nothing else
    in the tutor uses."""
    from tutor.commands.common import db_path, load_content, open_codes, progress_policy, trainee_name
    from tutor.ui.app import MedcodeApp

    def announce(notice: str) -> None:  # on the terminal (seen after the tutor closes) and in the tutor
        notices.append(notice)
        print(notice, file=sys.stderr)  # recovery_notice already shows control characters as escapes

    notices: list[str] = []
    with ExitStack() as closing:
        codes = open_codes(args)
        closing.callback(codes.close)
        store = closing.enter_context(open_store(db_path(args), announce))
        library, profiles = load_content(args, cached=True)
        tutor = Tutor(library, codes, store, pick_trainee(store, trainee_name(args)), profiles=profiles,
                      policy=progress_policy(args))
        app = MedcodeApp(tutor, exam=exam, notices=notices)
        app.run()
    return EX_SOFTWARE if app.return_code else 0
