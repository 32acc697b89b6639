"""Loading content trees: every file parsed, every problem collected, nothing lost.

A broken file becomes a :class:`Problem` with ``path:line:column`` and the rest
of the content still loads, so the tutor can list what is broken and go on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from tutor.content.folders import files_under
from tutor.content.kinds import EXERCISE_ADAPTER, KEY_ADAPTER, KEY_FOR, UNION_TAGS, AnyExercise, AnyKey
from tutor.content.models import McqExercise, McqKey
from tutor.content.yamlio import Positions, load_yaml, locate
from tutor.errors import ContentError

YAML_SUFFIXES = (".yaml", ".yml")
LINK_NOT_FOLLOWED = "a symbolic link leading out of the content folder: not followed"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        tag = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}:{self.column}: {tag}{self.message}"

    @classmethod
    def from_error(cls, error: ContentError) -> Problem:
        return cls(error.path or "<unknown>", error.line or 1, error.column or 1, error.detail)


@dataclass
class SourceFile:
    path: Path
    data: Any
    positions: Positions

    def at(self, *loc: Any) -> tuple[int, int]:
        return locate(loc, self.data, self.positions)


@dataclass
class Library:
    exercises: dict[str, AnyExercise] = field(default_factory=dict)
    keys: dict[str, AnyKey] = field(default_factory=dict)
    exercise_files: dict[str, SourceFile] = field(default_factory=dict)
    key_files: dict[str, SourceFile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, source: SourceFile, loc: tuple[Any, ...], message: str,
                severity: Literal["error", "warning"] = "error") -> None:
        line, column = source.at(*loc)
        self.problems.append(Problem(str(source.path), line, column, message, severity))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def _is_yaml(path: Path) -> bool:
    return path.suffix in YAML_SUFFIXES


def _walk(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """The YAML files under the given files and folders, and the links out of a folder skipped: one walk."""
    found: list[Path] = []
    outside: list[Path] = []
    for path in paths:
        if path.is_dir():
            walked = files_under(path, _is_yaml)
            found.extend(p for p in walked.files if "templates" not in p.relative_to(path).parts)
            outside.extend(walked.outside_links)
        else:
            found.append(path)
    return found, outside


def yaml_files(paths: Iterable[Path]) -> list[Path]:
    """Every YAML file under the given files and folders, in a stable order (links out of a folder skipped)."""
    return _walk(paths)[0]


def _kind_of(data: Any) -> Literal["exercise", "key"] | None:
    if not isinstance(data, dict):
        return None
    if "kind" in data:
        return "exercise"
    if "exercise" in data:
        return "key"
    return None


def validation_problems(error: ValidationError, source: SourceFile, tagged: bool = False) -> list[Problem]:
    """One problem per pydantic error, at its place in the file.

    ``tagged``: the error comes from the loader's kind-tagged union, whose location starts with the kind
    (``chart``, ``claim``), not a field. Only that first part is dropped: ``claim`` is also a field name
    (``claim.lines.0.code``), in a claim exercise and in a bare claim file.
    """
    problems = []
    for item in error.errors(include_url=False):
        loc = item["loc"]
        if tagged and loc and loc[0] in UNION_TAGS:
            loc = loc[1:]
        line, column = source.at(*loc)
        where = ".".join(str(p) for p in loc)
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = f"unknown field '{loc[-1]}'"
        elif item["type"] == "missing":
            message = f"missing required field '{where}'"
        elif where:
            message = f"{where}: {message}"
        problems.append(Problem(str(source.path), line, column, message))
    return problems


def load_library(paths: Iterable[Path]) -> Library:
    """Load exercises and keys from files and folders (told apart by their content)."""
    found, outside = _walk(paths)  # each folder walked once
    library = Library(problems=[Problem(str(link), 1, 1, LINK_NOT_FOLLOWED, "warning") for link in outside])
    for path in found:
        try:
            data, positions = load_yaml(path)
        except ContentError as exc:
            library.problems.append(Problem.from_error(exc))
            continue
        source = SourceFile(path, data, positions)
        kind = _kind_of(data)
        if kind is None:
            library.problem(source, (), "neither an exercise (no 'kind') nor an answer key (no 'exercise')")
            continue
        adapter = EXERCISE_ADAPTER if kind == "exercise" else KEY_ADAPTER
        try:
            model = adapter.validate_python(data)
        except ValidationError as exc:
            library.problems.extend(validation_problems(exc, source, tagged=True))
            continue
        if kind == "exercise":
            _add(library, library.exercises, library.exercise_files, model.id, model, source, "id")
        else:
            _add(library, library.keys, library.key_files, model.exercise, model, source, "exercise")
    _check_pairs(library)
    library.problems.sort()
    return library


def _add(library: Library, models: dict, files: dict, ident: str, model: Any, source: SourceFile, field_name: str) -> None:
    if source.path.stem != ident:
        library.problem(source, (field_name,), f"{field_name} '{ident}' must equal the file name '{source.path.stem}'")
    if ident in models:
        library.problem(source, (field_name,), f"duplicate {field_name} '{ident}' (also in {files[ident].path})")
        return
    models[ident] = model
    files[ident] = source


def _check_pairs(library: Library) -> None:
    """Every exercise has a key and every key an exercise, of the same kind."""
    if not library.exercises or not library.keys:
        return
    for ident, source in library.exercise_files.items():
        if ident not in library.keys:
            library.problem(source, ("id",), f"exercise '{ident}' has no answer key")
    for ident, source in library.key_files.items():
        exercise = library.exercises.get(ident)
        if exercise is None:
            library.problem(source, ("exercise",), f"answer key for unknown exercise '{ident}'")
            continue
        key = library.keys[ident]
        if not isinstance(key, KEY_FOR[type(exercise)]):
            library.problem(source, (), f"key kind does not match exercise kind '{exercise.kind}'")
            continue
        if isinstance(exercise, McqExercise) and isinstance(key, McqKey) and key.answer not in exercise.options:
            library.problem(source, ("answer",), f"answer {key.answer} is not among the options "
                                                 f"({', '.join(sorted(exercise.options))})")
