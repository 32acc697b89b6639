"""Synthetic chart generator: templates whose slots carry text fragments and the codes they imply.

A template (``exercises/templates/<name>.yaml``) names slots, each a list of
options; an option is a mapping of attributes (text for the chart, digits for
the codes, labels for the title). The documents, the title and the key are
written with ``{slot.attribute}`` placeholders, so a combination of options
gives one concrete chart and its key::

    slots:
      side:
        - {word: right, digit: "1", modifier: RT}
        - {word: left,  digit: "2", modifier: LT}
    documents:
      - {type: ed_note, title: ED note, text: "Fell on the {side.word} wrist ..."}
    key:
      diagnoses:
        - {code: "S52.50{side.digit}A", rationale: "..."}

A key line may carry ``when: slot.attribute``: it is kept only when that
attribute is present and not empty in the chosen option. ``drg: auto`` asks the
grouper for the MS-DRG of the generated key. Generation is deterministic: the
same template, seed and count give byte-identical files.
"""

from __future__ import annotations

import itertools
import random
import string
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError

from tutor.content.library import SourceFile, validation_problems
from tutor.content.models import Identifier, Model, Patient, Prose, Setting
from tutor.content.yamlio import load_yaml
from tutor.errors import ContentError, TutorError

SlotOption = dict[str, str | int]


class TemplateDocument(Model):
    type: str
    title: str
    text: str


class Template(Model):
    format: Literal[1]
    template: Identifier
    description: Prose
    setting: Setting
    id_prefix: Identifier
    title: str
    dates: tuple[date, date]
    """Dates of service are drawn from this range (inclusive)."""
    ages: tuple[int, int] = (18, 90)
    sexes: list[Literal["M", "F"]] = Field(default_factory=lambda: ["F", "M"])
    assign: list[str]
    difficulty: int = Field(ge=1, le=5)
    topics: list[str] = Field(default_factory=list)
    exam_areas: list[str] = Field(default_factory=list)
    slots: dict[Identifier, list[SlotOption]]
    documents: list[TemplateDocument] = Field(min_length=1)
    key: dict[str, Any]


def load_template(path: Path) -> Template:
    data, positions = load_yaml(path)
    try:
        return Template.model_validate(data)
    except ValidationError as exc:
        first = validation_problems(exc, SourceFile(path, data, positions))[0]
        raise ContentError(first.message, first.path, first.line, first.column) from None


class _Formatter(string.Formatter):
    """``{slot.attr}`` from the chosen options; ``{age}``, ``{sex_word}`` and friends from the patient."""

    def get_field(self, field_name, args, kwargs):  # noqa: D102 - string.Formatter hook
        try:
            return super().get_field(field_name, args, kwargs)
        except (AttributeError, KeyError) as exc:
            raise TutorError(f"template placeholder '{{{field_name}}}' names nothing ({exc})") from None


_FORMAT = _Formatter()


def _fill(value: Any, context: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return _FORMAT.format(value, **context)
    if isinstance(value, list):
        return [_fill(v, context) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, context) for k, v in value.items()}
    return value


def _keep(line: Any, context: dict[str, Any]) -> bool:
    condition = line.get("when") if isinstance(line, dict) else None
    if not condition:
        return True
    slot, _, attribute = str(condition).partition(".")
    option = context.get(slot)
    return bool(getattr(option, attribute, ""))


@dataclass(frozen=True)
class Generated:
    ident: str
    exercise: dict[str, Any]
    key: dict[str, Any]


def combinations(template: Template) -> list[tuple[int, ...]]:
    """Every combination of slot options, as option indexes in slot order."""
    return list(itertools.product(*(range(len(options)) for options in template.slots.values())))


def build(template: Template, choice: tuple[int, ...], rng: random.Random, ident: str,
          group=None) -> Generated:
    """One concrete exercise and key for a combination of slot options."""
    names = list(template.slots)
    context: dict[str, Any] = {
        name: SimpleNamespace(**{k: str(v) for k, v in template.slots[name][i].items()})
        for name, i in zip(names, choice)
    }
    sex = rng.choice(template.sexes)
    age = rng.randint(*template.ages)
    span = (template.dates[1] - template.dates[0]).days
    when = template.dates[0] + timedelta(days=rng.randint(0, max(span, 0)))
    context.update(age=age, sex=sex, sex_word="F" if sex == "F" else "M",
                   pronoun="she" if sex == "F" else "he", Pronoun="She" if sex == "F" else "He",
                   possessive="her" if sex == "F" else "his", date=when.isoformat(),
                   admit=(when - timedelta(days=3)).strftime("%m/%d/%Y"), discharge=when.strftime("%m/%d/%Y"))
    Patient(age=age, sex=sex)  # fail early on an impossible patient
    exercise = {
        "format": 1, "id": ident, "kind": "chart", "title": _fill(template.title, context),
        "setting": template.setting, "date_of_service": when, "patient": {"age": age, "sex": sex},
        "assign": list(template.assign), "difficulty": template.difficulty, "topics": list(template.topics),
        "exam_areas": list(template.exam_areas),
        "documents": [{"type": d.type, "title": _fill(d.title, context), "text": _fill(d.text, context)}
                      for d in template.documents],
    }
    key: dict[str, Any] = {"format": 1, "exercise": ident}
    for section, value in template.key.items():
        if section in ("diagnoses", "procedures", "distractors"):
            lines = [_fill({k: v for k, v in line.items() if k != "when"}, context)
                     for line in value if _keep(line, context)]
            if lines:
                key[section] = lines
        elif section == "drg" and value == "auto":
            continue
        else:
            key[section] = _fill(value, context)
    if template.key.get("drg") == "auto" and group is not None:
        key["drg"] = group(exercise, key)
    return Generated(ident, exercise, key)


def generate(template: Template, seed: int, count: int, group=None) -> list[Generated]:
    """``count`` distinct charts (fewer if the template has fewer combinations), deterministic for the seed."""
    rng = random.Random(f"{template.template}/{seed}")
    choices = combinations(template)
    rng.shuffle(choices)
    return [build(template, choice, rng, f"{template.id_prefix}-s{seed}-{n:03d}", group)
            for n, choice in enumerate(choices[:count], start=1)]


class _Dumper(yaml.SafeDumper):
    pass


def _text_block(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text_block)


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def write(generated: list[Generated], exercises: Path, keys: Path) -> list[Path]:
    exercises.mkdir(parents=True, exist_ok=True)
    keys.mkdir(parents=True, exist_ok=True)
    written = []
    for item in generated:
        for folder, data in ((exercises, item.exercise), (keys, item.key)):
            path = folder / f"{item.ident}.yaml"
            path.write_text(dump(data), encoding="utf-8")
            written.append(path)
    return written
