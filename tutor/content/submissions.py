"""Reading a trainee's submission file (JSON or YAML), within documented limits.

A submission comes from a trainee, or from anyone who can drop a file into a class
folder: it is bounded before it is parsed, counted and screened before it is validated,
and every refusal is a ContentError naming the file and the line (docs/grading.md,
"Submission limits").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tutor.content.library import SourceFile, validation_problems
from tutor.content.models import Submission
from tutor.content.yamlio import Positions, locate, parse_yaml
from tutor.errors import ContentError

# The largest real records are far smaller: an inpatient claim carries at most 25 diagnoses
# and 25 procedures, the largest electronic claim (837I) at most 999 service lines, and the
# longest code is 8 characters. The limits leave room for any of them, written out
# generously (the largest submission they allow, pretty-printed JSON, is about 350 kB),
# while a file that could only be an accident or an attack is refused at once.
MAX_SUBMISSION_BYTES = 500_000
MAX_LINES = 1_000  # each of: diagnoses, procedures, claim findings
MAX_CODE_CHARS = 40  # a code or a modifier as written, spaces and dots included (as in the content model)
MAX_TEXT_CHARS = 100  # any other value or key: a DRG, an answer, a POA, an action, a trainee's name
LISTS = ("diagnoses", "procedures", "findings")

# White space is the one kind of control character a code may carry (a tab from a
# spreadsheet, a newline from a block scalar); normalising a code removes it.
_WHITE_SPACE = frozenset("\t\n\r")


def parse_submission(text: str, source: str = "<submission>") -> Submission:
    """Parse submission text; any defect raises ContentError with its position."""
    if len(text.encode("utf-8", "replace")) > MAX_SUBMISSION_BYTES:
        raise _too_large(source)
    data, positions = parse_yaml(text, source)
    return _validate(data, positions, source)


def load_submission(path: Path) -> Submission:
    return parse_submission(_read(path), str(path))


def _read(path: Path) -> str:
    """The file's text, reading no more than the limit allows (a device or a pipe may never end)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SUBMISSION_BYTES + 1)
    except OSError as exc:
        raise ContentError(f"cannot read: {exc.strerror or exc}", str(path)) from None
    if len(raw) > MAX_SUBMISSION_BYTES:
        raise _too_large(str(path))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(f"not UTF-8 text (byte {exc.start})", str(path)) from None


def _too_large(source: str) -> ContentError:
    return ContentError(f"file is larger than {MAX_SUBMISSION_BYTES // 1000} kB, the limit for a submission", source)


def _validate(data: Any, positions: Positions, source: str) -> Submission:
    if not isinstance(data, dict):
        raise ContentError("a submission is a mapping with 'exercise', 'diagnoses', 'procedures'", source, 1, 1)
    _check_limits(data, positions, source)
    try:
        return Submission.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, SourceFile(Path(source), data, positions))
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ContentError(first.message + more, first.path, first.line, first.column) from None


def _check_limits(data: dict, positions: Positions, source: str) -> None:
    """Line counts, lengths and control characters, before the (slower) model validation."""
    def refuse(loc: tuple, message: str) -> ContentError:
        line, column = locate(loc, data, positions)
        return ContentError(message, source, line, column)

    for name in LISTS:
        lines = data.get(name)
        if isinstance(lines, list) and len(lines) > MAX_LINES:
            raise refuse((name,), f"'{name}' has {len(lines):,} lines; a submission has at most {MAX_LINES:,}")
    for loc, text, is_key in _texts(data):
        where = f"a key in {_where(loc[:-1])}" if is_key else _where(loc)  # a key is not shown: it is the defect
        bad = None if text.isprintable() else next((c for c in text if _is_control(c)), None)
        if bad is not None:
            raise refuse(loc, f"{where}: control character U+{ord(bad):04X} is not allowed in a submission")
        if _is_code(loc) and not is_key and len(text) > MAX_CODE_CHARS:
            raise refuse(loc, f"{where}: a code has at most {MAX_CODE_CHARS} characters, not {len(text)}")
        if len(text) > MAX_TEXT_CHARS:
            raise refuse(loc, f"{where}: a value has at most {MAX_TEXT_CHARS} characters, not {len(text)}")


def _texts(node: Any, loc: tuple = ()) -> Iterator[tuple[tuple, str, bool]]:
    """Every string in the data, key or value, in file order, with where it is (``is_key`` for keys).

    Recursion is bounded: the YAML reader refuses nesting deeper than 40 levels.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str):
                yield (*loc, key), key, True
            yield from _texts(value, (*loc, key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _texts(item, (*loc, i))
    elif isinstance(node, str):
        yield loc, node, False
    elif isinstance(node, int) and not isinstance(node, bool):
        yield loc, str(node), False  # YAML reads 99213 as a number; the model reads it as a code


def _is_control(char: str) -> bool:
    """C0 and C1 control characters and DEL, other than plain white space."""
    return unicodedata.category(char) == "Cc" and char not in _WHITE_SPACE


def _is_code(loc: tuple) -> bool:
    """A diagnosis or procedure line written as a bare code, a line's ``code``, or a modifier."""
    return (len(loc) == 2 and loc[0] in ("diagnoses", "procedures")) or (
        len(loc) >= 3 and loc[0] in ("diagnoses", "procedures") and loc[2] in ("code", "modifiers"))


def _where(loc: tuple) -> str:
    """``diagnoses[1].code``: the place in the file, as the trainee wrote it."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the submission"
