"""Authoring: ``medcode new`` scaffolds an exercise and its key; ``medcode preview`` shows both."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tutor.commands.common import load_content, open_codes
from tutor.textsafe import printable


def run_new(args: argparse.Namespace) -> int:
    from tutor.content.scaffold import scaffold

    exercises = args.exercises or Path("exercises") / args.setting
    keys = args.keys or Path("answer_keys") / args.setting
    if args.kind == "mcq":
        exercises, keys = args.exercises or Path("exercises/mcq"), args.keys or Path("answer_keys/mcq")
    exercise, key = scaffold(args.kind, args.id, args.setting, exercises, keys)
    for line in (f"wrote {exercise}", f"wrote {key}", f"next: fill them in, then `medcode validate {exercise} {key}`"):
        print(printable(line, one_line=True))
    return 0


def _text(value: object, style: str = "") -> Text:
    """Text from a content file for the console: never parsed as markup, control characters shown."""
    return Text(printable(str(value)), style=style)


def _line(value: object, style: str = "") -> Text:
    """As ``_text``, for a title or a table cell: a newline in it is shown too."""
    return Text(printable(str(value), one_line=True), style=style)


def _suggested(exercise, key) -> str:
    """``; suggested difficulty 3 (rubric: codes 2, noise 1)``, or nothing where the rubric does not apply."""
    from tutor.content.difficulty import rate

    rating = rate(exercise, key)
    return f"; suggested difficulty {rating.level} (rubric: {rating.explain() or 'nothing scored'})" if rating else ""


def run_preview(args: argparse.Namespace) -> int:
    from tutor.codes import CodeSystem
    from tutor.content.models import ChartExercise, ChartKey, McqExercise

    library, _ = load_content(args)
    exercise, key = library.exercises.get(args.id), library.keys.get(args.id)
    if exercise is None:
        near = [i for i in library.exercises if args.id in i][:5]
        message = f"error: no exercise '{args.id}'" + (f" (did you mean: {', '.join(near)})" if near else "")
        print(printable(message, one_line=True), file=sys.stderr)
        return 1
    from tutor.practice.presentation import neutral_label

    console = Console(width=args.width)
    # What the trainee sees before submitting (blind presentation); the title and topics only after.
    shown = _line(f"label before submission: {neutral_label(exercise)}", "italic")
    if isinstance(exercise, McqExercise):
        options = [_text(f"{k}. {v}") for k, v in sorted(exercise.options.items())]
        console.print(Panel(Group(shown, _line(f"title after submission: {exercise.title or '-'}; topics "
                                               f"{', '.join(exercise.topics) or '-'}"), Text(),
                                  _text(exercise.stem), Text(), *options), title="Trainee view: question"))
        if key is not None:
            answer = Text.assemble("Answer ", _line(key.answer, "bold"), "\n", _text(key.rationale))
            console.print(Panel(answer, title="Grader view: key"))
        return 0
    if not isinstance(exercise, ChartExercise):
        console.print(Text.assemble(_line(exercise.title, "bold"), "  (", _line(exercise.id), ")\n", shown, "\n",
                                    _line(f"difficulty {exercise.difficulty}{_suggested(exercise, key)}")))
        _preview_billing(console, exercise, key)
        return 0
    facts = (f"{exercise.setting}, {exercise.date_of_service}, {exercise.patient.age} y/o {exercise.patient.sex}; "
             f"assign {', '.join(exercise.assign)}; difficulty {exercise.difficulty}{_suggested(exercise, key)}; "
             f"topics {', '.join(exercise.topics) or '-'}")
    head = Text.assemble(_line(exercise.title, "bold"), "  (", _line(exercise.id), ")\n", _line(facts))
    documents = [Panel(_text(d.text.rstrip()), title=_line(f"{d.type}: {d.title}")) for d in exercise.documents]
    console.print(Panel(Group(head, shown, *documents), title="Trainee view"))
    if not isinstance(key, ChartKey):
        print("(no answer key)")
        return 0
    codes = open_codes(args)
    try:
        table = Table("#", "code", "title", "POA", "rationale / evidence", show_lines=True, expand=True)
        for n, dx in enumerate(key.diagnoses, start=1):
            note = " (optional)" if dx.optional else ""
            explained = _text(dx.rationale)
            if dx.alternates:
                explained.append_text(_text(f"\nalternates: {', '.join(dx.alternates)}"))
            if dx.evidence:
                explained.append_text(_text(f"\n“{dx.evidence}”", "italic"))
            table.add_row(str(n), _line(dx.code + note), _line(codes.title(dx.code, CodeSystem.ICD10CM)),
                          _line(dx.poa or ""), explained)
        for px in key.procedures:
            system = CodeSystem(px.system) if px.system else None
            title = (codes.title(px.code, system) if system else "") or "(CPT: your licensed file shows titles)"
            details = " ".join(filter(None, ["-".join(px.modifiers) if px.modifiers else "",
                                             f"x{px.units}" if px.units else ""]))
            if px.alternate_modifiers:
                details += " (also " + ", ".join("-".join(ms) or "no modifier" for ms in px.alternate_modifiers) + ")"
            table.add_row("P", _line(f"{px.code} {details}".strip()), _line(title), "", _text(px.rationale))
        extras = []
        if key.sequencing:
            extras.append(_line(f"first: {', '.join(key.sequencing.first or [key.diagnoses[0].code])}; before: "
                                + (", ".join(f"{a}<{b}" for a, b in key.sequencing.before) or "-")))
        if key.drg:
            extras.append(_line(f"MS-DRG {key.drg}"))
        extras += [_text(f"distractor {', '.join(d.codes)}: {d.lesson}") for d in key.distractors]
        for query in key.queries:
            accepted = " or ".join([query.topic, *query.alternates])
            explained = _text(f"query ({accepted}): {query.rationale}")
            if query.evidence:
                explained.append_text(_text(f" “{query.evidence}”", "italic"))
            extras.append(explained)
        console.print(Panel(Group(table, *extras), title="Grader view: answer key"))
    finally:
        codes.close()
    return 0


def _preview_billing(console: Console, exercise, key) -> None:
    from tutor.billing.statement import statement_text
    from tutor.content.billing import POINTERS, ClaimExercise

    if isinstance(exercise, ClaimExercise):
        claim = exercise.claim
        table = Table("#", "code", "mods", "units", "charge", "pointers", title="Item 24 service lines")
        for n, line in enumerate(claim.lines, start=1):
            table.add_row(str(n), _line(line.code), _line(" ".join(line.modifiers)), str(line.units),
                          f"{line.charge:.2f}", _line("".join(line.pointers)))
        slots = "  ".join(f"{letter} {code}" for letter, code in zip(POINTERS, claim.diagnoses))
        head = Text.assemble(_line(exercise.title, "bold"), " (", _line(exercise.id), ")",
                             _line(f"; payer {claim.payer}; {exercise.date_of_service}"))
        documents = [Panel(_text(d.text.rstrip()), title=_line(d.title)) for d in exercise.documents]
        console.print(Panel(Group(head, _line(f"Item 21: {slots}"), table, *documents),
                            title="Trainee view: claim"))
        if key is not None:
            found = [_text(f"{f.edit} at {'line ' + str(f.line) if f.line else 'diagnosis ' + str(f.diagnosis)}: "
                           f"{f.rationale}") for f in key.findings] or [Text("(a clean claim: no findings)")]
            fixed = [d.code for d in key.corrected.diagnoses]
            lines = [f"{p.code}{'-' + '-'.join(p.modifiers) if p.modifiers else ''} x{p.units or 1}"
                     for p in key.corrected.procedures]
            console.print(Panel(Group(*found, _line(f"Corrected: {', '.join(fixed)} | {', '.join(lines)}")),
                                title="Grader view: expected findings"))
        return
    # statement_text is markup with the author's text escaped; printable adds no markup of its own.
    console.print(Panel(Text.from_markup(printable(statement_text(exercise))), title="Trainee view: remittance"))
    if key is not None:
        decision = Text.assemble("Next action ", _line(key.action, "bold"), "; patient responsibility ",
                                 (f"{key.patient_responsibility:.2f}", "bold"), "\n", _text(key.rationale))
        console.print(Panel(decision, title="Grader view: key"))


def add_parsers(sub) -> None:
    new = sub.add_parser("new", help="scaffold an exercise and its answer key")
    new.add_argument("kind", choices=["chart", "mcq"])
    new.add_argument("id", help="the exercise id (also the file name)")
    new.add_argument("--setting", default="outpatient",
                     choices=["outpatient", "inpatient", "professional", "emergency", "ambulatory_surgery"])
    new.add_argument("--exercises", type=Path, help="folder for the exercise (default: exercises/<setting>)")
    new.add_argument("--keys", type=Path, help="folder for the key (default: answer_keys/<setting>)")
    new.set_defaults(func=run_new)

    preview = sub.add_parser("preview", help="show an exercise as the trainee sees it and its key as the grader does")
    preview.add_argument("id")
    preview.add_argument("--width", type=int, default=None)
    preview.set_defaults(func=run_preview)
