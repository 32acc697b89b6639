"""Reading a trainee's submission file (JSON or YAML), within documented limits.

A submission comes from a trainee, or from anyone who can drop a file into a class
folder. It is bounded in size before it is read, screened as a stream of YAML events
before anything is built (so a file of a million tiny codes costs milliseconds, not a
parse), and only then parsed and validated. Every refusal is a ContentError naming the
file and the line (docs/grading.md, "Submission limits").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tutor.content.library import SourceFile, validation_problems
from tutor.content.models import MAX_QUERIES, MAX_QUERY_NOTE_CHARS, Submission
from tutor.content.yamlio import MAX_DEPTH, Positions, parse_yaml
from tutor.errors import ContentError

# The largest real records are far smaller: an inpatient claim carries at most 25 diagnoses
# and 25 procedures, the largest electronic claim (837I) at most 999 service lines, and the
# longest code is 8 characters. The limits leave room for any of them, written out
# generously: 1,000 diagnoses, 1,000 procedure lines (4 modifiers each), 1,000 claim
# findings and 20 queries with 300-character notes, every field filled, as JSON indented by
# 4 spaces, is 393 kB and holds 23,100 keys and values (each line's mapping and list counted
# as a value). A file that could only be an accident or an attack is refused at once.
MAX_SUBMISSION_BYTES = 500_000
MAX_LINES = 1_000  # items in any one list: diagnoses, procedures, claim findings, a line's modifiers
MAX_VALUES = 30_000  # keys and values (lists and mappings included) in the whole file
MAX_CODE_CHARS = 40  # a code or a modifier as written, spaces and dots included (as in the content model)
MAX_TEXT_CHARS = 100  # any other value or key: a DRG, an answer, a POA, an action, a trainee's name
MAX_NOTE_CHARS = MAX_QUERY_NOTE_CHARS  # a query's note (300): a line or two for the provider
# Lists with a tighter limit than MAX_LINES: a chart calls for one or two queries, rarely more.
_LIST_LIMITS = {("queries",): MAX_QUERIES}

# White space is the one kind of control character a code may carry (a tab from a
# spreadsheet, a newline from a block scalar); normalising a code removes it.
_WHITE_SPACE = frozenset("\t\n\r")
_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C parser where built


def parse_submission(text: str, source: str = "<submission>") -> Submission:
    """Parse submission text; any defect raises ContentError with its position."""
    if len(text.encode("utf-8", "replace")) > MAX_SUBMISSION_BYTES:
        raise _too_large(source)
    _screen(text, source)
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
    try:
        return Submission.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, SourceFile(Path(source), data, positions))
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ContentError(first.message + more, first.path, first.line, first.column) from None


# --- the screen ----------------------------------------------------------------------------


@dataclass
class _Collection:
    loc: tuple
    is_mapping: bool
    entries: int = 0  # items of a list; keys and values of a mapping
    key: Any = None  # a mapping's latest key


def _screen(text: str, source: str) -> None:
    """Count, measure and look at every key and value as the parser streams them.

    Malformed YAML is left to the parser proper, which reports it with its position.
    """
    open_collections: list[_Collection] = []
    values = 0
    parser = _Parser(text)
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                open_collections.pop()
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue  # stream and document boundaries
            parent = open_collections[-1] if open_collections else None
            loc, is_key = _place(parent) if parent else ((), False)
            if parent and not parent.is_mapping and parent.entries > MAX_LINES:
                raise _refusal(event, source, f"{_where(parent.loc)} has more than {MAX_LINES:,} items; "
                                              f"a list in a submission has at most {MAX_LINES:,}")
            limit = _LIST_LIMITS.get(parent.loc) if parent and not parent.is_mapping else None
            if limit is not None and parent.entries > limit:
                raise _refusal(event, source, f"{_where(parent.loc)} has more than {limit:,} items; "
                                              f"a submission has at most {limit:,}")
            values += 1  # a list or a mapping is a value too: empty ones cost as much to build
            if values > MAX_VALUES:
                raise _refusal(event, source, f"more than {MAX_VALUES:,} keys and values; "
                                              f"a submission has at most {MAX_VALUES:,}")
            if isinstance(event, yaml.ScalarEvent):
                if parent and is_key:
                    parent.key = event.value
                problem = _problem(event.value, loc, is_key)
                if problem:
                    raise _refusal(event, source, problem)
            elif isinstance(event, yaml.CollectionStartEvent):
                if len(open_collections) >= MAX_DEPTH:
                    return  # the parser proper refuses such nesting
                open_collections.append(_Collection(loc, isinstance(event, yaml.MappingStartEvent)))
    except yaml.YAMLError:
        return
    finally:
        parser.dispose()


def _refusal(event: yaml.Event, source: str, message: str) -> ContentError:
    return ContentError(message, source, event.start_mark.line + 1, event.start_mark.column + 1)


def _place(parent: _Collection) -> tuple[tuple, bool]:
    """Where the next node of a collection goes, and whether it is a mapping key."""
    parent.entries += 1
    if not parent.is_mapping:
        return (*parent.loc, parent.entries - 1), False
    if parent.entries % 2:
        return parent.loc, True
    return (*parent.loc, parent.key), False


def _problem(text: str, loc: tuple, is_key: bool) -> str | None:
    where = f"a key in {_where(loc)}" if is_key else _where(loc)  # a key is not shown: it may be the defect
    bad = None if text.isprintable() else next((c for c in text if _is_control(c)), None)
    if bad is not None:
        return f"{where}: control character U+{ord(bad):04X} is not allowed in a submission"
    if not is_key and _is_code(loc) and len(text) > MAX_CODE_CHARS:
        return f"{where}: a code has at most {MAX_CODE_CHARS} characters, not {len(text)}"
    if not is_key and _is_note(loc):
        if len(text) > MAX_NOTE_CHARS:
            return f"{where}: a query's note has at most {MAX_NOTE_CHARS} characters, not {len(text)}"
        return None
    if len(text) > MAX_TEXT_CHARS:
        return f"{where}: a value has at most {MAX_TEXT_CHARS} characters, not {len(text)}"
    return None


def _is_control(char: str) -> bool:
    """C0 and C1 control characters and DEL, other than plain white space."""
    return unicodedata.category(char) == "Cc" and char not in _WHITE_SPACE


def _is_code(loc: tuple) -> bool:
    """A diagnosis or procedure line written as a bare code, a line's ``code``, or a modifier."""
    return len(loc) >= 2 and loc[0] in ("diagnoses", "procedures") and (
        len(loc) == 2 or loc[2] in ("code", "modifiers"))


def _is_note(loc: tuple) -> bool:
    """A query's ``note``: the one free-text value of a submission."""
    return len(loc) == 3 and loc[0] == "queries" and loc[2] == "note"


def _where(loc: tuple) -> str:
    """``diagnoses[1].code``: the place in the file, as the trainee wrote it."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the submission"
