"""The progress database in bad places and bad shape: another program's file, a device, a folder,
a read-only location, damaged pages, a full disk and a long lock. Each gets the product's own
error with what to do; a damaged file is salvaged and kept, a foreign file is never touched."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.test_progress_store import record
from tutor.cli import main
from tutor.errors import StorageError
from tutor.progress import ProgressStore, open_store
from tutor.progress import store as store_module

ROOT = Path(__file__).resolve().parent.parent


def _foreign_database(path: Path, ddl: str) -> bytes:
    conn = sqlite3.connect(path)
    conn.executescript(ddl)
    conn.close()
    return path.read_bytes()


def _report(db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``medcode report`` on a database, in process: (exit status, stderr)."""
    status = main(["--db", str(db), "report", "--format", "json"])
    return status, capsys.readouterr().err


# --- files that are not ours: refused, left untouched ------------------------------------------


@pytest.mark.parametrize("ddl", [
    "CREATE TABLE trainees (who TEXT); INSERT INTO trainees VALUES ('someone else');",  # same table name
    "CREATE TABLE photos (id INTEGER PRIMARY KEY, file TEXT); INSERT INTO photos VALUES (1, 'a.jpg');",
], ids=["clashing-table", "other-tables"])
def test_another_programs_database_is_refused_and_left_untouched(tmp_path: Path, ddl: str) -> None:
    path = tmp_path / "theirs.sqlite"
    original = _foreign_database(path, ddl)
    with pytest.raises(StorageError, match="not a medcode progress database") as refused:
        ProgressStore(path)
    assert "left untouched" in str(refused.value) and "--db" in str(refused.value)
    assert path.read_bytes() == original  # not migrated, not even switched to WAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs.sqlite"]  # nothing set aside


def test_a_schema_version_without_tables_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite"
    original = _foreign_database(path, "PRAGMA user_version = 2;")
    with pytest.raises(StorageError, match="not a medcode progress database.*version 2"):
        ProgressStore(path)
    assert path.read_bytes() == original


def test_a_negative_schema_version_is_refused_even_with_our_tables(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite"
    with ProgressStore(path):
        pass
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = -1")
    original = path.read_bytes()
    with pytest.raises(StorageError, match="not a medcode progress database.*version is -1"):
        ProgressStore(path)
    assert path.read_bytes() == original


def test_cli_refuses_a_foreign_database_without_a_traceback(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "theirs.sqlite"
    _foreign_database(path, "CREATE TABLE trainees (who TEXT);")
    status, err = _report(path, capsys)
    assert status == 1 and err.startswith("error: ") and "not a medcode progress database" in err


# --- places that cannot hold a database ------------------------------------------------------------


@pytest.mark.parametrize("place, expected", [
    (lambda tmp: Path(os.devnull), "not a regular file"),
    (lambda tmp: tmp, "is a folder"),
    (lambda tmp: _a_file(tmp) / "progress.sqlite", "cannot create the folder"),
], ids=["dev-null", "directory", "under-a-file"])
def test_a_place_that_cannot_hold_a_database_is_a_clear_error(tmp_path: Path, place, expected: str,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = place(tmp_path)
    with pytest.raises(StorageError, match=f"(?i){expected}"):
        ProgressStore(path)
    status, err = _report(path, capsys)
    assert status == 1 and err.startswith("error: ") and "Traceback" not in err


def _a_file(folder: Path) -> Path:
    blocker = folder / "blocker"
    blocker.write_text("a file where a folder should be")
    return blocker


# A read-only location, tried in a child process. Root ignores file permissions, so as root the
# child runs without the capabilities that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH): the file
# system then refuses it exactly as it refuses an ordinary user.
OPEN_AND_WRITE = textwrap.dedent("""
    import sys
    from tutor.errors import StorageError
    from tutor.progress import ProgressStore
    try:
        with ProgressStore(sys.argv[1]) as store:
            store.ensure_trainee("bea")  # a new name: a real write
    except StorageError as error:
        print(error)
        sys.exit(3)
""")


def _as_unprivileged(args: list[str]) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot make a location read-only for this process")
        args = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *args]
    return subprocess.run(args, capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_a_read_only_location_is_a_clear_error(tmp_path: Path, read_only: str) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "progress.sqlite"
    with ProgressStore(path) as store:
        record(store)
    (path if read_only == "file" else folder).chmod(0o555 if read_only == "folder" else 0o444)
    try:
        done = _as_unprivileged([sys.executable, "-c", OPEN_AND_WRITE, str(path)])
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)
    assert done.returncode == 3, done.stderr
    assert "read-only" in done.stdout and str(path) in done.stdout
    with ProgressStore(path) as store:  # and nothing was lost or set aside
        assert store.recovered_from is None and len(store.attempts("ann")) == 1


# --- damaged files: salvaged, set aside, and said so -------------------------------------------------


def _leaf_pages(path: Path, table: str) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
                            (table,)).fetchall()
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table to find a table's pages")
    finally:
        conn.close()
    return [row[0] for row in rows]


def _trample(path: Path, page: int) -> bytes:
    page_size = 4096
    data = bytearray(path.read_bytes())
    data[(page - 1) * page_size:page * page_size] = b"\xa5" * page_size
    path.write_bytes(bytes(data))
    return bytes(data)


def _damaged_store(tmp_path: Path) -> tuple[Path, bytes, set[str]]:
    """A database of 60 attempts (two trainees) and a draft, with one attempts page trampled."""
    path = tmp_path / "progress.sqlite"
    with ProgressStore(path) as store:
        for minute in range(60):
            record(store, "ann" if minute % 2 else "bob", f"ex-{minute}", minutes=minute)
        store.save_draft("ann", "ex-draft", {"diagnoses": ["E11.9"]})
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    everything = {f"ex-{minute}" for minute in range(60)}
    leaves = _leaf_pages(path, "attempts")
    return path, _trample(path, leaves[len(leaves) // 2]), everything


def test_readable_attempts_are_salvaged_and_the_damaged_file_kept(tmp_path: Path) -> None:
    path, damaged, everything = _damaged_store(tmp_path)
    with ProgressStore(path) as store:
        assert store.recovered_from is not None and store.recovered_from.read_bytes() == damaged
        salvaged = {a.exercise_id for a in store.attempts("ann") + store.attempts("bob")}
        assert store.load_draft("ann", "ex-draft") == {"diagnoses": ["E11.9"]}
        assert store.salvaged_attempts == len(salvaged)
    assert salvaged < everything and len(salvaged) >= 50  # only the trampled page's rows are gone
    with ProgressStore(path) as reopened:
        assert all(a.report.codes_graded == 3 for a in reopened.attempts("ann"))


def test_set_aside_is_announced_with_what_was_saved(tmp_path: Path) -> None:
    path, _, _ = _damaged_store(tmp_path)
    notices: list[str] = []
    with open_store(path, notices.append) as store:
        assert store.recovered_from is not None
    [notice] = notices
    assert str(store.recovered_from) in notice and f"{store.salvaged_attempts} attempts" in notice
    with open_store(path, notices.append):
        assert len(notices) == 1  # the healthy new database opens without a word


def test_a_file_that_is_no_database_at_all_is_set_aside_with_nothing_to_salvage(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite"
    path.write_bytes(b"\x00garbage" * 1000)
    notices: list[str] = []
    with open_store(path, notices.append) as store:
        assert store.salvaged_attempts == 0 and store.trainees() == []
    assert "could not be read" in notices[0] and "no attempts" in notices[0]


# --- writes that cannot be stored --------------------------------------------------------------------


def test_a_full_disk_is_a_storage_error_and_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite"
    with ProgressStore(path) as store:
        record(store)
        # SQLite's own "database or disk is full", for real: the file may not grow by another page.
        pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")  # noqa: SLF001
        with pytest.raises(StorageError, match="full") as full:
            for n in range(200):
                store.save_draft("ann", f"ex-{n}", {"text": "x" * 2000})
        assert "not saved" in str(full.value)
        with pytest.raises(StorageError, match="full"):
            for n in range(200):
                record(store, exercise=f"more-{n}")
        assert store.load_draft("ann", f"ex-{n}") is None


def test_a_lock_held_too_long_is_a_storage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(store_module, "RETRY_FOR_SECONDS", 0.3)
    path = tmp_path / "progress.sqlite"
    with ProgressStore(path) as store:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StorageError, match="locked.*not saved"):
                store.save_draft("ann", "ex", {"text": "typed"})
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        store.save_draft("ann", "ex", {"text": "typed"})  # and works once the lock is gone
        assert store.load_draft("ann", "ex") == {"text": "typed"}
