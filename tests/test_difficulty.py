"""The difficulty rubric (docs/formats.md, "How difficulty is rated"): worked examples."""

from __future__ import annotations

from pathlib import Path

from tutor.content.billing import ClaimExercise, ClaimKey, RemittanceExercise, RemittanceKey
from tutor.content.difficulty import level_for, rate, suggested_difficulty
from tutor.content.library import load_library
from tutor.content.models import ChartExercise, ChartKey

ROOT = Path(__file__).resolve().parent.parent
FILLER = "Vitals stable, exam otherwise unremarkable, patient counselled. "


def chart(setting="outpatient", assign=("icd10cm",), documents=1, words=180, topics=(), text=""):
    per_doc = FILLER * max(1, words // (8 * documents))
    docs = [{"type": "progress_note", "title": f"Note {n}", "text": per_doc + text} for n in range(documents)]
    return ChartExercise.model_validate({
        "format": 1, "id": "x", "kind": "chart", "title": "t", "setting": setting,
        "date_of_service": "2026-01-20", "patient": {"age": 60, "sex": "F"}, "assign": list(assign),
        "difficulty": 3, "topics": list(topics), "documents": docs})


def key(diagnoses, procedures=(), queries=0, first=None, before=(), drg=None, poa=None):
    dx = [{"code": c, "rationale": "r", **({"poa": poa[n]} if poa else {})} for n, c in enumerate(diagnoses)]
    return ChartKey.model_validate({
        "format": 1, "exercise": "x", "diagnoses": dx, "procedures": list(procedures), "drg": drg,
        "sequencing": {"first": first, "before": list(before)} if first or before else None,
        "queries": [{"topic": "specificity", "rationale": "r"}] * queries})


def test_levels_map_points_with_clear_thresholds() -> None:
    assert [level_for(p) for p in (0, 2, 3, 5, 6, 8, 9, 11, 12, 20)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_a_one_code_office_chart_is_level_1_or_2() -> None:
    rating = rate(chart(), key(["E11.9"]))
    assert rating.points["codes"] == 0 and rating.points["noise"] == 1
    assert rating.level in (1, 2)
    with_em = rate(chart(assign=("icd10cm", "cpt")), key(["E11.9"], [{"code": "99213", "rationale": "r"}]))
    assert with_em.level in (1, 2)


def test_an_inpatient_chart_with_pcs_poa_drg_eight_codes_and_a_query_is_level_5() -> None:
    exercise = chart("inpatient", ("icd10cm", "icd10pcs", "poa", "drg"), documents=4, words=700,
                     text="PMH: h/o CVA, s/p appendectomy. CXR neg for infiltrate; r/o PE.")
    codes = ["K80.00", "N17.9", "E87.1", "I10", "E11.9", "D64.9", "J44.9"]
    k = key(codes, [{"code": "0FT44ZZ", "rationale": "r"}], queries=1, drg="418",
            poa=["Y", "N", "Y", "Y", "Y", "Y", "Y"])
    rating = rate(exercise, k)
    assert rating.points["codes"] == 3 and rating.points["code sets"] == 3 and rating.points["queries"] == 2
    assert rating.points["poa decision"] == 1 and rating.points["noise"] == 3 and rating.points["leave out"] >= 1
    assert rating.level == 5


def test_each_rubric_item_adds_what_the_trainee_must_do() -> None:
    base = rate(chart(), key(["I10", "E78.5"])).total
    assert rate(chart(), key(["I10", "E78.5"], queries=1)).total == base + 2
    assert rate(chart(), key(["I10", "E78.5"], queries=3)).total == base + 3  # at most 3
    assert rate(chart(), key(["I10", "E78.5"], before=[("I10", "E78.5")])).total == base + 1
    assert rate(chart(), key(["I10", "E78.5"], first=["I10", "E78.5"])).total == base + 1
    assert rate(chart(topics=["use-additional-code"]), key(["I10", "E78.5"])).total == base + 1
    assert rate(chart(), key(["S52.501A", "W01.XXXA"])).total == base + 1  # a 7th character
    assert rate(chart(text=" Possible angina vs GERD; h/o MI."), key(["I10", "E78.5"])).total == base + 1
    modifiers = [{"code": "20610", "modifiers": ["RT"], "rationale": "r"},
                 {"code": "J3301", "units": 4, "rationale": "r"}]
    plain = rate(chart(assign=("icd10cm", "cpt", "hcpcs")), key(["M17.11"], [dict(m, modifiers=[], units=None)
                                                                            for m in modifiers]))
    marked = rate(chart(assign=("icd10cm", "cpt", "hcpcs")), key(["M17.11"], modifiers))
    assert marked.total == plain.total + 1 and plain.points["code sets"] == 2


def test_an_em_level_is_a_decision() -> None:
    exercise = chart(assign=("icd10cm", "cpt"))
    injection = rate(exercise, key(["M17.11"], [{"code": "20610", "rationale": "r"}]))
    visit = rate(exercise, key(["M17.11"], [{"code": "99214", "rationale": "r"}]))
    assert visit.total == injection.total + 1


def test_billing_exercises_are_rated_and_questions_are_not() -> None:
    library = load_library([ROOT / "exercises" / "billing", ROOT / "answer_keys" / "billing",
                            ROOT / "exercises" / "mcq", ROOT / "answer_keys" / "mcq"])
    kinds = set()
    for ident, exercise in library.exercises.items():
        level = suggested_difficulty(exercise, library.keys[ident])
        if isinstance(exercise, (ClaimExercise, RemittanceExercise)):
            assert isinstance(library.keys[ident], (ClaimKey, RemittanceKey)) and 1 <= level <= 5
            kinds.add(exercise.kind)
        else:
            assert level is None
    assert kinds == {"claim", "remittance"}


def test_a_clean_claim_scores_the_search_and_more_findings_score_more() -> None:
    library = load_library([ROOT / "exercises" / "billing" / "claims", ROOT / "answer_keys" / "billing" / "claims"])
    for ident, exercise in library.exercises.items():
        rating = rate(exercise, library.keys[ident])
        findings = len(library.keys[ident].findings)
        assert rating.points["findings"] == (1 if findings == 0 else min(2, findings - 1))


def test_the_bundled_charts_are_rated_within_one_level_of_the_rubric() -> None:
    """The library's ratings follow the rubric; the author's judgement moves a chart one level at most."""
    library = load_library([ROOT / "exercises", ROOT / "answer_keys"])
    off = [(ident, exercise.difficulty, suggested_difficulty(exercise, library.keys[ident]))
           for ident, exercise in library.exercises.items()
           if suggested_difficulty(exercise, library.keys.get(ident)) is not None
           and abs(exercise.difficulty - suggested_difficulty(exercise, library.keys[ident])) > 1]
    assert off == []


def test_preview_shows_the_suggested_difficulty(capsys) -> None:
    from tutor.cli import main

    assert main(["preview", "op-dm2-metformin", "--width", "200"]) == 0
    assert "suggested difficulty " in capsys.readouterr().out.replace("\n", " ")
    assert main(["preview", "rem-co11-wrong-pointer", "--width", "200"]) == 0
    assert "suggested difficulty" in capsys.readouterr().out
