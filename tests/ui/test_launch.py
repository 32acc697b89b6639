"""The tutor's exit status: an unhandled error inside the TUI ends the process with a non-zero status.

Textual catches an exception raised inside the app, shows its traceback and sets the app's return
code to 1; ``medcode`` must hand that on rather than exit 0. Every known crash is fixed, so the
test injects one (the dashboard failing as it mounts) into a real ``medcode`` process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.conftest import ROOT

INJECTED = """
import sys
from tutor.ui.screens.dashboard import DashboardScreen

def fail(self):
    raise RuntimeError("an injected failure")

DashboardScreen.on_mount = fail
from tutor.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture
def private_cache(tmp_path: Path, code_cache: Path, codes) -> Path:
    """A private copy of the session's code index (built by the ``codes`` fixture when absent), so
    the tutor's start-up writes nothing into the shared cache."""
    index = sorted(code_cache.glob("codes-*.sqlite"))
    assert index, f"no code index in {code_cache}"
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(index[-1], cache)
    return cache


def run_tutor(tmp_path: Path, code_cache: Path, program: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MEDCODE_CACHE_DIR": str(code_cache), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", program, "--db", str(tmp_path / "progress.sqlite"),
                           "--trainee", "Ada"], env=env, cwd=tmp_path, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)


def test_an_unhandled_error_in_the_tutor_exits_non_zero(tmp_path: Path, private_cache: Path) -> None:
    done = run_tutor(tmp_path, private_cache, INJECTED)
    assert "an injected failure" in done.stdout + done.stderr
    assert done.returncode == 70  # EX_SOFTWARE, as for the command-line tools
