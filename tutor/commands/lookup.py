"""``medcode lookup`` and ``medcode index``."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from tutor import codeyears
from tutor.commands.common import date_argument, open_codes, progress_bar, whole_number
from tutor.textsafe import printable


def run_lookup(args: argparse.Namespace) -> int:
    """Exit 0 when the code (or a title matching the words) is found, 1 when nothing is."""
    from tutor.codes import CodeSystem, Validity
    from tutor.codes.lookup import describe, guess_system, looks_like_code

    query = " ".join(args.query).strip()
    if not query:
        print("error: give a code or search words", file=sys.stderr)
        return 2
    when = args.date or date.today()
    codes = open_codes(args)
    try:
        system = CodeSystem(args.system) if args.system else None
        if looks_like_code(query):
            check = codes.check(query, system or guess_system(query, codes), when)
            # Not a code of its set, or one the shipped tables do not hold: there is no card to show.
            if check.status in (Validity.NOT_A_CODE, Validity.UNKNOWN):
                print(printable(f"{check.code}: not found ({check.message})", one_line=True))
                return 1
            print(printable(describe(codes, query, when, system)))  # titles may come from a CPT file
            return 0
        results = codes.search(query, system or CodeSystem.ICD10CM, args.limit)
        if not results:
            print(printable(f"nothing found for '{query}'", one_line=True))
            return 1
        for code, title in results:
            print(printable(f"{code:<9} {title}", one_line=True))
        return 0
    finally:
        codes.close()


def run_index(args: argparse.Namespace) -> int:
    from tutor.codes.index import build_index, default_index_path, index_damage
    from tutor.paths import cache_dir

    path = default_index_path(cache_dir())
    if path.exists() and not args.rebuild:
        damage = index_damage(path)
        if damage is None:
            print(printable(f"index ready: {path}", one_line=True))
            return 0
        print(printable(f"The code index {path} was damaged ({damage}); rebuilding it ...", one_line=True),
              file=sys.stderr)
    build_index(path, progress_bar("ICD-10-CM/PCS index"))
    print(printable(f"index built: {path}", one_line=True))
    return 0


def add_parsers(sub) -> None:
    lookup = sub.add_parser("lookup", help="look up a code, or search titles")
    lookup.add_argument("query", nargs="+", metavar="CODE|TERMS")
    lookup.add_argument("--system", choices=["icd10cm", "icd10pcs", "cpt", "hcpcs"])
    lookup.add_argument("--date", type=date_argument,
                        help=f"date of service for validity (YYYY-MM-DD, {codeyears.FIRST_DAY} to {codeyears.LAST_DAY}; "
                             "default today)")
    lookup.add_argument("--limit", type=whole_number(1, 1000), default=15)
    lookup.set_defaults(func=run_lookup)

    index = sub.add_parser("index", help="build the code index now (it is built on first use otherwise)")
    index.add_argument("--rebuild", action="store_true")
    index.set_defaults(func=run_index)
