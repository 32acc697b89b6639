"""Where the product keeps its files: one place to ask, overridable for tests."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "medcode-tutor"
_PACKAGE_DIR = Path(__file__).resolve().parent


def cache_dir() -> Path:
    """Derived, rebuildable data (the code-set index). ``MEDCODE_CACHE_DIR`` overrides."""
    override = os.environ.get("MEDCODE_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME))


def data_dir() -> Path:
    """The trainee's own data (progress database, drafts). ``MEDCODE_DATA_DIR`` overrides."""
    override = os.environ.get("MEDCODE_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))


def bundled_dir(name: str) -> Path:
    """A bundled content tree (``exercises``, ``answer_keys``, ``exams``).

    An installed wheel carries them under ``tutor/_bundled``; a source checkout
    has them at the repository root.
    """
    packaged = _PACKAGE_DIR / "_bundled" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent / name
