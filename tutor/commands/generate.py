"""``medcode generate TEMPLATE --seed N --count K``: concrete exercises and keys from a template."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tutor.commands.common import SEEDS, open_codes, whole_number
from tutor.errors import TutorError
from tutor.textsafe import printable

COUNTS = (1, 10_000)
"""How many exercises one run may write (a template rarely has that many combinations)."""


def template_path(name: str) -> Path:
    from tutor.paths import bundled_dir

    path = Path(name)
    if path.exists():
        return path
    candidate = bundled_dir("exercises") / "templates" / f"{name}.yaml"
    if candidate.exists():
        return candidate
    raise FileNotFoundError(name)


def drg_grouper(codes):
    """A callback giving the MS-DRG the generated key groups to (for ``drg: auto``)."""
    from tutor.content.models import ChartExercise, ChartKey
    from tutor.grading import Grader
    from tutor.grading.keys import key_as_submission

    grader = Grader(codes)

    def group(exercise: dict, key: dict) -> str:
        chart = ChartExercise.model_validate(exercise)
        answer = ChartKey.model_validate({**key, "drg": "000"})
        report = grader.grade(chart, answer, key_as_submission(answer))
        return report.drg.submitted if report.drg and report.drg.submitted else "999"

    return group


def run(args: argparse.Namespace) -> int:
    from tutor.content.generator import generate, load_template, write

    try:
        template = load_template(template_path(args.template))
    except FileNotFoundError:
        print(printable(f"error: no template '{args.template}' (a path, or a name under exercises/templates/)",
                        one_line=True), file=sys.stderr)
        return 2
    codes = open_codes(args) if template.key.get("drg") == "auto" else None
    try:
        generated = generate(template, args.seed, args.count, drg_grouper(codes) if codes else None)
    finally:
        if codes:
            codes.close()
    out = args.out
    try:
        written = write(generated, out / "exercises" / "generated", out / "answer_keys" / "generated")
    except OSError as exc:
        raise TutorError(f"cannot write the generated files under {out}: {exc.strerror or exc}") from exc
    print(printable(f"{len(generated)} exercise(s) from {template.template} (seed {args.seed}) written under "
                    f"{out}/ ({len(written)} files)", one_line=True))
    if len(generated) < args.count:
        print(f"note: the template has only {len(generated)} distinct combinations", file=sys.stderr)
    return 0


def add_parser(sub) -> None:
    gen = sub.add_parser("generate", help="write synthetic exercises and keys from a template")
    gen.add_argument("template", help="a template file, or a name under exercises/templates/")
    gen.add_argument("--seed", type=whole_number(*SEEDS), default=1)
    gen.add_argument("--count", type=whole_number(*COUNTS), default=10)
    gen.add_argument("--out", type=Path, default=Path("generated"),
                     help="content pack folder to write (exercises/generated, answer_keys/generated)")
    gen.set_defaults(func=run)
