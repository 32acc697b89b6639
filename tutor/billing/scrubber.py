"""The claim scrubber: the front-end edits a biller runs before a professional claim goes out.

Each edit mirrors what a payer's front end or the Medicare Code Editor would
reject (SPEC, domain notes on claim scrubbing). The procedure-pair, unit-limit
and modifier tables are shipped educational excerpts, labelled as such.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files

from tutor.codes import CodeSets, CodeSystem, Validity
from tutor.codes.normalize import clean, infer_procedure_system, normalize_modifier
from tutor.content.billing import POINTERS, Claim
from tutor.content.models import Patient

SIDES = {"LT", "RT"}
DISTINCT = {"59", "XE", "XS", "XP", "XU"}
# NCCI-associated modifiers: they may bypass a PTP edit whose modifier indicator is 1.
NCCI_ASSOCIATED = DISTINCT | SIDES | {
    "24", "25", "27", "57", "58", "78", "79", "91", "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5",
    "F6", "F7", "F8", "F9", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "LC", "LD", "RC",
}


@dataclass(frozen=True)
class ProcedureRule:
    em: bool
    bilateral: int
    pctc: int
    paired: bool


@dataclass(frozen=True)
class ScrubFinding:
    edit: str
    line: int | None  # 1-based service line
    diagnosis: str | None  # diagnosis slot letter
    message: str

    def where(self) -> str:
        return f"line {self.line}" if self.line else f"diagnosis {self.diagnosis}"


def _rows(name: str) -> list[dict[str, str]]:
    text = files("tutor.billing").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO("\n".join(l for l in text.splitlines() if not l.startswith("#")))))


@cache
def procedure_rules() -> dict[str, ProcedureRule]:
    return {r["code"]: ProcedureRule(r["em"] == "1", int(r["bilateral"]), int(r["pctc"]), r["paired"] == "1")
            for r in _rows("procedure_rules.csv")}


@cache
def ptp_pairs() -> dict[tuple[str, str], tuple[int, str]]:
    return {(r["column1"], r["column2"]): (int(r["modifier_indicator"]), r["principle"])
            for r in _rows("ptp_excerpt.csv")}


@cache
def unit_limits() -> dict[str, int]:
    return {r["code"]: int(r["max_units"]) for r in _rows("unit_limits.csv")}


@cache
def reason_codes() -> tuple[dict[str, str], dict[str, str]]:
    """(CARC, RARC) descriptions, in our own words."""
    return ({r["code"]: r["description"] for r in _rows("carc.csv")},
            {r["code"]: r["description"] for r in _rows("rarc.csv")})


def scrub(claim: Claim, when: date, patient: Patient, codes: CodeSets) -> list[ScrubFinding]:
    """Every front-end problem on a claim, diagnoses first, then lines in order."""
    findings = _diagnosis_edits(claim, when, patient, codes)
    for number, line in enumerate(claim.lines, start=1):
        findings += _line_edits(number, line, claim, when, codes)
    findings += _pair_edits(claim, when)
    return findings


def _diagnosis_edits(claim: Claim, when: date, patient: Patient, codes: CodeSets) -> list[ScrubFinding]:
    found: list[ScrubFinding] = []
    valid: list[tuple[str, str]] = []
    for letter, raw in zip(POINTERS, claim.diagnoses):
        check = codes.check(raw, CodeSystem.ICD10CM, when)
        if check.status is Validity.MISSING_7TH:
            found.append(ScrubFinding("MISSING_7TH", None, letter, check.message))
            continue
        if check.status.invalid:
            found.append(ScrubFinding("INVALID_DIAGNOSIS", None, letter, check.message))
            continue
        bare = check.code.replace(".", "")
        if codes.editor.age_conflict(bare, patient.age, when):
            found.append(ScrubFinding("AGE_CONFLICT", None, letter,
                                      f"{check.code} does not fit a patient aged {patient.age} (MCE age edit)"))
        if claim.payer != "medicare" and codes.editor.sex_conflict(bare, patient.sex):
            found.append(ScrubFinding("SEX_CONFLICT", None, letter,
                                      f"{check.code} does not fit a patient of sex {patient.sex} (payer sex edit)"))
        for other_letter, other in valid:
            if codes.excludes1_conflict(check.code, other):
                found.append(ScrubFinding("EXCLUDES1", None, letter,
                                          f"{check.code} and {other} (slot {other_letter}) are Excludes1: "
                                          "not reported together"))
        valid.append((letter, check.code))
    if valid and valid[0][0] == "A" and codes.editor.is_manifestation(valid[0][1].replace(".", ""), when):
        found.append(ScrubFinding("MANIFESTATION_FIRST", None, "A",
                                  f"{valid[0][1]} is a manifestation code ('in diseases classified elsewhere'): "
                                  "code the underlying condition first"))
    return found


def _line_edits(number: int, line, claim: Claim, when: date, codes: CodeSets) -> list[ScrubFinding]:
    found: list[ScrubFinding] = []

    def flag(edit: str, message: str) -> None:
        found.append(ScrubFinding(edit, number, None, message))

    code = clean(line.code).replace(".", "")
    system = infer_procedure_system(code)
    if system not in (CodeSystem.CPT, CodeSystem.HCPCS) or codes.check(code, system, when).status.invalid \
            or codes.check(code, system, when).status is Validity.UNKNOWN:
        flag("INVALID_PROCEDURE", f"{code} is not a valid CPT or HCPCS Level II code on {when.isoformat()}")
    modifiers = [normalize_modifier(m) for m in line.modifiers]
    rule = procedure_rules().get(code)
    reported: set[str] = set()  # modifiers already named by a combination edit: not flagged twice
    if "50" in modifiers and SIDES & set(modifiers):
        flag("MODIFIER_50_WITH_SIDE", f"{code}: modifier 50 already says both sides; do not add LT or RT")
        reported |= SIDES  # 50 itself is still checked: some codes take no 50 at all (69210)
    if "26" in modifiers and "TC" in modifiers:
        flag("MODIFIER_26_WITH_TC", f"{code}: 26 and TC are two halves of one service; never on the same line")
        reported |= {"26", "TC"}
    if "25" in modifiers and not (rule and rule.em):
        flag("MODIFIER_25_NOT_EM", f"{code}: modifier 25 belongs on the E/M service, not on the procedure")
    for modifier in modifiers:
        if modifier not in codes.modifiers:
            flag("MODIFIER_NOT_ALLOWED", f"{code}: '{modifier}' is not a known modifier")
        elif rule and modifier not in reported and _not_allowed(modifier, rule):
            flag("MODIFIER_NOT_ALLOWED", f"{code} does not take modifier {modifier} ({_why_not(modifier, rule)})")
    limit = unit_limits().get(code)
    if limit is not None and line.units > limit:
        flag("UNITS_OVER_LIMIT", f"{code}: {line.units} units is over the limit of {limit} per date of service")
    empty = [p for p in line.pointers if POINTERS.index(p) >= len(claim.diagnoses)]
    if not line.pointers or empty:
        flag("POINTER_EMPTY", f"{code}: " + (f"pointer {', '.join(empty)} points to an empty diagnosis slot"
                                              if empty else "no diagnosis pointer"))
    return found


def _not_allowed(modifier: str, rule: ProcedureRule) -> bool:
    if modifier == "50":
        return rule.bilateral != 1
    if modifier in ("26", "TC"):
        return rule.pctc != 1
    if modifier in SIDES:
        return not rule.paired
    return False


def _why_not(modifier: str, rule: ProcedureRule) -> str:
    if modifier == "50":
        return "inherently bilateral code" if rule.bilateral == 2 else "no bilateral payment for this code"
    if modifier in ("26", "TC"):
        return {0: "no professional/technical split", 2: "professional-only code", 3: "technical-only code",
                4: "global test only: bill the component code instead"}.get(rule.pctc, "no split")
    return "not a service on a paired body part"


def _pair_edits(claim: Claim, when: date) -> list[ScrubFinding]:
    found = []
    lines = [(n, clean(l.code), {normalize_modifier(m) for m in l.modifiers}, l.service_date or when)
             for n, l in enumerate(claim.lines, start=1)]
    for n1, code1, mods1, day1 in lines:
        for n2, code2, mods2, day2 in lines:
            pair = ptp_pairs().get((code1, code2))
            if pair is None or day1 != day2 or n1 == n2:
                continue
            indicator, principle = pair
            rule = procedure_rules().get(code2)
            # An E/M bundled into a procedure is freed only by 25 (or 57) on the E/M itself.
            bypass = mods2 & {"25", "57"} if rule and rule.em else (mods1 | mods2) & NCCI_ASSOCIATED
            bypassed = indicator == 1 and bool(bypass)
            if not bypassed:
                found.append(ScrubFinding("PTP_BUNDLED", n2, None,
                                          f"{code2} is bundled into {code1} on line {n1}: {principle}"
                                          + (" (modifier indicator 0: no modifier bypasses it)" if indicator == 0
                                             else " (modifier 25 on the E/M, when documented, bypasses it)"
                                             if rule and rule.em else
                                             " (a distinct-service modifier applies only when documented)")))
    return found
