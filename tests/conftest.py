"""Shared fixtures: the real code sets (opened once per session), the grader, and small
factories that build exercises, answer keys and submissions with little boilerplate.

The code sets are the real ones (ICD-10-CM index, CMS editor and grouper): the tests
check the product against actual code-set facts, not against a fake. ``MEDCODE_CACHE_DIR``
points at a prebuilt index when set; otherwise the index is built once (about 4 s) into a
session temporary folder.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # plain `pytest` from a checkout, without installing the package
    sys.path.insert(0, str(ROOT))

from tutor.codes import CodeSets  # noqa: E402
from tutor.content.models import ChartExercise, ChartKey, Submission  # noqa: E402
from tutor.grading import Grader  # noqa: E402

# Grading calls a native library (the CMS grouper) and SQLite: timings vary, so no deadlines.
settings.register_profile("ci", deadline=None, max_examples=60)
settings.register_profile("dev", deadline=None, max_examples=15)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: The date of service every factory-made exercise has unless told otherwise (FY2026, April update).
DOS = date(2026, 5, 1)


# --- code sets --------------------------------------------------------------------


@pytest.fixture(scope="session")
def code_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the derived ICD-10-CM/PCS index lives for this session."""
    override = os.environ.get("MEDCODE_CACHE_DIR")
    return Path(override) if override else tmp_path_factory.mktemp("medcode-cache")


@pytest.fixture(scope="session")
def codes(code_cache: Path) -> Iterator[CodeSets]:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MEDCODE_CPT_FILE", raising=False)  # CPT stays form-checked only, whatever the shell says
        code_sets = CodeSets.open(code_cache)
    try:
        yield code_sets
    finally:
        code_sets.close()


@pytest.fixture(scope="session")
def grader(codes: CodeSets) -> Grader:
    return Grader(codes)


# --- content factories ------------------------------------------------------------


def _line(item: str | dict[str, Any]) -> dict[str, Any]:
    """A key line from a bare code, or a dict that may leave out the rationale."""
    if isinstance(item, str):
        item = {"code": item}
    return {"rationale": f"{item['code']} is documented in the chart.", **item}


def build_exercise(**overrides: Any) -> ChartExercise:
    """An outpatient ICD-10-CM chart dated ``DOS``; ``age``/``sex`` set the patient."""
    patient = {"age": overrides.pop("age", 58), "sex": overrides.pop("sex", "F")}
    data: dict[str, Any] = {
        "format": 1, "id": "ex-1", "kind": "chart", "title": "A chart", "setting": "outpatient",
        "date_of_service": DOS, "patient": patient, "assign": ["icd10cm"], "difficulty": 2,
        "documents": [{"type": "progress_note", "title": "Visit", "text": "As documented."}],
    }
    data.update(overrides)
    return ChartExercise.model_validate(data)


def build_key(*diagnoses: str | dict[str, Any], procedures: tuple | list = (), **overrides: Any) -> ChartKey:
    """``build_key("E11.9", {"code": "Z79.84", "optional": True}, procedures=["99213"], drg="193")``."""
    data: dict[str, Any] = {
        "format": 1, "exercise": "ex-1",
        "diagnoses": [_line(d) for d in diagnoses],
        "procedures": [_line(p) for p in procedures],
    }
    data.update(overrides)
    return ChartKey.model_validate(data)


def build_submission(*diagnoses: str | dict[str, Any], procedures: tuple | list = (), **overrides: Any) -> Submission:
    """``build_submission("E11", {"code": "E87.1", "poa": "Y"}, procedures=[{"code": "20610"}])``."""
    data: dict[str, Any] = {"exercise": "ex-1", "diagnoses": list(diagnoses), "procedures": list(procedures)}
    data.update(overrides)
    return Submission.model_validate(data)


@pytest.fixture(scope="session")
def make_exercise() -> Callable[..., ChartExercise]:
    return build_exercise


@pytest.fixture(scope="session")
def make_key() -> Callable[..., ChartKey]:
    return build_key


@pytest.fixture(scope="session")
def make_submission() -> Callable[..., Submission]:
    return build_submission
