"""The command-line boundary: every bad argument, setting or file gets a clear answer and a
documented exit status (0 ok, 1 a problem explained in the message, 2 usage, 70 internal error,
130 interrupted), never a traceback and never a silent success."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from samples import DM2, DM2_KEY, isolate_cli
from tutor.cli import main

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "exercises" / "templates" / "ed-wrist-fracture.yaml"

@pytest.fixture(autouse=True)
def environment(monkeypatch, codes, code_cache, tmp_path):
    isolate_cli(monkeypatch, code_cache, tmp_path)


def pack(folder: Path, exercise: str = DM2, key: str = DM2_KEY) -> Path:
    """A content pack holding one chart exercise (``dm2``) and its key."""
    for part, text in (("exercises", exercise), ("answer_keys", key)):
        (folder / part).mkdir(parents=True, exist_ok=True)
        (folder / part / "dm2.yaml").write_text(text, encoding="utf-8")
    return folder


def usage_error(capsys, argv: list[str]) -> str:
    """Run a command line that argparse must refuse (exit 2); its stderr."""
    with pytest.raises(SystemExit) as refused:
        main(argv)
    assert refused.value.code == 2
    return capsys.readouterr().err


def run_medcode(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Python ``code`` that ends by running the CLI, in a fresh interpreter (real exit status, real stderr)."""
    full_env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=120)


# --- unhandled errors ----------------------------------------------------------------------


BUG = """
import tutor.commands.lookup as lookup
def run_lookup(args):
    raise ZeroDivisionError("a bug in the lookup")
lookup.run_lookup = run_lookup
from tutor.cli import main
raise SystemExit(main(["lookup", "E11.9"]))
"""


def test_a_bug_is_one_line_exit_70_and_a_crash_log(tmp_path):
    """No input should reach a bug; when one does, the user sees one line and where the details are."""
    done = run_medcode(BUG, {"MEDCODE_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 70
    assert "Traceback" not in done.stderr
    line, = done.stderr.strip().splitlines()
    found = re.fullmatch(r"internal error: ZeroDivisionError: a bug in the lookup \(a bug; details in (.+)\)", line)
    assert found, line
    log = Path(found[1])
    assert log.parent.parent == tmp_path / "cache"
    assert "Traceback" in log.read_text(encoding="utf-8") and "a bug in the lookup" in log.read_text(encoding="utf-8")


def test_an_error_message_shows_control_characters_as_escapes(capsys, tmp_path):
    hostile = tmp_path / "pack\x1b]0;owned\x07"
    assert main(["--content", str(hostile), "validate"]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "pack\\x1b]0;owned\\x07" in err


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "said"), [
    ("2026-13-01", "'2026-13-01' is not a date (YYYY-MM-DD): month must be in 1..12"),
    ("yesterday", "'yesterday' is not a date (YYYY-MM-DD)"),
    ("0001-01-01", "0001-01-01 is outside the code-set years this version knows (2022-10-01 to 2027-03-31)"),
    ("9999-12-31", "9999-12-31 is outside the code-set years this version knows (2022-10-01 to 2027-03-31)"),
])
def test_lookup_refuses_a_bad_date(capsys, typed, said):
    err = usage_error(capsys, ["lookup", "E11.9", "--date", typed])
    assert f"argument --date: {said}" in err
    assert "Traceback" not in err


def test_lookup_takes_the_first_and_last_supported_days(capsys):
    assert main(["lookup", "E11.9", "--date", "2022-10-01"]) == 0
    assert main(["lookup", "E11.9", "--date", "2027-03-31"]) == 0


@pytest.mark.parametrize("when", ["0001-01-01", "9999-12-31", "2022-09-30"])
def test_an_exercise_dated_outside_the_code_set_years_does_not_validate(capsys, tmp_path, when):
    tree = pack(tmp_path / "content", DM2.replace("2026-03-14", when))
    assert main(["validate", str(tree)]) == 1
    assert (f"date_of_service: {when} is outside the code-set years this version knows (2022-10-01 to 2027-03-31)"
            in capsys.readouterr().out)


def test_a_claim_dated_outside_the_code_set_years_is_refused_by_scrub(capsys, tmp_path):
    claim = tmp_path / "claim.yaml"
    claim.write_text("date_of_service: 9999-12-31\npatient: {age: 50, sex: F}\n"
                     "claim:\n  diagnoses: [E11.9]\n  lines: [{code: '99213', charge: 90, pointers: [A]}]\n")
    assert main(["scrub", str(claim)]) == 1
    assert "9999-12-31 is outside the code-set years" in capsys.readouterr().err


def test_a_template_dated_outside_the_code_set_years_is_refused(capsys, tmp_path):
    template = tmp_path / "late.yaml"
    template.write_text(TEMPLATE.read_text(encoding="utf-8").replace("dates: [2026-04-01, 2026-09-30]",
                                                                     "dates: [2026-04-01, 2030-09-30]"))
    assert main(["generate", str(template), "--out", str(tmp_path / "out")]) == 1
    assert "dates.1: 2030-09-30 is outside the code-set years" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --- generate -----------------------------------------------------------------------------


@pytest.mark.parametrize(("option", "value", "said"), [
    ("--count", "-3", "argument --count: -3 is not between 1 and 10000"),
    ("--count", "0", "argument --count: 0 is not between 1 and 10000"),
    ("--count", "many", "argument --count: 'many' is not a whole number"),
    ("--seed", "-5", "argument --seed: -5 is not between 0 and 2147483647"),
    ("--seed", str(10 ** 30), f"argument --seed: {10 ** 30} is not between 0 and 2147483647"),
])
def test_generate_refuses_a_count_or_seed_out_of_range(capsys, tmp_path, option, value, said):
    err = usage_error(capsys, ["generate", "ed-wrist-fracture", option, value, "--out", str(tmp_path / "out")])
    assert said in err
    assert not (tmp_path / "out").exists()


def test_exam_refuses_a_negative_seed(capsys):
    assert "argument --seed: -1 is not between 0 and 2147483647" in usage_error(
        capsys, ["exam", "mini", "--seed", "-1", "--print"])


def test_generate_into_a_file_is_a_clear_error(capsys, tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("not a folder")
    assert main(["generate", "ed-wrist-fracture", "--count", "1", "--out", str(taken)]) == 1
    assert capsys.readouterr().err.startswith(f"error: cannot write the generated files under {taken}: ")


# --- content folders and the settings file -----------------------------------------------


def test_a_missing_content_folder_is_an_error(capsys, tmp_path):
    missing = tmp_path / "nonexistent"
    assert main(["--content", str(missing), "validate"]) == 1
    assert capsys.readouterr().err == f"error: content pack {missing}: no such folder\n"


def test_a_content_folder_that_is_not_a_pack_is_an_error(capsys, tmp_path):
    """``validate`` used to report "0 files ... 0 errors" for it, and the tutor to start without it."""
    (tmp_path / "notes").mkdir()
    assert main(["--no-bundled", "--content", str(tmp_path / "notes"), "validate"]) == 1
    assert capsys.readouterr().err == (f"error: content pack {tmp_path / 'notes'}: "
                                       "no exercises/ or answer_keys/ folder in it\n")


def test_a_missing_settings_file_named_by_medcode_config_is_an_error(capsys, monkeypatch, tmp_path):
    missing = tmp_path / "nonexistent.toml"
    monkeypatch.setenv("MEDCODE_CONFIG", str(missing))
    assert main(["report"]) == 1
    assert capsys.readouterr().err == (f"error: {missing}: no such settings file (named by MEDCODE_CONFIG)\n")


def test_no_settings_file_at_all_is_fine(capsys, tmp_path):
    assert main(["--no-bundled", "--content", str(pack(tmp_path / "pack")), "validate"]) == 0


def test_a_missing_content_folder_in_the_settings_file_is_an_error(capsys, monkeypatch, tmp_path):
    settings = tmp_path / "config.toml"
    settings.write_text(f'content = ["{tmp_path / "gone"}"]\n')
    monkeypatch.setenv("MEDCODE_CONFIG", str(settings))
    assert main(["validate"]) == 1
    assert capsys.readouterr().err == f"error: {settings}: content pack {tmp_path / 'gone'}: no such folder\n"


@pytest.mark.parametrize(("line", "said"), [
    ('bundled = "false"', "'bundled' must be true or false (not a string)"),
    ("bundled = 0", "'bundled' must be true or false (not an integer)"),
    ("trainee = 7", "'trainee' must be a string (not an integer)"),
    ('content = "~/pack"', "'content' must be a list of folders (not a string)"),
    ("content = [1]", "'content' must be a list of folders (not a list holding an integer)"),
    ("db = true", "'db' must be a path in a string (not a boolean)"),
    ('cpt_file = ["a"]', "'cpt_file' must be a path in a string (not a list)"),
    ('db = ""', "'db' must be a path in a string (not an empty string)"),
    ('half_life = "200"', "'half_life' must be a number of codes from 50 to 5000 (not a string)"),
    ("half_life = 10", "'half_life' must be a number of codes from 50 to 5000, not 10"),
    ("half_life = nan", "'half_life' must be a number of codes from 50 to 5000, not nan"),
    ("target_probability = 95", "'target_probability' must be a probability from 0.5 to 0.99, not 95"),
    ("target_probability = true", "'target_probability' must be a probability from 0.5 to 0.99 (not a boolean)"),
])
def test_a_setting_of_the_wrong_type_is_an_error(capsys, monkeypatch, tmp_path, line, said):
    settings = tmp_path / "config.toml"
    settings.write_text(line + "\n")
    monkeypatch.setenv("MEDCODE_CONFIG", str(settings))
    assert main(["--no-bundled", "--content", str(pack(tmp_path / "pack")), "validate"]) == 1
    assert capsys.readouterr().err == f"error: {settings}: {said}\n"


def test_bundled_false_in_the_settings_file_leaves_the_bundled_content_out(capsys, monkeypatch, tmp_path):
    settings = tmp_path / "config.toml"
    settings.write_text(f'bundled = false\ncontent = ["{pack(tmp_path / "pack")}"]\n')
    monkeypatch.setenv("MEDCODE_CONFIG", str(settings))
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.endswith("2 files, 1 exercises, 1 answer keys: 0 errors, 0 warnings\n")


def test_a_pack_whose_name_cannot_be_in_an_id_is_refused(capsys, tmp_path):
    bad = pack(tmp_path / "My Pack!")
    assert main(["--no-bundled", "--content", str(bad), "validate"]) == 1
    assert capsys.readouterr().err == (
        f"error: content pack {bad}: the folder name 'My Pack!' cannot be part of an exercise id "
        "(letters, digits, '.', '_' and '-', starting with a letter or digit); rename the folder, e.g. to 'My-Pack'\n")


# --- scrub and lookup ---------------------------------------------------------------------


def test_scrub_names_a_missing_claim(capsys, tmp_path):
    claim = tmp_path / "claim.yaml"
    claim.write_text("date_of_service: 2026-06-03\npatient: {age: 50, sex: F}\n")
    assert main(["scrub", str(claim)]) == 1
    assert capsys.readouterr().err == f"error: {claim}:1:1: missing required field 'claim'\n"


def test_a_claim_exercise_problem_is_named_from_the_top(capsys, tmp_path):
    """The kind ``claim`` is also a field name: only the loader's kind tag is left out of the path."""
    exercise = tmp_path / "content" / "exercises" / "c1.yaml"
    exercise.parent.mkdir(parents=True)
    exercise.write_text("format: 1\nid: c1\nkind: claim\ntitle: A claim\ndate_of_service: 2026-06-03\n"
                        "patient: {age: 50, sex: F}\ndifficulty: 2\n"
                        "claim:\n  diagnoses: [E11.9]\n  lines: [{charge: 90, pointers: [A]}]\n")
    assert main(["validate", str(exercise)]) == 1
    assert f"{exercise}:10:11: missing required field 'claim.lines.0.code'" in capsys.readouterr().out


@pytest.mark.parametrize(("typed", "said"), [
    (["ZZZ.999"], "ZZZ.999: not found (ZZZ.999 is not an ICD-10-CM code)"),
    (["--system", "icd10pcs", "0DTJ4ZQ"], "0DTJ4ZQ: not found (0DTJ4ZQ is not an ICD-10-PCS code)"),
    (["--system", "hcpcs", "J9999"], "J9999: not found (J9999 is not in the bundled HCPCS Level II excerpt for 2026)"),
])
def test_lookup_of_a_code_that_does_not_exist_says_so_and_exits_1(capsys, typed, said):
    assert main(["lookup", *typed, "--date", "2026-05-01"]) == 1
    assert capsys.readouterr().out == said + "\n"


def test_lookup_refuses_a_limit_below_1(capsys):
    """SQLite reads LIMIT -1 as no limit at all: the whole code set would scroll by."""
    assert "argument --limit: -1 is not between 1 and 1000" in usage_error(capsys, ["lookup", "diabetes", "--limit", "-1"])


# --- templates ----------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "said"), [
    ("dates: [2026-04-01, 2026-09-30]", "dates: [2026-09-30, 2026-04-01]",
     "dates: Value error, a range is written first, last (the first is after the last)"),
    ("ages: [6, 12]", "ages: [12, 6]", "ages: Value error, a range is written first, last"),
    ("ages: [6, 12]", "ages: [130, 140]", "ages.0: Input should be less than or equal to 124"),
    ("key:\n  diagnoses:\n", "key:\n  diagnoses: S52.501A\n  moved_aside:\n",
     "key: Value error, 'diagnoses' is a list of mappings (one per key line)"),
    ('code: "{fracture.stem}{side.digit}{encounter.char}"', 'code: "{fracture.stem}{side.digit}{encounter.char}'
     + "X" * 40 + '"', "the template makes an invalid answer key for 'gen-ed-wrist-s1-001': diagnoses.0.code: "
     "String should have at most 40 characters"),
])
def test_a_template_that_cannot_make_valid_content_is_refused(capsys, tmp_path, old, new, said):
    text = TEMPLATE.read_text(encoding="utf-8")
    assert old in text
    template = tmp_path / "broken.yaml"
    template.write_text(text.replace(old, new, 1))
    assert main(["generate", str(template), "--count", "1", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv", [["generate", "no\x1b[2Jsuch"], ["exam", "no\x1b[2Jsuch", "--print"]])
def test_an_unknown_template_or_exam_name_is_echoed_without_its_control_characters(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "no\\x1b[2Jsuch" in err


def test_scrub_shows_control_characters_from_the_claim_as_escapes(capsys, tmp_path):
    claim = tmp_path / "claim.yaml"
    claim.write_text('date_of_service: 2026-06-03\npatient: {age: 50, sex: F}\nclaim:\n  diagnoses: ["E11.9\\e[2J"]\n'
                     '  lines: [{code: "99213", modifiers: ["\\e]0;x\\a"], charge: 90, pointers: [A]}]\n')
    assert main(["scrub", str(claim)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    # Codes and modifiers lose control characters where they are read (normalize.clean): none reach a message.
    assert "E11.9[2J is not an ICD-10-CM code" in out and "']0;X' is not a known modifier" in out


def test_exam_print_shows_control_characters_in_a_profile_title_as_escapes(capsys, tmp_path):
    profile = (ROOT / "exams" / "mini.yaml").read_text(encoding="utf-8")
    assert "title: Daily mini exam\n" in profile
    exams = pack(tmp_path / "class-pack") / "exams"
    exams.mkdir()
    (exams / "hostile.yaml").write_text(profile.replace("id: mini", "id: hostile")
                                        .replace("title: Daily mini exam", 'title: "Mini\\e[2J\\e]0;owned\\a"'))
    assert main(["--content", str(tmp_path / "class-pack"), "exam", "hostile", "--print", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert out.startswith("Mini\\x1b[2J\\x1b]0;owned\\x07 (hostile, version 1)")
