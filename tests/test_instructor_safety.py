"""The instructor's tools facing hostile students and content: no formula cell in a CSV, no control
byte on the terminal, no markup crash in preview, a class folder graded by its folders only."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.content.packs import load_packs, packs_for
from tutor.content.report import Finding, GradeReport
from tutor.grading.batch import trainee_of
from tutor.grading.keys import key_as_submission
from tutor.grading.table import report_table
from tutor.practice import session
from tutor.progress import ProgressStore

ROOT = Path(__file__).resolve().parent.parent
SCREEN_ATTACK = "Title\x1b[2J\x1b]0;pwned\x07 and \x9b31m red \u202eevil"
#: C0 but tab and newline, DEL, C1, bidi overrides and isolates, line/paragraph separators.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
CORRECT = {"exercise": "op-dm2-metformin", "diagnoses": ["E11.9", "I10", "Z79.84"]}


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-config.toml"  # the defaults, whatever the user's own settings say
    empty.write_text("")
    monkeypatch.setenv("MEDCODE_CONFIG", str(empty))


def _write_json(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _no_control(text: str) -> None:
    found = CONTROL.findall(text)
    assert not found, f"control characters {found!r} in:\n{text}"


def _formula_cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [cell for row in csv.reader(handle) for cell in row
                if cell.startswith(FORMULA_START) and not re.fullmatch(r"-?\d+(\.\d+)?", cell)]


def _evil_pack(root: Path) -> Path:
    """A content pack whose exercise and key carry markup and terminal attacks in every free-text field."""
    pack = root / "evil"
    _write_json(pack / "exercises" / "op-evil.yaml", {
        "format": 1, "id": "op-evil", "kind": "chart", "title": SCREEN_ATTACK + " [/]", "setting": "outpatient",
        "date_of_service": "2026-03-14", "patient": {"age": 58, "sex": "F"}, "assign": ["icd10cm"],
        "difficulty": 2, "topics": ["+1", "[/oops]", '=HYPERLINK("http://x","y")', "\x9b31m"],
        "documents": [{"type": "progress_note", "title": "[link=https://x]note\x1b[2J",
                       "text": "Type 2 diabetes [/] \x1b]0;pwned\x07 without complications.\n"}]})
    _write_json(pack / "answer_keys" / "op-evil.yaml", {
        "format": 1, "exercise": "op-evil", "diagnoses": [
            {"code": "E11.9", "rationale": "DM2 \x1b[2J [/]", "alternates": ["[/oops]", "[link=x]"],
             "evidence": "\x9b31m [b]"}]})
    _write_json(pack / "exercises" / "mcq-evil.yaml", {
        "format": 1, "id": "mcq-evil", "kind": "mcq", "stem": "Which [/oops] code?\x1b[2J", "difficulty": 1,
        "options": {"A": "[link=https://x]E11.9", "B": "E11.65 [/]"}})
    _write_json(pack / "answer_keys" / "mcq-evil.yaml", {
        "format": 1, "exercise": "mcq-evil", "answer": "A", "rationale": "Because [/b] \x9b2J."})
    return pack


# --- CSV: one writer, no formula cell ---------------------------------------------------------


def test_class_csvs_hold_no_formula_cell(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "class"
    _write_json(folder / "=cmd|' -C calc'!A0" / "case.json", CORRECT)
    _write_json(folder / "-2+3+cmd|' -C calc'!A0" / "case.json", CORRECT)
    _write_json(folder / "flat.json", {**CORRECT, "trainee": "@SUM(1)"})
    _write_json(folder / '=HYPERLINK("http:x","y")__case.json', CORRECT)
    out = tmp_path / "results"
    assert main(["grade", "--class", str(folder), "--out", str(out)]) == 0
    for name in ("submissions.csv", "trainees.csv", "exercises.csv"):
        assert _formula_cells(out / name) == [], name
    trainees = {row["trainee"] for row in csv.DictReader((out / "trainees.csv").open(encoding="utf-8"))}
    # neutralised, not lost: the quote a spreadsheet hides, then the name as it was
    assert trainees == {"'=cmd|' -C calc'!A0", "'-2+3+cmd|' -C calc'!A0", "'@SUM(1)", "'=HYPERLINK(\"http:x\",\"y\")"}
    assert set(json.loads((out / "trainees.json").read_text())) == {t[1:] for t in trainees}  # JSON stays exact


@pytest.fixture
def hostile_db(tmp_path: Path, grader) -> Path:
    """A progress database with a hostile trainee name and an attempt at the evil pack's exercise."""
    library = load_packs(packs_for([_evil_pack(tmp_path)], bundled=False))
    path = tmp_path / "progress.sqlite"
    exercise, key = library.exercises["evil/op-evil"], library.keys["evil/op-evil"]
    when = datetime(2026, 5, 1, 9, tzinfo=UTC)
    with ProgressStore(path) as store:
        for trainee in ("@SUM(1)", "mallory"):
            session.submit(library, grader, store, trainee, exercise, key_as_submission(key), when, when)
    # The store refuses control characters in new names; one stored by an older version (or by
    # hand) must still be reported safely, so it is set behind the store's back.
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE trainees SET name = ? WHERE name = 'mallory'", ("\x1b[2Jmallory\x9b31m",))
    return path


def test_report_csv_holds_no_formula_cell(hostile_db: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "report.csv"
    assert main(["--db", str(hostile_db), "report", "--format", "csv", "-o", str(target)]) == 0
    assert _formula_cells(target) == []
    rows = list(csv.DictReader(target.open(newline="", encoding="utf-8")))
    assert {r["key"] for r in rows if r["group"] == "by_topic"} >= {"'+1", "'=HYPERLINK(\"http://x\",\"y\")"}
    assert {r["trainee"] for r in rows} == {"'@SUM(1)", "\\x1b[2Jmallory\\x9b31m"}
    assert all(float(r["accuracy"]) >= 0 for r in rows if r["accuracy"])  # numbers stay numbers


# --- the terminal: control characters shown, never obeyed ------------------------------------


@pytest.mark.parametrize("fmt", ["table", "html"])
def test_report_shows_control_characters(hostile_db: Path, capsys, fmt: str) -> None:
    assert main(["--db", str(hostile_db), "report", "--format", fmt]) == 0
    out = capsys.readouterr().out
    _no_control(out)
    assert "\\x1b[2Jmallory\\x9b31m: 1 attempts" in out and "\\x9b31m" in out


def test_report_of_an_unknown_trainee_shows_control_characters(hostile_db: Path, capsys) -> None:
    assert main(["--db", str(hostile_db), "report", "--trainee", "x\x1b]0;pwned\x07"]) == 1
    _no_control(capsys.readouterr().err)


def test_grade_table_and_errors_show_control_characters(tmp_path: Path, capsys) -> None:
    pack = _evil_pack(tmp_path)
    good = _write_json(tmp_path / "good\x1b[2J.json", {"exercise": "evil/op-evil", "diagnoses": ["E11.9", "I10"]})
    hostile = _write_json(tmp_path / "hostile.json", {"exercise": "evil/op-evil", "diagnoses": ["E11.9\x1b[2J"]})
    unknown = _write_json(tmp_path / "unknown.json", {"exercise": "op-x\x1b[2J"})
    missing = _write_json(tmp_path / "missing\x9b.json", {"exercise": "evil/no-such"})
    files = [str(good), str(hostile), str(unknown), str(missing)]
    assert main(["--content", str(pack), "grade", "--format", "table", *files]) == 1
    captured = capsys.readouterr()
    _no_control(captured.out)
    _no_control(captured.err)
    assert "evil/op-evil  (" in captured.out and "good\\x1b[2J.json" in captured.out


def test_a_submitted_code_cannot_fake_a_row_in_the_grade_table() -> None:
    forged = "E11.9\n  ok diagnosis E11.9 E11.9 CORRECT"
    report = GradeReport(exercise="op-x", code_accuracy=0, record_correct=False, learning_score=0, findings=[
        Finding(element="diagnosis", submitted=forged, outcome="INVALID", message=f"{forged} \x1b[2J is not a code")])
    table = report_table(report, "s.json")
    _no_control(table)
    assert len(table.splitlines()) == 5 and "E11.9\\x0a  ok diagnosis" in table


def test_class_summary_and_errors_show_control_characters(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "class"
    _write_json(folder / "\x1b[2Jmallory\x9b31m" / "case.json", CORRECT)
    _write_json(folder / "\x1b]0;pwned\x07" / "broken.json", {"exercise": "nope\x1b[2J"})
    _write_json(folder / "eve" / "case.json", {**CORRECT, "trainee": "\u202eevil\x1b[1A"})
    assert main(["grade", "--class", str(folder), "--out", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    _no_control(captured.out)
    _no_control(captured.err)
    assert "\\x1b[2Jmallory\\x9b31m" in (tmp_path / "out" / "submissions.csv").read_text(encoding="utf-8")


def test_validate_messages_show_control_characters(tmp_path: Path, capsys) -> None:
    pack = _evil_pack(tmp_path)
    bad = json.loads((pack / "exercises" / "op-evil.yaml").read_text())
    _write_json(pack / "exercises" / "op-bad.yaml", {**bad, "id": "op-bad", "\x1b[2Jfield\x9b": 1})
    main(["validate", str(pack / "exercises"), str(pack / "answer_keys"), str(tmp_path / "gone\x1b[2J")])
    captured = capsys.readouterr()
    _no_control(captured.out)
    _no_control(captured.err)
    assert "unknown field '\\x1b[2Jfield\\x9b'" in captured.out


# --- preview: file text shown as text --------------------------------------------------------


@pytest.mark.parametrize("ident, shown", [
    ("evil/op-evil", ["[/oops]", "[link=x]", "[link=https://x]note", "Type 2 diabetes [/]", "\\x1b[2J", "[b]", "+1"]),
    ("evil/mcq-evil", ["Which [/oops] code?\\x1b[2J", "[link=https://x]E11.9", "E11.65 [/]", "Because [/b] \\x9b2J."]),
])
def test_preview_shows_markup_and_control_characters_as_text(tmp_path: Path, capsys, ident: str,
                                                             shown: list[str]) -> None:
    pack = _evil_pack(tmp_path)
    assert main(["--content", str(pack), "preview", ident, "--width", "200"]) == 0
    out = capsys.readouterr().out
    _no_control(out)
    for text in shown:
        assert text in out


# --- class grading integrity -----------------------------------------------------------------


def test_the_folder_is_the_trainee_and_a_mismatch_is_reported(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "class"
    _write_json(folder / "alice" / "case.json", {**CORRECT, "trainee": "bob"})
    _write_json(folder / "bob" / "case.json", {"exercise": "op-dm2-metformin", "diagnoses": ["E11"]})
    out = tmp_path / "out"
    assert main(["grade", "--class", str(folder), "--out", str(out)]) == 0
    trainees = json.loads((out / "trainees.json").read_text())
    assert trainees["alice"]["code_accuracy"] == 1.0 and trainees["bob"]["submissions"] == 1
    summary = json.loads((out / "summary.json").read_text())
    assert summary["problems"] == [{"file": str(folder / "alice" / "case.json"),
                                    "problem": "names trainee 'bob' but is in alice's folder; counted for alice"}]
    rows = {r["trainee"]: r for r in csv.DictReader((out / "submissions.csv").open(encoding="utf-8"))}
    assert rows["alice"]["problem"].startswith("names trainee 'bob'") and rows["bob"]["problem"] == ""
    assert "names trainee 'bob'" in capsys.readouterr().err


@pytest.mark.parametrize("relative, named, expected", [
    ("alice/case.json", "bob", ("alice", "names trainee 'bob' but is in alice's folder; counted for alice")),
    ("alice/deep/case.json", "alice", ("alice", "")),
    ("bob__case.json", "alice", ("bob", "names trainee 'alice' but is named for bob; counted for bob")),
    ("case.json", "carol", ("carol", "")),
    ("case.json", None, ("case", "")),
    ("__case.json", None, ("__case", "")),
])
def test_where_a_file_sits_names_its_trainee(relative: str, named: str | None, expected: tuple[str, str]) -> None:
    assert trainee_of(Path("/class") / relative, Path("/class"), named) == expected


@pytest.mark.parametrize("inside", [".", "results", "alice/results"])
def test_results_inside_the_class_folder_are_refused(tmp_path: Path, capsys, inside: str) -> None:
    folder = tmp_path / "class"
    student_file = _write_json(folder / "alice" / "summary.json", CORRECT)
    assert main(["grade", "--class", str(folder), "--out", str(folder / inside)]) == 1
    assert "inside the class folder" in capsys.readouterr().err
    assert json.loads(student_file.read_text()) == CORRECT  # the student's file is untouched
    assert sorted(p.name for p in folder.rglob("*")) == ["alice", "summary.json"]


def test_links_out_of_the_class_folder_are_skipped_and_reported(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "class"
    _write_json(folder / "alice" / "case.json", CORRECT)
    elsewhere = _write_json(tmp_path / "elsewhere" / "bob.json", CORRECT)
    (folder / "mallory").mkdir()
    (folder / "mallory" / "stolen.json").symlink_to(elsewhere)
    (folder / "trudy").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (folder / "alice" / "again.json").symlink_to(folder / "alice" / "case.json")  # inside: read like a file
    out = tmp_path / "out"
    assert main(["grade", "--class", str(folder), "--out", str(out)]) == 0
    assert set(json.loads((out / "trainees.json").read_text())) == {"alice"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["submissions"] == 2
    assert [s["file"] for s in summary["skipped"]] == [str(folder / "mallory" / "stolen.json"), str(folder / "trudy")]
    captured = capsys.readouterr()
    assert "stolen.json" in captured.err and "not followed" in captured.err
    assert "2 link(s) out of the folder skipped" in captured.out


def test_links_out_of_a_content_pack_are_not_followed(tmp_path: Path, capsys) -> None:
    pack = tmp_path / "endo"
    for part in ("exercises", "answer_keys"):
        source = next((ROOT / part).rglob("op-dm2-metformin.yaml"))
        (pack / part).mkdir(parents=True)
        (pack / part / source.name).write_text(source.read_text())
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    (pack / "exercises" / "leak.yaml").symlink_to(secret)
    outside_keys = tmp_path / "outside-keys"
    outside_keys.mkdir()
    (outside_keys / "x.yaml").write_text("password: hunter2\n")
    (pack / "exams").symlink_to(outside_keys, target_is_directory=True)
    (pack / "answer_keys" / "more").symlink_to(outside_keys, target_is_directory=True)
    library = load_packs(packs_for([pack], bundled=False))
    assert list(library.exercises) == ["endo/op-dm2-metformin"]
    problems = {(Path(p.path).name, p.severity) for p in library.problems}
    assert problems == {("leak.yaml", "warning"), ("more", "warning"), ("exams", "warning")}
    assert main(["--content", str(pack), "--no-bundled", "validate"]) == 0
    out = capsys.readouterr().out
    assert "hunter2" not in out and "leak.yaml" in out and "not followed" in out
