"""The user's settings file (TOML), for what the command line would otherwise repeat.

``$MEDCODE_CONFIG`` or ``config.toml`` in the user config folder::

    content = ["~/class/cardiology-pack"]   # extra content packs (exercises/, answer_keys/, exams/)
    bundled = true                           # false: use only the packs above
    cpt_file = "~/licensed/cpt-2026.csv"     # your licensed CPT file
    db = "~/coding/progress.sqlite"          # progress database
    trainee = "Ana"
    half_life = 200                          # codes: older work counts half after this many newer codes
    target_probability = 0.8                 # how sure the tutor must be of 95% before it says so

Command-line options win over the file. docs/progress.md explains the last two.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from tutor.errors import TutorError
from tutor.paths import APP_NAME
from tutor.textsafe import has_control_characters, printable


@dataclass(frozen=True)
class Settings:
    content: tuple[Path, ...] = ()
    bundled: bool = True
    cpt_file: Path | None = None
    db: Path | None = None
    trainee: str | None = None
    half_life: float | None = None
    target_probability: float | None = None
    source: Path | None = field(default=None, compare=False)


def config_path() -> Path:
    override = os.environ.get("MEDCODE_CONFIG")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def load_settings() -> Settings:
    """The settings file's values, each of the type it must have; no file at the default place is no settings.

    A file named by ``MEDCODE_CONFIG`` that is not there is an error: a typo in its name would otherwise
    silently drop every setting.
    """
    path = config_path()
    if not path.exists():
        if os.environ.get("MEDCODE_CONFIG"):
            raise TutorError(f"{path}: no such settings file (named by MEDCODE_CONFIG)")
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TutorError(f"{path}: cannot read the settings file: {exc}") from exc
    unknown = set(data) - {"content", "bundled", "cpt_file", "db", "trainee", "half_life", "target_probability"}
    if unknown:
        raise TutorError(f"{path}: unknown setting(s): {', '.join(sorted(unknown))}")

    def wrong(name: str, must: str, value: object) -> TutorError:
        return TutorError(f"{path}: '{name}' must be {must} (not {_kind_of(value)})")

    def as_path(name: str) -> Path | None:
        value = data.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise wrong(name, "a path in a string", value)
        return Path(value).expanduser()

    content = data.get("content", [])
    if not isinstance(content, list) or not all(isinstance(c, str) and c for c in content):
        raise wrong("content", "a list of folders", content)
    bundled = data.get("bundled", True)
    if not isinstance(bundled, bool):  # "false" in quotes is a string, and a non-empty string is true
        raise wrong("bundled", "true or false", bundled)
    trainee = data.get("trainee")
    if trainee is not None and not isinstance(trainee, str):
        raise wrong("trainee", "a string", trainee)
    if trainee and has_control_characters(trainee):
        raise TutorError(f"{path}: 'trainee' must be one line of plain text, not '{printable(trainee, one_line=True)}'")
    def number(name: str, what: str, range_name: str) -> float | None:
        value = data.get(name)
        if value is None:
            return None
        # Only for a file that sets it: the progress package costs ~0.1 s to import, on every command.
        from tutor.progress import estimate

        bounds: tuple[float, float] = getattr(estimate, range_name)
        must = f"{what} from {bounds[0]:g} to {bounds[1]:g}"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise wrong(name, must, value)
        if not bounds[0] <= value <= bounds[1]:  # nan and inf too
            raise TutorError(f"{path}: '{name}' must be {must}, not {value:g}")
        return float(value)

    return Settings(
        content=tuple(Path(c).expanduser() for c in content), bundled=bundled,
        cpt_file=as_path("cpt_file"), db=as_path("db"), trainee=trainee or None,
        half_life=number("half_life", "a number of codes", "HALF_LIFE_RANGE"),
        target_probability=number("target_probability", "a probability", "SURE_RANGE"), source=path,
    )


def _kind_of(value: object) -> str:
    """How a TOML value reads to the person who wrote it ("a string", "a list holding an integer")."""
    if isinstance(value, list):
        odd = next((item for item in value if not isinstance(item, str) or not item), None)
        return f"a list holding {_kind_of(odd)}" if odd is not None else "a list"
    if isinstance(value, str):
        return "an empty string" if not value else "a string"
    names = {bool: "a boolean", int: "an integer", float: "a number", dict: "a table"}
    return next((name for kind, name in names.items() if isinstance(value, kind)), "a date or time")
