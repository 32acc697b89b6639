"""Simulated trainees for the calibration tests (tests/test_progress_calibration.py) and docs/progress.md.

A trainee codes charts of 1 to 15 codes (uniformly), each code right with the trainee's true
accuracy at that point of their history, independently. Everything is seeded: the same call gives
the same figures. ``python tests/simulation.py`` prints the tables docs/progress.md quotes.

A decision rule is a function from a history (``(codes graded, codes right)`` per chart, oldest
first) to True ("at 95%") or False, so the product's rule and the old ones are tested alike.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tutor.progress.estimate import Policy, posterior, weigh  # noqa: E402
from tutor.progress.stats import wilson_interval  # noqa: E402

History = list[tuple[int, int]]
Rule = Callable[[History], bool]
Accuracy = Callable[[int], float]  # true accuracy at the n-th code (0-based)

CHART_SIZES = (1, 15)
TRAINEES = 2000  # per true accuracy: a shown rate is then known to within about ±1.8 points (2 SE at 80%)
CODES = 400

#: The acceptance (issue 21): after 400 graded codes, "at 95%" shown to at least 80% of trainees
#: at a true 97%, at most 5% at a true 92%, at most 1% at a true 90%.
ACCEPTANCE = ((0.97, ">=", 0.80), (0.92, "<=", 0.05), (0.90, "<=", 0.01))

#: The improving learner: 80% at the first code, 97% at the 600th, then steady.
RAMP_FROM, RAMP_TO, RAMP_CODES = 0.80, 0.97, 600


def ramp(code: int) -> float:
    return RAMP_FROM + (RAMP_TO - RAMP_FROM) * min(code, RAMP_CODES) / RAMP_CODES


def history(rng: random.Random, accuracy: float | Accuracy, codes: int) -> History:
    """Charts until at least ``codes`` codes are graded (the last chart is whole, as a real one is)."""
    at = (lambda _: accuracy) if isinstance(accuracy, float) else accuracy
    charts: History = []
    done = 0
    while done < codes:
        size = rng.randint(*CHART_SIZES)
        right = sum(rng.random() < at(done + i) for i in range(size))
        charts.append((size, right))
        done += size
    return charts


def prefixes(charts: History, checkpoints: Sequence[int]) -> dict[int, History]:
    """For each checkpoint, the history up to the first chart that reaches it."""
    result, done, index = {}, 0, 0
    for cut, (size, _) in enumerate(charts, start=1):
        done += size
        while index < len(checkpoints) and done >= checkpoints[index]:
            result[checkpoints[index]] = charts[:cut]
            index += 1
    return result


# --- decision rules -------------------------------------------------------------------------


def new_rule(policy: Policy = Policy()) -> Rule:
    """The product's: P(accuracy >= 95%) >= 0.8 under the recency-weighted posterior."""
    return lambda charts: posterior(weigh(charts, policy), policy).at_target


def last_codes(charts: History, window: int = 100) -> tuple[float, float]:
    """(graded, right) over the newest ``window`` codes, the chart the window cuts counted in
    proportion (as ``tutor.progress.stats.code_accuracy`` does)."""
    graded = right = 0.0
    for size, correct in reversed(charts):
        take = min(size, window - graded)
        graded += take
        right += correct * take / size
        if graded >= window:
            break
    return graded, right


def old_confident(charts: History) -> bool:
    """The old "at 95% with confidence": the Wilson 95% lower bound over the last 100 codes >= 95%."""
    graded, right = last_codes(charts)
    return graded > 0 and wilson_interval(right, graded)[0] >= 0.95


def old_at_target(charts: History) -> bool:
    """The old "at target": point accuracy over the last 100 codes >= 95%."""
    graded, right = last_codes(charts)
    return graded > 0 and right / graded >= 0.95


# --- the figures ----------------------------------------------------------------------------


def shown_rate(rule: Rule, accuracy: float, trainees: int = TRAINEES, codes: int = CODES, seed: int = 21) -> float:
    """The share of simulated trainees at a true ``accuracy`` shown "at 95%" after ``codes`` codes."""
    rng = random.Random(f"{seed}:{accuracy}")
    return sum(rule(history(rng, accuracy, codes)) for _ in range(trainees)) / trainees


@dataclass(frozen=True)
class Check:
    accuracy: float
    shown: float
    relation: str
    bound: float

    @property
    def passed(self) -> bool:
        return self.shown >= self.bound if self.relation == ">=" else self.shown <= self.bound

    def __str__(self) -> str:
        verdict = "ok" if self.passed else "FAILS"
        return (f"true {self.accuracy:.0%}: shown to {self.shown:.1%} of trainees after {CODES} codes "
                f"(must be {self.relation} {self.bound:.0%}) {verdict}")


def acceptance(rule: Rule, trainees: int = TRAINEES) -> list[Check]:
    return [Check(accuracy, shown_rate(rule, accuracy, trainees), relation, bound)
            for accuracy, relation, bound in ACCEPTANCE]


def coverage(policy: Policy, accuracy: float, codes: int, trainees: int = TRAINEES, seed: int = 7) -> float:
    """How often the 90% interval after ``codes`` codes holds the true (steady) accuracy."""
    rng = random.Random(f"{seed}:{accuracy}:{codes}")
    hits = 0
    for _ in range(trainees):
        low, high = posterior(weigh(history(rng, accuracy, codes), policy), policy).interval
        hits += low <= accuracy <= high
    return hits / trainees


@dataclass(frozen=True)
class RampPoint:
    codes: int
    true: float
    mean_estimate: float
    shown: float  # share of learners shown "at 95%"

    @property
    def lag(self) -> float:
        """Codes since the learner's true accuracy was the mean estimate (on the ramp only)."""
        return self.codes - (self.mean_estimate - RAMP_FROM) / (RAMP_TO - RAMP_FROM) * RAMP_CODES


def follow_ramp(policy: Policy, checkpoints: Sequence[int], learners: int = 400, seed: int = 3) -> list[RampPoint]:
    """Improving learners (80% to 97% over 600 codes, then steady): the mean estimate and the share
    shown "at 95%" at each checkpoint."""
    rng = random.Random(seed)
    sums = dict.fromkeys(checkpoints, 0.0)
    shown = dict.fromkeys(checkpoints, 0)
    for _ in range(learners):
        for codes, charts in prefixes(history(rng, ramp, max(checkpoints)), checkpoints).items():
            estimate = posterior(weigh(charts, policy), policy)
            sums[codes] += estimate.value or 0.0
            shown[codes] += estimate.at_target
    return [RampPoint(t, ramp(t), sums[t] / learners, shown[t] / learners) for t in checkpoints]


def mean_age(policy: Policy, codes: int) -> float:
    """The weighted mean age of ``codes`` codes: how far behind a steady trend the estimate sits,
    Σ a·d^a / Σ d^a over a = 0 .. codes - 1 (at most half_life / ln 2)."""
    d = policy.decay
    return sum(a * d ** a for a in range(codes)) / sum(d ** a for a in range(codes))


def sum_of_weights_coverage(policy: Policy, accuracy: float, codes: int, trainees: int, seed: int = 7) -> float:
    """Coverage of the rejected alternative: Beta(a0 + Σw·rate, b0 + Σw·(1 - rate))."""
    from tutor.progress.beta import beta_ppf

    rng = random.Random(f"{seed}:{accuracy}:{codes}")
    hits = 0
    for _ in range(trainees):
        evidence = weigh(history(rng, accuracy, codes), policy)
        rate = evidence.rate or 0.0
        a, b = policy.prior[0] + evidence.weight * rate, policy.prior[1] + evidence.weight * (1 - rate)
        hits += beta_ppf(0.05, a, b) <= accuracy <= beta_ppf(0.95, a, b)
    return hits / trainees


def _print_tables() -> None:  # pragma: no cover - run by hand for docs/progress.md
    print("Shown 'at 95%' after 400 codes (2,000 trainees each):")
    for name, rule in (("new", new_rule()), ("old Wilson lower bound", old_confident),
                       ("old point >= 95%", old_at_target)):
        print(f"  {name}:")
        for check in acceptance(rule):
            print(f"    {check}")
    print("Shown 'at 95%' by codes seen (default policy, 2,000 trainees each):")
    for accuracy in (0.90, 0.92, 0.95, 0.96, 0.97, 0.98):
        rates = [shown_rate(new_rule(), accuracy, codes=codes) for codes in (50, 100, 200, 400, 1000)]
        print(f"  true {accuracy:.0%}: " + "  ".join(f"{r:6.1%}" for r in rates) + "   (50, 100, 200, 400, 1000 codes)")
    print("Half-life and prior (shown at 90/92/97% after 400 codes; coverage at 97%, 400 codes; ramp):")
    for half_life in (150, 200, 250, 300):
        for prior in ((1.0, 1.0), (0.5, 0.5)):
            policy = Policy(half_life=half_life, prior=prior)
            rule = new_rule(policy)
            rates = [shown_rate(rule, a, 1000) for a in (0.90, 0.92, 0.97)]
            points = {p.codes: p for p in follow_ramp(policy, [600, 1000, 1200, 1400], learners=200)}
            print(f"  h={half_life} prior={prior}: " + " ".join(f"{r:.1%}" for r in rates)
                  + f"  coverage {coverage(policy, 0.97, 400, 1000):.3f}"
                  + f"  lag@600 {points[600].lag:.0f}  shown@1000 {points[1000].shown:.0%}"
                  + f" @1200 {points[1200].shown:.0%} @1400 {points[1400].shown:.0%}")
    policy = Policy()
    print("Coverage of the 90% interval (default policy, 2,000 trainees):")
    for codes in (100, 400, 1000):
        print(f"  {codes} codes: " + "  ".join(f"{a:.0%}: {coverage(policy, a, codes):.3f}"
                                               for a in (0.85, 0.90, 0.95, 0.97)))
    print("Coverage at 97% if the posterior counted Σw codes instead of Kish's effective number:")
    for codes in (400, 1000, 3000):
        print(f"  {codes} codes: {sum_of_weights_coverage(policy, 0.97, codes, 1000):.3f}")
    print("Ramp (default policy):")
    for point in follow_ramp(policy, list(range(100, 1401, 100))):
        print(f"  {point.codes} codes: true {point.true:.3f} mean estimate {point.mean_estimate:.3f} "
              f"lag {point.lag:.0f} (mean age {mean_age(policy, point.codes):.0f}) shown {point.shown:.0%}")
    print(f"  (mean age of the weights, limit: {Policy().half_life / math.log(2):.0f} codes)")


if __name__ == "__main__":  # pragma: no cover
    _print_tables()
    from test_progress_calibration import _exam_forecasts

    print("Exam readiness: predicted P(pass) against passes on a simulated form (by fifths of P):")
    for profile_id, trainees in (("cpc-2026", 800), ("mini", 1500)):
        rows = _exam_forecasts(profile_id, trainees, seed=6)
        groups: list[list[tuple[float, bool]]] = [[] for _ in range(5)]
        for p_pass, passed, _ in rows:
            groups[min(int(p_pass * 5), 4)].append((p_pass, passed))
        cells = [f"{sum(p for p, _ in g) / len(g):.2f}/{sum(x for _, x in g) / len(g):.2f} (n={len(g)})"
                 for g in groups if g]
        covered = sum(inside for *_, inside in rows) / len(rows)
        print(f"  {profile_id}: " + "  ".join(cells) + f"; 90% score range held the score {covered:.1%}")
