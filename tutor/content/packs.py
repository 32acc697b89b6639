"""Content packs: the bundled content plus instructors' own trees, ids namespaced by pack.

A pack is a folder holding ``exercises/`` and ``answer_keys/`` (and optionally
``exams/``). Its exercises are known as ``<pack>/<id>`` (the pack's folder name),
so two packs can never collide, with each other or with the bundled content,
whose ids stay bare.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tutor.content.library import Library, Problem, load_library
from tutor.paths import bundled_dir


@dataclass(frozen=True)
class Pack:
    name: str  # "" for the bundled content
    root: Path

    def folder(self, part: str) -> Path:
        return self.root / part


def bundled_pack() -> Pack:
    return Pack("", bundled_dir("exercises").parent)


def packs_for(content: list[Path] | tuple[Path, ...], bundled: bool = True) -> list[Pack]:
    packs = [bundled_pack()] if bundled else []
    for root in content:
        packs.append(Pack(root.resolve().name, root))
    return packs


def load_packs(packs: list[Pack]) -> Library:
    """Every pack's content in one library; a missing folder is a problem, not a crash."""
    merged = Library()
    names: set[str] = set()
    for pack in packs:
        if pack.name in names:
            merged.problems.append(Problem(str(pack.root), 1, 1, f"two content packs are named '{pack.name}'"))
            continue
        names.add(pack.name)
        parts = [pack.folder("exercises"), pack.folder("answer_keys")]
        if not any(p.is_dir() for p in parts):
            merged.problems.append(Problem(str(pack.root), 1, 1, "not a content pack: no exercises/ or answer_keys/"))
            continue
        library = load_library(p for p in parts if p.is_dir())
        prefix = f"{pack.name}/" if pack.name else ""
        for ident, exercise in library.exercises.items():
            merged.exercises[prefix + ident] = exercise.model_copy(update={"id": prefix + ident}) if prefix else exercise
            merged.exercise_files[prefix + ident] = library.exercise_files[ident]
        for ident, key in library.keys.items():
            merged.keys[prefix + ident] = key.model_copy(update={"exercise": prefix + ident}) if prefix else key
            merged.key_files[prefix + ident] = library.key_files[ident]
        merged.problems.extend(library.problems)
    merged.problems.sort()
    return merged


def exam_folders(packs: list[Pack]) -> list[Path]:
    return [p.folder("exams") for p in packs if p.folder("exams").is_dir()]
