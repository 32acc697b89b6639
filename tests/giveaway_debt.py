"""Regenerate tests/giveaway_debt.txt: the bundled charts that still give the answer away (issue 12).

    python tests/giveaway_debt.py          # drop the charts that have no giveaway any more
    python tests/giveaway_debt.py --all    # list exactly the charts that have one today

The default only removes ids (the list may only shrink) and names, on stderr, any chart not on the
list that has a giveaway: fix that chart, do not list it (exit status 1). ``--all`` writes the
current state, new ids included: it made the list when the check arrived. Uses the code-set index
in ``MEDCODE_CACHE_DIR`` (or the user cache).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tutor.codes import CodeSets  # noqa: E402
from tutor.content.giveaways import PREFIX, check_giveaways  # noqa: E402
from tutor.content.library import load_library  # noqa: E402

DEBT = Path(__file__).resolve().parent / "giveaway_debt.txt"
HEADER = """\
# Charts not yet rewritten (issue 12, part 2): bundled exercises that still give the answer away
# (`medcode validate` warnings starting "giveaway:"). tests/test_giveaways.py fails when a chart
# NOT listed here has a giveaway, and when a listed chart has none any more.
#
# This list may only shrink. When you rewrite a chart, delete its id here in the same commit;
# never add an id: fix the chart. Issue 12's acceptance needs it empty (validate --strict passes).
# Regenerate: python tests/giveaway_debt.py (removals only; --all lists today's state).
"""


def charts_with_giveaways() -> set[str]:
    library = load_library([ROOT / "exercises", ROOT / "answer_keys"])
    codes = CodeSets.open()
    try:
        check_giveaways(library, codes)
    finally:
        codes.close()
    ids = {str(source.path): ident for ident, source in library.exercise_files.items()}
    return {ids[p.path] for p in library.problems if p.message.startswith(PREFIX)}


def listed() -> set[str]:
    if not DEBT.exists():
        return set()
    return {line.split("#", 1)[0].strip() for line in DEBT.read_text(encoding="utf-8").splitlines()} - {""}


def main(argv: list[str]) -> int:
    found = charts_with_giveaways()
    before = listed()
    keep = found if "--all" in argv else found & before
    DEBT.write_text(HEADER + "".join(f"{ident}\n" for ident in sorted(keep)), encoding="utf-8")
    for ident in sorted(before - keep):
        print(f"removed {ident} (no giveaway left)")
    print(f"{DEBT.relative_to(ROOT)}: {len(keep)} charts")
    new = sorted(found - keep)
    for ident in new:
        print(f"{ident}: has a giveaway and is not on the list: fix it (medcode validate)", file=sys.stderr)
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
