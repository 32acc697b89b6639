"""A parsed-content cache for the tutor's start-up.

Parsing and validating hundreds of YAML files takes a noticeable part of a
second; the tutor must show its first screen well under one. The loaded library
(exercises, keys and load problems, after pack namespacing) is written as JSON
into the cache folder, keyed by every file's path, size and modification time,
so any edit, added or removed file makes a new key. ``medcode validate`` never
uses it: authors always get a fresh, positioned check.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from pydantic import BaseModel

from tutor import __version__
from tutor.content.kinds import KEY_ADAPTER, EXERCISE_ADAPTER
from tutor.content.library import Library, Problem, yaml_files
from tutor.content.packs import Pack, load_packs


class _Cached(BaseModel):
    exercises: dict[str, dict]
    keys: dict[str, dict]
    problems: list[tuple[str, int, int, str, str]]


def fingerprint(packs: list[Pack]) -> str:
    digest = hashlib.sha256(f"{__version__}\n".encode())
    for pack in packs:
        digest.update(f"pack {pack.name} {pack.root}\n".encode())
        for path in yaml_files([p for p in (pack.folder("exercises"), pack.folder("answer_keys")) if p.is_dir()]):
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:24]


def load_packs_cached(packs: list[Pack], cache: Path) -> Library:
    path = cache / f"content-{fingerprint(packs)}.json"
    if path.exists():
        try:
            return _read(path)
        except Exception:  # a damaged or foreign cache file: rebuild it
            path.unlink(missing_ok=True)
    library = load_packs(packs)
    _write(path, library)
    return library


def _read(path: Path) -> Library:
    cached = _Cached.model_validate_json(path.read_bytes())
    library = Library()
    library.exercises = {k: EXERCISE_ADAPTER.validate_python(v) for k, v in cached.exercises.items()}
    library.keys = {k: KEY_ADAPTER.validate_python(v) for k, v in cached.keys.items()}
    library.problems = [Problem(*row) for row in cached.problems]
    return library


def _write(path: Path, library: Library) -> None:
    payload = _Cached(
        exercises={k: v.model_dump(mode="json") for k, v in library.exercises.items()},
        keys={k: v.model_dump(mode="json") for k, v in library.keys.items()},
        problems=[(p.path, p.line, p.column, p.message, p.severity) for p in library.problems],
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("content-*.json"):
            old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload.model_dump_json().encode())
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache folder only costs speed
