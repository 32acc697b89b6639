"""The user's settings file (TOML), for what the command line would otherwise repeat.

``$MEDCODE_CONFIG`` or ``config.toml`` in the user config folder::

    content = ["~/class/cardiology-pack"]   # extra content packs (exercises/, answer_keys/, exams/)
    bundled = true                           # false: use only the packs above
    cpt_file = "~/licensed/cpt-2026.csv"     # your licensed CPT file
    db = "~/coding/progress.sqlite"          # progress database
    trainee = "Ana"

Command-line options win over the file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from tutor.errors import TutorError
from tutor.paths import APP_NAME


@dataclass(frozen=True)
class Settings:
    content: tuple[Path, ...] = ()
    bundled: bool = True
    cpt_file: Path | None = None
    db: Path | None = None
    trainee: str | None = None
    source: Path | None = field(default=None, compare=False)


def config_path() -> Path:
    override = os.environ.get("MEDCODE_CONFIG")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def load_settings(path: Path | None = None) -> Settings:
    path = path or config_path()
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TutorError(f"{path}: cannot read the settings file: {exc}") from exc
    unknown = set(data) - {"content", "bundled", "cpt_file", "db", "trainee"}
    if unknown:
        raise TutorError(f"{path}: unknown setting(s): {', '.join(sorted(unknown))}")

    def as_path(value: object) -> Path | None:
        return Path(str(value)).expanduser() if value else None

    content = data.get("content", [])
    if not isinstance(content, list):
        raise TutorError(f"{path}: 'content' must be a list of folders")
    return Settings(
        content=tuple(Path(str(c)).expanduser() for c in content), bundled=bool(data.get("bundled", True)),
        cpt_file=as_path(data.get("cpt_file")), db=as_path(data.get("db")),
        trainee=str(data["trainee"]) if data.get("trainee") else None, source=path,
    )
