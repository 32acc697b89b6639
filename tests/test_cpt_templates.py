"""The CPT-heavy generator templates (issue 13): every combination validates strictly (format,
warnings and the giveaway check) and grades itself; worked examples pin the exact key."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.test_generator import check_generated
from tutor.cli import main
from tutor.content.generator import Template, build, combinations, load_template, write

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "exercises" / "templates"
CPT_TEMPLATES = sorted(TEMPLATE_DIR.glob("cpt-*.yaml"))


def test_there_are_ten_cpt_templates() -> None:
    assert len(CPT_TEMPLATES) >= 10


@pytest.mark.parametrize("path", CPT_TEMPLATES, ids=lambda p: p.stem)
def test_every_combination_validates_strictly_and_grades_itself(path: Path, tmp_path: Path, codes, grader) -> None:
    template = load_template(path)
    choices = combinations(template)
    assert len(choices) >= 24
    made = [build(template, choice, random.Random(n), f"{template.id_prefix}-all-{n:03d}")
            for n, choice in enumerate(choices)]
    for item in made:
        check_generated(codes, grader, item.exercise, item.key)
    write(made, tmp_path / "exercises" / "generated", tmp_path / "answer_keys" / "generated")
    assert main(["validate", str(tmp_path), "--strict"]) == 0


def _choose(template: Template, **labels: str) -> tuple[int, ...]:
    """The combination whose options have these labels (slots not named: the first option)."""
    choice = []
    for slot, options in template.slots.items():
        wanted = labels.get(slot)
        index = 0 if wanted is None else [str(o.get("label")) for o in options].index(wanted)
        choice.append(index)
    return tuple(choice)


def _key(name: str, **labels: str) -> tuple[list[tuple], list[str]]:
    template = load_template(TEMPLATE_DIR / f"{name}.yaml")
    key = build(template, _choose(template, **labels), random.Random(0), "gen-x-001").key
    procs = [(p["code"], tuple(p.get("modifiers", [])), int(p["units"])) for p in key["procedures"]]
    return procs, [d["code"] for d in key["diagnoses"]]


def test_laceration_mixed_classes_in_one_group() -> None:
    procs, dx = _key("cpt-laceration-repair", body="scalp single layer 2.0 cm, forearm layered 3.2 cm",
                     face="3.4 cm layered")
    assert procs == [("12032", (), 1), ("12001", ("59",), 1), ("12052", (), 1)]
    assert dx == ["S01.81XA", "S01.01XA", "S51.811A"]


def test_laceration_same_class_summed() -> None:
    procs, _ = _key("cpt-laceration-repair", body="scalp and forearm single layer, 8.0 cm", face="1.8 cm single layer")
    assert procs == [("12004", (), 1), ("12011", (), 1)]


def test_colonoscopy_medicare_screening_turned_snare() -> None:
    procs, dx = _key("cpt-colonoscopy", c="Medicare high-risk screening, two polyps snared")
    assert procs == [("45385", ("PT",), 1)]
    assert dx == ["Z12.11", "Z80.0", "K63.5"]
    procs, _ = _key("cpt-colonoscopy", c="Medicare average-risk screening, normal")
    assert procs == [("G0121", (), 1)]
    procs, _ = _key("cpt-colonoscopy", c="commercial average-risk screening, normal")
    assert procs == [("45378", ("33",), 1)]
    procs, dx = _key("cpt-colonoscopy", c="commercial diagnostic, polyp removed with forceps")
    assert procs == [("45380", (), 1)] and dx == ["R19.7", "K63.5"]


def test_joint_injection_bilateral_by_payer() -> None:
    procs, dx = _key("cpt-joint-injection-guided", j="shoulder, ultrasound", s="bilateral, Medicare")
    assert procs == [("20611", ("50",), 1), ("J3301", (), 8)] and dx == ["M19.011", "M19.012"]
    procs, _ = _key("cpt-joint-injection-guided", j="ankle, landmark", s="bilateral, commercial (RT/LT lines)")
    assert procs == [("20605", ("RT",), 1), ("20605", ("LT",), 1), ("J3301", (), 8)]


def test_skin_excision_by_excised_diameter_with_layered_repair() -> None:
    procs, dx = _key("cpt-skin-excision", p="BCC", z="0.8 cm + 4 mm margins", r="layered closure")
    assert procs == [("11602", (), 1), ("12032", (), 1)] and dx == ["C44.519"]
    procs, _ = _key("cpt-skin-excision", p="seborrheic keratosis", z="0.6 cm + 2 mm margins", r="single-layer closure")
    assert procs == [("11401", (), 1)]


def test_office_and_ed_em_levels() -> None:
    procs, dx = _key("cpt-office-em-mdm", l="moderate, worsening T2DM", s="new")
    assert procs == [("99204", (), 1)] and dx == ["E11.65", "Z79.84"]
    procs, _ = _key("cpt-office-em-mdm", l="high, severe COPD flare", s="established")
    assert procs == [("99215", (), 1)]
    procs, _ = _key("cpt-ed-em-mdm", l="moderate, RLQ pain, CT negative")
    assert procs == [("99284", (), 1)]


def test_infusion_concurrent_and_sequential() -> None:
    procs, _ = _key("cpt-infusion-sequence", s="vancomycin with concurrent ceftriaxone and premed push")
    assert procs == [("96365", (), 1), ("96366", (), 1), ("96368", (), 1), ("96375", (), 1),
                     ("J3370", (), 2), ("J0696", (), 8), ("J1200", (), 1)]
    procs, _ = _key("cpt-infusion-sequence", s="hydration only, 1 h 45 min")
    assert procs == [("96360", (), 1), ("96361", (), 1), ("J7030", (), 1)]


def test_vaccine_counseling_components() -> None:
    procs, dx = _key("cpt-vaccine-visit", v="Tdap + MenACWY + HPV, physician counseling")
    assert procs == [("90715", (), 1), ("90734", (), 1), ("90651", (), 1), ("90460", (), 3), ("90461", (), 2)]
    assert dx == ["Z23"]
    procs, _ = _key("cpt-vaccine-visit", v="Tdap + MenACWY + HPV, nurse only")
    assert procs[-2:] == [("90471", (), 1), ("90472", (), 2)]


def test_fracture_care_with_manipulation() -> None:
    procs, dx = _key("cpt-fracture-care", s="distal radius, with manipulation, left")
    assert procs == [("25605", ("LT",), 1)] and dx == ["S52.532A"]


def test_pt_eight_minute_rule_vs_code_by_code() -> None:
    procs, _ = _key("cpt-pt-timed-units", v="97110 18 min+97140 18 min+97112 7 min, Medicare")
    assert procs == [("97110", ("GP",), 1), ("97140", ("GP",), 1), ("97112", ("GP",), 1)]
    procs, _ = _key("cpt-pt-timed-units", v="97110 18 min+97140 18 min+97112 7 min, commercial")
    assert procs == [("97110", ("GP",), 1), ("97140", ("GP",), 1)]
    procs, _ = _key("cpt-pt-timed-units", v="97110 23 min+97140 10 min, commercial")
    assert procs == [("97110", ("GP",), 2), ("97140", ("GP",), 1)]


def test_medicare_vaccine_g_codes_vs_commercial() -> None:
    procs, dx = _key("cpt-vaccine-medicare", v="flu + PCV20, Medicare Part B")
    assert procs == [("90662", (), 1), ("90677", (), 1), ("G0008", (), 1), ("G0009", (), 1)] and dx == ["Z23"]
    procs, _ = _key("cpt-vaccine-medicare", v="flu + PCV20, Retiree commercial plan")
    assert procs == [("90662", (), 1), ("90677", (), 1), ("90471", (), 1), ("90472", (), 1)]
