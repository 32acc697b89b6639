"""A trainee's current accuracy, and whether it is at the 95% target: the figures docs/progress.md explains.

Every graded code counts, newer ones more: a code's weight halves with every ``half_life`` codes
graded after it (w = 2^(-age / half_life)). The weighted share right is the current rate. Its
precision is that of ``effective`` = (Σw)² / Σw² independent codes (Kish's effective sample size),
so the estimate is the Beta posterior

    Beta(a0 + effective · rate,  b0 + effective · (1 - rate))

from a weak prior Beta(a0, b0). From it: the estimate (its mean), an equal-tailed 90% interval and
P(accuracy >= target). The verdict "at target" needs P >= ``sure`` (0.8) and ``min_codes`` codes.

Why Kish's effective size and not Σw: Σw counts the same codes as fewer than they are (with a
300-code half-life and 400 codes, Σw is 261 where the weighted rate varies as if from 373), so its
90% interval would cover a steady trainee's accuracy about 95% of the time, and, after a long
history, 98%. With Kish's size the interval covers at its nominal rate (the calibration tests),
and the weights still decide what "current" means. With no forgetting both are the plain count.

Pure functions: no I/O, no clock, no Textual. The same machinery serves code accuracy, record
accuracy (one trial per attempt), code sets, topics, questions, billing and exam areas.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from tutor.progress.attempt import Attempt
from tutor.progress.beta import beta_binomial_pmf, beta_cdf, beta_ppf, convolve

TARGET = 0.95
DEFAULT_HALF_LIFE = 200
"""Codes; see docs/progress.md for how it was chosen (the calibration tests hold from 150 to 300)."""
DEFAULT_SURE = 0.8
"""P(accuracy >= target) needed before the tutor says "at 95%"."""
HALF_LIFE_RANGE = (50, 5000)
SURE_RANGE = (0.5, 0.99)


@dataclass(frozen=True)
class Policy:
    """How the figures are computed; ``half_life`` and ``sure`` come from the settings file."""

    target: float = TARGET
    half_life: float = DEFAULT_HALF_LIFE
    sure: float = DEFAULT_SURE
    level: float = 0.90  # the interval's coverage
    prior: tuple[float, float] = (1.0, 1.0)  # as if one code right and one wrong before the first
    min_codes: int = 50  # before the verdict "at target" can be given
    weak_min_codes: int = 20  # before a topic can be called weak
    area_min_items: int = 5  # exam items (attempts) per blueprint area before an exam estimate
    area_prior_strength: float = 4.0  # an area's prior: worth this many items at the trainee's overall rate

    def __post_init__(self) -> None:
        if not self.half_life > 0:
            raise ValueError("the half-life must be a positive number of codes")
        if not 0 < self.sure < 1 or not 0 < self.level < 1 or not 0 < self.target < 1:
            raise ValueError("target, sure and level must lie strictly between 0 and 1")
        if min(self.prior) <= 0:
            raise ValueError("the prior's parameters must be positive")

    @property
    def decay(self) -> float:
        """The weight kept per newer code: 2^(-1 / half_life)."""
        return 2.0 ** (-1.0 / self.half_life)

    @property
    def max_effective(self) -> float:
        """The effective number of codes after an endless history: (1 + d) / (1 - d), about 2.885 half-lives."""
        d = self.decay
        return (1 + d) / (1 - d)


@dataclass(frozen=True)
class Evidence:
    """Recency-weighted trials: how many were seen, Σw, Σw² and Σw·(1 if right)."""

    seen: float = 0.0
    weight: float = 0.0
    weight_sq: float = 0.0
    correct: float = 0.0

    @property
    def effective(self) -> float:
        """Kish's effective sample size (Σw)² / Σw²: what the weighted rate is as precise as."""
        return self.weight * self.weight / self.weight_sq if self.weight_sq > 0 else 0.0

    @property
    def rate(self) -> float | None:
        """The weighted share right: the current rate; None with no evidence."""
        return min(1.0, max(0.0, self.correct / self.weight)) if self.weight > 0 else None


def _geometric(ratio: float, start: float, count: int) -> float:
    """ratio^start + ratio^(start+1) + ... (count terms)."""
    return ratio ** start * (1 - ratio ** count) / (1 - ratio) if ratio < 1 else float(count)


def weigh(series: Iterable[tuple[int, float]], policy: Policy, *, per_attempt: bool = False) -> Evidence:
    """Evidence from ``series``, oldest first: one ``(codes graded, right)`` pair per attempt.

    Codes (the default): an attempt's g codes have ages ``after`` .. ``after + g - 1``, where
    ``after`` is the codes graded after it; its share right is spread evenly over them (which of
    a chart's codes were wrong is not known here). ``per_attempt``: each attempt is one trial
    (``right`` is 1 or 0) aged by the codes graded after it, for record accuracy and exam items.
    """
    d = policy.decay
    seen = weight = weight_sq = correct = 0.0
    after = 0
    for graded, right in reversed(list(series)):
        graded = max(int(graded), 0)
        if per_attempt:
            w = d ** after
            seen, weight, weight_sq, correct = seen + 1, weight + w, weight_sq + w * w, correct + w * right
        elif graded:
            w = _geometric(d, after, graded)
            share = min(max(right, 0.0), graded) / graded
            seen, weight, correct = seen + graded, weight + w, correct + w * share
            weight_sq += _geometric(d * d, after, graded)
        after += graded
    return Evidence(seen, weight, weight_sq, correct)


@dataclass(frozen=True)
class Estimate:
    """The current accuracy: Beta(alpha, beta) and what it says about the target."""

    policy: Policy = field(repr=False)
    evidence: Evidence
    alpha: float
    beta: float
    min_seen: int

    @property
    def seen(self) -> float:
        return self.evidence.seen

    @property
    def value(self) -> float | None:
        """The estimate (the posterior mean); None before any evidence."""
        return self.alpha / (self.alpha + self.beta) if self.seen > 0 else None

    @property
    def interval(self) -> tuple[float, float]:
        """The equal-tailed ``policy.level`` (90%) interval."""
        tail = (1 - self.policy.level) / 2
        return beta_ppf(tail, self.alpha, self.beta), beta_ppf(1 - tail, self.alpha, self.beta)

    @property
    def p_target(self) -> float:
        """P(true current accuracy >= target)."""
        return 1.0 - beta_cdf(self.policy.target, self.alpha, self.beta)

    @property
    def enough(self) -> bool:
        return self.seen >= self.min_seen

    @property
    def at_target(self) -> bool:
        """The verdict: P(accuracy >= target) >= ``sure``, on at least ``min_seen`` trials."""
        return self.enough and self.p_target >= self.policy.sure

    @property
    def below_target(self) -> bool:
        """Sure it is below the target (P(accuracy >= target) <= 1 - sure), on at least ``min_seen`` trials."""
        return self.enough and self.p_target <= 1 - self.policy.sure


def posterior(evidence: Evidence, policy: Policy, min_seen: int | None = None,
              prior: tuple[float, float] | None = None) -> Estimate:
    """The Beta posterior from ``evidence`` and the policy's prior (or ``prior``)."""
    a0, b0 = prior or policy.prior
    rate = evidence.rate
    n = evidence.effective
    alpha = a0 + (n * rate if rate is not None else 0.0)
    beta = b0 + (n * (1 - rate) if rate is not None else 0.0)
    return Estimate(policy, evidence, alpha, beta, policy.min_codes if min_seen is None else min_seen)


def _p_target(effective: float, rate: float, policy: Policy) -> float:
    a0, b0 = policy.prior
    return 1.0 - beta_cdf(policy.target, a0 + effective * rate, b0 + effective * (1 - rate))


def _effective_after(codes: float, policy: Policy) -> float:
    """The effective size of ``codes`` codes: (1 + d)/(1 - d) · (1 - d^n)/(1 + d^n) (it depends on n alone)."""
    dn = policy.decay ** codes
    return policy.max_effective * (1 - dn) / (1 + dn)


def rate_needed(policy: Policy) -> float:
    """The steady accuracy that earns (and keeps) the verdict in the long run: the smallest rate r
    with P(accuracy >= target) >= sure after an endless history at r. About 95.8% by default."""
    low, high = policy.target, 1.0
    for _ in range(60):
        middle = (low + high) / 2
        if _p_target(policy.max_effective, middle, policy) >= policy.sure:
            high = middle
        else:
            low = middle
    return high


@dataclass(frozen=True)
class Outlook:
    """What would change the verdict, for the figure it was computed on."""

    rate: float | None
    """The current (recency-weighted) rate that "keep your current rate" means."""
    codes_more: int | None
    """Further codes at ``rate`` until "at target" (0: there already; None: never at this rate)."""
    rate_needed: float
    """The steady rate that earns and keeps the verdict in the long run."""


def outlook(estimate: Estimate, cap: int = 1_000_000) -> Outlook:
    """Project the estimate forward: N more codes at the current rate leave the rate where it is and
    make the evidence that of ``seen + N`` codes, so P(accuracy >= target) after N codes is known in
    closed form. ``codes_more`` is the smallest such N giving the verdict (found by bisection: P
    rises with N at a rate above the target), or None when even an endless history at this rate
    would not (the rate must rise to ``rate_needed``)."""
    policy = estimate.policy
    needed = rate_needed(policy)
    rate = estimate.evidence.rate
    if estimate.at_target:
        return Outlook(rate, 0, needed)
    if rate is None:
        rate = 1.0  # no work yet: how many codes, all right, it takes at the least

    def reaches(more: int) -> bool:
        return (estimate.seen + more >= estimate.min_seen
                and _p_target(_effective_after(estimate.seen + more, policy), rate, policy) >= policy.sure)

    if not reaches(cap):
        return Outlook(estimate.evidence.rate, None, needed)
    low, high = 0, 1
    while not reaches(high):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle
    return Outlook(estimate.evidence.rate, high, needed)


# --- over attempts --------------------------------------------------------------------------------


def _chronological(attempts: Iterable[Attempt]) -> list[Attempt]:
    return sorted(attempts, key=lambda attempt: (attempt.submitted_at, attempt.id))


def _codes(attempt: Attempt) -> tuple[int, int]:
    graded = max(attempt.codes_graded, 0)
    return graded, min(max(attempt.codes_correct, 0), graded)


def code_estimate(attempts: Sequence[Attempt], policy: Policy = Policy()) -> Estimate:
    """Current code accuracy from every graded code (the audit figure tracked against 95%)."""
    return posterior(weigh((_codes(a) for a in _chronological(attempts)), policy), policy)


def record_estimate(attempts: Sequence[Attempt], policy: Policy = Policy()) -> Estimate:
    """Current record accuracy: each attempt one trial, right when every element was."""
    series = ((_codes(a)[0], float(a.record_correct)) for a in _chronological(attempts))
    return posterior(weigh(series, policy, per_attempt=True), policy, min_seen=policy.weak_min_codes)


def _grouped(attempts: Sequence[Attempt], keys: Callable[[Attempt], Iterable[str]]) -> dict[str, list[Attempt]]:
    groups: dict[str, list[Attempt]] = {}
    for attempt in _chronological(attempts):
        for key in dict.fromkeys(keys(attempt)):  # a key listed twice counts once
            groups.setdefault(key, []).append(attempt)
    return {key: groups[key] for key in sorted(groups)}


def estimates_by_code_set(attempts: Sequence[Attempt], policy: Policy = Policy()) -> dict[str, Estimate]:
    """Current code accuracy per code set, with ``mcq`` (questions) and ``billing`` among them; each
    from that set's own attempts, aged by that set's own codes."""
    return {key: code_estimate(group, policy) for key, group in _grouped(attempts, lambda a: a.code_sets).items()}


def estimates_by_topic(attempts: Sequence[Attempt], policy: Policy = Policy()) -> dict[str, Estimate]:
    """Current code accuracy per topic; the verdicts need ``weak_min_codes`` codes in the topic."""
    result = {}
    for key, group in _grouped(attempts, lambda a: a.topics).items():
        evidence = weigh((_codes(a) for a in group), policy)
        result[key] = posterior(evidence, policy, min_seen=policy.weak_min_codes)
    return result


def weak_topics(attempts: Sequence[Attempt], policy: Policy = Policy(), n: int = 5) -> list[tuple[str, Estimate]]:
    """Topics the evidence says are below the target: at least ``weak_min_codes`` codes and
    P(accuracy >= target) <= 1 - sure; the lowest estimates first (then more evidence, then name)."""
    weak = [(topic, e) for topic, e in estimates_by_topic(attempts, policy).items() if e.below_target]
    weak.sort(key=lambda item: (item[1].value or 0.0, -item[1].seen, item[0]))
    return weak[:n]


# --- exam readiness -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreForecast:
    """The score on an exam form, from per-area estimates and the blueprint."""

    estimate: float  # the expected share of items right
    low: float  # the equal-tailed ``level`` range of the score on one form
    high: float
    p_pass: float


def forecast_score(areas: Sequence[tuple[int, Estimate]], pass_line: float, level: float = 0.90) -> ScoreForecast:
    """Each area's items right is Beta-Binomial(questions, alpha, beta) (the area's accuracy is
    uncertain, and each item is then right or wrong); the areas are independent, so the form's
    total is their convolution, computed exactly. P(pass) = P(total >= pass_line · questions)."""
    total = [1.0]
    questions = 0
    for count, estimate in areas:
        if count > 0:
            total = convolve(total, beta_binomial_pmf(count, estimate.alpha, estimate.beta))
            questions += count
    if questions == 0:
        raise ValueError("a blueprint with no questions")
    needed = math.ceil(pass_line * questions - 1e-9)
    tail = (1 - level) / 2
    cumulative, low, high = 0.0, None, None
    for k, p in enumerate(total):
        cumulative += p
        if low is None and cumulative >= tail - 1e-12:
            low = k
        if high is None and cumulative >= 1 - tail - 1e-12:
            high = k
    mean = sum(k * p for k, p in enumerate(total)) / questions
    p_pass = min(1.0, max(0.0, sum(total[needed:])))
    return ScoreForecast(mean, (low or 0) / questions, (high if high is not None else questions) / questions, p_pass)


# --- in words -------------------------------------------------------------------------------------


def _rate(value: float) -> str:
    return f"{value:.1%}"


def describe(estimate: Estimate, ahead: Outlook) -> str:
    """The verdict and what would change it, in one plain sentence (no markup: callers style it)."""
    policy = estimate.policy
    target = f"{policy.target:.0%}"
    if estimate.value is None:
        return "No graded codes yet: practise a chart to see where you stand."
    if estimate.at_target:
        return (f"At {target}: {estimate.p_target:.0%} sure (needs {policy.sure:.0%}). It holds while you keep "
                f"coding at about {_rate(ahead.rate_needed)} or better.")
    sure = f"{estimate.p_target:.0%} sure, needs {policy.sure:.0%}"
    if not estimate.enough and estimate.p_target >= policy.sure:
        sure = f"{estimate.seen:.0f} codes so far, needs {estimate.min_seen}"
    current = _rate(ahead.rate) if ahead.rate is not None else "--"
    if ahead.codes_more is not None:
        return (f"Not yet at {target} ({sure}): keep your current rate ({current}) "
                f"for about {ahead.codes_more} more codes.")
    return (f"Not yet at {target} ({sure}): at your current rate ({current}) you will not get there; "
            f"it must rise to about {_rate(ahead.rate_needed)}.")


def estimate_series(attempts: Sequence[Attempt], policy: Policy = Policy()) -> list[float]:
    """The code-accuracy estimate after each attempt with graded codes, oldest first (for charts).

    Kept up to date attempt by attempt: an attempt of g codes multiplies the old sums by d^g and adds
    its own (Σw over ages 0..g-1, and so on), the same sums ``weigh`` computes from scratch."""
    d = policy.decay
    a0, b0 = policy.prior
    weight = weight_sq = correct = 0.0
    values = []
    for attempt in _chronological(attempts):
        graded, right = _codes(attempt)
        if not graded:
            continue
        own = _geometric(d, 0, graded)
        weight = weight * d ** graded + own
        weight_sq = weight_sq * d ** (2 * graded) + _geometric(d * d, 0, graded)
        correct = correct * d ** graded + own * right / graded
        effective = weight * weight / weight_sq
        rate = correct / weight
        values.append((a0 + effective * rate) / (a0 + b0 + effective))
    return values
