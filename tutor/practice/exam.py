"""Exam simulation: a seeded form after a profile's blueprint, the clock, and the score report.

Everything here is pure: the clock is passed in, randomness comes from the seed,
and persistence is the caller's (the state is plain data the store keeps).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tutor.content.exams import ExamProfile
from tutor.content.models import ChartExercise, McqExercise
from tutor.content.report import GradeReport


@dataclass(frozen=True)
class FormItem:
    exercise_id: str
    area: str


@dataclass(frozen=True)
class ExamForm:
    profile_id: str
    seed: int
    items: tuple[FormItem, ...]
    shortfall: dict[str, int]
    """Areas the bank could not fill, with how many items are missing (filled from other areas)."""


def _kind(exercise) -> str:
    """A profile's kinds: ``mcq`` for a question, ``chart`` for any record to work (a chart to code,
    a claim to scrub, a remittance to post); the exam serves each on its own screen."""
    return "mcq" if isinstance(exercise, McqExercise) else "chart"


def assemble(profile: ExamProfile, bank: Iterable[ChartExercise | McqExercise], seed: int) -> ExamForm:
    """Draw each area's items from the exercises tagged with it; never an item twice.

    The same profile, bank and seed always give the same form. When an area has
    too few items the form is topped up from the rest of the eligible bank
    (recorded in ``shortfall``) so the form keeps its length when it can.
    """
    rng = random.Random(f"{profile.id}/{profile.version}/{seed}")
    eligible = sorted((e for e in bank if _kind(e) in profile.kinds), key=lambda e: e.id)
    used: set[str] = set()
    items: list[FormItem] = []
    shortfall: dict[str, int] = {}
    for area in profile.areas:
        pool = [e.id for e in eligible if area.id in e.exam_areas and e.id not in used]
        rng.shuffle(pool)
        chosen = pool[: area.questions]
        used.update(chosen)
        items.extend(FormItem(ident, area.id) for ident in chosen)
        if len(chosen) < area.questions:
            shortfall[area.id] = area.questions - len(chosen)
    missing = sum(shortfall.values())
    if missing:
        rest = [e for e in eligible if e.id not in used]
        rng.shuffle(rest)
        for exercise in rest[:missing]:
            area = next((a for a in exercise.exam_areas if a in {x.id for x in profile.areas}), "other")
            items.append(FormItem(exercise.id, area))
    rng.shuffle(items)
    return ExamForm(profile.id, seed, tuple(items), shortfall)


# --- the session ---------------------------------------------------------------------


@dataclass
class ExamSession:
    """An exam in progress: answers (as drafts/submission data), flags and time used."""

    profile: ExamProfile
    form: ExamForm
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    current: int = 0
    elapsed_seconds: float = 0.0
    started_at: str | None = None
    finished: bool = False
    reports: dict[str, GradeReport] = field(default_factory=dict)
    """Items graded and recorded when the exam was handed in (so a retry records none twice)."""
    _last_tick: datetime | None = None

    @property
    def limit_seconds(self) -> float:
        return self.profile.time_limit_minutes * 60.0

    def remaining(self) -> float:
        return max(0.0, self.limit_seconds - self.elapsed_seconds)

    def expired(self) -> bool:
        return self.remaining() <= 0

    def resume(self, now: datetime) -> None:
        """Start (or restart after a crash) counting time from ``now``."""
        self._last_tick = now
        if self.started_at is None:
            self.started_at = now.isoformat()

    def tick(self, now: datetime) -> float:
        """Add the time since the last tick (or resume); returns the time remaining."""
        if self._last_tick is not None and now > self._last_tick:
            self.elapsed_seconds += (now - self._last_tick).total_seconds()
        self._last_tick = now
        return self.remaining()

    def answer(self, exercise_id: str, data: dict[str, Any]) -> None:
        self.answers[exercise_id] = data

    def toggle_flag(self, exercise_id: str) -> None:
        self.flags ^= {exercise_id}

    def to_state(self) -> dict[str, Any]:
        return {
            "items": [[i.exercise_id, i.area] for i in self.form.items],
            "shortfall": self.form.shortfall, "answers": self.answers, "flags": sorted(self.flags),
            "current": self.current, "elapsed_seconds": self.elapsed_seconds, "started_at": self.started_at,
        }

    @classmethod
    def from_state(cls, profile: ExamProfile, seed: int, state: Any) -> ExamSession:
        """The session a saved state describes; ``BrokenExam`` if the state is not one ``to_state`` writes."""
        if not isinstance(state, Mapping):
            raise BrokenExam("the saved exam is not a record of answers")
        items = state.get("items")
        if not (isinstance(items, list) and items and all(_is_item(i) for i in items)):
            raise BrokenExam("the saved exam has no readable list of items")
        answers, flags, shortfall = state.get("answers", {}), state.get("flags", []), state.get("shortfall", {})
        if not (isinstance(answers, dict) and all(isinstance(a, dict) for a in answers.values())):
            raise BrokenExam("the saved answers are not readable")
        if not (isinstance(flags, list) and all(isinstance(f, str) for f in flags)):
            raise BrokenExam("the saved flags are not readable")
        if not (isinstance(shortfall, dict) and all(type(n) is int for n in shortfall.values())):
            raise BrokenExam("the saved blueprint shortfall is not readable")
        current, elapsed = state.get("current", 0), state.get("elapsed_seconds", 0.0)
        started_at = state.get("started_at")
        if type(current) is not int or not 0 <= current < len(items):
            raise BrokenExam(f"the saved position ({current!r}) is not one of the {len(items)} items")
        if type(elapsed) not in (int, float) or not 0 <= elapsed < float("inf"):
            raise BrokenExam(f"the saved time used ({elapsed!r}) is not a number of seconds")
        if started_at is not None and not _is_moment(started_at):
            raise BrokenExam(f"the saved start time ({started_at!r}) is not a date and time")
        form = ExamForm(profile.id, seed, tuple(FormItem(e, a) for e, a in items), dict(shortfall))
        return cls(profile, form, answers=dict(answers), flags=set(flags), current=current,
                   elapsed_seconds=float(elapsed), started_at=started_at)


class BrokenExam(ValueError):
    """A saved exam that cannot be resumed (damaged, or written for content no longer loaded)."""


def _is_item(item: Any) -> bool:
    return isinstance(item, list) and len(item) == 2 and all(isinstance(part, str) for part in item)


def _is_moment(text: Any) -> bool:
    try:
        datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return False
    return True


# --- the score report ----------------------------------------------------------------


@dataclass(frozen=True)
class AreaScore:
    area: str
    title: str
    correct: int
    total: int

    @property
    def percent(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class ExamResult:
    profile: ExamProfile
    correct: int
    total: int
    areas: tuple[AreaScore, ...]
    passed: bool
    scaled: float | None
    reports: dict[str, GradeReport]

    @property
    def raw(self) -> float:
        return self.correct / self.total if self.total else 0.0


def item_correct(report: GradeReport) -> bool:
    """An item counts as right when its record is fully right (a chart item is one exam item)."""
    return report.record_correct


def score(profile: ExamProfile, form: ExamForm, reports: Mapping[str, GradeReport]) -> ExamResult:
    """Score a finished form; an unanswered item is wrong."""
    titles = {a.id: a.title for a in profile.areas}
    per_area: dict[str, list[int]] = {}
    for item in form.items:
        right = item.exercise_id in reports and item_correct(reports[item.exercise_id])
        tally = per_area.setdefault(item.area, [0, 0])
        tally[0] += int(right)
        tally[1] += 1
    areas = tuple(AreaScore(a, titles.get(a, a), c, t) for a, (c, t) in per_area.items())
    correct = sum(a.correct for a in areas)
    total = len(form.items)
    raw = correct / total if total else 0.0
    return ExamResult(profile, correct, total, areas, profile.passed(raw), profile.scaled_estimate(raw),
                      dict(reports))
