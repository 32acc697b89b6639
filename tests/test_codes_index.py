"""The derived code index: structure facts the rest of the product relies on."""

from __future__ import annotations

from tutor.codes import CodeSets


def test_no_item_is_its_own_parent(codes: CodeSets) -> None:
    # 39 names are a block and a category at once (C50, Z68, O09 ...); none may loop on itself.
    rows = codes.index._con.execute("SELECT code FROM codes WHERE parent = code").fetchall()  # noqa: SLF001
    assert rows == []


def test_ancestors_of_block_categories_end(codes: CodeSets) -> None:
    assert codes.index.ancestors("C50.412") == ["C50.41", "C50.4", "C50"]
    assert codes.index.ancestors("Z68.32") == ["Z68.3", "Z68"]
    assert codes.index.ancestors("C50") == []


def test_excludes1_of_a_block_category_is_found(codes: CodeSets) -> None:
    # C50's own Excludes1 (skin of breast, C44.5-) applies to every code below it.
    assert codes.excludes1_conflict("C50.412", "C44.501")
    assert not codes.excludes1_conflict("C50.412", "Z17.0")


def test_term_search_ranks_the_combination_code_near_the_top(codes: CodeSets) -> None:
    found = [code for code, _ in codes.search("diabetes kidney")][:5]
    assert "E11.22" in found


def test_seventh_characters_are_inherited_from_the_category(codes: CodeSets) -> None:
    entry = codes.cm("S72.001A")
    assert entry is not None and entry.seventh["A"] == "initial encounter for closed fracture"
    assert codes.cm("S72.001").seventh["D"].startswith("subsequent encounter")


def test_an_excludes1_range_covers_the_codes_between_its_ends(codes: CodeSets) -> None:
    # R73.03 (prediabetes) has Excludes1 "diabetes mellitus (E08-E13)": E11 lies inside the range.
    assert codes.excludes1_conflict("R73.03", "E11.9")
    assert codes.excludes1_conflict("R73.03", "E10.9")
    assert not codes.excludes1_conflict("R73.03", "I10")
    assert codes.excludes1_conflict("R73.03", "E16.2")  # hypoglycemia is named on its own
