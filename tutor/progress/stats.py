"""Progress statistics toward the 95% code-accuracy target (SPEC section 5).

Pure functions over a list of ``Attempt``: no I/O and no clock. Input order does
not matter; attempts are put in time order (``submitted_at``, then ``id``) here.

Code accuracy is the audit-style rate the grader reports: correct codes over
graded codes (``codes_correct / codes_graded``), pooled over attempts, so an
attempt with ten codes weighs ten times one with a single code.

These are the plain shares (the last 100 codes, all time, per group). Whether the
trainee is at 95% is decided by the recency-weighted estimate in ``estimate.py``
(docs/progress.md); the old rule here (the Wilson lower bound over the last 100
codes, "N more correct codes in a row") told a 97% coder "not yet" 95% of the time.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from tutor.grading.outcomes import Outcome
from tutor.progress.attempt import Attempt

Z95 = 1.959963984540054  # the standard normal 97.5% quantile: a two-sided 95% interval
WORKDAY_MINUTES = 8 * 60
# Productivity the field expects (SPEC section 5), in charts per 8-hour day.
# Only these two are in the spec; other settings get no target rather than a guess.
PACE_TARGETS_PER_DAY: dict[str, tuple[int, int]] = {"inpatient": (15, 30), "outpatient": (50, 80)}
_NOT_ERRORS = frozenset({Outcome.CORRECT, Outcome.ALTERNATE})


def wilson_interval(correct: float, graded: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a proportion ``p = correct / n`` (``n = graded``).

        centre = (p + z²/2n) / (1 + z²/n)
        half   = z / (1 + z²/n) · √(p(1 − p)/n + z²/4n²)
        interval = (centre − half, centre + half)

    With no data (n = 0) it is (0, 1). Unlike p ± z·√(p(1−p)/n) it stays inside
    [0, 1] and does not collapse to a point at p = 1 (100 of 100 correct gives a
    lower bound of n / (n + z²) ≈ 0.963, not 1). The interval always contains p;
    the min/max below only absorb floating-point rounding at p = 0 or 1.
    """
    if graded <= 0:
        return (0.0, 1.0)
    p = correct / graded
    z2n = z * z / graded
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / graded + z2n / (4 * graded))
    return (max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p)))


@dataclass(frozen=True)
class Tally:
    """``correct`` out of ``graded`` (either may be fractional in a rolling window)."""

    graded: float
    correct: float

    @property
    def accuracy(self) -> float | None:
        """correct / graded, or None when nothing was graded."""
        return self.correct / self.graded if self.graded > 0 else None

    @property
    def interval(self) -> tuple[float, float]:
        """The Wilson 95% interval of ``accuracy`` (see ``wilson_interval``)."""
        return wilson_interval(self.correct, self.graded)


@dataclass(frozen=True)
class AccuracySummary:
    window: int
    rolling: Tally  # the last ``window`` graded codes (fewer if there are not that many)
    all_time: Tally


@dataclass(frozen=True)
class Pace:
    setting: str
    charts: int
    median_minutes: float
    target_minutes: tuple[float, float] | None
    """Minutes per chart the field's pace allows (fastest, slowest) over an 8-hour day, if known."""

    @property
    def charts_per_day(self) -> float | None:
        return WORKDAY_MINUTES / self.median_minutes if self.median_minutes > 0 else None

    @property
    def on_pace(self) -> bool | None:
        """At or under the slowest allowed minutes per chart; None without a target."""
        return None if self.target_minutes is None else self.median_minutes <= self.target_minutes[1]


def _counts(attempt: Attempt) -> tuple[int, int]:
    # Clamped so a malformed report cannot push an accuracy outside [0, 1].
    graded = max(attempt.codes_graded, 0)
    return graded, min(max(attempt.codes_correct, 0), graded)


def _chronological(attempts: Iterable[Attempt]) -> list[Attempt]:
    return sorted(attempts, key=lambda attempt: (attempt.submitted_at, attempt.id))


class _NewestFirst:
    """Running totals of graded and correct codes, newest attempt first, for window queries."""

    def __init__(self, attempts: Iterable[Attempt]) -> None:
        self._graded, self._correct = [0], [0]
        for attempt in reversed(_chronological(attempts)):
            graded, correct = _counts(attempt)
            if graded:
                self._graded.append(self._graded[-1] + graded)
                self._correct.append(self._correct[-1] + correct)

    @property
    def total(self) -> Tally:
        return Tally(self._graded[-1], self._correct[-1])

    def newest(self, codes: float) -> Tally:
        """The newest ``codes`` graded codes. The attempt the window boundary cuts
        through counts in proportion: taking r of its g codes adds r·(its correct)/g."""
        if codes <= 0:
            return Tally(0, 0)
        if codes >= self._graded[-1]:
            return self.total
        i = bisect_left(self._graded, codes)  # the first attempt that fills the window
        graded_before, correct_before = self._graded[i - 1], self._correct[i - 1]
        share = (codes - graded_before) / (self._graded[i] - graded_before)
        return Tally(codes, correct_before + share * (self._correct[i] - correct_before))


def code_accuracy(attempts: Sequence[Attempt], window: int = 100) -> AccuracySummary:
    """Code accuracy over the last ``window`` graded codes and over all time.

    Rolling: walk the attempts newest first, adding codes_graded and
    codes_correct until ``window`` codes are in; the attempt that overflows the
    window contributes the fraction of it that fits (see ``_NewestFirst.newest``).
    """
    if window < 1:
        raise ValueError("window must be at least one code")
    history = _NewestFirst(attempts)
    return AccuracySummary(window=window, rolling=history.newest(window), all_time=history.total)


def record_accuracy(attempts: Sequence[Attempt]) -> Tally:
    """Attempts with every element correct, out of all attempts."""
    return Tally(len(attempts), sum(1 for attempt in attempts if attempt.record_correct))


def _by_key(attempts: Sequence[Attempt], keys: Callable[[Attempt], Iterable[str]]) -> dict[str, Tally]:
    totals: dict[str, tuple[int, int]] = {}
    for attempt in attempts:
        graded, correct = _counts(attempt)
        for key in dict.fromkeys(keys(attempt)):  # a key listed twice counts once
            old_graded, old_correct = totals.get(key, (0, 0))
            totals[key] = (old_graded + graded, old_correct + correct)
    return {key: Tally(*totals[key]) for key in sorted(totals)}


def by_code_set(attempts: Sequence[Attempt]) -> dict[str, Tally]:
    """Code accuracy per code set. Each attempt's codes count in full toward every
    code set it assigns, so the per-set graded counts may add up to more than the total."""
    return _by_key(attempts, lambda attempt: attempt.code_sets)


def by_topic(attempts: Sequence[Attempt]) -> dict[str, Tally]:
    """Code accuracy per topic, each attempt's codes counting in full toward each of its topics."""
    return _by_key(attempts, lambda attempt: attempt.topics)


def outcome_counts(attempts: Sequence[Attempt]) -> Counter[str]:
    """How often each error outcome occurred across all findings (CORRECT and ALTERNATE left out)."""
    return Counter(
        finding.outcome
        for attempt in attempts
        for finding in attempt.report.findings
        if finding.outcome not in _NOT_ERRORS
    )


def weakest_topics(attempts: Sequence[Attempt], n: int = 5, min_codes: int = 3) -> list[tuple[str, Tally]]:
    """The ``n`` topics with the lowest code accuracy among those with at least
    ``min_codes`` graded codes; ties go to the topic with more evidence, then by name."""
    candidates = [(topic, tally) for topic, tally in by_topic(attempts).items() if tally.graded >= max(min_codes, 1)]
    candidates.sort(key=lambda item: (item[1].accuracy, -item[1].graded, item[0]))
    return candidates[:n]


def pace(attempts: Sequence[Attempt]) -> dict[str, Pace]:
    """Median minutes per chart (submitted_at − started_at) per setting, with the target range.

    A target of a–b charts per 8-hour day is 480/b to 480/a minutes per chart:
    inpatient 15–30 charts is 16–32 minutes, outpatient 50–80 encounters is
    6–9.6 minutes. Attempts without a setting (multiple choice) or with a
    negative duration (a clock change) are left out.
    """
    minutes: dict[str, list[float]] = {}
    for attempt in attempts:
        if attempt.setting and attempt.minutes >= 0:
            minutes.setdefault(attempt.setting, []).append(attempt.minutes)
    result = {}
    for setting in sorted(minutes):
        per_day = PACE_TARGETS_PER_DAY.get(setting)
        target = None if per_day is None else (WORKDAY_MINUTES / per_day[1], WORKDAY_MINUTES / per_day[0])
        result[setting] = Pace(setting, len(minutes[setting]), statistics.median(minutes[setting]), target)
    return result


def trend(attempts: Sequence[Attempt], bucket: int = 1) -> list[float]:
    """Code accuracy per attempt, or pooled per ``bucket`` consecutive attempts, oldest first.

    Attempts with no graded codes are skipped; the last bucket may be short.
    """
    if bucket < 1:
        raise ValueError("bucket must be at least one attempt")
    graded = [_counts(attempt) for attempt in _chronological(attempts) if _counts(attempt)[0] > 0]
    values = []
    for start in range(0, len(graded), bucket):
        chunk = graded[start:start + bucket]
        values.append(sum(correct for _, correct in chunk) / sum(count for count, _ in chunk))
    return values
