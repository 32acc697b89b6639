"""Content packs: the bundled content plus instructors' own trees, ids namespaced by pack.

A pack is a folder holding ``exercises/`` and ``answer_keys/`` (and optionally
``exams/``). Its exercises are known as ``<pack>/<id>`` (the pack's folder name),
so two packs can never collide, with each other or with the bundled content,
whose ids stay bare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tutor.content.folders import leads_outside
from tutor.content.library import Library, Problem, load_library
from tutor.content.models import ID_PART
from tutor.errors import TutorError
from tutor.paths import bundled_dir


@dataclass(frozen=True)
class Pack:
    name: str  # "" for the bundled content
    root: Path

    def folder(self, part: str) -> Path:
        return self.root / part

    def readable(self, part: str) -> Path | None:
        """The part folder if the pack has one inside itself: a link out of the pack is never followed
        (a pack from elsewhere could otherwise have the tools read, and quote, any folder)."""
        folder = self.folder(part)
        return folder if folder.is_dir() and not leads_outside(folder, self.root.resolve()) else None

    def links_not_followed(self) -> list[Problem]:
        return [Problem(str(self.folder(part)), 1, 1, "a symbolic link leading out of the content pack: not followed",
                        "warning") for part in PARTS if leads_outside(self.folder(part), self.root.resolve())]


PARTS = ("exercises", "answer_keys", "exams")


def bundled_pack() -> Pack:
    return Pack("", bundled_dir("exercises").parent)


def packs_for(content: list[Path] | tuple[Path, ...], bundled: bool = True) -> list[Pack]:
    packs = [bundled_pack()] if bundled else []
    for root in content:
        packs.append(Pack(pack_name(root), root))
    return packs


def pack_name(root: Path) -> str:
    """The pack's folder name, which starts every id in it: it must fit the id pattern, or no
    submission could ever name one of its exercises."""
    name = root.resolve().name
    if not re.fullmatch(ID_PART, name):
        suggestion = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-_.")[:100] or "my-pack"
        raise TutorError(f"content pack {root}: the folder name '{name}' cannot be part of an exercise id "
                         "(letters, digits, '.', '_' and '-', starting with a letter or digit); "
                         f"rename the folder, e.g. to '{suggestion}'")
    return name


def load_packs(packs: list[Pack]) -> Library:
    """Every pack's content in one library; a missing folder is a problem, not a crash."""
    merged = Library()
    names: set[str] = set()
    for pack in packs:
        if pack.name in names:
            merged.problems.append(Problem(str(pack.root), 1, 1, f"two content packs are named '{pack.name}'"))
            continue
        names.add(pack.name)
        merged.problems.extend(pack.links_not_followed())
        parts = [folder for folder in (pack.readable("exercises"), pack.readable("answer_keys")) if folder]
        if not parts:
            merged.problems.append(Problem(str(pack.root), 1, 1, "not a content pack: no exercises/ or answer_keys/"))
            continue
        library = load_library(parts)
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
    return [folder for pack in packs if (folder := pack.readable("exams"))]
