"""A damaged code index is found when it is opened and rebuilt; a cache folder that cannot hold
one is a clear error. Every test damages its own copy of the session's index, never the original."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.codes.index import default_index_path, index_damage, open_or_build
from tutor.errors import CodeSetError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(tmp_path: Path, code_cache: Path, codes) -> Path:
    """A cache folder holding a copy of the session's prebuilt index (``codes`` makes sure it exists)."""
    folder = tmp_path / "cache"
    folder.mkdir()
    shutil.copyfile(default_index_path(code_cache), default_index_path(folder))
    return folder


def _trample_middle(index: Path) -> None:
    with index.open("r+b") as handle:
        handle.seek(index.stat().st_size // 2 // 4096 * 4096)
        handle.write(b"\xa5" * 4096 * 4)


def _truncate(index: Path) -> None:
    index.write_bytes(index.read_bytes()[: 64 * 1024])


def _empty(index: Path) -> None:
    index.write_bytes(b"")


def _overwrite(index: Path) -> None:
    with index.open("r+b") as handle:
        handle.write(b"not a database" * 100)


def _restamp(index: Path) -> None:
    """Another schema's index under this file name (say, copied by hand from another install)."""
    with sqlite3.connect(index) as conn:
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "corrupt": _trample_middle, "truncated": _truncate, "empty": _empty, "overwritten": _overwrite,
    "wrong-stamp": _restamp,
}


def test_a_sound_index_passes(cache: Path) -> None:
    assert index_damage(default_index_path(cache)) is None
    assert index_damage(default_index_path(cache)) is None  # and again, from the record of the first check


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_index_is_found_when_opened(cache: Path, damage: Callable[[Path], None]) -> None:
    index = default_index_path(cache)
    assert index_damage(index) is None  # checked (and recorded as sound) before the damage
    damage(index)
    assert index_damage(index)


def test_a_damaged_index_is_rebuilt_with_a_notice_and_the_bar(cache: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    # The one real rebuild in this file (about 10 seconds).
    monkeypatch.setenv("MEDCODE_CACHE_DIR", str(cache))
    index = default_index_path(cache)
    _overwrite(index)
    assert main(["lookup", "E11.9"]) == 0
    out, err = capsys.readouterr()
    assert "E11.9" in out
    assert "code index" in err and "damaged" in err and "rebuilding" in err and "100%" in err
    assert index_damage(index) is None
    assert main(["lookup", "E11.9"]) == 0
    assert "damaged" not in capsys.readouterr().err
    assert sorted(p.name for p in cache.iterdir() if not p.name.endswith(".verified")) == [index.name]


def test_a_cache_folder_that_is_a_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(CodeSetError, match="is a file, not a folder.*MEDCODE_CACHE_DIR"):
        open_or_build(blocker)
    monkeypatch.setenv("MEDCODE_CACHE_DIR", str(blocker / "below"))
    assert main(["lookup", "E11.9"]) == 1
    assert "error: The cache folder" in capsys.readouterr().err


# Root may write anywhere, so as root the child runs without the capabilities that let it ignore
# file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), and a read-only folder stops it as it
# stops any user.
BUILD_INTO = textwrap.dedent("""
    import sys
    from pathlib import Path
    from tutor.codes.index import open_or_build
    from tutor.errors import CodeSetError
    try:
        open_or_build(Path(sys.argv[1]))
    except CodeSetError as error:
        print(error)
        sys.exit(3)
""")


def test_an_unwritable_cache_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(0o555)
    args = [sys.executable, "-c", BUILD_INTO, str(folder)]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: cannot make a folder unwritable for this process")
        args = [shutil.which("setpriv") or "", "--bounding-set=-dac_override,-dac_read_search", *args]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=ROOT)
    finally:
        folder.chmod(0o755)
    assert done.returncode == 3, done.stderr
    assert "cannot be written" in done.stdout and "MEDCODE_CACHE_DIR" in done.stdout
