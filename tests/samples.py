"""Sample content and settings shared by several test files (imported as ``samples``: conftest.py puts
this folder's parent on sys.path and pytest puts this folder there too, as for ``simulation``)."""

from __future__ import annotations

from pathlib import Path

import pytest

#: A one-document outpatient chart: type 2 diabetes on metformin.
DM2 = """\
format: 1
id: dm2
kind: chart
title: Type 2 diabetes follow-up
setting: outpatient
date_of_service: 2026-03-14
patient: {age: 58, sex: F}
assign: [icd10cm]
difficulty: 2
documents:
  - type: progress_note
    title: Office visit
    text: Type 2 diabetes, controlled on metformin.
"""

#: A ``dm2`` key requiring E11.9 alone.
DM2_KEY_E11_9 = """\
format: 1
exercise: dm2
diagnoses:
  - code: E11.9
    rationale: Type 2 diabetes, no complication documented (OCG I.C.4.a).
"""

#: The full key of ``DM2``: E11.9 and Z79.84 for the metformin.
DM2_KEY = DM2_KEY_E11_9 + """\
  - code: Z79.84
    rationale: Metformin is an oral hypoglycemic (OCG I.C.4.a.3).
"""


def isolate_cli(monkeypatch: pytest.MonkeyPatch, code_cache: Path, tmp_path: Path) -> None:
    """The CLI opens its own code sets: the session's index, no CPT file, and no real user folders
    (data under ``tmp_path``, no settings file unless a test writes one)."""
    monkeypatch.setenv("MEDCODE_CACHE_DIR", str(code_cache))
    monkeypatch.setenv("MEDCODE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))  # the default settings file: absent
    monkeypatch.delenv("MEDCODE_CONFIG", raising=False)
    monkeypatch.delenv("MEDCODE_CPT_FILE", raising=False)
