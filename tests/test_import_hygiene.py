"""The core never imports Textual (SPEC section 7), nor the 190 MB ICD-10-CM package at start-up.

Each check runs in a fresh interpreter, so what other tests imported cannot hide a leak.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Imports a module, or a package and every module below it, then lists the forbidden modules that got loaded.
PROBE = """
import importlib, pkgutil, sys
name = sys.argv[1]
package = importlib.import_module(name)
for info in pkgutil.walk_packages(getattr(package, "__path__", []), name + "."):
    importlib.import_module(info.name)
print(sorted({m.split(".")[0] for m in sys.modules} & {"textual", "simple_icd_10_cm"}))
"""

CORE = ["tutor.codes", "tutor.content", "tutor.grading", "tutor.progress", "tutor.practice"]


def imported_by(package: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", PROBE, package], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("package", CORE)
def test_the_core_never_imports_textual(package):
    if importlib.util.find_spec(package) is None:
        pytest.skip(f"{package} does not exist yet")
    assert imported_by(package) == "[]"


@pytest.mark.parametrize("module", ["tutor.cli", "tutor.commands"])
def test_the_command_line_tools_do_not_import_textual(module):
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} does not exist yet")
    assert imported_by(module) == "[]"


def test_the_probe_does_see_textual():
    """The probe itself works: a module that does import Textual is caught."""
    assert imported_by("textual.app") == "['textual']"
