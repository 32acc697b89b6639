"""The ``medcode`` tools, run in-process: validate, grade and lookup."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from samples import DM2, DM2_KEY, isolate_cli
from tutor.cli import main

HIP = """\
format: 1
id: hip
kind: chart
title: Fall at home
setting: emergency
date_of_service: 2026-03-14
patient: {age: 81, sex: F}
assign: [icd10cm]
difficulty: 3
documents:
  - type: ed_note
    title: ED visit
    text: Fell at home. Closed fracture of the right femoral neck, first visit.
"""

HIP_KEY = """\
format: 1
exercise: hip
diagnoses:
  - code: S72.001A
    rationale: Right femoral neck, closed, active treatment (OCG I.C.19.a).
  - code: W19.XXXA
    rationale: External cause of the injury (OCG I.C.20).
"""


@pytest.fixture(autouse=True)
def environment(monkeypatch, codes, code_cache, tmp_path):
    isolate_cli(monkeypatch, code_cache, tmp_path)


@pytest.fixture
def tree(tmp_path) -> Path:
    """A small valid content tree: two chart exercises and their keys."""
    for folder, name, text in [("exercises", "dm2", DM2), ("answer_keys", "dm2", DM2_KEY),
                               ("exercises", "hip", HIP), ("answer_keys", "hip", HIP_KEY)]:
        path = tmp_path / "content" / folder / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path / "content"


def submission(tmp_path: Path, name: str, data: dict | str) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def grade(capsys, tree: Path, *paths: Path) -> tuple[int, object, str]:
    code = main(["grade", "--exercises", str(tree / "exercises"), "--keys", str(tree / "answer_keys"),
                 *map(str, paths)])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


# --- validate -----------------------------------------------------------------------------


def test_validate_a_valid_tree(capsys, tree):
    assert main(["validate", str(tree)]) == 0
    out, _ = capsys.readouterr()
    assert out.strip().splitlines() == ["4 files, 2 exercises, 2 answer keys: 0 errors, 0 warnings"]


def test_validate_reports_a_typo_at_its_place(capsys, tree):
    exercise = tree / "exercises" / "dm2.yaml"
    exercise.write_text(DM2.replace("setting: outpatient", "setting: outpatinet"), encoding="utf-8")
    assert main(["validate", str(tree)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == "4 files, 1 exercises, 2 answer keys: 2 errors, 0 warnings"
    typo = [line for line in lines if line.startswith(f"{exercise}:")]
    assert len(typo) == 1
    assert re.match(rf"^{re.escape(str(exercise))}:5:1: setting: .*'outpatient'", typo[0])
    # The other error: the key whose exercise did not load.
    assert f"{tree / 'answer_keys' / 'dm2.yaml'}:2:1: answer key for unknown exercise 'dm2'" in lines


def test_validate_checks_key_codes_against_the_code_sets(capsys, tree):
    key = tree / "answer_keys" / "dm2.yaml"
    key.write_text(DM2_KEY.replace("code: E11.9", "code: E11"), encoding="utf-8")
    assert main(["validate", str(tree)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith(f"{key}:4:5: E11 is a category")
    assert "(date of service 2026-03-14)" in lines[0]
    assert lines[-1].endswith(": 1 error, 0 warnings")


def test_validate_as_json(capsys, tree):
    (tree / "exercises" / "hip.yaml").write_text(HIP.replace("difficulty: 3", "difficulty: 9"), encoding="utf-8")
    assert main(["validate", "--format", "json", str(tree)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["files"], report["exercises"], report["keys"], report["errors"]) == (4, 1, 2, 2)
    where = sorted((Path(p["path"]).parent.name, p["line"], p["column"]) for p in report["problems"])
    assert where == [("answer_keys", 2, 1), ("exercises", 9, 1)]  # the key's exercise did not load


def test_validate_the_bundled_content(capsys):
    assert main(["validate"]) == 0
    assert re.search(r": 0 errors, \d+ warnings?$", capsys.readouterr().out.strip())


# --- grade --------------------------------------------------------------------------------


def test_grade_the_key_itself(capsys, tree, tmp_path):
    path = submission(tmp_path, "perfect.json", {"exercise": "dm2", "diagnoses": ["E11.9", "Z79.84"]})
    code, report, err = grade(capsys, tree, path)
    assert (code, err) == (0, "")
    assert report["exercise"] == "dm2"
    assert (report["code_accuracy"], report["record_correct"], report["learning_score"]) == (1.0, True, 1.0)
    assert report["drg"] is None


@pytest.mark.parametrize(("exercise", "typed", "expected", "outcome"), [
    ("dm2", "E11", "E11.9", "INVALID"),
    ("dm2", "e119", "E11.9", "CORRECT"),
    ("hip", "S72.002A", "S72.001A", "WRONG_LATERALITY"),
    ("hip", "S72.001D", "S72.001A", "WRONG_ENCOUNTER_7TH"),
])
def test_grade_one_mistake(capsys, tree, tmp_path, exercise, typed, expected, outcome):
    second = {"dm2": "Z79.84", "hip": "W19.XXXA"}[exercise]
    path = submission(tmp_path, "attempt.json", {"exercise": exercise, "diagnoses": [typed, second]})
    code, report, _ = grade(capsys, tree, path)
    assert code == 0
    [finding] = [f for f in report["findings"] if f["element"] == "diagnosis" and f["expected"] == expected]
    assert (finding["submitted"], finding["outcome"]) == (typed.upper().replace("E119", "E11.9"), outcome)
    assert report["code_accuracy"] == (1.0 if outcome == "CORRECT" else 0.5)


def test_grade_two_submissions_prints_a_list(capsys, tree, tmp_path):
    first = submission(tmp_path, "a.json", {"exercise": "dm2", "diagnoses": ["E11.9", "Z79.84"]})
    second = submission(tmp_path, "b.yaml", "exercise: hip\ndiagnoses: [S72.001A]\n")
    code, reports, _ = grade(capsys, tree, first, second)
    assert code == 0
    assert [(r["exercise"], r["code_accuracy"]) for r in reports] == [("dm2", 1.0), ("hip", 0.5)]


def test_grade_a_malformed_submission_among_good_ones(capsys, tree, tmp_path):
    good = submission(tmp_path, "good.json", {"exercise": "dm2", "diagnoses": ["E11.9", "Z79.84"]})
    bad = submission(tmp_path, "bad.json", '{"exercise": "dm2", "diagnoses": ["E11.9",\n "Z79.84"\n')
    also_good = submission(tmp_path, "also.json", {"exercise": "hip", "diagnoses": ["S72.001A", "W19.XXXA"]})
    code, reports, err = grade(capsys, tree, good, bad, also_good)
    assert code == 1
    assert [r["exercise"] for r in reports] == ["dm2", "hip"]
    [line] = err.strip().splitlines()
    assert re.match(rf"^error: {re.escape(str(bad))}:\d+:\d+: ", line)


def test_grade_a_submission_for_an_unknown_exercise(capsys, tree, tmp_path):
    path = submission(tmp_path, "stray.json", {"exercise": "nope", "diagnoses": ["E11.9"]})
    code, reports, err = grade(capsys, tree, path)
    assert (code, reports) == (1, [])
    assert f"error: {path}: no exercise for 'nope'" in err


def test_grade_as_a_table(capsys, tree, tmp_path):
    path = submission(tmp_path, "attempt.json", {"exercise": "dm2", "diagnoses": ["E11", "Z79.84"]})
    assert main(["grade", "--format", "table", "--exercises", str(tree / "exercises"),
                 "--keys", str(tree / "answer_keys"), str(path)]) == 0
    out = capsys.readouterr().out
    assert "code accuracy 50% (1/2)" in out
    assert re.search(r"!! diagnosis E11 +E11\.9 +INVALID", out)


# --- lookup -------------------------------------------------------------------------------


def test_lookup_a_code(capsys):
    assert main(["lookup", "E11.9"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "E11.9  Type 2 diabetes mellitus without complications"
    assert "billable" in out


def test_lookup_a_code_on_a_date(capsys):
    assert main(["lookup", "e119", "--date", "2026-05-01"]) == 0
    assert "icd10cm, valid on 2026-05-01: billable" in capsys.readouterr().out


def test_lookup_a_category_lists_its_codes(capsys):
    assert main(["lookup", "E11", "--date", "2026-05-01"]) == 0
    out = capsys.readouterr().out
    assert "header" in out and "codes below: " in out


def test_lookup_words(capsys):
    assert main(["lookup", "type", "2", "diabetes", "without", "complications", "--limit", "3"]) == 0
    assert re.search(r"^E11\.9 +Type 2 diabetes mellitus without complications$", capsys.readouterr().out, re.M)


def test_lookup_finds_nothing(capsys):
    assert main(["lookup", "zzzzqqq"]) == 1
    assert "nothing found" in capsys.readouterr().out


def test_help_lists_every_command(capsys):
    import pytest as _pytest

    with _pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for command in ("validate", "grade", "lookup", "exam", "report", "new", "preview", "generate", "scrub", "index"):
        assert command in out
