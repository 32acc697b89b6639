"""Reading a trainee's submission file (JSON or YAML)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from tutor.content.library import SourceFile, validation_problems
from tutor.content.models import Submission
from tutor.content.yamlio import load_yaml, parse_yaml
from tutor.errors import ContentError


def parse_submission(text: str, source: str = "<submission>") -> Submission:
    """Parse submission text; any defect raises ContentError with its position."""
    data, positions = parse_yaml(text, source)
    return _validate(data, positions, Path(source))


def load_submission(path: Path) -> Submission:
    data, positions = load_yaml(path)
    return _validate(data, positions, path)


def _validate(data, positions, path: Path) -> Submission:
    if not isinstance(data, dict):
        raise ContentError("a submission is a mapping with 'exercise', 'diagnoses', 'procedures'", str(path), 1, 1)
    try:
        return Submission.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, SourceFile(path, data, positions))
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ContentError(first.message + more, first.path, first.line, first.column) from None
