"""Walking a folder that someone else filled: a class folder, a content pack.

A symbolic link inside such a folder could make the product read any file the instructor can
read (``alice/case.json -> ~/.ssh/id_rsa``: the parse error quotes it) or grade work that is not
in the folder. So a link whose target lies outside the folder is never followed; it is returned
separately so the caller can report it as skipped. A link to a file inside the folder is read
like that file; a linked folder is never entered (whatever it holds inside the folder is walked
at its real place, and this also rules out link loops).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class FolderFiles:
    files: list[Path] = field(default_factory=list)  # wanted files, sorted
    outside_links: list[Path] = field(default_factory=list)  # links leading out of the folder: not followed


def files_under(folder: Path, wanted: Callable[[Path], bool]) -> FolderFiles:
    """The ``wanted`` files under ``folder`` and the links out of it (to folders, or to wanted files)."""
    root = folder.resolve()
    files: list[Path] = []
    outside: list[Path] = []
    for directory, subfolders, names in os.walk(folder):  # followlinks=False: linked folders not entered
        here = Path(directory)
        for name in subfolders:
            path = here / name
            if leads_outside(path, root):
                outside.append(path)
        for name in names:
            path = here / name
            if not wanted(path):
                continue
            if leads_outside(path, root):
                outside.append(path)
            elif path.is_file():  # not a dangling link, a FIFO or a device
                files.append(path)
    return FolderFiles(sorted(files), sorted(outside))


def leads_outside(path: Path, root: Path) -> bool:
    """Whether ``path`` is a symbolic link whose target is not inside ``root`` (a resolved folder)."""
    if not path.is_symlink():
        return False
    try:
        return not path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a link loop (RuntimeError before Python 3.13) leads nowhere safe
        return True
