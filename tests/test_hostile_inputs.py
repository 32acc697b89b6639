"""The hostile-input corpus, run through the installed ``medcode`` in a subprocess.

Every input a student, an instructor or a damaged disk can produce must end in a clear
answer: no traceback, a documented exit status (0 done, 1 a problem with the input or the
environment, explained; 2 a usage error), no control byte in human-readable output (a
student must not be able to clear, rewrite or hide lines on the instructor's terminal) and
no formula cell in any CSV. The corpus lives in ``tests/hostile/`` (see its README); the
class folders, content packs, databases and index files that must be made on the spot
(symlinks, folder names, damaged copies) are built here from ``tests/hostile/strings.json``.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

HOSTILE = Path(__file__).parent / "hostile"
STRINGS: list[dict[str, str]] = json.loads((HOSTILE / "strings.json").read_text(encoding="utf-8"))
TEXTS = [s["text"] for s in STRINGS]
BUNDLED_EXERCISE = "op-dm2-metformin"

#: C0 controls but tab and newline, DEL, C1, and the bidirectional overrides that reorder text.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]")
#: The one-line index progress bar redraws itself with a carriage return: that is ours.
PROGRESS_BAR = re.compile(r"\r[\w/ -]+ \[[#.]+\] +\d+%")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


@dataclass
class Run:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return (f"medcode {' '.join(map(repr, self.args))} -> exit {self.returncode}\n"
                f"--- stdout ---\n{self.stdout[-3000:]}\n--- stderr ---\n{self.stderr[-3000:]}")


@pytest.fixture
def medcode(tmp_path: Path, code_cache: Path, codes):
    """Run the installed ``medcode`` in a fresh HOME, on the session's prebuilt code index."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDCODE_", "XDG_"))}
    env.update(
        HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache"), MEDCODE_CACHE_DIR=str(code_cache),
        MEDCODE_DATA_DIR=str(tmp_path / "data"), MEDCODE_DB=str(tmp_path / "progress.sqlite"),
        PYTHONIOENCODING="utf-8", COLUMNS="100",
    )

    def run(*args: str | Path, allowed: set[int] = frozenset({0, 1}), timeout: float = 120, **extra_env: str) -> Run:
        argv = tuple(str(a) for a in args)
        proc = subprocess.run(
            [sys.executable, "-m", "tutor", *argv], cwd=tmp_path, env={**env, **extra_env},
            stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
        )
        result = Run(argv, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                     proc.stderr.decode("utf-8", "replace"))
        assert "Traceback" not in result.stdout + result.stderr, str(result)
        assert result.returncode in allowed, str(result)
        for stream in (result.stdout, PROGRESS_BAR.sub("", result.stderr)):
            bad = CONTROL.search(stream)
            assert bad is None, f"control character {bad.group()!r} in the output of\n{result}"
        return result

    return run


def assert_no_formula_cells(folder: Path) -> int:
    """Every CSV under ``folder`` is free of cells a spreadsheet would run; returns the cell count."""
    cells = 0
    for path in folder.rglob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    cells += 1
                    if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell):
                        pytest.fail(f"{path.name}: formula cell {cell!r}")
    return cells


# --- a content pack whose every free-text field is hostile ------------------------------


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's, escapes included)."""
    return json.dumps(text)


def write_pack(root: Path) -> list[str]:
    """A pack of one chart and one mcq per hostile string; returns the exercise ids."""
    ids = []
    for i, text in enumerate(TEXTS):
        chart, mcq = f"hostile-chart-{i}", f"hostile-mcq-{i}"
        ids += [chart, mcq]
        (root / "exercises/outpatient").mkdir(parents=True, exist_ok=True)
        (root / "exercises/mcq").mkdir(parents=True, exist_ok=True)
        (root / "answer_keys/outpatient").mkdir(parents=True, exist_ok=True)
        (root / "answer_keys/mcq").mkdir(parents=True, exist_ok=True)
        (root / f"exercises/outpatient/{chart}.yaml").write_text(
            f"format: 1\nid: {chart}\nkind: chart\ntitle: {q(text)}\nsetting: outpatient\n"
            f"date_of_service: 2026-03-14\npatient: {{age: 58, sex: F}}\nassign: [icd10cm]\ndifficulty: 2\n"
            f"topics: [{q(text)}]\ndocuments:\n  - type: progress_note\n    title: {q(text)}\n"
            f"    text: {q('Type 2 diabetes on diet alone. ' + text)}\n", encoding="utf-8")
        (root / f"answer_keys/outpatient/{chart}.yaml").write_text(
            f"format: 1\nexercise: {chart}\ndiagnoses:\n  - code: E11.9\n    rationale: {q(text)}\n"
            f"    evidence: {q(text)}\ndistractors:\n  - codes: [E11.65]\n    lesson: {q(text)}\n",
            encoding="utf-8")
        (root / f"exercises/mcq/{mcq}.yaml").write_text(
            f"format: 1\nid: {mcq}\nkind: mcq\ntitle: {q(text)}\nstem: {q(text)}\n"
            f"options:\n  A: {q(text)}\n  B: {q('[/] ' + text)}\ndifficulty: 1\ntopics: [{q(text)}]\n",
            encoding="utf-8")
        (root / f"answer_keys/mcq/{mcq}.yaml").write_text(
            f"format: 1\nexercise: {mcq}\nanswer: A\nrationale: {q(text)}\n", encoding="utf-8")
    return ids


@pytest.fixture
def pack(tmp_path: Path) -> tuple[Path, list[str]]:
    root = tmp_path / "hostile"
    return root, write_pack(root)


def test_a_hostile_pack_validates_previews_and_grades_as_text(medcode, pack, tmp_path: Path) -> None:
    root, ids = pack
    medcode("--content", root, "--no-bundled", "validate", allowed={0})
    medcode("--content", root, "--no-bundled", "validate", "--format", "json", allowed={0})
    for exercise_id in ids[:6] + ids[-6:]:
        medcode("--content", root, "--no-bundled", "preview", f"hostile/{exercise_id}", allowed={0})
    # Graded, not refused (the old submission of hostile codes was refused before any grading).
    charts = [i for i in ids if "-chart-" in i]
    submission = tmp_path / "answer.json"
    for chart in charts[:3] + charts[-3:]:
        submission.write_text(json.dumps({"exercise": f"hostile/{chart}", "diagnoses": ["E11.9", "E11.65"]}))
        for fmt in ("json", "table"):
            medcode("--content", root, "--no-bundled", "grade", submission, "--format", fmt, allowed={0})
    # Hostile codes in the submission: refused plainly today (too long), never a traceback.
    submission.write_text(json.dumps({"exercise": "hostile/hostile-chart-0", "diagnoses": TEXTS + ["E11.9"]}))
    for fmt in ("json", "table"):
        medcode("--content", root, "--no-bundled", "grade", submission, "--format", fmt)


# --- submissions ------------------------------------------------------------------------


SUBMISSIONS = sorted(p.name for p in (HOSTILE / "submissions").iterdir())


@pytest.mark.parametrize("name", SUBMISSIONS)
def test_a_hostile_submission_is_graded_or_refused_plainly(medcode, name: str) -> None:
    for fmt in ("json", "table"):
        medcode("grade", HOSTILE / "submissions" / name, "--format", fmt)


def test_a_submission_of_100k_codes_is_answered(medcode, tmp_path: Path) -> None:
    """Graded or refused with a message; the timeout guards against the old quadratic hang."""
    huge = tmp_path / "huge.json"
    codes = [f"S{n % 100:02d}.{n % 1000:03d}A" for n in range(100_000)]
    huge.write_text(json.dumps({"exercise": BUNDLED_EXERCISE, "diagnoses": codes}))
    result = medcode("grade", huge, timeout=60)
    assert result.returncode == 0 or "error:" in result.stderr


# --- class folders ----------------------------------------------------------------------


def test_a_hostile_class_folder_yields_safe_csv(medcode, tmp_path: Path) -> None:
    klass = tmp_path / "class"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text(json.dumps({"exercise": BUNDLED_EXERCISE, "diagnoses": ["E11.9"]}))
    for i, text in enumerate(TEXTS):
        # A folder name can hold anything but '/' and NUL.
        folder = klass / (text.replace("/", "_").replace("\x00", "") or f"t{i}")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "answer.json").write_text(json.dumps(
            {"exercise": BUNDLED_EXERCISE, "trainee": text, "diagnoses": ["E11.9", text]}))
    (klass / "=cmd|' %0 calc'!A0" / "link.json").parent.mkdir()
    (klass / "=cmd|' %0 calc'!A0" / "link.json").symlink_to(outside / "secret.json")
    (klass / "escaping-folder").symlink_to(outside, target_is_directory=True)
    out = tmp_path / "results"
    medcode("grade", "--class", klass, "--out", out)
    assert assert_no_formula_cells(out) > 0
    medcode("grade", "--class", klass, "--out", klass / "results", allowed={1, 2})


# --- the progress report ----------------------------------------------------------------


def test_a_report_on_hostile_trainees_and_topics_is_safe(medcode, tmp_path: Path, grader,
                                                         make_exercise, make_key, make_submission) -> None:
    from tutor.progress import ProgressStore

    store = ProgressStore(tmp_path / "progress.sqlite")
    exercise, key = make_exercise(), make_key("E11.9")
    submission = make_submission("E11.9")
    report = grader.grade(exercise, key, submission)
    now = datetime.now(timezone.utc)
    for i, text in enumerate(TEXTS):
        store.record_attempt(f"trainee-{i}", "ex-1", "practice", now, now, submission, report,
                             "outpatient", ["icd10cm"], [text])
    store.close()
    # The store refuses control characters in names today; a database from an older version (or
    # edited by hand) may still hold them, so the names are set behind its back.
    with sqlite3.connect(tmp_path / "progress.sqlite") as conn:
        for i, text in enumerate(TEXTS):
            conn.execute("UPDATE trainees SET name = ? WHERE name = ?", (text, f"trainee-{i}"))
    for fmt in ("table", "csv", "json"):
        medcode("report", "--format", fmt)
    medcode("report", "--format", "csv", "-o", tmp_path / "out" / "report.csv")
    assert assert_no_formula_cells(tmp_path / "out") > 0
    medcode("report", "--format", "html", "-o", tmp_path / "report.html")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html


# --- command-line values and settings ---------------------------------------------------


@pytest.mark.parametrize("args", [
    ("lookup", "E11.9", "--date", "2026-13-01"),
    ("lookup", "E11.9", "--date", "0001-01-01"),
    ("lookup", "E11.9", "--date", "9999-12-31"),
    ("lookup", "E11.9", "--date", "yesterday"),
    ("lookup", "ZZZ.999"),
    ("lookup", "\x1b[2J\x1b]0;pwned\x07"),
    ("lookup", "[/]", "[link=https://example.invalid]x"),
    ("lookup", "knee", "--limit", "-1"),
    ("lookup", "E11.9", "--system", "icd10pcs"),
    ("generate", "no-such-template", "--count", "2"),
    ("generate", "../../../etc/passwd", "--count", "1"),
    ("exam", "no-such-profile", "--print"),
    ("exam", "mini", "--seed", "-1", "--print"),
    ("preview", "no-such-exercise"),
    ("preview", "\x1b[2J"),
    ("--content", "/nonexistent/pack", "validate"),
    ("--content", "/etc/passwd", "validate"),
    ("grade", "/nonexistent.json"),
    ("grade", "--class", "/nonexistent"),
    ("scrub", "/nonexistent.yaml"),
])
def test_bad_command_line_values_get_a_clear_answer(medcode, args: tuple[str, ...]) -> None:
    result = medcode(*args, allowed={0, 1, 2})
    if result.returncode:
        assert (result.stdout + result.stderr).strip(), "a failure must say why"


def test_a_count_below_one_is_refused(medcode, tmp_path: Path) -> None:
    medcode("generate", "op-asthma", "--count", "-3", "--out", tmp_path / "gen", allowed={1, 2})
    assert not (tmp_path / "gen").exists() or not any((tmp_path / "gen").rglob("*.yaml"))


SETTINGS = sorted(p.name for p in (HOSTILE / "settings").iterdir())


@pytest.mark.parametrize("name", SETTINGS)
def test_a_bad_settings_file_is_refused_plainly(medcode, name: str) -> None:
    result = medcode("validate", allowed={1}, MEDCODE_CONFIG=str(HOSTILE / "settings" / name))
    assert "error:" in result.stderr


def test_a_missing_settings_file_named_by_the_environment_is_an_error(medcode) -> None:
    result = medcode("validate", allowed={1}, MEDCODE_CONFIG="/nonexistent/config.toml")
    assert "error:" in result.stderr


@pytest.mark.parametrize("name", sorted(p.name for p in (HOSTILE / "claims").iterdir()))
def test_a_hostile_claim_is_scrubbed_or_refused_plainly(medcode, name: str) -> None:
    for fmt in ("text", "json"):
        medcode("scrub", HOSTILE / "claims" / name, "--format", fmt)


def test_a_hostile_cpt_file_is_shown_as_text(medcode, tmp_path: Path) -> None:
    cpt = tmp_path / "cpt.csv"
    cpt.write_text("99213,Office visit \x1b[2J\u202e cleared\n99214,Office visit \x9b31m red\n", encoding="utf-8")
    card = medcode("lookup", "99213", "--date", "2026-01-05", allowed={0}, MEDCODE_CPT_FILE=str(cpt))
    assert "\\x1b[2J\\u202e cleared" in card.stdout, str(card)
    found = medcode("lookup", "--system", "cpt", "office", "visit", allowed={0}, MEDCODE_CPT_FILE=str(cpt))
    assert "\\x9b31m red" in found.stdout, str(found)


def test_every_exam_form_prints(medcode) -> None:
    for seed in range(1, 6):
        medcode("exam", "mini", "--seed", str(seed), "--print", allowed={0})


# --- damaged progress databases ---------------------------------------------------------


def damaged_databases(tmp_path: Path) -> dict[str, Path]:
    from tutor.progress import ProgressStore

    good = tmp_path / "good.sqlite"
    ProgressStore(good).close()
    made: dict[str, Path] = {}
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(os.urandom(8192))
    made["garbage"] = garbage
    truncated = tmp_path / "truncated.sqlite"
    truncated.write_bytes(good.read_bytes()[:1500])
    made["truncated"] = truncated
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE trainees (who TEXT)")
    made["foreign"] = foreign
    stamped = tmp_path / "stamped.sqlite"
    with sqlite3.connect(stamped) as conn:
        conn.execute("PRAGMA user_version = 3")
    made["stamped-no-tables"] = stamped
    folder = tmp_path / "a-folder.sqlite"
    folder.mkdir()
    made["directory"] = folder
    made["dev-null"] = Path("/dev/null")
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    made["under-a-file"] = blocker / "progress.sqlite"
    return made


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_damaged_or_foreign_progress_databases_get_a_clear_answer(medcode, tmp_path: Path, fmt: str) -> None:
    for name, path in damaged_databases(tmp_path).items():
        result = medcode("--db", path, "report", "--format", fmt)
        if name in {"garbage", "truncated"}:
            # Set aside and started anew: the command that did it must say so.
            assert "could not be read" in result.stderr, (name, str(result))
        else:
            assert result.returncode == 1 and "error:" in result.stderr, (name, str(result))


# --- a damaged code index heals ---------------------------------------------------------


@pytest.mark.parametrize(("damage", "command"), [("truncate", "lookup"), ("overwrite", "index")])
def test_a_damaged_code_index_is_rebuilt(medcode, tmp_path: Path, code_cache: Path, damage: str, command: str) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(code_cache, cache, ignore=shutil.ignore_patterns("crash-reports"))
    (index,) = cache.glob("codes-*.sqlite")
    if damage == "truncate":
        index.write_bytes(index.read_bytes()[: 64 * 1024])
    else:
        with index.open("r+b") as handle:
            handle.write(b"not a database" * 100)
    args = ("lookup", "E11.9") if command == "lookup" else ("index",)
    result = medcode(*args, allowed={0}, timeout=300, MEDCODE_CACHE_DIR=str(cache))
    assert "damaged" in result.stderr
    assert "E11.9" in result.stdout if command == "lookup" else "index built" in result.stdout
    again = medcode(*args, allowed={0}, MEDCODE_CACHE_DIR=str(cache))
    assert "damaged" not in again.stderr


def test_a_cache_folder_that_is_a_file_is_a_clear_error(medcode, tmp_path: Path) -> None:
    blocker = tmp_path / "cache-file"
    blocker.write_text("x")
    result = medcode("lookup", "E11.9", allowed={1}, MEDCODE_CACHE_DIR=str(blocker))
    assert "error:" in result.stderr
