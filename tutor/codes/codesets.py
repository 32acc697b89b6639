"""The code-set facade used by the validator, the grader, the CLI and the tutor."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from tutor.codes import cms
from tutor.codes.excludes1 import Ref, ref_matches
from tutor.codes.index import Announce, CmEntry, CodeIndex, Progress, open_or_build
from tutor.codes.normalize import CodeSystem, has_form, normalize
from tutor.codes.tables import HCPCS_YEARS, HcpcsCode, Modifier, load_cpt_file, load_hcpcs, load_modifiers
from tutor.paths import cache_dir


class Validity(StrEnum):
    VALID = "valid"  # billable on the date
    UNVERIFIED = "unverified"  # right form, no table to check against (CPT without a licensed file)
    UNKNOWN = "unknown"  # right form, not in our shipped excerpt (HCPCS)
    HEADER = "header"  # a category or subcategory: truncated, needs more characters
    MISSING_7TH = "missing_7th"
    PLACEHOLDER = "placeholder"  # a placeholder X is missing
    NOT_IN_YEAR = "not_in_year"  # a real code, but not valid on this date
    NOT_A_CODE = "not_a_code"

    @property
    def invalid(self) -> bool:
        """Definitely not reportable: the grader marks such a code INVALID."""
        return self not in (Validity.VALID, Validity.UNVERIFIED, Validity.UNKNOWN)


@dataclass(frozen=True)
class CodeCheck:
    code: str  # normalised
    system: CodeSystem
    status: Validity
    title: str  # may be empty
    message: str  # one line for the trainee

    @property
    def billable(self) -> bool:
        return self.status is Validity.VALID


class CodeSets:
    """ICD-10-CM/PCS (index + CMS editor), HCPCS Level II and modifiers, optional CPT."""

    def __init__(self, index: CodeIndex, editor: cms.CmsEditor, cpt: dict[str, str] | None = None):
        self.index = index
        self.editor = editor
        self.hcpcs: dict[str, HcpcsCode] = load_hcpcs()
        self.modifiers: dict[str, Modifier] = load_modifiers()
        self.cpt = cpt
        # Checks and titles are pure functions of their arguments: cache them for grading speed.
        self._checks: dict[tuple[str, CodeSystem, date], CodeCheck] = {}
        self._titles: dict[tuple[str, CodeSystem], str] = {}
        self._groupings: dict[cms.GroupingClaim, cms.DrgResult] = {}

    @classmethod
    def open(cls, cache: Path | None = None, progress: Progress | None = None,
             cpt_file: Path | None = None, announce: Announce | None = None) -> CodeSets:
        """Open the index, building it if it is missing or damaged (``announce`` is told why, ``progress``
        how far); ``MEDCODE_CPT_FILE`` names a CPT file."""
        index = open_or_build(cache or cache_dir(), progress, announce)
        cpt_path = cpt_file or (Path(os.environ["MEDCODE_CPT_FILE"]) if os.environ.get("MEDCODE_CPT_FILE") else None)
        return cls(index, cms.CmsEditor(), load_cpt_file(cpt_path) if cpt_path else None)

    def close(self) -> None:
        self.editor.close()
        self.index.close()

    # --- single codes -------------------------------------------------------------

    def cm(self, code: str) -> CmEntry | None:
        return self.index.get(normalize(code, CodeSystem.ICD10CM))

    def title(self, code: str, system: CodeSystem) -> str:
        found = self._titles.get((code, system))
        if found is None:
            found = self._titles[(code, system)] = self._title(code, system)
            _bound(self._titles)
        return found

    def _title(self, code: str, system: CodeSystem) -> str:
        code = normalize(code, system)
        if system is CodeSystem.ICD10CM:
            entry = self.index.get(code)
            return entry.title if entry else ""
        if system is CodeSystem.ICD10PCS:
            return self.index.pcs_title(code) or ""
        if system is CodeSystem.HCPCS:
            found = self.hcpcs.get(code)
            return found.title if found else ""
        return (self.cpt or {}).get(code, "")

    def check(self, raw: object, system: CodeSystem, when: date) -> CodeCheck:
        """Validate a typed code for a date of service (discharge date for inpatient)."""
        key = (raw, system, when) if isinstance(raw, str) else None
        if key is not None and key in self._checks:
            return self._checks[key]
        result = self._check(raw, system, when)
        if key is not None:
            self._checks[key] = result
            _bound(self._checks)
        return result

    def _check(self, raw: object, system: CodeSystem, when: date) -> CodeCheck:
        code = normalize(raw, system)
        checker = {
            CodeSystem.ICD10CM: self._check_cm,
            CodeSystem.ICD10PCS: self._check_pcs,
            CodeSystem.HCPCS: self._check_hcpcs,
            CodeSystem.CPT: self._check_cpt,
        }[system]
        return checker(code, when)

    def _check_cm(self, code: str, when: date) -> CodeCheck:
        def result(status: Validity, title: str, message: str) -> CodeCheck:
            return CodeCheck(code, CodeSystem.ICD10CM, status, title, message)

        if not code:
            return result(Validity.NOT_A_CODE, "", "empty code")
        if not has_form(code, CodeSystem.ICD10CM):
            return result(Validity.NOT_A_CODE, "", f"{code} is not an ICD-10-CM code")
        entry = self.index.get(code)
        bare = code.replace(".", "")
        valid = self.editor.is_valid(bare, False, when) if cms.supports(when) else bool(entry and entry.billable)
        if valid:
            return result(Validity.VALID, entry.title if entry else "",
                          "billable" if entry else "billable (title not in the FY2026 tabular)")
        if entry and entry.billable:
            return result(Validity.NOT_IN_YEAR, entry.title, f"{code} is not valid on {when.isoformat()}")
        if entry:
            if entry.seventh and any(len(c.replace(".", "")) == 7 for c in self.index.children(code)):
                return result(Validity.MISSING_7TH, entry.title,
                              f"{code} needs a 7th character ({', '.join(sorted(entry.seventh))})")
            return result(Validity.HEADER, entry.title,
                          f"{code} is a {entry.kind}, not billable: code to the highest number of characters")
        fixed = self._placeholder_fix(bare)
        if fixed:
            return result(Validity.PLACEHOLDER, "", f"{code} is missing its placeholder X (did you mean {fixed}?)")
        return result(Validity.NOT_A_CODE, "", f"{code} is not an ICD-10-CM code")

    def _placeholder_fix(self, bare: str) -> str | None:
        """``S0600A`` -> ``S06.0X0A``: the code that inserting placeholder X's would give."""
        if not 4 <= len(bare) <= 6 or not bare[-1].isalpha():
            return None
        missing = 7 - len(bare)
        for positions in itertools.combinations(range(3, 7), missing):
            chars, source = [], iter(bare)
            for i in range(7):
                chars.append("X" if i in positions else next(source, ""))
            candidate = "".join(chars)
            dotted = f"{candidate[:3]}.{candidate[3:]}"
            entry = self.index.get(dotted)
            if entry and entry.billable:
                return dotted
        return None

    def _check_pcs(self, code: str, when: date) -> CodeCheck:
        def result(status: Validity, title: str, message: str) -> CodeCheck:
            return CodeCheck(code, CodeSystem.ICD10PCS, status, title, message)

        if not has_form(code, CodeSystem.ICD10PCS):
            if code and len(code) < 7 and code.isalnum():
                return result(Validity.HEADER, "", f"{code}: ICD-10-PCS codes have all 7 characters")
            return result(Validity.NOT_A_CODE, "", f"{code or 'empty code'} is not an ICD-10-PCS code")
        title = self.index.pcs_title(code) or ""
        valid = self.editor.is_valid(code, True, when) if cms.supports(when) else bool(title)
        if valid:
            return result(Validity.VALID, title, "valid" if title else "valid (title not in the packaged table)")
        if title:
            return result(Validity.NOT_IN_YEAR, title, f"{code} is not valid on {when.isoformat()}")
        return result(Validity.NOT_A_CODE, "", f"{code} is not an ICD-10-PCS code")

    def _check_hcpcs(self, code: str, when: date) -> CodeCheck:
        if not has_form(code, CodeSystem.HCPCS):
            return CodeCheck(code, CodeSystem.HCPCS, Validity.NOT_A_CODE, "", f"{code or 'empty code'} is not a HCPCS Level II code")
        found = self.hcpcs.get(code)
        if found and HCPCS_YEARS[0] <= when <= HCPCS_YEARS[1]:
            return CodeCheck(code, CodeSystem.HCPCS, Validity.VALID, found.title, f"per {found.per}")
        return CodeCheck(code, CodeSystem.HCPCS, Validity.UNKNOWN, "",
                         f"{code} is not in the bundled HCPCS Level II excerpt for {when.year}")

    def _check_cpt(self, code: str, when: date) -> CodeCheck:
        if not has_form(code, CodeSystem.CPT):
            return CodeCheck(code, CodeSystem.CPT, Validity.NOT_A_CODE, "", f"{code or 'empty code'} is not a CPT code")
        if self.cpt is None:
            return CodeCheck(code, CodeSystem.CPT, Validity.UNVERIFIED, "",
                             "CPT form OK (no licensed CPT file loaded to confirm it)")
        if code in self.cpt:
            return CodeCheck(code, CodeSystem.CPT, Validity.VALID, self.cpt[code], "in your CPT file")
        return CodeCheck(code, CodeSystem.CPT, Validity.NOT_A_CODE, "", f"{code} is not in your CPT file")

    # --- relations between codes --------------------------------------------------

    def excludes1_refs(self, code: str) -> tuple[Ref, ...]:
        """The Excludes1 references in force for an ICD-10-CM code: its own notes' and its ancestors'."""
        return self.index.excludes1_refs(normalize(code, CodeSystem.ICD10CM))

    def excludes1_conflict(self, first: str, second: str) -> bool:
        """Do two ICD-10-CM codes stand in an Excludes1 relation (either direction)?

        For many codes at once use ``Excludes1Relation(codes, self.excludes1_refs)``, not every pair.
        """
        a = normalize(first, CodeSystem.ICD10CM)
        b = normalize(second, CodeSystem.ICD10CM)
        return ref_matches(b, self.excludes1_refs(a)) or ref_matches(a, self.excludes1_refs(b))

    def group(self, claim: cms.GroupingClaim) -> cms.DrgResult:
        found = self._groupings.get(claim)
        if found is None:
            found = self._groupings[claim] = self.editor.group(claim)
            _bound(self._groupings)
        return found

    def search(self, text: str, system: CodeSystem = CodeSystem.ICD10CM, limit: int = 20) -> list[tuple[str, str]]:
        """Codes whose titles match ``text`` (ICD-10-CM, PCS, or the HCPCS/CPT tables)."""
        if system is CodeSystem.ICD10CM:
            return [(code, title) for code, title, _ in self.index.search(text, limit)]
        if system is CodeSystem.ICD10PCS:
            return self.index.search_pcs(text, limit)
        table = {c: h.title for c, h in self.hcpcs.items()} if system is CodeSystem.HCPCS else (self.cpt or {})
        words = text.lower().split()
        return [(c, t) for c, t in table.items() if all(w in t.lower() for w in words)][:limit]


def _bound(cache: dict, limit: int = 200_000) -> None:
    """Keep a memo from growing without end in a long batch run."""
    if len(cache) > limit:
        cache.clear()
