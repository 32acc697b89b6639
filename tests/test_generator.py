"""The synthetic chart generator: every template's every combination is a valid, consistent chart."""

from __future__ import annotations

import random
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.cli import main
from tutor.codes import CodeSystem, Validity
from tutor.codes.normalize import infer_procedure_system
from tutor.commands.generate import drg_grouper
from tutor.content.generator import build, combinations, generate, load_template, write
from tutor.content.giveaways import PREFIX as GIVEAWAY
from tutor.content.library import load_library
from tutor.content.lint import check_warnings
from tutor.content.models import ChartExercise, ChartKey
from tutor.grading.classify import side
from tutor.grading.keys import key_as_submission

TEMPLATES = sorted((Path(__file__).resolve().parent.parent / "exercises" / "templates").glob("*.yaml"))
SIDE_WORDS = {"R": ("right",), "L": ("left",), "B": ("both", "bilateral")}
FOLLOW_UP_WORDS = ("follow-up", "follow up", "recheck", "subsequent", "returns")


def test_there_are_templates() -> None:
    assert TEMPLATES, "exercises/templates/ holds the generator's templates"


def check_generated(codes, grader, exercise_data: dict, key_data: dict) -> None:
    exercise = ChartExercise.model_validate(exercise_data)
    key = ChartKey.model_validate(key_data)
    when: date = exercise.date_of_service
    text = " ".join(doc.text for doc in exercise.documents).lower()
    assert "{" not in (exercise.label or "") + text, f"{exercise.id}: a placeholder left unfilled"
    for line in key.diagnoses:
        check = codes.check(line.code, CodeSystem.ICD10CM, when)
        assert check.status is Validity.VALID, f"{exercise.id}: {check.message}"
        entry = codes.cm(line.code)
        title = entry.title if entry else ""
        code_side = side(title.split(",")[-1]) if "encounter" in title else side(title)
        if code_side in SIDE_WORDS:
            assert any(w in text for w in SIDE_WORDS[code_side]), f"{exercise.id}: {line.code} ({title}) side"
        stage = re.search(r"stage (\d+[ab]?)", title.lower())
        if stage:
            assert f"stage {stage.group(1)}" in text, f"{exercise.id}: {line.code} stage {stage.group(1)}"
        if "subsequent encounter" in title.lower():
            assert any(w in text for w in FOLLOW_UP_WORDS), f"{exercise.id}: {line.code} is a subsequent encounter"
        if "initial encounter" in title.lower():
            assert "routine healing" not in text, f"{exercise.id}: {line.code} is an initial encounter"
        if line.evidence:
            assert " ".join(line.evidence.lower().split()) in " ".join(text.split()), f"{exercise.id}: evidence"
    for line in key.procedures:
        system = CodeSystem(line.system) if line.system else infer_procedure_system(line.code)
        check = codes.check(line.code, system, when)
        assert check.status in (Validity.VALID, Validity.UNVERIFIED), f"{exercise.id}: {check.message}"
    report = grader.grade(exercise, key, key_as_submission(key))
    assert report.code_accuracy == 1.0 and report.record_correct, f"{exercise.id}: the key does not grade itself"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_every_combination_of_a_template_is_valid_and_consistent(path: Path, codes, grader, tmp_path: Path) -> None:
    template = load_template(path)
    group = drg_grouper(codes) if template.key.get("drg") == "auto" else None
    all_choices = combinations(template)
    assert len(all_choices) >= 24, "a template should be able to produce dozens of distinct charts"
    sample = all_choices if len(all_choices) <= 200 else random.Random(0).sample(all_choices, 200)
    made = []
    for n, choice in enumerate(sample):
        item = build(template, choice, random.Random(n), f"{template.id_prefix}-t{n:04d}", group)
        check_generated(codes, grader, item.exercise, item.key)
        made.append(item)
    # What `medcode validate --strict` would say of the generated pack: no warning (giveaways included).
    write(made, tmp_path / "exercises", tmp_path / "answer_keys")
    library = load_library([tmp_path])
    check_warnings(library, codes)
    problems = [f"{p.path}:{p.line}: {p.message}" for p in library.problems]
    assert not problems, f"{path.stem}: " + "\n".join(problems[:10])


LABELLED_TEMPLATE = """\
format: 1
template: labelled
description: A template with a label.
setting: outpatient
id_prefix: gen-l
title: "Otitis media, {side.word}"
label: "LABEL_START, {age} {sex_word}: {side.complaint}"
dates: [2026-04-01, 2026-04-30]
assign: [icd10cm]
difficulty: 1
slots:
  side:
    - {word: right, complaint: right ear pain, digit: "1"}
    - {word: left, complaint: left ear pain, digit: "2"}
documents:
  - {type: progress_note, title: Office visit, text: "{side.word} TM bulging, red. AOM. Amoxicillin."}
key:
  diagnoses:
    - {code: "H66.9{side.digit}", rationale: "AOM, {side.word} ear (OCG I.A.12)."}
"""


@pytest.mark.parametrize("label_start, giveaway", [("Office, peds", False), ("Office, otitis", True)])
def test_a_template_label_is_filled_and_checked_for_giveaways(label_start: str, giveaway: bool, tmp_path: Path,
                                                              codes) -> None:
    template_path = tmp_path / "labelled.yaml"
    template_path.write_text(LABELLED_TEMPLATE.replace("LABEL_START", label_start))
    template = load_template(template_path)
    item = build(template, (0,), random.Random(0), "gen-l-001")
    patient = item.exercise["patient"]
    assert item.exercise["label"] == f"{label_start}, {patient['age']} {patient['sex']}: right ear pain"
    write([item], tmp_path / "pack" / "exercises", tmp_path / "pack" / "answer_keys")
    library = load_library([tmp_path / "pack"])
    check_warnings(library, codes)
    found = [p.message for p in library.problems if p.message.startswith(GIVEAWAY + "the label")]
    assert not library.errors and bool(found) is giveaway, library.problems


@settings(max_examples=30)
@given(data=st.data())
def test_sampled_combinations_with_random_patients(data, codes, grader) -> None:
    path = data.draw(st.sampled_from(TEMPLATES))
    template = load_template(path)
    group = drg_grouper(codes) if template.key.get("drg") == "auto" else None
    choice = data.draw(st.sampled_from(combinations(template)))
    item = build(template, choice, random.Random(data.draw(st.integers(0, 10**6))), "gen-h-001", group)
    check_generated(codes, grader, item.exercise, item.key)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_same_seed_same_files_other_seed_other_charts(path: Path, tmp_path: Path) -> None:
    for out in ("a", "b", "c"):
        seed = "2" if out == "c" else "1"
        assert main(["generate", str(path), "--seed", seed, "--count", "6", "--out", str(tmp_path / out)]) == 0
    files_a = sorted((tmp_path / "a").rglob("*.yaml"))
    assert len(files_a) == 12
    for file_a in files_a:
        assert file_a.read_bytes() == (tmp_path / "b" / file_a.relative_to(tmp_path / "a")).read_bytes()
    texts_a = {f.read_text().split("\n", 2)[2] for f in (tmp_path / "a" / "exercises").rglob("*.yaml")}
    texts_c = {f.read_text().split("\n", 2)[2] for f in (tmp_path / "c" / "exercises").rglob("*.yaml")}
    assert texts_a != texts_c
    assert main(["validate", str(tmp_path / "c")]) == 0


def test_generate_names_a_missing_template(capsys) -> None:
    assert main(["generate", "no-such-template"]) == 2
    assert "no template" in capsys.readouterr().err


def test_generate_stops_at_the_number_of_combinations(tmp_path: Path) -> None:
    template = load_template(TEMPLATES[0])
    made = generate(template, 3, 10_000)
    assert len(made) == len(combinations(template)) == len({m.ident for m in made})
