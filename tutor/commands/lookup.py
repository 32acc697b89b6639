"""``medcode lookup`` and ``medcode index``."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from tutor.commands.common import open_codes, progress_bar


def run_lookup(args: argparse.Namespace) -> int:
    from tutor.codes import CodeSystem
    from tutor.codes.lookup import describe, looks_like_code

    query = " ".join(args.query).strip()
    if not query:
        print("error: give a code or search words", file=sys.stderr)
        return 2
    when = date.fromisoformat(args.date) if args.date else date.today()
    codes = open_codes(args)
    try:
        system = CodeSystem(args.system) if args.system else None
        if looks_like_code(query):
            print(describe(codes, query, when, system))
            return 0
        results = codes.search(query, system or CodeSystem.ICD10CM, args.limit)
        if not results:
            print(f"nothing found for '{query}'")
            return 1
        for code, title in results:
            print(f"{code:<9} {title}")
        return 0
    finally:
        codes.close()


def run_index(args: argparse.Namespace) -> int:
    from tutor.codes.index import build_index, default_index_path
    from tutor.paths import cache_dir

    path = default_index_path(cache_dir())
    if path.exists() and not args.rebuild:
        print(f"index ready: {path}")
        return 0
    build_index(path, progress_bar("ICD-10-CM/PCS index"))
    print(f"index built: {path}")
    return 0


def add_parsers(sub) -> None:
    lookup = sub.add_parser("lookup", help="look up a code, or search titles")
    lookup.add_argument("query", nargs="+", metavar="CODE|TERMS")
    lookup.add_argument("--system", choices=["icd10cm", "icd10pcs", "cpt", "hcpcs"])
    lookup.add_argument("--date", help="date of service for validity (YYYY-MM-DD; default today)")
    lookup.add_argument("--limit", type=int, default=15)
    lookup.set_defaults(func=run_lookup)

    index = sub.add_parser("index", help="build the code index now (it is built on first use otherwise)")
    index.add_argument("--rebuild", action="store_true")
    index.set_defaults(func=run_index)
