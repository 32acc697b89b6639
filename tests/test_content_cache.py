"""The tutor's parsed-content cache: equal to a fresh load, invalidated by any edit, robust to damage."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tutor.content.cache import fingerprint, load_packs_cached
from tutor.content.packs import Pack, load_packs

ROOT = Path(__file__).resolve().parent.parent


def _pack(tmp_path: Path) -> Pack:
    for part in ("exercises", "answer_keys"):
        shutil.copytree(ROOT / part / "outpatient", tmp_path / "pack" / part / "outpatient")
    return Pack("", tmp_path / "pack")


def test_a_cached_library_equals_a_fresh_one(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    fresh = load_packs([pack])
    first = load_packs_cached([pack], tmp_path / "cache")
    second = load_packs_cached([pack], tmp_path / "cache")  # from the cache file
    assert list((tmp_path / "cache").glob("content-*.json"))
    assert first.exercises == second.exercises == fresh.exercises
    assert first.keys == second.keys == fresh.keys


def test_an_edited_or_added_file_changes_the_fingerprint(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    before = fingerprint([pack])
    target = next((pack.root / "exercises").rglob("*.yaml"))
    target.write_text(target.read_text().replace("title:", "title: Edited", 1))
    os.utime(target, ns=(1, 1))
    assert fingerprint([pack]) != before
    library = load_packs_cached([pack], tmp_path / "cache")
    assert library.exercises[target.stem].title.startswith("Edited")


def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    load_packs_cached([pack], tmp_path / "cache")
    cached = next((tmp_path / "cache").glob("content-*.json"))
    cached.write_text("{not json")
    library = load_packs_cached([pack], tmp_path / "cache")
    assert library.exercises == load_packs([pack]).exercises
