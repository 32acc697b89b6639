"""``medcode scrub CLAIM.yaml``: run the claim scrubber and print what it finds."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import ValidationError

from tutor.commands.common import open_codes
from tutor.errors import ContentError
from tutor.textsafe import printable


def load_claim(path: Path):
    """A claim exercise file, or a bare claim file (date_of_service, patient, claim)."""
    from tutor.content.billing import ClaimExercise, ClaimFile
    from tutor.content.library import SourceFile, validation_problems
    from tutor.content.yamlio import load_yaml

    data, positions = load_yaml(path)
    model = ClaimExercise if isinstance(data, dict) and data.get("kind") == "claim" else ClaimFile
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = validation_problems(exc, SourceFile(path, data, positions))[0]
        raise ContentError(first.message, first.path, first.line, first.column) from None


def run(args: argparse.Namespace) -> int:
    from tutor.billing.scrubber import scrub

    claim = load_claim(args.claim)
    codes = open_codes(args)
    try:
        findings = scrub(claim.claim, claim.date_of_service, claim.patient, codes)
    finally:
        codes.close()
    if args.format == "json":
        print(json.dumps([{"edit": f.edit, "line": f.line, "diagnosis": f.diagnosis, "message": f.message}
                          for f in findings], indent=2))
    elif not findings:
        print(printable(f"{args.claim}: clean (no front-end edits fired)", one_line=True))
    else:
        for f in findings:  # messages quote the claim's codes and modifiers: shown, never obeyed
            print(printable(f"{args.claim}: {f.where()}: {f.edit}: {f.message}", one_line=True))
        print(f"{len(findings)} problem{'s' * (len(findings) != 1)} found", file=sys.stderr)
    return 1 if findings else 0


def add_parser(sub) -> None:
    scrub_cmd = sub.add_parser("scrub", help="run the claim scrubber on a claim file (exit 1 when it finds problems)")
    scrub_cmd.add_argument("claim", type=Path, metavar="CLAIM.yaml")
    scrub_cmd.add_argument("--format", choices=["text", "json"], default="text")
    scrub_cmd.set_defaults(func=run)
