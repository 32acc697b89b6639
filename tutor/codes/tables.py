"""Small shipped tables (HCPCS Level II excerpt, modifiers) and the user's own CPT file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path

from tutor.codes.normalize import clean, has_form, CodeSystem
from tutor.errors import TutorError

HCPCS_YEARS = (date(2025, 1, 1), date(2026, 12, 31))


@dataclass(frozen=True)
class HcpcsCode:
    code: str
    title: str
    per: str  # the descriptor's billing unit, e.g. "250 mg"


@dataclass(frozen=True)
class Modifier:
    code: str
    kind: str  # cpt | hcpcs
    group: str  # payment | anatomic | distinct | global | informational
    description: str


def _rows(text: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def _data(name: str) -> str:
    return files("tutor.codes").joinpath("data", name).read_text(encoding="utf-8")


def load_hcpcs() -> dict[str, HcpcsCode]:
    return {row["code"]: HcpcsCode(row["code"], row["title"], row["per"]) for row in _rows(_data("hcpcs_level2.csv"))}


def load_modifiers() -> dict[str, Modifier]:
    return {
        row["modifier"]: Modifier(row["modifier"], row["kind"], row["group"], row["description"])
        for row in _rows(_data("modifiers.csv"))
    }


def load_cpt_file(path: Path) -> dict[str, str]:
    """A licensed CPT file the user supplies: CSV rows of ``code,descriptor``.

    A header row is allowed; rows whose first cell is not a CPT-form code are skipped.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise TutorError(f"cannot read CPT file {path}: {exc.strerror or exc}") from exc
    table: dict[str, str] = {}
    for row in csv.reader(io.StringIO(text)):
        if len(row) < 2:
            continue
        code = clean(row[0])
        if has_form(code, CodeSystem.CPT):
            table[code] = row[1].strip()
    if not table:
        raise TutorError(f"{path}: no CPT rows found (expected CSV lines of code,descriptor)")
    return table
