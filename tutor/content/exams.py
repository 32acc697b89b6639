"""Exam profiles (SPEC section 6): versioned YAML files under ``exams/``.

Certification facts change (the CPC went from 150 to 100 questions in 2022), so
the product reads them from data, never from code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from tutor.content.library import Problem, SourceFile, validation_problems, yaml_files
from tutor.content.models import Identifier, Model, Prose
from tutor.content.yamlio import load_yaml
from tutor.errors import ContentError


class PassMark(Model):
    type: Literal["percent", "scaled"]
    value: float = Field(gt=0)
    raw_percent_estimate: float | None = Field(default=None, gt=0, le=100)
    """For scaled marks: the raw percentage we treat as the pass line (an estimate; the body
    does not publish its scaling)."""


class ExamArea(Model):
    id: Identifier
    title: Prose
    questions: int = Field(ge=0)
    """How many items of the form come from this area."""


class ExamProfile(Model):
    format: Literal[1]
    id: Identifier
    title: Prose
    body: Prose
    version: Prose
    """The edition of the facts, e.g. '2026'."""
    questions: int = Field(ge=1, le=300)
    time_limit_minutes: int = Field(ge=1, le=600)
    pass_mark: PassMark
    kinds: list[Literal["mcq", "chart"]] = Field(default_factory=lambda: ["mcq"], min_length=1)
    areas: list[ExamArea] = Field(min_length=1)
    notes: str | None = None
    sources: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _areas_add_up(self) -> ExamProfile:
        total = sum(a.questions for a in self.areas)
        if total != self.questions:
            raise ValueError(f"area question counts add up to {total}, not {self.questions}")
        if len({a.id for a in self.areas}) != len(self.areas):
            raise ValueError("an area is listed twice")
        return self

    def passed(self, raw: float) -> bool:
        """raw: share of items answered correctly, 0..1."""
        if self.pass_mark.type == "percent":
            return raw * 100 >= self.pass_mark.value
        return raw * 100 >= (self.pass_mark.raw_percent_estimate or 70.0)

    def scaled_estimate(self, raw: float) -> float | None:
        """An approximate scaled score for scaled exams: the pass line maps to the pass mark."""
        if self.pass_mark.type != "scaled":
            return None
        line = (self.pass_mark.raw_percent_estimate or 70.0) / 100
        if raw >= line:
            return round(self.pass_mark.value + (raw - line) / (1 - line) * 100)
        return round(100 + raw / line * (self.pass_mark.value - 100))


def load_profiles(paths: list[Path]) -> tuple[dict[str, ExamProfile], list[Problem]]:
    profiles: dict[str, ExamProfile] = {}
    problems: list[Problem] = []
    for path in yaml_files(paths):
        try:
            data, positions = load_yaml(path)
        except ContentError as exc:
            problems.append(Problem.from_error(exc))
            continue
        source = SourceFile(path, data, positions)
        try:
            profile = ExamProfile.model_validate(data)
        except ValidationError as exc:
            problems.extend(validation_problems(exc, source))
            continue
        if profile.id != path.stem:
            line, column = source.at("id")
            problems.append(Problem(str(path), line, column, f"id '{profile.id}' must equal the file name"))
        elif profile.id in profiles:
            line, column = source.at("id")
            problems.append(Problem(str(path), line, column, f"duplicate exam profile '{profile.id}'"))
        else:
            profiles[profile.id] = profile
    return profiles, sorted(problems)
