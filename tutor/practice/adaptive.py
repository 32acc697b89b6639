"""Adaptive practice: spaced repetition (FSRS), weak topics, unseen material, and drills.

The mix behind "practise next", in order of preference for each pick:

1. an exercise **due** again under its FSRS schedule (most overdue first), with
   probability 0.6 when any are due;
2. an unmastered exercise in the trainee's **weakest topic**, probability 0.25;
3. an **unseen** exercise, easiest first, probability 0.15;

falling through to whichever source has something when the drawn one is empty,
and to the least recently practised exercise when all are. The draw uses a
seeded generator, so the same seed, history and clock give the same choice.

Each attempt is one FSRS review, its rating taken from the grade: a fully
correct record is Good (Easy when it also took under half the median time),
code accuracy of at least 75% is Hard, anything less is Again. A missed
exercise therefore comes due again soon; a mastered one drifts away.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from statistics import median

from fsrs import Card, Rating, Scheduler

from tutor.content.models import ChartExercise, McqExercise
from tutor.grading.outcomes import Outcome
from tutor.practice.status import Status, statuses
from tutor.progress.attempt import Attempt
from tutor.progress.stats import weakest_topics

Exercise = ChartExercise | McqExercise
MIX = (("due", 0.60), ("weak", 0.25), ("new", 0.15))

# Which tags practise which error: the drill for an outcome serves exercises with these topics.
DRILL_TOPICS: dict[str, tuple[str, ...]] = {
    Outcome.WRONG_LATERALITY: ("laterality",),
    Outcome.WRONG_ENCOUNTER_7TH: ("seventh-character", "injury", "aftercare"),
    Outcome.INVALID: ("seventh-character", "placeholder"),
    Outcome.WRONG_SPECIFICITY: ("combination-codes", "diabetes", "ckd", "heart-failure"),
    Outcome.WRONG_CODE: ("combination-codes", "etiology-manifestation"),
    Outcome.SEQUENCING: ("sequencing", "etiology-manifestation", "poisoning", "adverse-effect", "sepsis"),
    Outcome.EXCLUDES1: ("excludes1",),
    Outcome.EXTRA_CODE: ("integral-symptoms", "uncertain-diagnosis"),
    Outcome.MISSING_CODE: ("z-codes", "chronic-conditions", "external-cause"),
    Outcome.WRONG_POA: ("poa",),
    Outcome.MISSING_MODIFIER: ("modifiers",),
    Outcome.WRONG_MODIFIER: ("modifiers",),
    Outcome.WRONG_UNITS: ("units", "drug-units"),
    Outcome.WRONG_DRG: ("drg", "cc-mcc"),
    # Query charts carry the topic tag "query" (and where they have one, the query's own topic).
    Outcome.MISSED_QUERY: ("query", "clinical-validity", "conflicting-documentation"),
    Outcome.UNNEEDED_QUERY: ("query",),
}


def rating(attempt: Attempt, typical_minutes: float | None = None) -> Rating:
    if attempt.record_correct:
        if typical_minutes and attempt.minutes < typical_minutes / 2:
            return Rating.Easy
        return Rating.Good
    if attempt.code_accuracy >= 0.75:
        return Rating.Hard
    return Rating.Again


def schedule(attempts: Sequence[Attempt]) -> dict[str, Card]:
    """Each practised exercise's FSRS card after replaying its attempts in order (no fuzz)."""
    # Charts are practised days apart, not minutes: no intra-day learning steps; a missed
    # exercise is relearned the next day.
    scheduler = Scheduler(learning_steps=(), relearning_steps=(timedelta(days=1),), enable_fuzzing=False)
    typical = median([a.minutes for a in attempts]) if attempts else None
    cards: dict[str, Card] = {}
    for attempt in sorted(attempts, key=lambda a: (a.submitted_at, a.id)):
        card = cards.get(attempt.exercise_id) or Card(card_id=1)
        cards[attempt.exercise_id], _ = scheduler.review_card(card, rating(attempt, typical), attempt.submitted_at)
    return cards


def due(attempts: Sequence[Attempt], now: datetime) -> list[str]:
    """Exercise ids due at ``now``, most overdue first."""
    cards = schedule(attempts)
    return [ident for ident, card in sorted(cards.items(), key=lambda kv: (kv[1].due, kv[0])) if card.due <= now]


def _mastered(attempts: Sequence[Attempt]) -> set[str]:
    ordered = sorted(attempts, key=lambda a: (a.submitted_at, a.id))
    return {ident for ident, status in statuses(ordered).items() if status is Status.MASTERED}


def practise_next(exercises: Sequence[Exercise], attempts: Sequence[Attempt], now: datetime,
                  seed: int = 0, skip: str | None = None) -> tuple[str, str] | None:
    """(exercise id, why) for the next practice item, or None when there are no exercises."""
    available = {e.id: e for e in exercises if e.id != skip}
    if not available:
        return None
    seen = {a.exercise_id for a in attempts}
    mastered = _mastered(attempts)
    weak = [topic for topic, _ in weakest_topics(attempts, n=3)]
    sources = {
        "due": [i for i in due(attempts, now) if i in available],
        "weak": sorted((e.id for e in available.values() if e.id not in mastered
                        and any(t in e.topics for t in weak[:1])),
                       key=lambda i: (i in seen, available[i].difficulty, i)),
        "new": sorted((e.id for e in available.values() if e.id not in seen),
                      key=lambda i: (available[i].difficulty, i)),
    }
    rng = random.Random(f"{seed}/{len(attempts)}")
    draw = rng.random()
    order = [name for name, _ in MIX]
    cumulative = 0.0
    for name, share in MIX:
        cumulative += share
        if draw < cumulative:
            order.remove(name)
            order.insert(0, name)
            break
    for name in order:
        if sources[name]:
            return sources[name][0], name
    last_seen = {a.exercise_id: a.submitted_at for a in attempts}
    oldest = min(available, key=lambda i: (last_seen.get(i, datetime.min.replace(tzinfo=now.tzinfo)), i))
    return oldest, "review"


def drill(outcome: str, exercises: Sequence[Exercise], attempts: Sequence[Attempt], limit: int = 10) -> list[str]:
    """Exercises that practise one error outcome: those where the trainee made it, then tagged ones."""
    made_it = []
    for attempt in sorted(attempts, key=lambda a: (a.submitted_at, a.id), reverse=True):
        if any(f.outcome == outcome for f in attempt.report.findings) and attempt.exercise_id not in made_it:
            made_it.append(attempt.exercise_id)
    known = {e.id for e in exercises}
    seen = {a.exercise_id for a in attempts}
    tags = DRILL_TOPICS.get(outcome, ())
    tagged = sorted((e for e in exercises if any(t in e.topics for t in tags) and e.id not in made_it),
                    key=lambda e: (e.id in seen, e.difficulty, e.id))
    return ([i for i in made_it if i in known] + [e.id for e in tagged])[:limit]


def most_frequent_error(attempts: Sequence[Attempt], since: timedelta | None = None,
                        now: datetime | None = None) -> str | None:
    """The non-correct outcome the trainee makes most (optionally within a recent period)."""
    from tutor.progress.stats import outcome_counts

    recent = [a for a in attempts if since is None or now is None or a.submitted_at >= now - since]
    counts = outcome_counts(recent).most_common(1)
    return counts[0][0] if counts else None
