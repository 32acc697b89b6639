"""What several commands share: settings, the code sets, and the content packs."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from tutor import codeyears
from tutor.config import Settings, load_settings
from tutor.errors import TutorError
from tutor.textsafe import printable

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
SEEDS = (0, 2**31 - 1)
"""Seeds a form or a generated batch may have: small enough for an id and a database column."""


def settings(args: argparse.Namespace) -> Settings:
    if not hasattr(args, "_settings"):
        args._settings = load_settings()
    return args._settings


def date_argument(text: str) -> date:
    """``--date``: a YYYY-MM-DD date the code sets know; anything else is a usage error (exit 2)."""
    if not _ISO_DAY.fullmatch(text):
        raise argparse.ArgumentTypeError(f"'{printable(text, one_line=True)}' is not a date (YYYY-MM-DD)")
    try:
        when = date.fromisoformat(text)
    except ValueError as exc:  # the right shape, an impossible day: say which part ("month must be in 1..12")
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD): {exc}") from None
    if not codeyears.covered(when):
        raise argparse.ArgumentTypeError(codeyears.not_covered_message(when))
    return when


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``, or a usage error naming the range."""
    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{printable(text, one_line=True)}' is not a whole number") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{number} is not between {low} and {high}")
        return number
    return parse


def progress_bar(label: str):
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
    """The code sets; a missing or damaged index is (re)built first, with a one-line reason and a bar."""
    from tutor.codes import CodeSets
    from tutor.paths import cache_dir

    def announce(reason: str) -> None:  # the bar is drawn only if a build starts, after this line
        sys.stderr.write(printable(reason) + "\n")

    cpt_file = getattr(args, "cpt_file", None) or settings(args).cpt_file
    return CodeSets.open(cache_dir(), progress_bar("ICD-10-CM/PCS index"), cpt_file, announce)


def content_packs(args: argparse.Namespace):
    from tutor.content.packs import packs_for

    chosen = settings(args)
    typed = list(getattr(args, "content", None) or [])
    for folder in typed:
        _require_pack(folder, "")
    for folder in chosen.content:
        _require_pack(folder, f"{chosen.source}: ")
    bundled = chosen.bundled and not getattr(args, "no_bundled", False)
    return packs_for(typed + list(chosen.content), bundled=bundled)


def _require_pack(folder: Path, where: str) -> None:
    """A content pack named on the command line or in the settings file must be one: a typo is not ignored."""
    if not folder.is_dir():
        problem = "not a folder" if folder.exists() else "no such folder"
        raise TutorError(f"{where}content pack {folder}: {problem}")
    if not any((folder / part).is_dir() for part in ("exercises", "answer_keys")):
        raise TutorError(f"{where}content pack {folder}: no exercises/ or answer_keys/ folder in it")


def load_content(args: argparse.Namespace, cached: bool = False):
    """(library, exam profiles) from the bundled content and the user's packs.

    ``cached``: reuse the parsed content from the cache folder when no file changed (the tutor's
    start-up); tools that report on content always parse afresh.
    """
    from tutor.content.exams import load_profiles
    from tutor.content.packs import exam_folders, load_packs

    packs = content_packs(args)
    if cached:
        from tutor.content.cache import load_packs_cached
        from tutor.paths import cache_dir

        library = load_packs_cached(packs, cache_dir())
    else:
        library = load_packs(packs)
    profiles, problems = load_profiles(exam_folders(packs))
    library.problems.extend(problems)
    library.problems.sort()
    return library, profiles


def trainee_name(args: argparse.Namespace) -> str | None:
    return getattr(args, "trainee", None) or settings(args).trainee


def db_path(args: argparse.Namespace) -> Path:
    from tutor.progress import default_db_path

    return getattr(args, "db", None) or settings(args).db or default_db_path()


def progress_policy(args: argparse.Namespace):
    """How progress is estimated (docs/progress.md): the defaults, with the settings file's
    ``half_life`` and ``target_probability`` where it gives them."""
    from tutor.progress.estimate import Policy

    chosen = settings(args)
    options: dict[str, float] = {}
    if chosen.half_life is not None:
        options["half_life"] = chosen.half_life
    if chosen.target_probability is not None:
        options["sure"] = chosen.target_probability
    return Policy(**options)
