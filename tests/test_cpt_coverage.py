"""The library covers the CPC exam's CPT sections (issue 13): counted from the bundled files.

A chart "is in" a CPT section when one of its answer key's procedure lines (the answer, not a
distractor) carries a CPT number in that section's range. The figures are floors the library
must keep: at least 300 charts, 150 of them assigning CPT, 10 keys in every section and 30 with
an E/M service.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

#: CPT sections by number range (CPT's own order; anesthesia's qualifying circumstances sit in medicine).
SECTIONS: dict[str, list[tuple[int, int]]] = {
    "anesthesia": [(100, 1999)],
    "integumentary": [(10004, 19499)],
    "musculoskeletal": [(20100, 29999)],
    "respiratory-cardiovascular": [(30000, 39999)],
    "digestive": [(40490, 49999)],
    "urinary-genital-endocrine": [(50010, 60699)],
    "nervous-eye-ear": [(61000, 69990)],
    "radiology": [(70010, 79999)],
    "pathology-lab": [(80047, 89398)],
    "medicine": [(90281, 99199), (99500, 99607)],
    "evaluation-management": [(99202, 99499)],
}


def section_of(code: str) -> str | None:
    if not (len(code) == 5 and code.isdigit()):
        return None
    number = int(code)
    # E/M sits inside medicine's numbers: the narrower range wins.
    if 99202 <= number <= 99499:
        return "evaluation-management"
    for name, ranges in SECTIONS.items():
        if any(low <= number <= high for low, high in ranges):
            return name
    return None


def charts() -> list[tuple[dict, dict | None]]:
    keys = {p.stem: p for p in (ROOT / "answer_keys").rglob("*.yaml")}
    found = []
    for path in sorted((ROOT / "exercises").rglob("*.yaml")):
        if "templates" in path.parts:
            continue
        exercise = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(exercise, dict) or exercise.get("kind") != "chart":
            continue
        key_path = keys.get(exercise["id"])
        key = yaml.safe_load(key_path.read_text(encoding="utf-8")) if key_path else None
        found.append((exercise, key))
    return found


def test_section_ranges_classify_known_numbers() -> None:
    assert [section_of(c) for c in ("00840", "12032", "20610", "33249", "45380", "52332",
                                    "64483", "71046", "88305", "96372", "99213", "J3301")] == [
        "anesthesia", "integumentary", "musculoskeletal", "respiratory-cardiovascular", "digestive",
        "urinary-genital-endocrine", "nervous-eye-ear", "radiology", "pathology-lab", "medicine",
        "evaluation-management", None]


def test_the_library_holds_the_cpt_charts_the_cpc_needs() -> None:
    library = charts()
    with_cpt = [(e, k) for e, k in library if "cpt" in e.get("assign", [])]
    per_section: Counter[str] = Counter()
    for _, key in with_cpt:
        lines = (key or {}).get("procedures") or []
        sections = {section_of(str(line.get("code", ""))) for line in lines if isinstance(line, dict)}
        per_section.update(s for s in sections if s)
    assert len(library) >= 300, len(library)
    assert len(with_cpt) >= 150, len(with_cpt)
    assert per_section["evaluation-management"] >= 30, per_section
    assert {s: n for s, n in per_section.items() if n < 10} == {}, per_section
    assert set(per_section) >= set(SECTIONS), per_section
