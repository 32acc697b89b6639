"""Safe, bounded YAML reading that remembers where every value came from.

``load_yaml`` returns plain data plus a map from each value's path (the keys
and indexes leading to it) to its 1-based line and column, so a pydantic error
on ``diagnoses[2].code`` can be reported at that line. Aliases are refused
(no alias bombs), nesting is bounded, files are bounded in size, duplicate keys
are errors, and only plain scalars resolve: ``no`` stays text, ``0016070`` (a
PCS code) stays text instead of becoming an octal number.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tutor.errors import ContentError

MAX_BYTES = 1_000_000
MAX_DEPTH = 40

PathKey = tuple[Any, ...]
Positions = dict[PathKey, tuple[int, int]]


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2-like plain scalars: only true/false are booleans, no octal or sexagesimal."""


_Resolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_Resolver.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                list("tTfF"))
_Resolver.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*))$"),
                                list("-+0123456789"))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)$"),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:timestamp", re.compile(r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2})$"), list("0123456789"),
)

# libyaml's C parser is ten times faster than the pure-Python one; both give the same nodes.
try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # PyYAML built without libyaml
    _Parser = None


class _Loader(*((_Parser,) if _Parser else (yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                                             yaml.composer.Composer)),
              yaml.constructor.SafeConstructor, _Resolver):
    def __init__(self, stream: str):
        if _Parser:
            _Parser.__init__(self, stream)
        else:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)


def _screen_events(text: str) -> None:
    """Refuse aliases and deep nesting before anything is composed (streaming, no recursion)."""
    depth = 0
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                raise ContentError("aliases (*name) are not allowed in content files", "",
                                   event.start_mark.line + 1, event.start_mark.column + 1)
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ContentError(f"nesting deeper than {MAX_DEPTH} levels", "",
                                       event.start_mark.line + 1, event.start_mark.column + 1)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    finally:
        loader.dispose()


def _position(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp",
                                                         "seq", "map")}


def _build(loader: _Loader, node: Node, path: PathKey, positions: Positions, source: str) -> Any:
    positions[path] = _position(node)
    if node.tag not in _PLAIN_TAGS:
        raise ContentError(f"YAML tags such as '{node.tag}' are not allowed in content files", source,
                           *_position(node))
    if isinstance(node, ScalarNode):
        try:
            return loader.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:
            raise ContentError(f"unreadable value: {exc}", source, *_position(node)) from None
    if isinstance(node, SequenceNode):
        return [_build(loader, child, (*path, i), positions, source) for i, child in enumerate(node.value)]
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise ContentError("mapping keys must be plain text", source, *_position(key_node))
            key = loader.construct_object(key_node)
            if isinstance(key, (list, dict)) or key is None:
                raise ContentError("mapping keys must be plain text", source, *_position(key_node))
            if key in result:
                raise ContentError(f"duplicate key '{key}'", source, *_position(key_node))
            positions[(*path, key, "<key>")] = _position(key_node)
            result[key] = _build(loader, value_node, (*path, key), positions, source)
        return result
    raise ContentError("unsupported YAML node", source, *_position(node))  # pragma: no cover


def parse_yaml(text: str, source: str = "<text>") -> tuple[Any, Positions]:
    """Parse one YAML document; errors carry ``source:line:column``."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise ContentError(f"file is larger than {MAX_BYTES // 1000} kB", source)
    positions: Positions = {}
    loader = None
    try:
        _screen_events(text)
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            return None, positions
        return _build(loader, node, (), positions, source), positions
    except ContentError as exc:
        raise ContentError(exc.detail, source, exc.line, exc.column) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or "invalid YAML"
        if exc.context and exc.problem:
            message = f"{exc.problem} ({exc.context})"
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise ContentError(message, source, line, column) from None
    except yaml.YAMLError as exc:
        raise ContentError(f"invalid YAML: {exc}", source) from None
    except (RecursionError, ValueError, TypeError, OverflowError) as exc:
        raise ContentError(f"invalid YAML: {exc}", source) from None
    finally:
        if loader is not None:
            loader.dispose()


def load_yaml(path: Path) -> tuple[Any, Positions]:
    """Read and parse a YAML file, bounded in size."""
    try:
        # A pipe or device would block or never end (and a size can change after it is read): only
        # regular files are read, and never past the limit.
        if not stat.S_ISREG(path.stat().st_mode):
            raise ContentError("not a regular file (a folder, device or pipe)", str(path))
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise ContentError(f"file is larger than {MAX_BYTES // 1000} kB", str(path))
    except OSError as exc:
        raise ContentError(f"cannot read: {exc.strerror or exc}", str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(f"not UTF-8 text (byte {exc.start})", str(path)) from None
    return parse_yaml(text, str(path))


def locate(loc: tuple[Any, ...], data: Any, positions: Positions) -> tuple[int, int]:
    """Map a pydantic error location onto the YAML position it concerns.

    Union tags (``chart``, ``mcq``) and validator names in ``loc`` that are not
    part of the data are skipped. A value reached through a mapping key is
    reported at its key (the line the author reads); a missing key at its
    parent mapping; a list item at the item.
    """
    path: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            continue
        path.append(part)
    return positions.get((*path, "<key>")) or positions.get(tuple(path)) or positions.get(()) or (1, 1)
