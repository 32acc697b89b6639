"""Queries to the provider in the content formats and the tools: keys, submissions, drafts,
``medcode validate`` and ``medcode grade`` (the grading rules are in test_grader_outcomes.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest
from pydantic import ValidationError

from samples import isolate_cli
from tutor.cli import main
from tutor.content.library import load_library
from tutor.content.models import MAX_QUERIES, QUERY_TOPICS, ChartKey, QueryTopic, Submission
from tutor.grading.outcomes import DESCRIPTIONS, WEIGHTS, Outcome
from tutor.practice.adaptive import DRILL_TOPICS
from tutor.practice.drafts import Draft, QueryMark, draft_to_submission

ANEMIA = """\
format: 1
id: anemia
kind: chart
title: Anemia in a patient on chemotherapy (query cause and effect)
setting: outpatient
date_of_service: 2026-03-14
patient: {age: 64, sex: F}
assign: [icd10cm]
difficulty: 3
documents:
  - type: progress_note
    title: Oncology follow-up
    text: |
      Breast ca, cycle 3 of AC last week. Tired, Hgb 9.8 (12.6 before cycle 1).
      A/P: anemia - recheck CBC next week.
"""

ANEMIA_KEY = """\
format: 1
exercise: anemia
diagnoses:
  - code: D64.9
    rationale: Anemia documented without its cause; the link to chemotherapy is not stated (OCG I.C.2.c.2).
  - code: C50.919
    rationale: Breast cancer under treatment (OCG I.C.2).
queries:
  - topic: cause_and_effect
    rationale: Hgb fell after chemotherapy began, but the note does not say the anemia is due to it.
    evidence: "Hgb 9.8 (12.6 before cycle 1)"
    alternates: [specificity]
"""


@pytest.fixture(autouse=True)
def environment(monkeypatch, codes, code_cache, tmp_path):
    isolate_cli(monkeypatch, code_cache, tmp_path)


@pytest.fixture
def tree(tmp_path) -> Path:
    for folder, text in [("exercises", ANEMIA), ("answer_keys", ANEMIA_KEY)]:
        path = tmp_path / "content" / folder / "anemia.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path / "content"


# --- the formats ------------------------------------------------------------------------


def test_the_topic_list_is_fixed_and_each_topic_is_explained():
    assert list(get_args(QueryTopic)) == [
        "clinical_validity", "conflicting_documentation", "specificity", "cause_and_effect",
        "present_on_admission", "abnormal_finding_significance", "procedure_detail"]
    assert list(QUERY_TOPICS) == list(get_args(QueryTopic))
    docs = (Path(__file__).resolve().parent.parent / "docs" / "formats.md").read_text(encoding="utf-8")
    for topic in QUERY_TOPICS:
        assert f"| `{topic}` |" in docs, topic


def test_the_key_scaffold_lists_every_topic():
    from tutor.content.scaffold import CHART_KEY

    assert all(topic in CHART_KEY for topic in QUERY_TOPICS)


def test_a_key_with_queries_loads_and_a_topic_off_the_list_is_refused_at_its_place(tree):
    library = load_library([tree / "exercises", tree / "answer_keys"])
    assert not library.problems
    key = library.keys["anemia"]
    assert isinstance(key, ChartKey)
    assert [(q.topic, q.alternates) for q in key.queries] == [("cause_and_effect", ["specificity"])]

    (tree / "answer_keys" / "anemia.yaml").write_text(
        ANEMIA_KEY.replace("topic: cause_and_effect", "topic: cause-and-effect"), encoding="utf-8")
    library = load_library([tree / "exercises", tree / "answer_keys"])
    [problem] = [p for p in library.problems if p.severity == "error"]
    assert (problem.line, problem.column) == (9, 5)  # authors write the topic exactly as listed
    assert "queries.0.topic" in problem.message and "cause_and_effect" in problem.message


def test_a_key_query_needs_a_rationale():
    with pytest.raises(ValidationError, match="rationale"):
        ChartKey.model_validate({"format": 1, "exercise": "x", "diagnoses": [{"code": "I10", "rationale": "r"}],
                                 "queries": [{"topic": "specificity"}]})


def test_a_submission_takes_at_most_the_limit_of_queries():
    Submission(exercise="x", queries=["specificity"] * MAX_QUERIES)
    with pytest.raises(ValidationError, match="at most 20"):
        Submission(exercise="x", queries=["specificity"] * (MAX_QUERIES + 1))
    with pytest.raises(ValidationError, match="at most 300 characters"):
        Submission(exercise="x", queries=[{"topic": "specificity", "note": "x" * 301}])


def test_every_outcome_has_words_and_the_query_outcomes_a_drill():
    assert set(DESCRIPTIONS) == set(Outcome)
    assert WEIGHTS["query"] == 1.0
    assert DRILL_TOPICS[Outcome.MISSED_QUERY] and DRILL_TOPICS[Outcome.UNNEEDED_QUERY]


# --- drafts -------------------------------------------------------------------------------


def test_a_draft_keeps_its_queries_and_hands_in_those_with_a_topic():
    draft = Draft(queries=[QueryMark("clinical_validity", "  Sepsis: criteria?  "), QueryMark("", "no topic"),
                           QueryMark("specificity", "")])
    again = Draft.from_data(json.loads(json.dumps(draft.to_data())))
    assert again == draft
    submission = draft_to_submission("ex-1", again)
    assert [(q.topic, q.note) for q in submission.queries] == [
        ("clinical_validity", "Sepsis: criteria?"), ("specificity", None)]


@pytest.mark.parametrize("stored", [None, {}, {"queries": "x"}, {"queries": [1, None, {"topic": None}]}])
def test_a_draft_stored_before_queries_or_damaged_reads_without_them(stored):
    draft = Draft.from_data(stored)
    assert all(q.topic == "" for q in draft.queries)
    assert draft_to_submission("ex-1", draft).queries == []


# --- the tools ----------------------------------------------------------------------------


def test_validate_grades_the_key_with_its_queries_against_itself(capsys, tree):
    assert main(["validate", str(tree)]) == 0
    assert ": 0 errors" in capsys.readouterr().out


def test_grade_reports_query_findings_in_json_and_in_the_table(capsys, tmp_path, tree):
    missed = tmp_path / "missed.json"
    missed.write_text(json.dumps({"exercise": "anemia", "diagnoses": ["D64.9", "C50.919"]}), encoding="utf-8")
    raised = tmp_path / "raised.yaml"
    raised.write_text("exercise: anemia\ndiagnoses: [D64.9, C50.919]\n"
                      "queries:\n  - {topic: Specificity, note: 'Anemia due to chemo?'}\n  - present on admission\n",
                      encoding="utf-8")
    args = ["grade", "--exercises", str(tree / "exercises"), "--keys", str(tree / "answer_keys")]

    assert main([*args, str(missed)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["code_accuracy"], report["record_correct"]) == (1.0, False)
    [query] = [f for f in report["findings"] if f["element"] == "query"]
    assert (query["outcome"], query["expected"], query["evidence"]) == (
        "MISSED_QUERY", "cause_and_effect", "Hgb 9.8 (12.6 before cycle 1)")

    assert main([*args, "--format", "table", str(raised)]) == 0
    table = capsys.readouterr().out
    assert "code accuracy 100% (2/2)" in table and "record not correct" in table
    assert "ALTERNATE (accepted alternate)" in table
    assert "UNNEEDED_QUERY (query not needed)" in table
    assert "No query on present on admission is needed" in table


def test_preview_shows_the_keys_queries_to_the_instructor(capsys, tree):
    assert main(["--content", str(tree), "preview", "content/anemia", "--width", "200"]) == 0
    out = capsys.readouterr().out
    assert "query (cause_and_effect or specificity): Hgb fell after chemotherapy began" in out
    assert "“Hgb 9.8 (12.6 before cycle 1)”" in out
