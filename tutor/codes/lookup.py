"""What ``medcode lookup CODE`` prints: a code's card."""

from __future__ import annotations

import re
from datetime import date

from tutor.codes.codesets import CodeSets
from tutor.codes.normalize import CodeSystem, clean, infer_procedure_system

_CODE_LIKE = re.compile(r"^[A-Z0-9]{3,7}$|^[A-Z][0-9A-Z]{2}\.[0-9A-Z]{0,4}$")


def looks_like_code(text: str) -> bool:
    return bool(_CODE_LIKE.match(clean(text))) and any(ch.isdigit() for ch in text)


def guess_system(raw: str, codes: CodeSets) -> CodeSystem:
    """Which code set a code typed without context most likely belongs to."""
    bare = clean(raw).replace(".", "")
    if "." in raw or len(bare) < 4:
        return CodeSystem.ICD10CM
    if len(bare) == 7 and (bare[0].isdigit() or bare[1].isalpha()):
        return CodeSystem.ICD10PCS
    system = infer_procedure_system(bare)
    if system is CodeSystem.HCPCS and bare not in codes.hcpcs:
        return CodeSystem.ICD10CM  # E1165 is E11.65, not a Level II code
    return system if system in (CodeSystem.CPT, CodeSystem.HCPCS) else CodeSystem.ICD10CM


def describe(codes: CodeSets, raw: str, when: date, system: CodeSystem | None = None) -> str:
    system = system or guess_system(raw, codes)
    check = codes.check(raw, system, when)
    lines = [f"{check.code}  {check.title or '(no title)'}",
             f"  {system.value}, {check.status.value} on {when.isoformat()}: {check.message}"]
    if system is CodeSystem.ICD10CM:
        entry = codes.cm(check.code)
        if entry:
            if entry.parent:
                lines.append(f"  parent: {entry.parent}  category: {entry.category}  block: {entry.block}")
            for kind, label in (("excludes1", "Excludes1"), ("excludes2", "Excludes2"), ("code_first", "Code first"),
                                ("use_additional", "Use additional code"), ("code_also", "Code also"),
                                ("inclusion", "Includes")):
                for note in entry.note(kind):
                    lines.append(f"  {label}: {note}")
            for ancestor in codes.index.ancestors(check.code):
                above = codes.index.get(ancestor)
                for note in above.note("excludes1") if above else ():
                    lines.append(f"  Excludes1 (at {ancestor}): {note}")
            if entry.seventh:
                lines.append("  7th characters: " + "; ".join(f"{k} {v}" for k, v in sorted(entry.seventh.items())))
            if not entry.billable:
                children = codes.index.children(check.code)[:12]
                if children:
                    lines.append("  codes below: " + ", ".join(children))
    return "\n".join(lines)
