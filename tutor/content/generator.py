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
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator

from tutor.content.library import SourceFile, validation_problems
from tutor.content.models import ChartExercise, ChartKey, Identifier, Model, Prose, ServiceDate, Setting
from tutor.content.yamlio import load_yaml
from tutor.errors import ContentError, TutorError

SlotOption = dict[str, str | int]
Age = Annotated[int, Field(ge=0, le=124)]
# The key sections written line by line (a line may carry ``when:``); the others are filled as they are.
KEY_LINE_SECTIONS = ("diagnoses", "procedures", "distractors")


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
    label: str | None = None
    """The neutral label of each generated chart (placeholders allowed): setting, patient, reason."""
    dates: tuple[ServiceDate, ServiceDate]
    """Dates of service are drawn from this range (inclusive)."""
    ages: tuple[Age, Age] = (18, 90)
    sexes: list[Literal["M", "F"]] = Field(default_factory=lambda: ["F", "M"])
    assign: list[str]
    difficulty: int = Field(ge=1, le=5)
    topics: list[str] = Field(default_factory=list)
    exam_areas: list[str] = Field(default_factory=list)
    slots: dict[Identifier, list[SlotOption]]
    documents: list[TemplateDocument] = Field(min_length=1)
    key: dict[str, Any]

    @field_validator("dates", "ages")
    @classmethod
    def _in_order(cls, value: tuple[Any, Any]) -> tuple[Any, Any]:
        if value[0] > value[1]:
            raise ValueError("a range is written first, last (the first is after the last)")
        return value

    @field_validator("key")
    @classmethod
    def _line_lists(cls, value: dict[str, Any]) -> dict[str, Any]:
        for section in KEY_LINE_SECTIONS:
            lines = value.get(section, [])
            if not isinstance(lines, list) or not all(isinstance(line, dict) for line in lines):
                raise ValueError(f"'{section}' is a list of mappings (one per key line)")
        return value


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
    exercise = {
        "format": 1, "id": ident, "kind": "chart", "title": _fill(template.title, context),
        **({"label": _fill(template.label, context)} if template.label else {}),
        "setting": template.setting, "date_of_service": when, "patient": {"age": age, "sex": sex},
        "assign": list(template.assign), "difficulty": template.difficulty, "topics": list(template.topics),
        "exam_areas": list(template.exam_areas),
        "documents": [{"type": d.type, "title": _fill(d.title, context), "text": _fill(d.text, context)}
                      for d in template.documents],
    }
    key: dict[str, Any] = {"format": 1, "exercise": ident}
    for section, value in template.key.items():
        if section in KEY_LINE_SECTIONS:
            lines = [_fill({k: v for k, v in line.items() if k != "when"}, context)
                     for line in value if _keep(line, context)]
            if lines:
                key[section] = lines
        elif section == "drg" and value == "auto":
            continue
        else:
            key[section] = _fill(value, context)
    _check_generated(ChartExercise, exercise, ident)
    _check_generated(ChartKey, key, ident)
    if template.key.get("drg") == "auto" and group is not None:
        key["drg"] = group(exercise, key)
    return Generated(ident, exercise, key)


def _check_generated(model: type[Model], data: dict[str, Any], ident: str) -> None:
    """A template whose text makes an invalid chart or key is the template's error, told before writing."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in error["loc"])
        what = "answer key" if model is ChartKey else "exercise"
        raise TutorError(f"the template makes an invalid {what} for '{ident}': {where}: {error['msg']}") from None


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
