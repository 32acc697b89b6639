"""Submission files: documented limits and control characters, refused with a clear error.

Every refusal is a ContentError naming the file (and the line, where there is one), so
``medcode grade`` prints one line and moves on to the next file: never a traceback, and
never minutes of grading for a file no chart could produce.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.content.models import MAX_QUERIES
from tutor.content.submissions import (
    MAX_CODE_CHARS, MAX_LINES, MAX_NOTE_CHARS, MAX_SUBMISSION_BYTES, MAX_TEXT_CHARS, MAX_VALUES, load_submission,
    parse_submission,
)
from tutor.errors import ContentError


def refusal(text: str, source: str = "sub.yaml") -> ContentError:
    with pytest.raises(ContentError) as caught:
        parse_submission(text, source)
    return caught.value


def as_yaml_list(name: str, count: int, item: str = "E11.9") -> str:
    return f"exercise: ex-1\n{name}:\n" + f"  - {item}\n" * count


# --- size, lines and characters ---------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("[" * (MAX_SUBMISSION_BYTES + 1))  # unparseable: a YAML error would mean it was parsed
    with pytest.raises(ContentError) as caught:
        load_submission(path)
    assert caught.value.path == str(path)
    assert f"larger than {MAX_SUBMISSION_BYTES // 1000} kB" in caught.value.detail


def test_a_file_that_never_ends_is_read_no_further_than_the_limit():
    with pytest.raises(ContentError, match="larger than"):
        load_submission(Path("/dev/zero"))


def test_text_over_the_size_limit_is_refused_too():
    assert "larger than" in refusal("#" * (MAX_SUBMISSION_BYTES + 1)).detail


@pytest.mark.parametrize("name", ["diagnoses", "procedures"])
def test_more_lines_than_the_limit_are_refused_at_the_first_line_too_many(name):
    error = refusal(as_yaml_list(name, MAX_LINES + 1, "99213"))
    assert (error.path, error.line, error.column) == ("sub.yaml", 3 + MAX_LINES, 5)
    assert error.detail == (f"{name} has more than {MAX_LINES:,} items; "
                            f"a list in a submission has at most {MAX_LINES:,}")


def test_claim_findings_and_modifiers_have_the_same_limit():
    text = "exercise: ex-1\nfindings:\n" + "  - {edit: NCCI}\n" * (MAX_LINES + 1)
    assert refusal(text).detail.startswith(f"findings has more than {MAX_LINES:,} items")
    text = "exercise: ex-1\nprocedures:\n  - code: '20610'\n    modifiers: [" + "RT, " * (MAX_LINES + 1) + "]\n"
    assert refusal(text).detail.startswith(f"procedures[0].modifiers has more than {MAX_LINES:,} items")


def test_a_flood_of_tiny_values_is_refused_without_parsing_it_all():
    """Two bytes a code: the size limit alone would let a quarter of a million through."""
    text = "exercise: ex-1\ndiagnoses: [" + ",".join(["A"] * (MAX_SUBMISSION_BYTES // 2 - 100)) + "]\n"
    assert f"more than {MAX_LINES:,} items" in refusal(text).detail
    many = f"more than {MAX_VALUES:,} keys and values; a submission has at most {MAX_VALUES:,}"
    text = "exercise: ex-1\n" + "".join(f"k{i}: [{i}]\n" for i in range(MAX_VALUES))  # many short lists
    assert refusal(text).detail == many
    lists_of_empty_lists = ",".join(["[" + ",".join(["[]"] * MAX_LINES) + "]"] * (MAX_VALUES // MAX_LINES + 1))
    assert refusal(f"exercise: ex-1\ndiagnoses: [{lists_of_empty_lists}]\n").detail == many


def test_the_largest_submission_the_limits_allow_is_read():
    line = {"code": "0DTJ4ZZ", "system": "icd10pcs", "modifiers": ["RT", "LT", "59", "XS"], "units": 1}
    data = {"exercise": "ex-1", "trainee": "t" * MAX_TEXT_CHARS, "drg": "193",
            "diagnoses": [{"code": "S72.001A", "poa": "Y"}] * MAX_LINES, "procedures": [line] * MAX_LINES,
            "findings": [{"edit": "NCCI", "line": 2}] * MAX_LINES,
            "queries": [{"topic": "abnormal_finding_significance", "note": "n" * MAX_NOTE_CHARS}] * MAX_QUERIES}
    text = json.dumps(data, indent=4)  # written out generously, as an editor or a script would
    assert len(text.encode()) <= MAX_SUBMISSION_BYTES
    submission = parse_submission(text)
    assert len(submission.diagnoses) == len(submission.procedures) == MAX_LINES
    assert len(submission.queries) == MAX_QUERIES


def test_a_code_longer_than_the_limit_is_refused_at_the_code():
    text = f"exercise: ex-1\ndiagnoses:\n  - E11.9\n  - {'E' * (MAX_CODE_CHARS + 1)}\n"
    error = refusal(text)
    assert (error.line, error.column) == (4, 5)
    assert error.detail == f"diagnoses[1]: a code has at most {MAX_CODE_CHARS} characters, not {MAX_CODE_CHARS + 1}"


def test_a_modifier_longer_than_the_limit_is_refused():
    text = f"exercise: ex-1\nprocedures:\n  - code: '20610'\n    modifiers: [RT, {'9' * 41}]\n"  # a YAML number
    assert "procedures[0].modifiers[1]: a code has at most" in refusal(text).detail


@pytest.mark.parametrize("field", ["drg", "answer", "action", "trainee"])
def test_any_other_value_longer_than_the_limit_is_refused(field):
    error = refusal(f"exercise: ex-1\n{field}: {'x' * (MAX_TEXT_CHARS + 1)}\n")
    assert error.line == 2
    assert error.detail == f"{field}: a value has at most {MAX_TEXT_CHARS} characters, not {MAX_TEXT_CHARS + 1}"


# --- queries -------------------------------------------------------------------------------


def test_a_query_note_may_be_longer_than_other_values_up_to_its_own_limit():
    note = "Is the sepsis clinically supported? " * 20
    submission = parse_submission(f"exercise: ex-1\nqueries:\n  - topic: clinical_validity\n"
                                  f"    note: {note[:MAX_NOTE_CHARS]!r}\n")
    assert submission.queries[0].note == note[:MAX_NOTE_CHARS]
    error = refusal(f"exercise: ex-1\nqueries:\n  - topic: clinical_validity\n    note: {'x' * (MAX_NOTE_CHARS + 1)}\n")
    assert (error.line, error.column) == (4, 11)
    assert error.detail == (f"queries[0].note: a query's note has at most {MAX_NOTE_CHARS} characters, "
                            f"not {MAX_NOTE_CHARS + 1}")


def test_a_query_topic_is_limited_like_any_other_value():
    error = refusal(f"exercise: ex-1\nqueries:\n  - topic: {'x' * (MAX_TEXT_CHARS + 1)}\n")
    assert error.detail.startswith(f"queries[0].topic: a value has at most {MAX_TEXT_CHARS} characters")


def test_more_queries_than_the_limit_are_refused_at_the_first_one_too_many():
    error = refusal(as_yaml_list("queries", MAX_QUERIES + 1, "specificity"))
    assert (error.line, error.column) == (3 + MAX_QUERIES, 5)
    assert error.detail == f"queries has more than {MAX_QUERIES} items; a submission has at most {MAX_QUERIES}"
    assert len(parse_submission(as_yaml_list("queries", MAX_QUERIES, "specificity")).queries) == MAX_QUERIES


def test_a_query_topic_is_one_of_the_list_written_loosely_or_refused_where_it_is():
    submission = parse_submission("exercise: ex-1\nqueries: [Clinical validity, cause-and-effect, "
                                  "{topic: ' Present on admission '}]\n")
    assert [q.topic for q in submission.queries] == ["clinical_validity", "cause_and_effect", "present_on_admission"]
    error = refusal("exercise: ex-1\nqueries:\n  - topic: gut feeling\n")
    assert (error.line, error.column) == (3, 5)
    assert error.detail.startswith("queries.0.topic: Input should be 'clinical_validity', 'conflicting_documentation'")


def test_a_control_character_in_a_query_note_is_refused():
    error = refusal('exercise: ex-1\nqueries:\n  - {topic: specificity, note: "which\\e[2J side?"}\n')
    assert error.detail == "queries[0].note: control character U+001B is not allowed in a submission"


# --- control characters ------------------------------------------------------------------


@pytest.mark.parametrize(("escaped", "shown"), [
    ("\\u0000", "U+0000"), ("\\u001b[2J", "U+001B"), ("\\u0007", "U+0007"), ("\\u007f", "U+007F"),
    ("\\u0085", "U+0085"), ("\\u009b", "U+009B"),
])
def test_a_control_character_in_a_code_is_refused(escaped, shown):
    error = refusal(f'{{"exercise": "ex-1",\n "diagnoses": ["I10", "E11.9{escaped}"]}}', "sub.json")
    assert (error.path, error.line) == ("sub.json", 2)
    assert error.detail == f"diagnoses[1]: control character {shown} is not allowed in a submission"


@pytest.mark.parametrize("text", [
    'exercise: ex-1\ntrainee: "bob\\e]0;owned\\a"\n',
    'exercise: ex-1\nprocedures:\n  - {code: "20610", modifiers: ["RT\\0"]}\n',
    'exercise: ex-1\n"drg\\x1b": "193"\n',  # in a key, which an error message would print
])
def test_a_control_character_anywhere_is_refused_and_not_echoed(text):
    error = refusal(text)
    assert "control character" in error.detail
    assert error.detail.isprintable()


def test_white_space_in_a_code_is_still_read_and_normalised_later():
    submission = parse_submission('exercise: ex-1\ndiagnoses: ["E11.9\\t", " I10\\n"]\n')
    assert [d.code for d in submission.diagnoses] == ["E11.9\t", " I10\n"]


# --- through the command ------------------------------------------------------------------


def test_grade_refuses_a_control_character_with_one_line_and_grades_the_rest(capsys, tmp_path):
    bad, good = tmp_path / "bad.json", tmp_path / "good.json"
    bad.write_text('{"exercise": "ip-pneumonia-hyponatremia", "diagnoses": ["J18.9\\u0000"]}')
    good.write_text('{"exercise": "ip-pneumonia-hyponatremia", "diagnoses": ["J18.9"]}')
    assert main(["grade", str(bad), str(good)]) == 1
    out, err = capsys.readouterr()
    assert err == f"error: {bad}:1:57: diagnoses[0]: control character U+0000 is not allowed in a submission\n"
    assert json.loads(out)[0]["exercise"] == "ip-pneumonia-hyponatremia"


def test_grade_answers_a_100k_code_file_at_once(capsys, tmp_path):
    path = tmp_path / "flood.json"
    path.write_text(json.dumps({"exercise": "ip-pneumonia-hyponatremia", "diagnoses": ["E11.9", "E10.9", "R73.03"] * 33_334}))
    assert 900_000 < path.stat().st_size
    assert main(["grade", str(path)]) == 1  # the time it takes is in benchmarks/ (section "limits")
    assert "larger than" in capsys.readouterr().err


def test_one_flooded_file_does_not_hold_up_a_class(capsys, tmp_path):
    folder, out = tmp_path / "class", tmp_path / "results"
    (folder / "alice").mkdir(parents=True)
    (folder / "bob").mkdir()
    (folder / "alice" / "flood.json").write_text(
        json.dumps({"exercise": "ip-pneumonia-hyponatremia", "diagnoses": ["E11.9", "R73.03"] * 50_000}))
    (folder / "bob" / "pneumonia.json").write_text('{"exercise": "ip-pneumonia-hyponatremia", "diagnoses": ["J18.9"]}')
    assert main(["grade", "--class", str(folder), "--out", str(out)]) == 1
    summary = json.loads((out / "summary.json").read_text())
    assert summary["submissions"] == 1
    assert [b["file"] for b in summary["broken"]] == [str(folder / "alice" / "flood.json")]
    assert "larger than 500 kB" in summary["broken"][0]["error"]
