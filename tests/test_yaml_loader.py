"""Loading content: exact ``path:line:column`` for every defect, and broken files never stop the rest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutor.content.library import load_library
from tutor.content.submissions import parse_submission
from tutor.content.yamlio import MAX_BYTES, load_yaml, parse_yaml
from tutor.errors import ContentError

EXERCISE = """\
format: 1
id: dm2
kind: chart
title: Type 2 diabetes follow-up
setting: outpatient
date_of_service: 2026-03-14
patient: {age: 58, sex: F}
assign: [icd10cm]
difficulty: 2
topics: [endocrine]
documents:
  - type: progress_note
    title: Office visit
    text: |
      Type 2 diabetes, controlled on metformin.
"""

KEY = """\
format: 1
exercise: dm2
diagnoses:
  - code: E11.9
    rationale: Type 2 diabetes without complications.
  - code: Z79.84
    rationale: Long-term current use of oral hypoglycemic drugs.
"""

MCQ = """\
format: 1
id: mcq1
kind: mcq
stem: Which 7th character for routine fracture follow-up?
options: {A: A, B: D, C: S}
difficulty: 1
"""

MCQ_KEY = """\
format: 1
exercise: mcq1
answer: B
rationale: Routine healing follow-up takes D.
"""


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def problems(library) -> list[tuple[str, int, int, str]]:
    return [(Path(p.path).name, p.line, p.column, p.message) for p in library.problems]


def load(tmp_path: Path, **files: str):
    """``load(tmp_path, **{"exercises/dm2.yaml": EXERCISE, ...})``."""
    for relative, text in files.items():
        write(tmp_path, relative, text)
    return load_library([tmp_path])


def parse_error(text: str) -> ContentError:
    with pytest.raises(ContentError) as caught:
        parse_yaml(text, "f.yaml")
    return caught.value


# --- parse_yaml: syntax ---------------------------------------------------------------


@pytest.mark.parametrize(("text", "line", "column"), [
    ("format: 1\nid: x\n  kind: chart\n", 3, 7),  # a key indented under a scalar: at its colon
    ("format: 1\ntopics: [a, b\ndifficulty: 2\n", 3, 11),  # an unclosed flow list
    ("format: 1\nid: x\n\tkind: chart\n", 3, 1),  # a tab for indentation
    ('a: 1\ntitle: "unterminated\nb: 2\n', 4, 1),  # an unclosed quote runs to the end
    ("- a\nb: 1\n", 2, 1),  # a list, then a mapping at the same level
])
def test_a_syntax_error_has_its_exact_line_and_column(text, line, column):
    error = parse_error(text)
    assert (error.path, error.line, error.column) == ("f.yaml", line, column)
    assert str(error).startswith(f"f.yaml:{line}:{column}: ")
    assert error.detail


def test_columns_count_characters_not_bytes():
    error = parse_error("title: Caféééé: x\n")
    assert (error.line, error.column) == (1, 15)
    _, positions = parse_yaml("t: é\nx: [é, 😀, z]\n")
    assert positions[("x", 2)] == (2, 11)


def test_duplicate_keys_are_errors_at_the_second_key():
    error = parse_error("format: 1\nid: a\nid: b\n")
    assert (error.line, error.column) == (3, 1)
    assert "duplicate key 'id'" in error.detail
    error = parse_error("diagnoses:\n  - code: E11.9\n    code: E11.65\n")
    assert (error.line, error.column) == (3, 5)


def test_aliases_are_refused_where_they_are_used():
    error = parse_error("a: &codes [E11.9]\nb: *codes\n")
    assert (error.line, error.column) == (2, 4)
    assert "alias" in error.detail


def test_an_anchor_alone_is_harmless():
    assert parse_yaml("a: &x 1\nb: 2\n")[0] == {"a": 1, "b": 2}


def test_nesting_is_bounded():
    error = parse_error("a: " + "[" * 41 + "]" * 41 + "\n")
    assert (error.line, error.column) == (1, 43)
    assert "nesting" in error.detail


def test_only_one_document_and_plain_keys():
    assert parse_error("a: 1\n---\nb: 2\n").line == 2
    assert "plain text" in parse_error("? [a]\n: b\n").detail
    assert "plain text" in parse_error("~: b\n").detail


def test_a_python_tag_on_a_scalar_is_refused_at_its_place():
    error = parse_error("a: 1\nb: !!python/name:os.system\n")
    assert (error.line, error.column) == (2, 4)


def _plain(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, (str, int, float, bool)) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool, bytes)) or type(value).__name__ == "date"


@pytest.mark.parametrize("text", [
    "a: !!python/object/apply:os.getcwd []\n",
    "a: !!python/object/new:builtins.bytearray [4]\n",
    "a: !!python/object:builtins.object {}\n",
    "a: !!python/tuple [1, 2]\n",
    "a: !!set {x, y}\n",
])
def test_python_tags_never_build_python_objects(text):
    try:
        data, _ = parse_yaml(text)
    except ContentError as error:
        assert error.line == 1
    else:
        assert _plain(data), data


def test_plain_scalars_resolve_like_yaml_1_2():
    data, _ = parse_yaml("pcs: 0016070\nno: no\nyes: yes\noff: off\nlead: 007\ncpt: 99213\n"
                         "flag: true\ndos: 2026-03-14\nnothing: ~\n")
    assert data["pcs"] == "0016070"  # not an octal number
    assert data["no"] == "no" and data["yes"] == "yes" and data["off"] == "off"  # not booleans
    assert data["lead"] == "007"
    assert data["cpt"] == 99213 and data["flag"] is True and data["nothing"] is None
    assert str(data["dos"]) == "2026-03-14"


def test_positions_of_keys_and_values():
    _, positions = parse_yaml(KEY)
    assert positions[("diagnoses", 1, "code", "<key>")] == (6, 5)
    assert positions[("diagnoses", 1, "code")] == (6, 11)
    assert positions[("diagnoses", 1)] == (6, 5)


def test_an_oversized_text_is_refused():
    error = parse_error("a: " + "x" * MAX_BYTES + "\n")
    assert "larger than" in error.detail
    assert error.path == "f.yaml"


def test_an_empty_document_is_nothing():
    assert parse_yaml("") == (None, {})


yamlish = st.text(st.sampled_from([*"ab:-[]{}&*!|>#\"' \n\t?,.%@`~019", "\ufeff", "é", "\x85", "\u2028", "\x00", "\r"]),
                  max_size=60)


@given(st.one_of(st.text(max_size=60), yamlish))
def test_any_text_parses_or_fails_with_a_content_error(text):
    try:
        parse_yaml(text, "f.yaml")
    except ContentError as error:
        assert error.path == "f.yaml"
    try:
        parse_submission(text, "sub.yaml")
    except ContentError as error:
        assert error.path == "sub.yaml"


# --- load_library: model errors at the offending key -------------------------------------


def test_a_valid_pair_loads_without_problems(tmp_path):
    library = load(tmp_path, **{"exercises/dm2.yaml": EXERCISE, "answer_keys/dm2.yaml": KEY})
    assert problems(library) == []
    assert set(library.exercises) == {"dm2"} and set(library.keys) == {"dm2"}
    assert library.keys["dm2"].diagnoses[1].code == "Z79.84"


def test_an_unknown_field_is_reported_at_its_key(tmp_path):
    library = load(tmp_path, **{"exercises/dm2.yaml": edit(EXERCISE, "    text: |", "    txt: |"),
                                "answer_keys/dm2.yaml": KEY})
    assert ("dm2.yaml", 14, 5, "unknown field 'txt'") in problems(library)
    # ... and the now missing 'text' at the document it belongs to.
    assert ("dm2.yaml", 12, 5, "missing required field 'documents.0.text'") in problems(library)
    assert "dm2" not in library.exercises


def test_a_wrong_type_is_reported_at_its_key(tmp_path):
    library = load(tmp_path, **{"exercises/dm2.yaml": edit(EXERCISE, "difficulty: 2", "difficulty: hard")})
    [(name, line, column, message)] = problems(library)
    assert (name, line, column) == ("dm2.yaml", 9, 1)
    assert message.startswith("difficulty: ")


def test_a_wrong_value_inside_a_flow_mapping_is_reported_at_its_key(tmp_path):
    library = load(tmp_path, **{"exercises/dm2.yaml": edit(EXERCISE, "sex: F", "sex: female")})
    [(name, line, column, message)] = problems(library)
    assert (name, line, column) == ("dm2.yaml", 7, 20)
    assert message.startswith("patient.sex: ")


def test_a_wrong_type_in_a_key_line_is_reported_at_its_key(tmp_path):
    key = edit(KEY, "    rationale: Long-term", "    optional: maybe\n    rationale: Long-term")
    library = load(tmp_path, **{"answer_keys/dm2.yaml": key})
    [(name, line, column, message)] = problems(library)
    assert (name, line, column) == ("dm2.yaml", 7, 5)
    assert message.startswith("diagnoses.1.optional: ")


def test_a_missing_field_is_reported_at_its_mapping(tmp_path):
    library = load(tmp_path, **{"exercises/dm2.yaml": edit(EXERCISE, "title: Type 2 diabetes follow-up\n", "")})
    assert problems(library) == [("dm2.yaml", 1, 1, "missing required field 'title'")]


def test_a_file_that_is_neither_exercise_nor_key(tmp_path):
    library = load(tmp_path, **{"exercises/notes.yaml": "just: notes\n", "exercises/empty.yaml": ""})
    assert {(name, message.split(" (")[0]) for name, _, _, message in problems(library)} == {
        ("empty.yaml", "neither an exercise"), ("notes.yaml", "neither an exercise")}


# --- load_library: broken files never stop the others -------------------------------------


def test_one_broken_file_among_several_lets_the_others_load(tmp_path):
    library = load(tmp_path, **{
        "exercises/dm2.yaml": EXERCISE,
        "answer_keys/dm2.yaml": KEY,
        "exercises/mcq1.yaml": MCQ,
        "answer_keys/mcq1.yaml": MCQ_KEY,
        "exercises/broken.yaml": "format: 1\nid: broken\n  kind: chart\n",
    })
    assert set(library.exercises) == {"dm2", "mcq1"}
    assert set(library.keys) == {"dm2", "mcq1"}
    [problem] = library.problems
    assert (Path(problem.path).name, problem.line, problem.column) == ("broken.yaml", 3, 7)
    assert str(problem).startswith(f"{problem.path}:3:7: ")


def test_an_oversized_file_is_refused_and_the_others_load(tmp_path):
    write(tmp_path, "exercises/huge.yaml", "text: " + "x" * (MAX_BYTES + 10) + "\n")
    library = load(tmp_path, **{"exercises/dm2.yaml": EXERCISE, "answer_keys/dm2.yaml": KEY})
    assert [(name, message) for name, _, _, message in problems(library)] == [
        ("huge.yaml", f"file is larger than {MAX_BYTES // 1000} kB")]
    assert "dm2" in library.exercises


def test_a_pipe_or_device_is_refused_without_blocking(tmp_path):
    """Opening a FIFO for reading waits for a writer forever, and /dev/zero never ends: neither is read."""
    os.mkfifo(tmp_path / "claim.yaml")
    for path in (tmp_path / "claim.yaml", Path("/dev/zero"), tmp_path):
        with pytest.raises(ContentError, match="not a regular file"):
            load_yaml(path)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "latin1.yaml").write_bytes("title: Caf\xe9\n".encode("latin-1"))
    library = load(tmp_path, **{"exercises/dm2.yaml": EXERCISE, "answer_keys/dm2.yaml": KEY})
    assert [(name, message) for name, _, _, message in problems(library)] == [
        ("latin1.yaml", "not UTF-8 text (byte 10)")]
    assert "dm2" in library.exercises


# --- cross-file checks -------------------------------------------------------------------


def test_the_id_must_equal_the_file_stem(tmp_path):
    library = load(tmp_path, **{"exercises/dm2.yaml": edit(EXERCISE, "id: dm2", "id: dm-two"),
                                "answer_keys/dm-two.yaml": edit(KEY, "exercise: dm2", "exercise: dm-two")})
    assert problems(library) == [("dm2.yaml", 2, 1, "id 'dm-two' must equal the file name 'dm2'")]


def test_duplicate_ids_are_errors(tmp_path):
    library = load(tmp_path, **{"exercises/a/dm2.yaml": EXERCISE, "exercises/b/dm2.yaml": EXERCISE,
                                "answer_keys/dm2.yaml": KEY})
    [(name, line, column, message)] = problems(library)
    assert (line, column) == (2, 1)
    assert message.startswith("duplicate id 'dm2' (also in ")
    assert str(tmp_path / "exercises" / "a" / "dm2.yaml") in message
    assert [p.path for p in library.problems] == [str(tmp_path / "exercises" / "b" / "dm2.yaml")]


def test_an_exercise_without_a_key_and_a_key_without_an_exercise(tmp_path):
    library = load(tmp_path, **{
        "exercises/dm2.yaml": EXERCISE, "answer_keys/dm2.yaml": KEY,
        "exercises/lonely.yaml": edit(EXERCISE, "id: dm2", "id: lonely"),
        "answer_keys/ghost.yaml": edit(KEY, "exercise: dm2", "exercise: ghost"),
    })
    assert sorted(problems(library)) == [
        ("ghost.yaml", 2, 1, "answer key for unknown exercise 'ghost'"),
        ("lonely.yaml", 2, 1, "exercise 'lonely' has no answer key"),
    ]


def test_an_mcq_answer_must_be_among_the_options(tmp_path):
    library = load(tmp_path, **{"exercises/mcq1.yaml": MCQ,
                                "answer_keys/mcq1.yaml": edit(MCQ_KEY, "answer: B", "answer: D")})
    assert problems(library) == [("mcq1.yaml", 3, 1, "answer D is not among the options (A, B, C)")]


def test_a_key_must_be_of_its_exercises_kind(tmp_path):
    library = load(tmp_path, **{"exercises/dm2.yaml": EXERCISE,
                                "answer_keys/dm2.yaml": edit(MCQ_KEY, "exercise: mcq1", "exercise: dm2")})
    [(name, _, _, message)] = problems(library)
    assert name == "dm2.yaml" and message.startswith("key kind does not match")


# --- submissions --------------------------------------------------------------------------


def test_a_submission_in_json_or_yaml():
    as_json = parse_submission('{"exercise": "dm2", "diagnoses": ["E11.9", {"code": "Z79.84", "poa": "Y"}], '
                               '"procedures": [{"code": "99213", "modifiers": ["25"], "units": 1}], "drg": 291}')
    as_yaml = parse_submission("exercise: dm2\ndiagnoses: [E11.9, {code: Z79.84, poa: Y}]\n"
                               "procedures: [{code: 99213, modifiers: ['25'], units: 1}]\ndrg: 291\n")
    assert as_json == as_yaml
    assert as_json.diagnoses[0].code == "E11.9" and as_json.procedures[0].code == "99213"
    assert as_json.drg == "291"


def test_a_malformed_submission_names_the_place():
    with pytest.raises(ContentError) as caught:
        parse_submission("exercise: dm2\ndiagnoses: [E11.9]\nprocedure: []\n", "sub.yaml")
    assert str(caught.value) == "sub.yaml:3:1: unknown field 'procedure'"
