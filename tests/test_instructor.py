"""Instructor tools: scaffolding, preview, content packs and settings, batch grading, reports."""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.content.library import load_library
from tutor.content.models import Submission
from tutor.content.packs import load_packs, packs_for
from tutor.grading.keys import key_as_submission
from tutor.practice import session
from tutor.progress import ProgressStore

ROOT = Path(__file__).resolve().parent.parent
STARTER = ["op-dm2-metformin", "ed-hip-fracture-ice-fall", "ip-pneumonia-hyponatremia",
           "ip-appendicitis-laparoscopic", "pro-knee-injection-em", "pro-screening-colonoscopy-polyp",
           "mcq-seventh-character-follow-up", "mcq-uncertain-diagnosis-outpatient"]


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-config.toml"  # the defaults, whatever the user's own settings say
    empty.write_text("")
    monkeypatch.setenv("MEDCODE_CONFIG", str(empty))


@pytest.fixture(scope="module")
def starter():
    library = load_library([ROOT / "exercises", ROOT / "answer_keys"])
    return library


# --- new and preview --------------------------------------------------------------------


@pytest.mark.parametrize("kind,setting", [("chart", "outpatient"), ("chart", "inpatient"),
                                          ("chart", "professional"), ("mcq", "outpatient")])
def test_new_scaffolds_files_that_load_and_point_at_what_to_fill(tmp_path: Path, kind: str, setting: str,
                                                                 capsys) -> None:
    assert main(["new", kind, "my-case", "--setting", setting, "--exercises", str(tmp_path / "ex"),
                 "--keys", str(tmp_path / "keys")]) == 0
    library = load_library([tmp_path / "ex", tmp_path / "keys"])
    assert list(library.exercises) == ["my-case"] and list(library.keys) == ["my-case"]
    assert "#" in (tmp_path / "ex" / "my-case.yaml").read_text()  # commented for the author
    assert main(["new", kind, "my-case", "--setting", setting, "--exercises", str(tmp_path / "ex"),
                 "--keys", str(tmp_path / "keys")]) == 1  # never overwrites
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize("ident", ["../escape", "x\x1b[2Jy", "my case", "_leading-underscore"])
def test_new_refuses_an_id_that_cannot_be_a_file_name(tmp_path: Path, ident: str, capsys) -> None:
    assert main(["new", "chart", ident, "--exercises", str(tmp_path / "ex"), "--keys", str(tmp_path / "keys")]) == 1
    err = capsys.readouterr().err
    assert "is not an exercise id" in err and "\x1b[" not in err.replace("\\x1b", "")
    assert not any(tmp_path.rglob("*.yaml"))


def test_preview_shows_the_chart_and_the_key(capsys) -> None:
    assert main(["preview", "op-dm2-metformin", "--width", "120"]) == 0
    out = capsys.readouterr().out
    assert "Trainee view" in out and "Grader view" in out and "E11.9" in out and "Z79.84" in out
    assert "DM2 - A1c 6.8" in out


def test_preview_of_an_unknown_id_suggests_near_ones(capsys) -> None:
    assert main(["preview", "dm2"]) == 1
    assert "op-dm2-metformin" in capsys.readouterr().err


# --- packs and settings -------------------------------------------------------------------


def _pack(root: Path, name: str) -> Path:
    pack = root / name
    for part, ident in (("exercises", "op-dm2-metformin"), ("answer_keys", "op-dm2-metformin")):
        (pack / part).mkdir(parents=True)
        source = next((ROOT / part).rglob(f"{ident}.yaml"))
        (pack / part / source.name).write_text(source.read_text())
    return pack


def test_two_packs_with_the_same_ids_do_not_collide(tmp_path: Path) -> None:
    library = load_packs(packs_for([_pack(tmp_path, "cardio"), _pack(tmp_path, "endo")], bundled=True))
    assert {"op-dm2-metformin", "cardio/op-dm2-metformin", "endo/op-dm2-metformin"} <= set(library.exercises)
    assert library.keys["endo/op-dm2-metformin"].exercise == "endo/op-dm2-metformin"
    assert library.problems == []


def test_grading_a_pack_exercise_by_its_namespaced_id(tmp_path: Path, capsys) -> None:
    pack = _pack(tmp_path, "endo")
    sub = tmp_path / "s.json"
    sub.write_text(json.dumps({"exercise": "endo/op-dm2-metformin", "diagnoses": ["E11.9", "I10", "Z79.84"]}))
    assert main(["--content", str(pack), "--no-bundled", "grade", str(sub)]) == 0
    assert json.loads(capsys.readouterr().out)["code_accuracy"] == 1.0


def test_a_settings_file_adds_packs_and_a_bad_one_is_a_clear_error(tmp_path: Path, monkeypatch, capsys) -> None:
    pack = _pack(tmp_path, "endo")
    config = tmp_path / "config.toml"
    config.write_text(f'content = ["{pack}"]\nbundled = false\n')
    monkeypatch.setenv("MEDCODE_CONFIG", str(config))
    assert main(["exam", "mini", "--print"]) == 2  # no exam profiles without the bundled content
    config.write_text("colour = 'blue'\n")
    assert main(["validate"]) == 1
    assert "unknown setting(s): colour" in capsys.readouterr().err


# --- batch grading --------------------------------------------------------------------------


def _class_folder(root: Path, starter) -> Path:
    rng = random.Random(11)
    folder = root / "class"
    for t in range(30):
        trainee = folder / f"trainee-{t:02d}"
        trainee.mkdir(parents=True)
        for n in range(10):
            ident = STARTER[n % len(STARTER)]
            data = key_as_submission(starter.keys[ident]).model_dump(mode="json", exclude_none=True)
            if data.get("diagnoses") and rng.random() < 0.3:
                data["diagnoses"][-1]["code"] = rng.choice(["E11", "R05.9", "I10"])
            (trainee / f"{n:02d}-{ident}.json").write_text(json.dumps(data))
    (folder / "trainee-03" / "broken.json").write_text('{"exercise": ')
    (folder / "trainee-07" / "unknown.yaml").write_text("exercise: no-such-case\ndiagnoses: [E11.9]\n")
    (folder / "trainee-09" / "bad-shape.json").write_text('{"exercise": "op-dm2-metformin", "diagnoses": "E11.9"}')
    return folder


def test_a_class_of_30_with_three_broken_files(tmp_path: Path, starter, capsys) -> None:
    folder = _class_folder(tmp_path, starter)
    out = tmp_path / "results"
    assert main(["grade", "--class", str(folder), "--out", str(out)]) == 1  # broken files make it exit 1
    captured = capsys.readouterr()
    for name in ("broken.json", "unknown.yaml", "bad-shape.json"):
        assert name in captured.err
    assert "30 trainees, 300 submissions graded, 3 broken file(s)" in captured.out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["submissions"] == 300 and summary["broken_files"] == 3 and len(summary["broken"]) == 3
    assert 0 < summary["code_accuracy"] < 1 and summary["most_missed_exercises"]
    trainees = list(csv.DictReader((out / "trainees.csv").open()))
    assert len(trainees) == 30 and all(row["submissions"] == "10" for row in trainees)
    exercises = json.loads((out / "exercises.json").read_text())
    assert set(exercises) == set(STARTER)
    assert len(list(csv.DictReader((out / "submissions.csv").open()))) == 300


def test_an_empty_class_folder_is_a_clear_error(tmp_path: Path, capsys) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["grade", "--class", str(tmp_path / "empty")]) == 1
    assert "no gradable submissions" in capsys.readouterr().err
    assert main(["grade", "--class", str(tmp_path / "missing")]) == 1
    assert "not a folder" in capsys.readouterr().err


# --- reports -------------------------------------------------------------------------------


@pytest.fixture
def progress_db(tmp_path: Path, starter, grader) -> Path:
    path = tmp_path / "progress.sqlite"
    with ProgressStore(path) as store:
        start = datetime(2026, 5, 1, 9, tzinfo=UTC)
        for n, ident in enumerate(STARTER):
            exercise, key = starter.exercises[ident], starter.keys[ident]
            submission = key_as_submission(key) if n % 3 else Submission(exercise=ident, diagnoses=["E11"])
            session.submit(starter, grader, store, "Ana", exercise, submission,
                           start + timedelta(minutes=10 * n), start + timedelta(minutes=10 * n + 7))
    return path


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "html"])
def test_report_formats(progress_db: Path, fmt: str, tmp_path: Path, capsys) -> None:
    target = tmp_path / f"report.{fmt}"
    assert main(["--db", str(progress_db), "report", "--trainee", "Ana", "--format", fmt, "-o", str(target)]) == 0
    text = target.read_text()
    if fmt == "json":
        data = json.loads(text)
        assert data["trainee"] == "Ana" and data["attempts"] == len(STARTER)
        assert 0 < data["code_accuracy"]["all_time"]["accuracy"] < 1 and "cpc-2026" in data["exams"]
        now = data["estimate"]
        assert now["seen"] == data["code_accuracy"]["all_time"]["graded"]
        assert now["interval"][0] < now["estimate"] < now["interval"][1] and 0 <= now["p_at_target"] <= 1
        assert now["message"].startswith(("At 95%", "Not yet at 95%")) and "in a row" not in now["message"]
        assert data["policy"]["half_life"] == 200 and data["policy"]["target_probability"] == 0.8
        assert set(data["exams"]["cpc-2026"]) >= {"estimate", "low", "high", "p_pass", "short"}
    elif fmt == "csv":
        rows = list(csv.DictReader(text.splitlines()))
        assert {"code_accuracy", "record_accuracy", "by_topic", "by_outcome", "exam"} <= {r["group"] for r in rows}
        now = next(r for r in rows if (r["group"], r["key"]) == ("code_accuracy", "now"))
        assert float(now["low"]) < float(now["estimate"]) < float(now["high"]) and now["verdict"] in ("True", "False")
    elif fmt == "html":
        assert text.startswith("<!DOCTYPE html>") and "<svg" in text and "target 95%" in text
        assert "the estimate after it" in text and "90% interval" in text
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")  # self-contained
    else:
        assert "code accuracy, last 100 codes" in text and "code accuracy now: " in text
        assert "Not yet at 95%" in text or "At 95%" in text


def test_report_uses_the_half_life_and_probability_of_the_settings_file(progress_db: Path, tmp_path: Path,
                                                                        monkeypatch, capsys) -> None:
    settings = tmp_path / "config.toml"
    settings.write_text("half_life = 300\ntarget_probability = 0.9\n")
    monkeypatch.setenv("MEDCODE_CONFIG", str(settings))
    assert main(["--db", str(progress_db), "report", "--trainee", "Ana", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["policy"]["half_life"] == 300 and data["policy"]["target_probability"] == 0.9
    assert "needs 90%" in data["estimate"]["message"]


def test_report_for_an_unknown_trainee(progress_db: Path, capsys) -> None:
    assert main(["--db", str(progress_db), "report", "--trainee", "Zed"]) == 1
    assert "no trainee 'Zed'" in capsys.readouterr().err


@pytest.mark.parametrize("ident,expected", [("clm-knee-injection-scrub", "MODIFIER_50_WITH_SIDE"),
                                            ("rem-medicare-coinsurance-secondary", "bill_secondary")])
def test_preview_of_billing_exercises(capsys, ident: str, expected: str) -> None:
    assert main(["preview", ident, "--width", "120"]) == 0
    out = capsys.readouterr().out
    assert "Trainee view" in out and expected in out


def test_report_into_a_new_folder_or_an_unwritable_place(progress_db: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "new-folder" / "report.csv"
    assert main(["--db", str(progress_db), "report", "--format", "csv", "-o", str(target)]) == 0
    assert target.read_text().startswith("trainee,group,key")
    (tmp_path / "a-file").write_text("")
    target = tmp_path / "a-file" / "report.csv"
    assert main(["--db", str(progress_db), "report", "--format", "csv", "-o", str(target)]) == 1
    assert f"cannot write {target}" in capsys.readouterr().err


def test_class_results_that_cannot_be_written_are_a_clear_error(tmp_path: Path, starter, capsys) -> None:
    folder = tmp_path / "class"
    (folder / "ana").mkdir(parents=True)
    data = key_as_submission(starter.keys["op-dm2-metformin"]).model_dump(mode="json", exclude_none=True)
    (folder / "ana" / "case.json").write_text(json.dumps(data))
    (tmp_path / "taken").write_text("a file, not a folder")
    assert main(["grade", "--class", str(folder), "--out", str(tmp_path / "taken")]) == 1
    assert f"cannot write the results to {tmp_path / 'taken'}" in capsys.readouterr().err
